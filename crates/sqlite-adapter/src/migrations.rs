//! The SQL migrations of `migrations/sqlite`, embedded in the binary.
//!
//! Unlike PostgreSQL's, they never attach to a schema someone else built:
//! an SQLite file is only ever this service's own store (UASAM runs on
//! PostgreSQL), and the first migration creates every table unconditionally,
//! failing on any that exists. So there is no partial UASAM schema to refuse.

use std::time::Duration;

use diesel::migration::MigrationSource;
use diesel::sqlite::Sqlite;
use diesel::{Connection, RunQueryDsl, SqliteConnection};
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
    /// The database file is not there (only [`pending_migrations`], which
    /// creates nothing, says so).
    #[error("the database file {} does not exist yet", .0.display())]
    Missing(std::path::PathBuf),
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

/// The names of the migrations not applied to the database `path_or_url`
/// names, oldest first; all of them when it has no bookkeeping table.
/// Creates and changes nothing: a missing file is
/// [`MigrationError::Missing`], an existing one is opened read-only. The
/// reads are one catalog lookup and one scan of the bookkeeping table (a
/// row per migration, a handful).
pub fn pending_migrations(path_or_url: &str) -> Result<Vec<String>, MigrationError> {
    let file = database_file(path_or_url).map_err(|e| MigrationError::Connect(e.to_string()))?;
    if !file.exists() {
        return Err(MigrationError::Missing(file));
    }
    let mut conn = SqliteConnection::establish(&read_only_uri(&file))
        .map_err(|e| MigrationError::Connect(e.to_string()))?;
    let read =
        |e: diesel::result::Error| MigrationError::Connect(format!("cannot read the schema: {e}"));
    let bookkeeping: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__diesel_schema_migrations')",
    ))
    .get_result(&mut conn)
    .map_err(read)?;
    let applied: Vec<String> = if bookkeeping > 0 {
        diesel::sql_query("SELECT version AS name FROM __diesel_schema_migrations")
            .load::<Name>(&mut conn)
            .map_err(read)?
            .into_iter()
            .map(|row| row.name)
            .collect()
    } else {
        Vec::new()
    };
    let all = MigrationSource::<Sqlite>::migrations(&MIGRATIONS)
        .map_err(|e| MigrationError::Apply(e.to_string()))?;
    Ok(all
        .iter()
        .filter(|m| !applied.contains(&m.name().version().to_string()))
        .map(|m| m.name().to_string())
        .collect())
}

/// One name read from the catalog.
#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// `file` as a read-only `file:` URI (SQLite creates nothing through it).
fn read_only_uri(file: &std::path::Path) -> String {
    let mut uri = String::from("file:");
    for c in file.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro");
    uri
}

/// Applies every migration not applied yet over an open connection and
/// returns the names of those it applied.
pub fn run_migrations_on(conn: &mut SqliteConnection) -> Result<Vec<String>, MigrationError> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| MigrationError::Apply(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}
