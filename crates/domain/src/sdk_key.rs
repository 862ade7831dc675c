//! SDK keys as backends present them: `otas_<prefix>_<secret>`, found by
//! their prefix as agent keys are (every `_` after `otas_` tried as its end,
//! within the same bounds: [`MAX_SDK_KEY_BYTES`], a prefix of at most
//! `agent_key::MAX_PREFIX_CHARS`).

use crate::agent_key::{candidates_after, names_prefix_after, MAX_AGENT_KEY_BYTES};

/// The longest presented SDK key looked at, in bytes: the agent keys' bound
/// (UASAM issues 60 bytes: `otas_`, 11, `_`, 43).
pub const MAX_SDK_KEY_BYTES: usize = MAX_AGENT_KEY_BYTES;

/// Whether `presented` has UASAM's three `_`-separated parts
/// (`full_key.split('_', 2)` of three): at least two `_`. UASAM answers
/// `invalid_key_format` to a key that has not, before any read.
pub fn has_three_parts(presented: &str) -> bool {
    presented.bytes().filter(|&b| b == b'_').nth(1).is_some()
}

/// Every prefix `presented` could name (see
/// `agent_key::candidate_prefixes`), after `otas_`. Empty: no SDK key.
pub fn candidate_prefixes(presented: &str) -> Vec<&str> {
    candidates_after(presented, "otas_")
}

/// Whether `presented` is `otas_<prefix>_…`. No allocation.
pub fn names_prefix(presented: &str, prefix: &str) -> bool {
    names_prefix_after(presented, "otas_", prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_underscore_after_otas_is_a_possible_end_of_the_prefix() {
        assert_eq!(
            candidate_prefixes("otas_ab_cd-EF_secret"),
            vec!["ab", "ab_cd-EF"]
        );
        assert!(names_prefix("otas_ab_cd-EF_secret", "ab_cd-EF"));
        assert!(!names_prefix("agent_ab_cd-EF_secret", "ab"));
    }

    #[test]
    fn text_that_is_no_sdk_key_has_no_prefix() {
        for text in [
            "",
            "otas_",
            "otas_abc",
            "agent_ab_cd",
            "otas_a b_c",
            "otas__x",
        ] {
            assert!(candidate_prefixes(text).is_empty(), "{text:?}");
        }
        let hostile = format!("otas_x{}y", "_".repeat(100_000));
        assert!(candidate_prefixes(&hostile).is_empty());
    }

    #[test]
    fn three_parts_are_two_underscores_whatever_comes_first() {
        assert!(has_three_parts("otas_ab_cd"));
        assert!(has_three_parts("what_ever_it_is"));
        assert!(has_three_parts("__"));
        assert!(!has_three_parts("otas_abcd"));
        assert!(!has_three_parts("otasabcd"));
    }
}
