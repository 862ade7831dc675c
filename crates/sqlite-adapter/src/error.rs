//! Sorting diesel and r2d2 errors into the store errors of the ports.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use otas_ports::StoreError;

/// A connection could not be had from the pool in time: the file cannot be
/// opened, or every connection is busy for longer than the timeout.
pub(crate) fn from_pool(error: &r2d2::Error) -> StoreError {
    counted(StoreError::Unavailable(format!(
        "no database connection: {error}"
    )))
}

/// A query failed. A database held by another connection for longer than the
/// busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED`) makes the store unavailable;
/// anything else is a failure worth a look.
pub(crate) fn from_query(error: DieselError) -> StoreError {
    counted(classify(error))
}

fn classify(error: DieselError) -> StoreError {
    match &error {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => StoreError::Unavailable(error.to_string()),
        DieselError::DatabaseError(_, info) if is_transient(info.message()) => {
            StoreError::Unavailable(error.to_string())
        }
        _ => StoreError::Failure(error.to_string()),
    }
}

/// Counts the error in `otas_db_errors_total` by kind.
fn counted(error: StoreError) -> StoreError {
    let kind = match &error {
        StoreError::Unavailable(_) => "unavailable",
        StoreError::Failure(_) => "failure",
    };
    metrics::counter!("otas_db_errors_total", "store" => "sqlite", "kind" => kind).increment(1);
    error
}

/// The messages SQLite gives for `SQLITE_BUSY` ("database is locked") and
/// `SQLITE_LOCKED` ("database table is locked", "database schema is locked").
fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 3] = [
        "database is locked",
        "database table is locked",
        "database schema is locked",
    ];
    TRANSIENT.iter().any(|needle| message.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(message: &str) -> DieselError {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))
    }

    #[test]
    fn a_busy_or_locked_database_is_unavailable() {
        for message in [
            "database is locked",
            "database table is locked",
            "database schema is locked: main",
        ] {
            assert!(
                matches!(
                    from_query(database_error(message)),
                    StoreError::Unavailable(_)
                ),
                "{message}"
            );
        }
    }

    #[test]
    fn other_database_errors_are_failures() {
        for error in [
            database_error("malformed JSON"),
            database_error("no such table: agent_session"),
            DieselError::NotFound,
        ] {
            assert!(matches!(from_query(error), StoreError::Failure(_)));
        }
    }
}
