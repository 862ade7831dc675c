//! Writing the session an agent opens (`POST /api/agent/v1/session/create/`).

use otas_domain::{AgentId, AgentKeyId, SessionId, Timestamp};

use crate::store::StoreError;

/// A row of `agent_session`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: SessionId,
    pub agent: AgentId,
    pub agent_key: Option<AgentKeyId>,
    pub created_at: Timestamp,
    /// The JSON text of `meta`, stored as the store stores JSON.
    pub meta: String,
}

/// Writes the sessions agents open.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SessionWriter: std::fmt::Debug + Send + Sync {
    /// Implementations MUST insert `session` as one row of `agent_session`,
    /// committed before they return, where the next read of it (on any
    /// store the reads are routed to, once replicated) finds it: its `meta`
    /// kept as the store keeps JSON, every digit of its numbers included. A
    /// row the schema refuses (a duplicate id, an unknown agent or key,
    /// `meta` that is not JSON) MUST be `StoreError::Failure`; an
    /// unreachable store `StoreError::Unavailable`.
    fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError>;
}
