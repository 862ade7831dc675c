//! Entity tags for session listings.
//!
//! Sessions are written once and never edited, so an answer's content is
//! decided by the request's own parameters plus which sessions it lists:
//!
//! - a page by the keys it lists and whether more follow ([`page_tag`]): its
//!   tag costs what the page holds, never a count of the agent;
//! - a whole list by the count and the newest (`created_at`, `id`) of the
//!   sessions it keeps ([`list_tag`]): an aggregate over the index gives both
//!   without reading a row.
//!
//! A tag must never vouch for a session the body lacks: callers derive it
//! from what the body was read from (the page's own rows, or a summary read
//! in the same snapshot as the list).

use crate::params::Shape;
use crate::query::{SessionKey, SessionQuery, SessionSummary};

/// What a page shows: the keys of its sessions, whether more follow, and
/// the total when it was asked for. Not the request's parameters but what
/// was read: the part of a page's tag that only its read knows.
#[derive(Debug, Clone, Copy)]
pub struct PageContent<'a> {
    pub keys: &'a [SessionKey],
    pub has_more: bool,
    pub total: Option<u64>,
}

/// A strong entity tag (quoted) for a page answering `query` shaped by
/// `shape`.
pub fn page_tag(query: &SessionQuery, shape: &Shape, page: PageContent<'_>) -> String {
    let mut hash = Hash::of_request("page", query, shape);
    hash.write(format!("|{}|{:?}|", page.has_more, page.total).as_bytes());
    for key in page.keys {
        hash.write(&key.created_at.as_micros().to_le_bytes());
        hash.write(key.id.as_uuid().as_bytes());
    }
    hash.finish()
}

/// A strong entity tag (quoted) for the whole list answering `query` shaped
/// by `shape`, over sessions summarized by `summary`.
pub fn list_tag(query: &SessionQuery, shape: &Shape, summary: &SessionSummary) -> String {
    let mut hash = Hash::of_request("list", query, shape);
    let newest = summary
        .newest
        .map(|k| format!("{}/{}", k.created_at.as_micros(), k.id))
        .unwrap_or_default();
    hash.write(format!("|{}|{}", summary.count, newest).as_bytes());
    hash.finish()
}

/// Two FNV-1a hashes of 64 bits with different seeds: stable across builds
/// and machines, unlike std's hasher.
struct Hash([u64; 2]);

impl Hash {
    fn of_request(kind: &str, query: &SessionQuery, shape: &Shape) -> Self {
        let mut hash = Self([0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142]);
        let text = format!(
            "{kind}|{}|{:?}|{:?}|{}",
            query.binding(),
            shape.limit,
            shape.cursor.as_deref(),
            shape.include_total
        );
        hash.write(text.as_bytes());
        hash
    }

    fn write(&mut self, bytes: &[u8]) {
        for h in &mut self.0 {
            *h = bytes.iter().fold(*h, |hash, byte| {
                (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
            });
        }
    }

    fn finish(&self) -> String {
        format!("\"{:016x}{:016x}\"", self.0[0], self.0[1])
    }
}

/// The entity tags a client says it holds (`If-None-Match`), parsed by the
/// HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfNoneMatch {
    /// `*`: any current answer.
    Any,
    /// The opaque tags, each with its quotes; a weak tag's `W/` dropped, as
    /// RFC 9110's weak comparison asks for `If-None-Match`.
    Tags(Vec<String>),
}

impl IfNoneMatch {
    /// Whether the client holds the answer tagged `tag`.
    pub fn matches(&self, tag: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|held| held == tag),
        }
    }
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
    fn a_list_tag_changes_with_the_count_the_newest_session_and_the_request() {
        let query = SessionQuery::all_of(AgentId::from_uuid(Uuid::from_u128(1)));
        let entity_tag = list_tag;
        let base = entity_tag(&query, &Shape::default(), &summary(10, 5, 7));

        assert_eq!(
            base,
            entity_tag(&query, &Shape::default(), &summary(10, 5, 7))
        );
        assert_ne!(
            base,
            entity_tag(&query, &Shape::default(), &summary(11, 5, 7))
        );
        assert_ne!(
            base,
            entity_tag(&query, &Shape::default(), &summary(10, 6, 7))
        );
        assert_ne!(
            base,
            entity_tag(&query, &Shape::default(), &summary(10, 5, 8))
        );
        let paged = Shape {
            limit: Some(10),
            ..Shape::default()
        };
        assert_ne!(base, entity_tag(&query, &paged, &summary(10, 5, 7)));
        let other_agent = SessionQuery::all_of(AgentId::from_uuid(Uuid::from_u128(2)));
        assert_ne!(
            base,
            entity_tag(&other_agent, &Shape::default(), &summary(10, 5, 7))
        );
        assert!(
            base.starts_with('"') && base.ends_with('"') && base.len() == 34,
            "{base}"
        );
    }

    fn key(micros: i64, id: u128) -> SessionKey {
        SessionKey {
            created_at: Timestamp::new(DateTime::from_timestamp_micros(micros).expect("in range")),
            id: SessionId::from_uuid(Uuid::from_u128(id)),
        }
    }

    #[test]
    fn a_page_tag_changes_with_its_keys_whether_more_follow_its_total_and_the_request() {
        let query = SessionQuery::all_of(AgentId::from_uuid(Uuid::from_u128(1)));
        let shape = Shape {
            limit: Some(2),
            ..Shape::default()
        };
        let keys = [key(5, 7), key(4, 9)];
        fn page(keys: &[SessionKey], has_more: bool, total: Option<u64>) -> PageContent<'_> {
            PageContent {
                keys,
                has_more,
                total,
            }
        }
        let base = page_tag(&query, &shape, page(&keys, true, None));

        assert_eq!(base, page_tag(&query, &shape, page(&keys, true, None)));
        assert_ne!(base, page_tag(&query, &shape, page(&keys[..1], true, None)));
        assert_ne!(base, page_tag(&query, &shape, page(&keys, false, None)));
        assert_ne!(base, page_tag(&query, &shape, page(&keys, true, Some(2))));
        let other_id = [key(5, 7), key(4, 8)];
        assert_ne!(base, page_tag(&query, &shape, page(&other_id, true, None)));
        let other_time = [key(5, 7), key(3, 9)];
        assert_ne!(
            base,
            page_tag(&query, &shape, page(&other_time, true, None))
        );
        let asc = SessionQuery {
            order: crate::Order::Asc,
            ..query.clone()
        };
        assert_ne!(base, page_tag(&asc, &shape, page(&keys, true, None)));
        let with_cursor = Shape {
            cursor: Some("c".into()),
            ..shape.clone()
        };
        assert_ne!(
            base,
            page_tag(&query, &with_cursor, page(&keys, true, None))
        );
        // A whole list never shares a tag with a page.
        let summary = SessionSummary {
            count: 2,
            newest: Some(key(5, 7)),
        };
        assert_ne!(base, list_tag(&query, &shape, &summary));
    }

    #[test]
    fn if_none_match_matches_any_held_tag_or_star() {
        let held = IfNoneMatch::Tags(vec!["\"x\"".to_owned(), "\"abc\"".to_owned()]);
        assert!(held.matches("\"abc\""));
        assert!(!held.matches("\"abd\""));
        assert!(IfNoneMatch::Any.matches("\"anything\""));
    }
}
