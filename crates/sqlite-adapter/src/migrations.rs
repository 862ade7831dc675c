//! The SQL migrations of `migrations/sqlite`, embedded in the binary.
//!
//! Unlike PostgreSQL's, they never attach to a schema someone else built:
//! an SQLite file is only ever this service's own store (UASAM runs on
//! PostgreSQL), and the first migration creates every table unconditionally,
//! failing on any that exists. So there is no partial UASAM schema to refuse.

use std::time::Duration;

use diesel::{Connection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::pool::{create_parent_directory, database_file, set_up};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// How long the migrations wait for another connection's lock.
const MIGRATION_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Applying the migrations failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database file could not be opened.
    #[error("cannot open the database: {0}")]
    Connect(String),
    /// A migration failed; the ones before it stay applied.
    #[error("a migration failed: {0}")]
    Apply(String),
    /// The path names no shareable file, or its directory cannot be created.
    #[error("cannot create the database: {0}")]
    Create(String),
}

/// Applies every migration not applied yet to the database `path_or_url`
/// names (read as [`crate::SqliteSettings::path_or_url`]), creating the file
/// and its directory when missing, and returns the names of those it applied.
/// Leaves the database in WAL mode.
pub fn run_migrations(path_or_url: &str) -> Result<Vec<String>, MigrationError> {
    let file = database_file(path_or_url).map_err(|e| MigrationError::Create(e.to_string()))?;
    create_parent_directory(&file).map_err(|e| MigrationError::Create(e.to_string()))?;
    let mut conn = SqliteConnection::establish(path_or_url)
        .map_err(|e| MigrationError::Connect(e.to_string()))?;
    set_up(&mut conn, MIGRATION_BUSY_TIMEOUT)
        .map_err(|e| MigrationError::Connect(e.to_string()))?;
    run_migrations_on(&mut conn)
}

/// Applies every migration not applied yet over an open connection and
/// returns the names of those it applied.
pub fn run_migrations_on(conn: &mut SqliteConnection) -> Result<Vec<String>, MigrationError> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| MigrationError::Apply(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}
