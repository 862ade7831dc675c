//! Agent keys as agents present them: `agent_<prefix>_<secret>`.

/// Where each candidate prefix of a presented key could end: UASAM's
/// prefixes and secrets are URL-safe base64 text, which may itself hold `_`,
/// so a key cannot be split blindly on `_`: every `_` after `agent_` is
/// tried as the end of the prefix (prefix and secret both non-empty). An
/// empty list: the text is no agent key at all.
pub fn candidate_prefixes(presented: &str) -> Vec<&str> {
    let Some(rest) = presented.strip_prefix("agent_") else {
        return Vec::new();
    };
    let well_formed = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !well_formed {
        return Vec::new();
    }
    rest.match_indices('_')
        .map(|(at, _)| at)
        .filter(|&at| at > 0 && at + 1 < rest.len())
        .map(|at| &rest[..at])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_underscore_after_agent_is_a_possible_end_of_the_prefix() {
        assert_eq!(
            candidate_prefixes("agent_Q2xhdWRlLXR_Rk9yVGVzdA"),
            vec!["Q2xhdWRlLXR"]
        );
        assert_eq!(
            candidate_prefixes("agent_ab_cdEFgh-1_Rk9y_VGVz"),
            vec!["ab", "ab_cdEFgh-1", "ab_cdEFgh-1_Rk9y"]
        );
    }

    #[test]
    fn text_that_is_no_agent_key_has_no_prefix() {
        for text in [
            "",
            "agent_",
            "agent_abc",
            "agent__secret",
            "agent_abc_",
            "Agent_abc_def",
            "token abc_def",
            "agent_ab c_def",
            "agent_abc_dé",
        ] {
            assert!(candidate_prefixes(text).is_empty(), "{text:?}");
        }
    }
}
