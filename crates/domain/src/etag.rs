//! Entity tags for session listings.
//!
//! Sessions are written once and never edited, so a listing's content is
//! decided by the request's own parameters plus the count and the newest
//! (`created_at`, `id`) of the sessions it keeps: an aggregate over the index
//! gives both without reading a row.

use crate::query::{SessionQuery, SessionSummary};

/// What besides the query shapes an answer: the page and its extras.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape<'a> {
    pub limit: Option<usize>,
    pub cursor: Option<&'a str>,
    pub include_total: bool,
}

/// A strong entity tag (quoted) for the answer to `query` shaped by `shape`
/// over sessions summarized by `summary`.
pub fn entity_tag(query: &SessionQuery, shape: Shape<'_>, summary: &SessionSummary) -> String {
    let newest = summary
        .newest
        .map(|k| format!("{}/{}", k.created_at.as_micros(), k.id))
        .unwrap_or_default();
    let text = format!(
        "{}|{:?}|{:?}|{}|{}|{}",
        query.binding(),
        shape.limit,
        shape.cursor,
        shape.include_total,
        summary.count,
        newest
    );
    format!(
        "\"{:016x}{:016x}\"",
        fnv1a(&text, 0xcbf2_9ce4_8422_2325),
        fnv1a(&text, 0x6c62_272e_07bb_0142)
    )
}

/// Whether an `If-None-Match` value names `tag` (or is `*`). Weak tags
/// compare by their opaque part, as RFC 9110 asks for `If-None-Match`.
pub fn if_none_match_hits(header: &str, tag: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

/// FNV-1a, 64 bits: stable across builds and machines, unlike std's hasher.
fn fnv1a(text: &str, seed: u64) -> u64 {
    text.bytes().fold(seed, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use uuid::Uuid;

    use super::*;
    use crate::ids::{AgentId, SessionId};
    use crate::query::SessionKey;
    use crate::session::Timestamp;

    fn summary(count: u64, micros: i64, id: u128) -> SessionSummary {
        SessionSummary {
            count,
            newest: Some(SessionKey {
                created_at: Timestamp::new(
                    DateTime::from_timestamp_micros(micros).expect("in range"),
                ),
                id: SessionId::from_uuid(Uuid::from_u128(id)),
            }),
        }
    }

    #[test]
    fn the_tag_changes_with_the_count_the_newest_session_and_the_request() {
        let query = SessionQuery::all_of(AgentId::from_uuid(Uuid::from_u128(1)));
        let base = entity_tag(&query, Shape::default(), &summary(10, 5, 7));

        assert_eq!(
            base,
            entity_tag(&query, Shape::default(), &summary(10, 5, 7))
        );
        assert_ne!(
            base,
            entity_tag(&query, Shape::default(), &summary(11, 5, 7))
        );
        assert_ne!(
            base,
            entity_tag(&query, Shape::default(), &summary(10, 6, 7))
        );
        assert_ne!(
            base,
            entity_tag(&query, Shape::default(), &summary(10, 5, 8))
        );
        let paged = Shape {
            limit: Some(10),
            ..Shape::default()
        };
        assert_ne!(base, entity_tag(&query, paged, &summary(10, 5, 7)));
        let other_agent = SessionQuery::all_of(AgentId::from_uuid(Uuid::from_u128(2)));
        assert_ne!(
            base,
            entity_tag(&other_agent, Shape::default(), &summary(10, 5, 7))
        );
        assert!(
            base.starts_with('"') && base.ends_with('"') && base.len() == 34,
            "{base}"
        );
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let tag = "\"abc\"";
        assert!(if_none_match_hits("\"abc\"", tag));
        assert!(if_none_match_hits("\"x\", W/\"abc\"", tag));
        assert!(if_none_match_hits("*", tag));
        assert!(!if_none_match_hits("\"abd\"", tag));
        assert!(!if_none_match_hits("abc", tag));
    }
}
