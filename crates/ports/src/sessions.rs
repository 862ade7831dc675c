//! Reading agent sessions.

use otas_domain::{Session, SessionKey, SessionQuery, SessionSummary};

use crate::store::StoreError;

/// Reads the `agent_session` rows that UASAM writes.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SessionStore: Send + Sync {
    /// Implementations MUST return at most `limit` sessions of `query.agent`
    /// that `query.filter` keeps (exactly those `SessionQuery::keeps` accepts),
    /// in the total order `query.order` on (`created_at`, `id`), starting
    /// strictly after `after` in that order (from the first session when
    /// `None`). Reading a page MUST cost the same at any depth: a keyset read,
    /// never an offset. An unreachable store MUST be `StoreError::Unavailable`.
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<Session>, StoreError>;

    /// Implementations MUST return how many sessions the query keeps and the
    /// newest of them in (`created_at`, `id`) order, from the index alone
    /// where the store can (no session row read).
    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError>;
}
