//! The SQLite adapter: the session service's stores on an embedded SQLite
//! database with UASAM's tables, for deployments without PostgreSQL.
//!
//! diesel's SQLite backend over the bundled libsqlite3 (no system library),
//! with an r2d2 pool. It implements the same ports as the PostgreSQL adapter
//! and gives the same answers. Every call blocks its thread on the file:
//! callers run it off the async executor. Errors are sorted into
//! "unavailable" (no connection in time, or the database stayed locked past
//! the busy timeout; the request may succeed later) and everything else.

mod access;
mod error;
mod migrations;
mod pool;
mod rows;
mod schema;
mod sessions;
#[cfg(feature = "test-support")]
pub mod test_support;
mod users;

pub use access::SqliteAccessStore;
pub use migrations::{run_migrations, run_migrations_on, MigrationError};
pub use pool::{connect, validate_path_or_url, PoolError, SqlitePool, SqliteSettings};
pub use rows::SqliteRowWriter;
pub use sessions::SqliteSessionStore;
pub use users::SqliteUserDirectory;
