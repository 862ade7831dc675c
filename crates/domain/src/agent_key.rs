//! Agent keys as agents present them: `agent_<prefix>_<secret>`.

/// The longest presented agent key looked at, in bytes; a longer one is
/// refused before any work. UASAM issues 61 bytes (`agent_`, an 11-character
/// prefix, `_`, a 43-character secret: `secrets.token_urlsafe(8)` and
/// `token_urlsafe(32)`). The margin admits any prefix the column can hold
/// ([`MAX_PREFIX_CHARS`]) with a secret of up to 250 characters, so no key
/// UASAM or another writer of that column could have issued is refused.
pub const MAX_AGENT_KEY_BYTES: usize = 512;

/// The longest prefix `agent_key.prefix` can hold (`varchar(255)`): a
/// candidate longer than that matches no row, so it is never asked for.
pub const MAX_PREFIX_CHARS: usize = 255;

/// Where each candidate prefix of a presented key could end: UASAM's
/// prefixes and secrets are URL-safe base64 text, which may itself hold `_`,
/// so a key cannot be split blindly on `_`: every `_` after `agent_` is
/// tried as the end of the prefix (prefix and secret both non-empty). An
/// empty list: the text is no agent key at all.
///
/// Cost: the candidates are slices of `presented`, never copies, and there
/// are at most [`MAX_PREFIX_CHARS`] of them: a key longer than
/// [`MAX_AGENT_KEY_BYTES`] has none, and a candidate longer than the column
/// is not one. One pass over at most 512 bytes.
pub fn candidate_prefixes(presented: &str) -> Vec<&str> {
    candidates_after(presented, "agent_")
}

/// The candidate prefixes of `presented` after its `tag` (`agent_`,
/// `otas_`), by the rule and within the bounds [`candidate_prefixes`] says.
pub(crate) fn candidates_after<'a>(presented: &'a str, tag: &str) -> Vec<&'a str> {
    if presented.len() > MAX_AGENT_KEY_BYTES {
        return Vec::new();
    }
    let Some(rest) = presented.strip_prefix(tag) else {
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
        .take_while(|&at| at <= MAX_PREFIX_CHARS)
        .filter(|&at| at > 0 && at + 1 < rest.len())
        .map(|at| &rest[..at])
        .collect()
}

/// Whether `presented` is `agent_<prefix>_…`: the stored key `prefix` is the
/// one the presented key names at that boundary. No allocation.
pub fn names_prefix(presented: &str, prefix: &str) -> bool {
    names_prefix_after(presented, "agent_", prefix)
}

/// Whether `presented` is `<tag><prefix>_…`. No allocation.
pub(crate) fn names_prefix_after(presented: &str, tag: &str, prefix: &str) -> bool {
    presented
        .strip_prefix(tag)
        .and_then(|rest| rest.strip_prefix(prefix))
        .is_some_and(|rest| rest.starts_with('_'))
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

    #[test]
    fn a_key_longer_than_any_issued_has_no_candidate_at_all() {
        let hostile = format!("agent_x{}y", "_".repeat(100_000));
        assert!(candidate_prefixes(&hostile).is_empty());

        let longest = format!("agent_{}_{}", "p".repeat(255), "s".repeat(250));
        assert_eq!(longest.len(), MAX_AGENT_KEY_BYTES);
        assert_eq!(candidate_prefixes(&longest), vec!["p".repeat(255)]);
        assert!(candidate_prefixes(&format!("{longest}s")).is_empty());
    }

    #[test]
    fn no_candidate_is_longer_than_the_prefix_column() {
        // Underscores everywhere: a candidate at every byte, but none past 255.
        let key = format!("agent_a{}", "_b".repeat(250));
        let candidates = candidate_prefixes(&key);

        assert!(candidates.len() <= MAX_PREFIX_CHARS, "{}", candidates.len());
        assert!(candidates.iter().all(|c| c.len() <= MAX_PREFIX_CHARS));
        assert_eq!(candidates.last().map(|c| c.len()), Some(255));
    }

    #[test]
    fn a_stored_prefix_is_named_only_at_an_underscore() {
        assert!(names_prefix("agent_ab_cd_secret", "ab"));
        assert!(names_prefix("agent_ab_cd_secret", "ab_cd"));
        assert!(!names_prefix("agent_ab_cd_secret", "a"));
        assert!(!names_prefix("agent_abc_secret", "ab"));
        assert!(!names_prefix("otas_ab_secret", "ab"));
    }
}
