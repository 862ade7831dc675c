//! Reading agent sessions.

use otas_domain::session::answer_bytes;
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

/// How much one read of sessions may bring into memory: at most `rows`
/// sessions, and, past the first, none after the one that takes the
/// answer's bytes ([`answer_bytes`]) past `bytes`. That one is still read,
/// so that the reader knows more follow (and the first is always kept, so
/// that a session larger than `bytes` is served alone); a read thus holds
/// at most the larger of `bytes` and one session, and one session more,
/// however large the rows it could reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadBound {
    /// The most sessions read.
    pub rows: usize,
    /// The answer bytes past which no further session is read.
    pub bytes: usize,
}

impl ReadBound {
    /// At most `rows` sessions, whatever their size.
    pub const fn rows(rows: usize) -> Self {
        Self {
            rows,
            bytes: usize::MAX,
        }
    }

    /// The rows of `read`, in order, at most `self.rows`, until the one past
    /// the first that takes the answer past `self.bytes`, that one
    /// included; `meta_len` is a row's `meta` text length. The rest of
    /// `read` is not asked for: a store that hands rows over one at a time
    /// holds no more than this in memory.
    pub fn take<R, E>(
        &self,
        read: impl IntoIterator<Item = Result<R, E>>,
        meta_len: impl Fn(&R) -> usize,
    ) -> Result<Vec<R>, E> {
        let mut taken = Vec::new();
        if self.rows == 0 {
            return Ok(taken);
        }
        let mut bytes = 0_usize;
        for row in read {
            let row = row?;
            bytes = bytes.saturating_add(answer_bytes(meta_len(&row)));
            taken.push(row);
            if taken.len() >= self.rows || (taken.len() > 1 && bytes > self.bytes) {
                break;
            }
        }
        Ok(taken)
    }
}

/// Reads the `agent_session` rows that UASAM writes.
///
/// Each read states what bounds its cost: a page costs what it holds (a
/// keyset read of at most `limit` entries), a summary what the query keeps.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SessionStore: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return the sessions of `query.agent`
    /// that `query.filter` keeps (exactly those the reference oracle keeps: a
    /// `meta` filter matches only object metas), in the total order
    /// `query.order` on (`created_at`, `id`), starting strictly after `after`
    /// in that order (from the first session when `None`). A session's
    /// `meta` MUST come back as stored, whatever JSON value it is. Reading a
    /// page MUST cost the same at any depth: a keyset read, never an offset.
    /// An unreachable store MUST be `StoreError::Unavailable`. At most
    /// `bound` of them: what [`ReadBound::take`] keeps of the rows in that
    /// order, read so that no more than those are held in memory at once.
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
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
        bound: ReadBound,
    ) -> Result<SessionsAndSummary, StoreError>;
}

#[cfg(test)]
mod tests {
    use otas_domain::session::SESSION_OVERHEAD_BYTES;

    use super::*;

    fn read(lens: &[usize]) -> impl Iterator<Item = Result<usize, ()>> + '_ {
        lens.iter().map(|len| Ok(*len))
    }

    #[test]
    fn a_read_stops_after_the_session_that_passes_the_bytes_or_at_the_rows() {
        let row = 1000 + SESSION_OVERHEAD_BYTES;
        let bound = ReadBound {
            rows: 10,
            bytes: 2 * row,
        };
        let taken = |lens: &[usize]| bound.take(read(lens), |len| *len);

        assert_eq!(
            taken(&[1000; 5]),
            Ok(vec![1000; 3]),
            "the third passes: read, then stop"
        );
        assert_eq!(taken(&[1000; 2]), Ok(vec![1000; 2]));
        assert_eq!(
            taken(&[9000, 1, 1]),
            Ok(vec![9000, 1]),
            "a large first, and one more"
        );
        assert_eq!(
            ReadBound::rows(2).take(read(&[9000; 5]), |len| *len),
            Ok(vec![9000; 2])
        );
        assert_eq!(bound.take(read(&[]), |len| *len), Ok(vec![]));
        assert_eq!(ReadBound::rows(0).take(read(&[1]), |len| *len), Ok(vec![]));
    }

    #[test]
    fn nothing_past_the_stop_is_asked_for() {
        let asked = std::cell::Cell::new(0);
        let rows = (0..100).map(|_| {
            asked.set(asked.get() + 1);
            Ok::<_, ()>(10_000)
        });

        let taken = ReadBound {
            rows: 100,
            bytes: 15_000,
        }
        .take(rows, |len| *len);

        assert_eq!(taken.map(|t| t.len()), Ok(2));
        assert_eq!(asked.get(), 2);
    }
}
