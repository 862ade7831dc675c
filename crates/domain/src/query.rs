//! What a session listing asks for: whose sessions, in which order, from where.

use crate::ids::{AgentId, SessionId};
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

/// The position of a session in the total order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Which sessions a listing covers and in which order.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionQuery {
    /// The agent whose sessions are listed.
    pub agent: AgentId,
    /// The listing's direction.
    pub order: Order,
}

impl SessionQuery {
    /// Every session of `agent`, newest first.
    pub fn all_of(agent: AgentId) -> Self {
        Self {
            agent,
            order: Order::Desc,
        }
    }
}
