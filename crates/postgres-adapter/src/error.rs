//! Sorting diesel and r2d2 errors into the store errors of the ports.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use otas_ports::StoreError;

/// A connection could not be had from the pool in time: the database is down,
/// unreachable, or every connection is busy for longer than the timeout.
pub(crate) fn from_pool(error: &r2d2::Error) -> StoreError {
    StoreError::Unavailable(format!("no database connection: {error}"))
}

/// A query failed. Lost connections and timeouts make the store unavailable;
/// anything else is a failure worth a look.
pub(crate) fn from_query(error: DieselError) -> StoreError {
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

/// Messages PostgreSQL and libpq give when the server goes away or a
/// statement runs past `statement_timeout`.
fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 6] = [
        "statement timeout",
        "terminating connection",
        "server closed the connection",
        "could not receive data",
        "no connection to the server",
        "the database system is",
    ];
    TRANSIENT.iter().any(|needle| message.contains(needle))
}
