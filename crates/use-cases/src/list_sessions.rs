//! Listing the sessions of one agent, as `GET /api/agent/v1/sessions/list/`
//! does: one call takes the whole request and returns a finished answer.

use std::sync::Arc;

use otas_domain::etag::{list_tag, page_tag, IfNoneMatch, PageContent};
use otas_domain::{
    InvalidParam, ListParams, ListSessionsError, SessionKey, SessionQuery, SessionSummary, Shape,
};

use otas_ports::{AccessStore, CursorCodec, ReadBound, SessionStore, TokenVerifier};

use crate::access_check::{AccessCheck, Claim};
use crate::store_failure::store_failed;

mod byte_bound;
mod outcome;
mod request;
mod rest;

pub use outcome::{ListOutcome, NextBatch, RestOfList, SessionPage, WholeList};
pub use request::ListSessionsRequest;
use rest::RestFromStore;

/// The session-listing use case, as the HTTP layer (or another OTAS
/// backend) calls it. A trait so that callers can be tested with a mock.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ListSessionsUseCase: std::fmt::Debug + Send + Sync {
    /// Checks the request in the contract's order and answers it: not
    /// modified, a page, or a whole list (its first batch and the rest).
    ///
    /// Blocking: call it off the async executor.
    fn list(&self, request: ListSessionsRequest) -> Result<ListOutcome, ListSessionsError>;
}

/// A listing the caller may read: the checked parameters ([`ListParams`])
/// bound to the agent as a query, with the caller's cursor opened against
/// that query.
#[derive(Debug, Clone, PartialEq)]
struct Listing {
    /// Whose sessions, which, in which order.
    query: SessionQuery,
    /// Where the caller's cursor left off (`None`: from the start).
    after: Option<SessionKey>,
    /// A page or the whole list, the cursor's text, the total or not.
    shape: Shape,
}

/// The session-listing use case over its ports.
#[derive(Clone, Debug)]
pub struct ListSessions {
    access: AccessCheck,
    sessions: Arc<dyn SessionStore>,
    cursors: Arc<dyn CursorCodec>,
    batch: usize,
    /// The most bytes of sessions in one page or one batch of a whole list
    /// ([`byte_bound::fitting`]).
    max_bytes: usize,
}

impl ListSessionsUseCase for ListSessions {
    fn list(&self, request: ListSessionsRequest) -> Result<ListOutcome, ListSessionsError> {
        let listing = self.authorize(&request)?;
        let if_none_match = request.if_none_match.as_ref();
        match listing.shape.limit {
            Some(limit) => self.page(&listing, limit, if_none_match),
            None => self.whole(listing, if_none_match),
        }
    }
}

impl ListSessions {
    /// Builds the use case over its ports; a whole list is read `batch`
    /// sessions per round trip.
    pub fn new(
        tokens: Arc<dyn TokenVerifier>,
        access: Arc<dyn AccessStore>,
        sessions: Arc<dyn SessionStore>,
        cursors: Arc<dyn CursorCodec>,
        batch: usize,
    ) -> Self {
        Self {
            access: AccessCheck { tokens, access },
            sessions,
            cursors,
            batch: batch.max(1),
            max_bytes: usize::MAX,
        }
    }

    /// Bounds each page, and each batch of a whole list, to `max_bytes` of
    /// sessions as well as to its rows: a page then ends early (with
    /// `has_more` and a cursor after its last session), a session larger
    /// than the bound comes alone. Without it, only rows bound them.
    #[must_use]
    pub fn with_max_page_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes.max(1);
        self
    }

    /// A read of at most `rows` sessions that stops past the byte bound:
    /// what bounds the memory of one page or batch while it is read.
    fn bound(&self, rows: usize) -> ReadBound {
        ReadBound {
            rows,
            bytes: self.max_bytes,
        }
    }

    /// Decides whether the caller may list the agent's sessions.
    ///
    /// The checks run in the contract's order and the first failure answers:
    /// headers present, token valid and its user existing, active membership
    /// of an active project, agent id present, agent active and in that
    /// project, then the extension parameters (the cursor last, against the
    /// query it claims to continue). Every fact the store knows is asked in
    /// one round trip.
    fn authorize(&self, request: &ListSessionsRequest) -> Result<Listing, ListSessionsError> {
        let claim = Claim {
            user_token: request.user_token.as_deref(),
            project_id: request.project_id.as_deref(),
            agent_id: request.agent_id.as_deref(),
        };
        let agent = self.access.agent::<ListSessionsError>(claim)?;
        let params =
            ListParams::parse(&request.params).map_err(ListSessionsError::InvalidParameter)?;
        let query = SessionQuery {
            agent,
            order: params.order,
            filter: params.filter,
        };
        let after = match &params.shape.cursor {
            None => None,
            Some(cursor) => Some(
                self.cursors
                    .open(cursor, &query.binding())
                    .ok_or(ListSessionsError::InvalidParameter(InvalidParam::Cursor))?,
            ),
        };
        Ok(Listing {
            query,
            after,
            shape: params.shape,
        })
    }

    /// A page. Its tag derives from the page itself (its keys, whether more
    /// follow, the total when asked), so that a `304` reads the page's index
    /// entries and nothing more. Cost: `limit + 1` index entries (and rows,
    /// for a `200`); a count of the agent only with `include_total`.
    ///
    /// What bounds one page's memory: the read ([`ReadBound`]) holds at most
    /// `limit + 1` rows, and stops after the one that passes `max_bytes`;
    /// what is kept and rendered holds at most `max_bytes` of sessions, or
    /// one session when it alone is larger (so the read never holds more
    /// than the larger of `max_bytes` and one row, and one row more). A page cut at the byte
    /// bound says `has_more` with a cursor after its last session, and is
    /// tagged by its own keys like any page: its revalidation misses on the
    /// index entries alone (they would be a longer page) and matches once its
    /// rows are read and cut the same way.
    fn page(
        &self,
        listing: &Listing,
        limit: usize,
        if_none_match: Option<&IfNoneMatch>,
    ) -> Result<ListOutcome, ListSessionsError> {
        let query = &listing.query;
        // One more than asked tells whether another page follows.
        let wanted = limit + 1;
        if let Some(if_none_match) = if_none_match {
            let mut keys = self
                .sessions
                .keys_after(query, listing.after, wanted)
                .map_err(store_failed)?;
            let has_more = keys.len() > limit;
            keys.truncate(limit);
            // Read after the keys: a session committed in between changes
            // the total, so the tag matches no earlier answer (a miss, safe).
            let total = match listing.shape.include_total {
                true => Some(self.summarize(query)?.count),
                false => None,
            };
            let content = PageContent {
                keys: &keys,
                has_more,
                total,
            };
            let etag = page_tag(query, &listing.shape, content);
            if if_none_match.matches(&etag) {
                return Ok(ListOutcome::NotModified { etag });
            }
        }
        let (mut sessions, total) = if listing.shape.include_total {
            let read = self
                .sessions
                .sessions_and_summary(query, listing.after, self.bound(wanted))
                .map_err(store_failed)?;
            (read.sessions, Some(read.summary.count))
        } else {
            let sessions = self
                .sessions
                .sessions_after(query, listing.after, self.bound(wanted))
                .map_err(store_failed)?;
            (sessions, None)
        };
        let more_rows = sessions.len() > limit;
        sessions.truncate(limit);
        let fitting = byte_bound::fitting(&sessions, self.max_bytes);
        let cut = fitting < sessions.len();
        sessions.truncate(fitting);
        let has_more = more_rows || cut;
        let keys: Vec<SessionKey> = sessions.iter().map(SessionKey::of).collect();
        let next_cursor = match keys.last() {
            Some(last) if has_more => Some(self.cursors.seal(last, &query.binding())),
            _ => None,
        };
        let etag = page_tag(
            query,
            &listing.shape,
            PageContent {
                keys: &keys,
                has_more,
                total,
            },
        );
        // A page cut at the byte bound is known by its tag only now.
        if cut && if_none_match.is_some_and(|held| held.matches(&etag)) {
            return Ok(ListOutcome::NotModified { etag });
        }
        Ok(ListOutcome::Page(SessionPage {
            agent: query.agent,
            sessions,
            has_more,
            next_cursor,
            total,
            etag,
        }))
    }

    /// The whole list: a `304` from the summary alone, or the first batch
    /// with a tag from a summary of the same snapshot. Cost: a count of what
    /// the query keeps (the list reads all of it anyway) and one batch; the
    /// rest is read as it is written.
    fn whole(
        &self,
        listing: Listing,
        if_none_match: Option<&IfNoneMatch>,
    ) -> Result<ListOutcome, ListSessionsError> {
        let query = &listing.query;
        if let Some(if_none_match) = if_none_match {
            let etag = list_tag(query, &listing.shape, &self.summarize(query)?);
            if if_none_match.matches(&etag) {
                return Ok(ListOutcome::NotModified { etag });
            }
        }
        // Most lists fit in one batch: read from the start, they are their
        // own summary. A longer one is read again with its summary in one
        // snapshot (one batch more, on a list of more than a batch).
        let first = self
            .sessions
            .sessions_after(query, listing.after, self.bound(self.batch))
            .map_err(store_failed)?;
        // Short of a batch and not cut at the byte bound: the whole list.
        let whole =
            first.len() < self.batch && byte_bound::fitting(&first, self.max_bytes) == first.len();
        let (mut first, summary) = if listing.after.is_none() && whole {
            let summary = SessionSummary::of_complete(&first);
            (first, summary)
        } else {
            let read = self
                .sessions
                .sessions_and_summary(query, listing.after, self.bound(self.batch))
                .map_err(store_failed)?;
            (read.sessions, read.summary)
        };
        let etag = list_tag(query, &listing.shape, &summary);
        // A batch cut at the byte bound leaves rows to read after it.
        let fitting = byte_bound::fitting(&first, self.max_bytes);
        let complete = first.len() < self.batch && fitting == first.len();
        first.truncate(fitting);
        let rest = match first.last() {
            Some(last) if !complete => Some(Box::new(
                RestFromStore::new(
                    self.sessions.clone(),
                    listing.query.clone(),
                    SessionKey::of(last),
                    self.batch,
                    summary.newest,
                )
                .with_max_bytes(self.max_bytes),
            ) as Box<dyn RestOfList>),
            _ => None,
        };
        Ok(ListOutcome::Whole(WholeList {
            agent: query.agent,
            first,
            rest,
            total: listing.shape.include_total.then_some(summary.count),
            etag,
        }))
    }

    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, ListSessionsError> {
        self.sessions
            .summarize(query)
            .map_err(|e| store_failed(e).into())
    }
}

#[cfg(test)]
mod tests;
