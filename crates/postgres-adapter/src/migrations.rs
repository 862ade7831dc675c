//! The SQL migrations of `migrations/postgres`, embedded in the binary.

use diesel::connection::SimpleConnection;
use diesel::dsl::{select, sql};
use diesel::sql_types::{Bool, Text};
use diesel::{Connection, PgConnection, RunQueryDsl};
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
    /// The URL names no database, or one that cannot be created.
    #[error("cannot create the database: {0}")]
    Create(String),
}

/// Creates the database that `database_url` names when the server does not
/// have it yet (connecting to the server's `postgres` database to do so).
/// Returns whether it created it. For development set-ups: production
/// databases are created by their operators.
pub fn create_database_if_missing(database_url: &str) -> Result<bool, MigrationError> {
    let mut url = url::Url::parse(database_url)
        .map_err(|_| MigrationError::Create("the URL is malformed".into()))?;
    let name = url.path().trim_start_matches('/').to_owned();
    if name.is_empty() {
        return Err(MigrationError::Create("the URL names no database".into()));
    }
    url.set_path("/postgres");
    let mut conn = PgConnection::establish(url.as_str())
        .map_err(|e| MigrationError::Connect(e.to_string()))?;
    let present = select(
        sql::<Bool>("EXISTS (SELECT 1 FROM pg_database WHERE datname = ")
            .bind::<Text, _>(&name)
            .sql(")"),
    )
    .get_result::<bool>(&mut conn)
    .map_err(|e| MigrationError::Create(e.to_string()))?;
    if present {
        return Ok(false);
    }
    let quoted = name.replace('"', "\"\"");
    conn.batch_execute(&format!("CREATE DATABASE \"{quoted}\""))
        .map_err(|e| MigrationError::Create(e.to_string()))?;
    Ok(true)
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
