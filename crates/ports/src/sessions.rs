//! Reading agent sessions.

use otas_domain::{Session, SessionKey, SessionQuery, SessionSummary};

use crate::store::StoreError;

/// Sessions read together with the summary of every session their query
/// keeps, from one snapshot of the store.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionsAndSummary {
    /// The sessions read, as `SessionStore::sessions_after` reads them.
    pub sessions: Vec<Session>,
    /// The count and the newest of every session the query keeps.
    pub summary: SessionSummary,
}

/// Reads the `agent_session` rows that UASAM writes.
///
/// Each read states what bounds its cost: a page costs what it holds (a
/// keyset read of at most `limit` entries), a summary what the query keeps.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SessionStore: Send + Sync {
    /// Implementations MUST return at most `limit` sessions of `query.agent`
    /// that `query.filter` keeps (exactly those the reference oracle keeps: a
    /// `meta` filter matches only object metas), in the total order
    /// `query.order` on (`created_at`, `id`), starting strictly after `after`
    /// in that order (from the first session when `None`). A session's
    /// `meta` MUST come back as stored, whatever JSON value it is. Reading a
    /// page MUST cost the same at any depth: a keyset read, never an offset.
    /// An unreachable store MUST be `StoreError::Unavailable`.
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<Session>, StoreError>;

    /// Implementations MUST return the keys of exactly the sessions
    /// `sessions_after` returns for the same arguments, read from the
    /// listing index alone where the store can (no `meta` filter: no session
    /// row read). Cost: at most `limit` index entries.
    fn keys_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<SessionKey>, StoreError>;

    /// Implementations MUST return how many sessions the query keeps and the
    /// newest of them in (`created_at`, `id`) order, from the index alone
    /// where the store can (no session row read). Cost: every session the
    /// query keeps; only a whole list or `include_total` asks for it.
    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError>;

    /// Implementations MUST return what `sessions_after` and `summarize`
    /// return, both read from the same snapshot: a session committed while
    /// they are read is in both or in neither.
    fn sessions_and_summary(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<SessionsAndSummary, StoreError>;
}
