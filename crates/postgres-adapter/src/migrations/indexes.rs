//! The indexes this service adds to UASAM's tables, built with `CREATE
//! INDEX CONCURRENTLY` so that UASAM's writes go on meanwhile.
//!
//! A concurrent build that is interrupted (a statement or lock timeout, a
//! cancelled session) leaves the index behind, INVALID: never used by the
//! planner, still kept up to date by every write. Its migration's `IF NOT
//! EXISTS` would then skip it and record the migration as applied, and
//! every page would sort the agent's whole history. So, after the pending
//! migrations, a run drops each INVALID index of ours and builds it again
//! (whether its migration was recorded just now or long ago), and fails if
//! one is still INVALID at its end.
//! Dropping is safe only under the migration lock: no other run of ours is
//! building it (an index being built is INVALID until it is done).

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sql_types::{Array, Text};
use diesel::{PgConnection, RunQueryDsl};
use otas_ports::StoreError;

use super::retry::{self, StepError};
use super::{MigrationError, MigrationTimeouts, Name};
use crate::pool::{with_connection, PgPool};

/// Our indexes in `public`, each with the version of the migration that
/// builds it (its `up.sql` is run again to rebuild it). A new index
/// migration adds its line here.
pub const OUR_INDEXES: [(&str, &str); 2] = [
    ("agent_session_agent_created_id_idx", "20261129000002"),
    ("agent_session_meta_idx", "20261130000003"),
];

/// Our indexes that exist but are INVALID (`pg_index.indisvalid`), by name.
fn invalid(conn: &mut PgConnection) -> diesel::QueryResult<Vec<String>> {
    let names: Vec<&str> = OUR_INDEXES.iter().map(|(name, _)| *name).collect();
    Ok(diesel::sql_query(
        "SELECT c.relname::text AS name FROM pg_index x \
         JOIN pg_class c ON c.oid = x.indexrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relname = ANY($1) AND NOT x.indisvalid \
         ORDER BY 1",
    )
    .bind::<Array<Text>, _>(names)
    .load::<Name>(conn)?
    .into_iter()
    .map(|row| row.name)
    .collect())
}

/// The start-up check: our indexes that are INVALID, by name, also set as
/// the gauge `otas_db_invalid_indexes`. Reads the catalog only (no lock on
/// UASAM's tables). An index another run is building right now counts: it
/// serves nothing yet either.
pub fn invalid_indexes(pool: &PgPool) -> Result<Vec<String>, StoreError> {
    let names = with_connection(pool, invalid)?;
    #[allow(clippy::cast_precision_loss)] // At most OUR_INDEXES.len().
    metrics::gauge!("otas_db_invalid_indexes").set(names.len() as f64);
    Ok(names)
}

/// [`invalid`], as a migration error.
pub(super) fn invalid_on(conn: &mut PgConnection) -> Result<Vec<String>, MigrationError> {
    invalid(conn).map_err(|e| MigrationError::Apply(format!("cannot read pg_index: {e}")))
}

/// Drops the INVALID index `name` (one of [`OUR_INDEXES`]) concurrently, so
/// that UASAM's writes go on.
fn drop_index(conn: &mut PgConnection, name: &str) -> Result<(), StepError> {
    tracing::warn!(
        index = %name,
        "dropping an INVALID index (an interrupted CREATE INDEX CONCURRENTLY left it) to build it again"
    );
    conn.batch_execute(&format!(
        "DROP INDEX CONCURRENTLY IF EXISTS public.\"{name}\""
    ))?;
    Ok(())
}

/// Runs `work` with the index builds' `statement_timeout`, then restores
/// the session's.
pub(super) fn with_build_timeout<T>(
    conn: &mut PgConnection,
    timeouts: &MigrationTimeouts,
    work: impl FnOnce(&mut PgConnection) -> Result<T, MigrationError>,
) -> Result<T, MigrationError> {
    let set = |conn: &mut PgConnection, timeout: std::time::Duration| {
        conn.batch_execute(&format!("SET statement_timeout = {}", timeout.as_millis()))
            .map_err(|e| MigrationError::Apply(format!("cannot set statement_timeout: {e}")))
    };
    set(conn, timeouts.index_build_timeout)?;
    let result = work(conn);
    set(conn, timeouts.statement_timeout)?;
    result
}

/// Rebuilds each INVALID index of ours with its migration's own statement
/// (the same definition), also when that migration is recorded as applied.
pub(super) fn rebuild_invalid(
    conn: &mut PgConnection,
    timeouts: &MigrationTimeouts,
    source: impl MigrationSource<Pg>,
) -> Result<(), MigrationError> {
    let invalid = invalid_on(conn)?;
    if invalid.is_empty() {
        return Ok(());
    }
    let migrations = source
        .migrations()
        .map_err(|e| MigrationError::Apply(e.to_string()))?;
    for name in invalid {
        let version = OUR_INDEXES
            .iter()
            .find(|(index, _)| *index == name)
            .map(|(_, version)| *version);
        let migration = migrations
            .iter()
            .find(|m| Some(m.name().version().to_string().as_str()) == version)
            .ok_or_else(|| MigrationError::Apply(format!("no migration builds index {name}")))?;
        tracing::warn!(index = %name, "rebuilding an INVALID index of ours");
        with_build_timeout(conn, timeouts, |conn| {
            retry::on_lock_timeout(
                conn,
                timeouts,
                &format!("rebuilding index {name}"),
                |conn| {
                    drop_index(conn, &name)?;
                    migration.run(conn)
                },
            )
        })?;
    }
    Ok(())
}
