//! The SQL migrations of `migrations/postgres`, embedded in the binary, and
//! the run that applies them safely anywhere, any number of times, at once:
//!
//! 1. one run at a time per database, under a session advisory lock
//!    ([`MIGRATION_LOCK_KEY`], `lock.rs`): concurrent runs (replicas that
//!    migrate on start) wait, then find nothing pending;
//! 2. the session's own `statement_timeout` and `lock_timeout`
//!    ([`MigrationTimeouts`]); a statement that waited its `lock_timeout`
//!    on another session is retried, with a log line, for a bounded time
//!    (`retry.rs`);
//! 3. UASAM's tables are created only in a database that has none of them;
//!    a complete UASAM schema is attached to, a partial one refused
//!    (`uasam_tables.rs`);
//! 4. an index of ours left INVALID by an interrupted
//!    `CREATE INDEX CONCURRENTLY` is dropped and built again, and the run
//!    fails if one is still invalid at its end (`indexes.rs`).

mod indexes;
mod lock;
mod pending;
mod retry;
mod uasam_tables;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::dsl::{select, sql};
use diesel::sql_types::{Bool, Text};
use diesel::{Connection, PgConnection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use indexes::{invalid_indexes, OUR_INDEXES};
pub use lock::MIGRATION_LOCK_KEY;
pub use pending::pending_migrations;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// The version of the migration that creates UASAM's tables.
const SCHEMA_MIGRATION: &str = "20261129000001";

/// One name read from the catalog (a table's, an index's).
#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

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
    /// Another migrate run held the migration lock for longer than the run
    /// would wait.
    #[error("another migrate run held the migration lock (pg_advisory_lock key {MIGRATION_LOCK_KEY}) for longer than {0:?}; nothing was changed")]
    LockBusy(Duration),
    /// Other sessions held locks a step needs for longer than the run would
    /// retry.
    #[error("{0}")]
    LockWait(String),
    /// The database holds some of UASAM's tables but not all.
    #[error("the database holds some of UASAM's tables but not all (present: {}; missing: {}): UASAM's own migrations would fail on it, so the missing ones are not created; finish UASAM's migrations first, or migrate an empty database", .present.join(", "), .missing.join(", "))]
    PartialSchema {
        present: Vec<String>,
        missing: Vec<String>,
    },
    /// Indexes of ours still INVALID at the end of the run.
    #[error("indexes still INVALID after migrating: {}; drop them (DROP INDEX CONCURRENTLY) and run migrate again", .0.join(", "))]
    InvalidIndexes(Vec<String>),
}

/// The migration session's limits.
///
/// * `statement_timeout` bounds every statement but the index builds: the
///   schema and the bookkeeping take milliseconds, so one that runs for a
///   minute is stuck.
/// * `index_build_timeout` bounds `CREATE`/`DROP INDEX CONCURRENTLY`. None
///   by default (zero): a build's time grows with the table (hours on a
///   large `agent_session`), a cancelled build leaves an INVALID index and
///   the next attempt starts over, so a timeout only makes sure it never
///   finishes. What must be bounded is the waiting on other sessions, and
///   `lock_timeout` bounds that, for the builds too (their waits for other
///   transactions are lock waits).
/// * `lock_timeout` bounds each attempt's wait on another session's lock
///   (a UASAM transaction, an operator's `LOCK TABLE`); the step is then
///   retried, with a log line, until `lock_retry_for` has passed.
/// * `migration_lock_wait` bounds the wait for another migrate run (the
///   one building an index on a large table may take long).
#[derive(Debug, Clone, Copy)]
pub struct MigrationTimeouts {
    pub statement_timeout: Duration,
    pub index_build_timeout: Duration,
    pub lock_timeout: Duration,
    pub lock_retry_for: Duration,
    pub migration_lock_wait: Duration,
}

impl Default for MigrationTimeouts {
    fn default() -> Self {
        Self {
            statement_timeout: Duration::from_secs(60),
            index_build_timeout: Duration::ZERO,
            lock_timeout: Duration::from_secs(5),
            lock_retry_for: Duration::from_secs(120),
            migration_lock_wait: Duration::from_secs(30 * 60),
        }
    }
}

/// Creates the database that `database_url` names when the server does not
/// have it yet (connecting to the server's `postgres` database to do so).
/// Returns whether it created it. For development set-ups: production
/// databases are created by their operators.
pub fn create_database_if_missing(database_url: &str) -> Result<bool, MigrationError> {
    let mut name = String::new();
    let url = crate::connection_url::edit_url(database_url, |url| {
        name = url.path().trim_start_matches('/').to_owned();
        url.set_path("/postgres");
    })
    .ok_or_else(|| MigrationError::Create("the URL is malformed".into()))?;
    if name.is_empty() {
        return Err(MigrationError::Create("the URL names no database".into()));
    }
    let mut conn =
        PgConnection::establish(&url).map_err(|e| MigrationError::Connect(e.to_string()))?;
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
/// applied, with the default [`MigrationTimeouts`]. Safe on an empty
/// database, on one that UASAM already built, and alongside other runs.
pub fn run_migrations(database_url: &str) -> Result<Vec<String>, MigrationError> {
    run_migrations_with(database_url, &MigrationTimeouts::default())
}

/// [`run_migrations`] with the given limits.
pub fn run_migrations_with(
    database_url: &str,
    timeouts: &MigrationTimeouts,
) -> Result<Vec<String>, MigrationError> {
    let mut conn = PgConnection::establish(database_url)
        .map_err(|e| MigrationError::Connect(e.to_string()))?;
    lock::set_session_limits(&mut conn, timeouts)?;
    lock::acquire(&mut conn, timeouts.migration_lock_wait)?;
    let result = migrate_locked(&mut conn, timeouts);
    // Ending the session releases it too; this only releases it sooner.
    lock::release(&mut conn);
    result
}

/// The run, under the migration lock.
fn migrate_locked(
    conn: &mut PgConnection,
    timeouts: &MigrationTimeouts,
) -> Result<Vec<String>, MigrationError> {
    // Before diesel's bookkeeping table: a refused database is left as it was.
    if !uasam_tables::recorded(conn, SCHEMA_MIGRATION)? {
        uasam_tables::refuse_partial(conn)?;
    }
    let pending = conn
        .pending_migrations(MIGRATIONS)
        .map_err(|e| MigrationError::Apply(e.to_string()))?;
    let mut applied = Vec::with_capacity(pending.len());
    for migration in &pending {
        let name = migration.name().to_string();
        let apply = |conn: &mut PgConnection| {
            retry::on_lock_timeout(conn, timeouts, &name, |conn| {
                conn.run_migration(migration.as_ref()).map(drop)
            })
        };
        if migration.metadata().run_in_transaction() {
            apply(conn)?;
        } else {
            // An index build. An INVALID leftover of an interrupted run
            // satisfies its IF NOT EXISTS: rebuilt just below.
            indexes::with_build_timeout(conn, timeouts, apply)?;
        }
        applied.push(name);
    }
    indexes::rebuild_invalid(conn, timeouts, MIGRATIONS)?;
    let invalid = indexes::invalid_on(conn)?;
    if !invalid.is_empty() {
        return Err(MigrationError::InvalidIndexes(invalid));
    }
    Ok(applied)
}
