//! What the session-listing use case is given and what it answers.

use std::sync::Arc;

use otas_domain::etag::IfNoneMatch;
use otas_domain::{
    AgentId, ListSessionsError, Order, RawListParams, Session, SessionKey, SessionQuery,
};

use crate::store_failure::store_failed;
use otas_ports::{ReadBound, SessionStore};

/// The whole request, as raw text: `None` when a part was not sent at all.
/// The HTTP layer fills it; the use case decides everything from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListSessionsRequest {
    /// The user token (`X-OTAS-USER-TOKEN`); several headers joined by `,`.
    pub user_token: Option<String>,
    /// The project id (`X-OTAS-PROJECT-ID`); several headers joined by `,`.
    pub project_id: Option<String>,
    /// The agent whose sessions are wanted (`agent_id`).
    pub agent_id: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    pub order: Option<String>,
    pub created_after: Option<String>,
    pub created_before: Option<String>,
    pub meta: Option<String>,
    pub include_total: Option<String>,
    /// The tags the caller already holds (`If-None-Match`).
    pub if_none_match: Option<IfNoneMatch>,
}

impl ListSessionsRequest {
    /// The extension parameters, as the domain parses them.
    pub fn raw_params(&self) -> RawListParams<'_> {
        RawListParams {
            limit: self.limit.as_deref(),
            cursor: self.cursor.as_deref(),
            order: self.order.as_deref(),
            created_after: self.created_after.as_deref(),
            created_before: self.created_before.as_deref(),
            meta: self.meta.as_deref(),
            include_total: self.include_total.as_deref(),
        }
    }
}

/// The finished answer to a listing request.
#[derive(Debug)]
pub enum ListOutcome {
    /// The caller's copy is current (`If-None-Match` named this tag).
    NotModified { etag: String },
    /// One page (`limit`), complete.
    Page(SessionPage),
    /// The whole list: its first batch, and the rest to read batch by batch.
    Whole(WholeList),
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPage {
    pub agent: AgentId,
    pub sessions: Vec<Session>,
    /// More sessions follow this page.
    pub has_more: bool,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
    /// How many sessions the filters keep, when asked (`include_total`).
    pub total: Option<u64>,
    /// The page's entity tag, derived from the page itself.
    pub etag: String,
}

/// A whole listing (no `limit`), to be written as it is read.
#[derive(Debug)]
pub struct WholeList {
    pub agent: AgentId,
    /// The first batch.
    pub first: Vec<Session>,
    /// What follows the first batch; `None` when it is the whole list.
    pub rest: Option<RestOfList>,
    /// How many sessions the filters keep, when asked (`include_total`).
    pub total: Option<u64>,
    /// The list's entity tag: the count and the newest session, read from
    /// the same snapshot as the first batch.
    pub etag: String,
}

/// The sessions of a whole list after its first batch, read a batch at a
/// time. Oldest first, it stops at the newest session its tag counted, so
/// that the body holds exactly the sessions the tag vouches for (newest
/// first, later sessions come before the first batch and are never read).
pub struct RestOfList {
    sessions: Arc<dyn SessionStore>,
    query: SessionQuery,
    after: SessionKey,
    batch: usize,
    until: Option<SessionKey>,
    /// The most bytes of sessions in one batch.
    max_bytes: usize,
}

impl std::fmt::Debug for RestOfList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestOfList")
            .field("query", &self.query)
            .field("after", &self.after)
            .field("batch", &self.batch)
            .field("until", &self.until)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

/// One batch of the rest of a list, and what follows it.
#[derive(Debug)]
pub struct NextBatch {
    pub sessions: Vec<Session>,
    /// `None` once the list is complete.
    pub rest: Option<RestOfList>,
}

impl RestOfList {
    /// The sessions of `query` after `after`, `batch` at a time; oldest
    /// first, none beyond `newest`.
    pub fn new(
        sessions: Arc<dyn SessionStore>,
        query: SessionQuery,
        after: SessionKey,
        batch: usize,
        newest: Option<SessionKey>,
    ) -> Self {
        let until = match query.order {
            Order::Asc => newest,
            Order::Desc => None,
        };
        Self {
            sessions,
            query,
            after,
            batch: batch.max(1),
            until,
            max_bytes: usize::MAX,
        }
    }

    /// Cuts each batch once its sessions reach `max_bytes` (one session
    /// larger than that comes alone); the next batch starts after the last
    /// session written. Without it, only `batch` rows bound a batch.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes.max(1);
        self
    }

    /// Reads the next batch. Cost: one keyset read of at most `batch`
    /// sessions; what it keeps holds at most `max_bytes` of sessions (or the
    /// one session larger than that).
    ///
    /// Blocking: call it off the async executor.
    pub fn read_next(self) -> Result<NextBatch, ListSessionsError> {
        let mut sessions = self
            .sessions
            .sessions_after(
                &self.query,
                Some(self.after),
                ReadBound {
                    rows: self.batch,
                    bytes: self.max_bytes,
                },
            )
            .map_err(store_failed)?;
        // Short of a batch and not stopped at the byte bound (below): the end.
        let mut complete = sessions.len() < self.batch;
        if let Some(until) = self.until {
            let before = sessions.len();
            sessions.retain(|session| SessionKey::of(session) <= until);
            complete |= sessions.len() < before;
        }
        let fitting = crate::list_sessions::byte_bound::fitting(&sessions, self.max_bytes);
        complete &= fitting == sessions.len();
        sessions.truncate(fitting);
        let rest = match sessions.last() {
            Some(last) if !complete => Some(Self {
                after: SessionKey::of(last),
                ..self
            }),
            _ => None,
        };
        Ok(NextBatch { sessions, rest })
    }
}
