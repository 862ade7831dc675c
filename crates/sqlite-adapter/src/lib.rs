#![doc = include_str!("../README.md")]

mod access;
mod agent_catalog;
mod agent_key_writer;
mod agent_writer;
mod agents;
mod error;
mod health;
mod migrations;
mod pool;
mod rows;
mod schema;
mod sdk_key_catalog;
mod sdk_key_writer;
mod sdk_keys;
mod session_writer;
mod sessions;
#[cfg(feature = "test-support")]
pub mod test_support;
mod users;

pub use access::SqliteAccessStore;
pub use agent_catalog::SqliteAgentCatalog;
pub use agent_key_writer::SqliteAgentKeyWriter;
pub use agent_writer::SqliteAgentWriter;
pub use agents::{SqliteAgentDirectory, SqliteAgentKeyStore};
pub use health::SqliteHealthCheck;
pub use migrations::{pending_migrations, run_migrations, run_migrations_on, MigrationError};
pub use pool::{connect, validate_path_or_url, PoolError, SqlitePool, SqliteSettings};
pub use rows::SqliteRowWriter;
pub use sdk_key_catalog::SqliteSdkKeyCatalog;
pub use sdk_key_writer::SqliteSdkKeyWriter;
pub use sdk_keys::SqliteSdkKeyStore;
pub use session_writer::SqliteSessionWriter;
pub use sessions::SqliteSessionStore;
pub use users::SqliteUserDirectory;
