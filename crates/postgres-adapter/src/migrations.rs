//! The SQL migrations of `migrations/postgres`, embedded in the binary.

use diesel::{Connection, PgConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Applying the migrations failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database could not be reached.
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// A migration failed; the ones before it stay applied.
    #[error("a migration failed: {0}")]
    Apply(String),
}

/// Applies every migration not applied yet and returns the names of those it
/// applied. Safe on an empty database and on one that UASAM already built.
pub fn run_migrations(database_url: &str) -> Result<Vec<String>, MigrationError> {
    let mut conn = PgConnection::establish(database_url)
        .map_err(|e| MigrationError::Connect(e.to_string()))?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| MigrationError::Apply(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}
