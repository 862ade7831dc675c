//! What the session-listing use case answers.

use otas_domain::{AgentId, ListSessionsError, Session};

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
    pub rest: Option<Box<dyn RestOfList>>,
    /// How many sessions the filters keep, when asked (`include_total`).
    pub total: Option<u64>,
    /// The list's entity tag: the count and the newest session, read from
    /// the same snapshot as the first batch.
    pub etag: String,
}

/// The sessions of a whole list after its first batch, read a batch at a
/// time as the caller writes them: all the caller needs of the stores to
/// finish the list, behind one call (a test fakes it with batches of its
/// own).
pub trait RestOfList: Send + std::fmt::Debug {
    /// Reads the next batch, and what follows it.
    ///
    /// Blocking: call it off the async executor.
    fn read_next(self: Box<Self>) -> Result<NextBatch, ListSessionsError>;
}

/// One batch of the rest of a list, and what follows it.
#[derive(Debug)]
pub struct NextBatch {
    pub sessions: Vec<Session>,
    /// `None` once the list is complete.
    pub rest: Option<Box<dyn RestOfList>>,
}
