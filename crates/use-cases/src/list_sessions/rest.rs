//! The rest of a whole list, read from the session store: what a
//! [`RestOfList`] is when the stores are behind the ports.

use std::sync::Arc;

use otas_domain::{ListSessionsError, Order, SessionKey, SessionQuery};
use otas_ports::{ReadBound, SessionStore};

use super::byte_bound;
use super::outcome::{NextBatch, RestOfList};
use crate::store_failure::store_failed;

/// The rest of a whole list, read from the session store a batch at a
/// time. Oldest first, it stops at the newest session its tag counted, so
/// that the body holds exactly the sessions the tag vouches for (newest
/// first, later sessions come before the first batch and are never read).
#[derive(Debug)]
pub(crate) struct RestFromStore {
    sessions: Arc<dyn SessionStore>,
    query: SessionQuery,
    after: SessionKey,
    batch: usize,
    until: Option<SessionKey>,
    /// The most bytes of sessions in one batch.
    max_bytes: usize,
}

impl RestFromStore {
    /// The sessions of `query` after `after`, `batch` at a time; oldest
    /// first, none beyond `newest`.
    pub(crate) fn new(
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
    pub(crate) fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes.max(1);
        self
    }
}

impl RestOfList for RestFromStore {
    /// Reads the next batch. Cost: one keyset read of at most `batch`
    /// sessions; what it keeps holds at most `max_bytes` of sessions (or the
    /// one session larger than that).
    ///
    /// Blocking: call it off the async executor.
    fn read_next(self: Box<Self>) -> Result<NextBatch, ListSessionsError> {
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
        let fitting = byte_bound::fitting(&sessions, self.max_bytes);
        complete &= fitting == sessions.len();
        sessions.truncate(fitting);
        let rest = match sessions.last() {
            Some(last) if !complete => {
                let mut rest = self;
                rest.after = SessionKey::of(last);
                Some(rest as Box<dyn RestOfList>)
            }
            _ => None,
        };
        Ok(NextBatch { sessions, rest })
    }
}
