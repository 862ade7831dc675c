//! Sorting diesel and r2d2 errors into the store errors of the ports.
//!
//! A statement that ran past `statement_timeout` (SQLSTATE 57014) must make
//! the store unavailable (503), whatever language the server writes its
//! messages in. diesel 2.3 does not expose an error's SQLSTATE (its
//! `DatabaseErrorInformation` gives the message, detail, hint and names, and
//! sorts only a few codes into `DatabaseErrorKind`), so the timeout is told
//! by time instead: PostgreSQL cancels a statement for its timeout only once
//! the statement ran that long, so an unsorted error that came after the
//! connection's `statement_timeout` is the timeout. The English message is
//! recognised too, for the errors that come sooner. The e2e test
//! `statement_timeout` proves it on a server that answers in German.
//!
//! A write refused because the server is read-only (SQLSTATE 25006, which
//! diesel does sort) reached a primary that a failover demoted, or a
//! standby: the store is unavailable (503 with `Retry-After`, never 500),
//! and the connection's server is lost for writes, as if it had gone.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use otas_ports::StoreError;

/// A connection could not be had from the pool in time: the database is down,
/// unreachable, or every connection is busy for longer than the timeout.
pub(crate) fn from_pool(error: &r2d2::Error) -> StoreError {
    StoreError::Unavailable(format!("no database connection: {error}"))
}

/// A query failed; `ran_past_timeout` when the work ran at least the
/// connection's `statement_timeout`. Lost connections and timeouts make the
/// store unavailable; anything else is a failure worth a look. Also says
/// whether a read that failed so on
/// a replica is worth running on the primary: the replica is gone (`Lost`),
/// or cancelled the read for a conflict with replay (`Conflict`, SQLSTATE
/// 40001); not a timeout, which the primary would meet as well.
pub(crate) fn classify(error: DieselError, ran_past_timeout: bool) -> (StoreError, Elsewhere) {
    use DatabaseErrorKind as Kind;
    let (unavailable, elsewhere) = match &error {
        DieselError::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, _) => {
            (true, Elsewhere::Lost)
        }
        DieselError::DatabaseError(Kind::SerializationFailure, _) => (false, Elsewhere::Conflict),
        DieselError::DatabaseError(Kind::ReadOnlyTransaction, _) => (true, Elsewhere::Lost),
        DieselError::DatabaseError(Kind::Unknown, _) if ran_past_timeout => {
            let error = StoreError::Unavailable(format!("statement timeout: {error}"));
            return (error, Elsewhere::No);
        }
        DieselError::DatabaseError(_, info) if info.message().contains("statement timeout") => {
            (true, Elsewhere::No)
        }
        DieselError::DatabaseError(_, info) if is_lost(info.message()) => (true, Elsewhere::Lost),
        _ => (false, Elsewhere::No),
    };
    let error = if unavailable {
        StoreError::Unavailable(error.to_string())
    } else {
        StoreError::Failure(error.to_string())
    };
    (error, elsewhere)
}

/// What a failed read on a replica calls for; `Lost` on any pool also
/// retires the pool's connections to that server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elsewhere {
    /// The server is gone, or read-only for a write: on a replica, skip it
    /// and read on the primary.
    Lost,
    /// The replica cancelled this read: read on the primary.
    Conflict,
    /// The primary would fail the same way.
    No,
}

/// Messages PostgreSQL and libpq give when the server goes away, in English.
fn is_lost(message: &str) -> bool {
    const LOST: [&str; 5] = [
        "terminating connection",
        "server closed the connection",
        "could not receive data",
        "no connection to the server",
        "the database system is",
    ];
    LOST.iter().any(|needle| message.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_query(error: DieselError, ran_past_timeout: bool) -> StoreError {
        classify(error, ran_past_timeout).0
    }

    fn unsorted(message: &str) -> DieselError {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))
    }

    #[test]
    fn a_timeout_in_any_language_is_unavailable_once_the_timeout_has_run() {
        // PostgreSQL's German translation of the 57014 message.
        let german = "storniere Anfrage wegen Zeitüberschreitung der Anweisung";
        assert!(matches!(
            from_query(unsorted(german), true),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            from_query(
                unsorted("canceling statement due to statement timeout"),
                false
            ),
            StoreError::Unavailable(_)
        ));
    }

    #[test]
    fn a_write_refused_by_a_read_only_server_is_unavailable_and_its_server_lost() {
        // SQLSTATE 25006: a primary demoted by a failover, or a standby.
        let read_only = DieselError::DatabaseError(
            DatabaseErrorKind::ReadOnlyTransaction,
            Box::new("cannot execute INSERT in a read-only transaction".to_owned()),
        );
        let (error, elsewhere) = classify(read_only, false);
        assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
        assert_eq!(elsewhere, Elsewhere::Lost);
    }

    #[test]
    fn an_error_that_comes_before_the_timeout_is_a_failure() {
        let german = "Relation »agent_session« existiert nicht";
        assert!(matches!(
            from_query(unsorted(german), false),
            StoreError::Failure(_)
        ));
        // A constraint is the caller's problem, however long it took.
        let unique = DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key".to_owned()),
        );
        assert!(matches!(from_query(unique, true), StoreError::Failure(_)));
    }
}
