#![doc = include_str!("../README.md")]

mod access;
mod agent_catalog;
mod agent_key_writer;
mod agent_writer;
mod agents;
mod connection_url;
mod error;
mod health;
mod migrations;
mod pool;
mod routing;
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

pub use access::PgAccessStore;
pub use agent_catalog::PgAgentCatalog;
pub use agent_key_writer::PgAgentKeyWriter;
pub use agent_writer::PgAgentWriter;
pub use agents::{PgAgentDirectory, PgAgentKeyStore};
pub use connection_url::{edit_url, several_hosts_any_of_which_may_take_writes};
pub use health::PgHealthCheck;
pub use migrations::{
    create_database_if_missing, invalid_indexes, pending_migrations, run_migrations,
    run_migrations_with, MigrationError, MigrationTimeouts, MIGRATION_LOCK_KEY, OUR_INDEXES,
};
pub use pool::{connect, validate_url, PgConn, PgManager, PgPool, PoolError, PoolSettings};
pub use routing::{ReadRouter, RoutingSettings, MAX_REPLICAS};
pub use rows::PgRowWriter;
pub use sdk_key_catalog::PgSdkKeyCatalog;
pub use sdk_key_writer::PgSdkKeyWriter;
pub use sdk_keys::PgSdkKeyStore;
pub use session_writer::PgSessionWriter;
pub use sessions::PgSessionStore;
pub use users::PgUserDirectory;
