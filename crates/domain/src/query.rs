//! What a session listing asks for: whose sessions, which of them, in which
//! order, and from where.

use std::fmt::Write;

use serde_json::Value;

use crate::ids::{AgentId, SessionId};
pub use crate::meta_filter::MetaFilter;
use crate::session::{Session, Timestamp};

/// The direction of a listing on (`created_at`, `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Order {
    /// Newest first (the original's order).
    #[default]
    Desc,
    /// Oldest first.
    Asc,
}

impl Order {
    /// `desc` or `asc`, as the `order` parameter spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Desc => "desc",
            Self::Asc => "asc",
        }
    }
}

/// The position of a session in the total order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey {
    /// The session's creation time.
    pub created_at: Timestamp,
    /// The session's id, which breaks ties between equal times.
    pub id: SessionId,
}

impl SessionKey {
    /// The key of a listed session.
    pub fn of(session: &Session) -> Self {
        Self {
            created_at: session.created_at,
            id: session.id,
        }
    }
}

/// Which of an agent's sessions a listing keeps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionFilter {
    /// Keep sessions created strictly after this time.
    pub created_after: Option<Timestamp>,
    /// Keep sessions created strictly before this time.
    pub created_before: Option<Timestamp>,
    /// Keep sessions whose `meta` has these top-level values.
    pub meta: MetaFilter,
}

/// Which sessions a listing covers and in which order.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionQuery {
    /// The agent whose sessions are listed.
    pub agent: AgentId,
    /// The listing's direction.
    pub order: Order,
    /// Which sessions are kept.
    pub filter: SessionFilter,
}

impl SessionQuery {
    /// Every session of `agent`, newest first.
    pub fn all_of(agent: AgentId) -> Self {
        Self {
            agent,
            order: Order::Desc,
            filter: SessionFilter::default(),
        }
    }

    /// A text naming exactly this query (agent, order, filters), the same
    /// whatever order the filters were written in. A cursor is bound to it.
    pub fn binding(&self) -> String {
        let mut out = format!("v1|{}|{}|", self.agent, self.order.as_str());
        let micros = |t: Option<Timestamp>| t.map(|t| t.as_micros());
        let _ = write!(
            out,
            "{:?}|{:?}|",
            micros(self.filter.created_after),
            micros(self.filter.created_before)
        );
        if !self.filter.meta.is_absent() {
            out.push_str("meta|");
        }
        for ((key, value), (_, written)) in self
            .filter
            .meta
            .pairs()
            .iter()
            .zip(self.filter.meta.written())
        {
            // JSON text of both: no key or value can forge a separator. A
            // number as written, digit for digit, as PostgreSQL compares it.
            let value = match value {
                Value::Number(_) => written.to_owned(),
                other => other.to_string(),
            };
            let _ = write!(out, "{}={value};", Value::String(key.clone()));
        }
        out
    }
}

/// What a store knows of all the sessions a query keeps, without reading them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionSummary {
    /// How many sessions the query keeps.
    pub count: u64,
    /// The newest of them, in (`created_at`, `id`) order.
    pub newest: Option<SessionKey>,
}

impl SessionSummary {
    /// The summary of sessions known to be every one a query keeps.
    pub fn of_complete(sessions: &[Session]) -> Self {
        Self {
            count: sessions.len() as u64,
            newest: sessions.iter().map(SessionKey::of).max(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_binding_ignores_the_order_filters_were_written_in_and_nothing_else() {
        let agent = AgentId::parse("d1e2f3a4-b5c6-7890-abcd-ef1234567890").expect("uuid");
        let query = |meta: Value, order| SessionQuery {
            agent,
            order,
            filter: SessionFilter {
                meta: MetaFilter::from_object(meta).expect("scalars"),
                ..SessionFilter::default()
            },
        };
        let a = query(json!({"x": 1, "y": "2"}), Order::Desc);
        let b = query(json!({"y": "2", "x": 1}), Order::Desc);
        assert_eq!(a.binding(), b.binding());
        assert_ne!(
            a.binding(),
            query(json!({"x": 1, "y": 2}), Order::Desc).binding()
        );
        assert_ne!(
            a.binding(),
            query(json!({"x": 1, "y": "2"}), Order::Asc).binding()
        );
        assert_ne!(a.binding(), query(json!({"x;y": 1}), Order::Desc).binding());
        let written = |text: &str| SessionQuery {
            filter: SessionFilter {
                meta: MetaFilter::parse(text).expect("a filter"),
                ..SessionFilter::default()
            },
            ..SessionQuery::all_of(agent)
        };
        assert_ne!(
            written(r#"{"n": 1.0}"#).binding(),
            written(r#"{"n": 1.00000000000000001}"#).binding(),
            "numbers PostgreSQL tells apart"
        );
        assert_eq!(
            written(r#"{"s": "\u00e9"}"#).binding(),
            written(r#"{"s": "é"}"#).binding()
        );
        assert_ne!(
            written("{}").binding(),
            SessionQuery::all_of(agent).binding(),
            "{{}} keeps objects only"
        );
    }
}
