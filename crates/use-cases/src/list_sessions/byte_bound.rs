//! Where a page or a batch of a whole list ends when its body would grow
//! past a byte bound: rows are bounded in number by `limit` (or the batch),
//! but one session's `meta` may hold megabytes (UASAM keeps up to 2.5 MB),
//! so a thousand of them would make one answer gigabytes.
//!
//! The cut is decided here, in the use case, from the sizes of the rows read
//! (the `meta` text as the store gave it, plus a fixed allowance for the rest
//! of a session's JSON), so that both stores cut alike.

use otas_domain::session::{self, Session};

/// The bytes `session` takes in an answer.
pub fn answer_bytes(session: &Session) -> usize {
    session::answer_bytes(session.meta.as_str().len())
}

/// How many of `sessions`, in order, one answer takes under `max_bytes`:
/// every session whose bytes still fit with those before it, and always the
/// first, so that a session larger than the bound is served alone rather
/// than never. The answer's sessions thus take at most
/// `max(max_bytes, one session)`.
pub fn fitting(sessions: &[Session], max_bytes: usize) -> usize {
    let mut taken = 0_usize;
    for (index, session) in sessions.iter().enumerate() {
        taken = taken.saturating_add(answer_bytes(session));
        if index > 0 && taken > max_bytes {
            return index;
        }
    }
    sessions.len()
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use otas_domain::session::SESSION_OVERHEAD_BYTES;
    use otas_domain::{Meta, SessionId, Timestamp};
    use uuid::Uuid;

    use super::*;

    fn with_meta_of(bytes: usize) -> Session {
        Session {
            id: SessionId::from_uuid(Uuid::from_u128(1)),
            agent_key_id: None,
            created_at: Timestamp::new(DateTime::from_timestamp(0, 0).expect("in range")),
            meta: Meta::from_json(format!(r#""{}""#, "x".repeat(bytes - 2))).expect("JSON"),
        }
    }

    #[test]
    fn sessions_are_taken_while_they_fit_and_the_first_always() {
        let row = answer_bytes(&with_meta_of(1000));
        assert_eq!(row, 1000 + SESSION_OVERHEAD_BYTES);
        let four: Vec<Session> = (0..4).map(|_| with_meta_of(1000)).collect();

        assert_eq!(fitting(&four, 4 * row), 4);
        assert_eq!(fitting(&four, 4 * row - 1), 3);
        assert_eq!(fitting(&four, 2 * row), 2);
        assert_eq!(fitting(&four, 1), 1, "one larger than the bound, alone");
        assert_eq!(fitting(&[], 1), 0);
    }
}
