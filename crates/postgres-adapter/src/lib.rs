//! The PostgreSQL adapter: the session service's stores on UASAM's database.
//!
//! diesel with an r2d2 pool. Every call blocks its thread for a round trip to
//! the database: callers run it off the async executor. Errors are sorted
//! into "unavailable" (the database cannot be reached or timed out; the
//! request may succeed later) and everything else.

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

pub use access::PgAccessStore;
pub use migrations::{create_database_if_missing, run_migrations, MigrationError};
pub use pool::{connect, validate_url, PgConn, PgManager, PgPool, PoolError, PoolSettings};
pub use rows::PgRowWriter;
pub use sessions::PgSessionStore;
pub use users::PgUserDirectory;
