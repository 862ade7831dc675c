//! One migrate run at a time per database: a session-level advisory lock
//! taken before anything is read or changed, and the session's limits.
//!
//! The lock is taken with `pg_try_advisory_lock` in a loop rather than a
//! blocking `pg_advisory_lock`: a run blocked in `pg_advisory_lock` sits in
//! a statement with a snapshot, and the holder's `CREATE INDEX
//! CONCURRENTLY` waits for every older snapshot in the database to go
//! away, which would be a deadlock. Between tries the waiting session is
//! idle and holds no snapshot.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::dsl::{select, sql};
use diesel::sql_types::{BigInt, Bool};
use diesel::{PgConnection, RunQueryDsl};

use super::{MigrationError, MigrationTimeouts};

/// The `pg_advisory_lock` key every migrate run of this service takes on
/// its database: the bytes of "OTASMIGR". Advisory locks are per database,
/// so databases on one server migrate independently; an operator can see
/// the holder in `pg_locks` (`locktype = 'advisory'`, `objid` its low 32
/// bits) or take it to keep migrate runs out.
pub const MIGRATION_LOCK_KEY: i64 = 0x4F54_4153_4D49_4752;

/// How often a waiting run tries the lock again.
const POLL_EVERY: Duration = Duration::from_millis(250);

/// How often a waiting run says it still waits.
const TELL_EVERY: Duration = Duration::from_secs(10);

/// Sets the session's `statement_timeout` and `lock_timeout`, and names it
/// in `pg_stat_activity` so that an operator sees who waits.
pub(super) fn set_session_limits(
    conn: &mut PgConnection,
    timeouts: &MigrationTimeouts,
) -> Result<(), MigrationError> {
    conn.batch_execute(&format!(
        "SET application_name = 'otas-server migrate'; \
         SET statement_timeout = {}; SET lock_timeout = {}",
        timeouts.statement_timeout.as_millis(),
        timeouts.lock_timeout.as_millis(),
    ))
    .map_err(|e| MigrationError::Connect(e.to_string()))
}

/// Takes the migration lock, waiting up to `wait` for another run to end.
pub(super) fn acquire(conn: &mut PgConnection, wait: Duration) -> Result<(), MigrationError> {
    let started = Instant::now();
    let mut told: Option<Instant> = None;
    loop {
        let taken = select(
            sql::<Bool>("pg_try_advisory_lock(")
                .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
                .sql(")"),
        )
        .get_result::<bool>(conn)
        .map_err(|e| MigrationError::Connect(e.to_string()))?;
        if taken {
            if told.is_some() {
                tracing::info!(
                    waited_ms = started.elapsed().as_millis(),
                    "the migration lock is ours: migrating"
                );
            }
            return Ok(());
        }
        if started.elapsed() >= wait {
            return Err(MigrationError::LockBusy(wait));
        }
        if told.is_none_or(|at| at.elapsed() >= TELL_EVERY) {
            tracing::warn!(
                key = MIGRATION_LOCK_KEY,
                waited_s = started.elapsed().as_secs(),
                most_s = wait.as_secs(),
                "another migrate run holds the migration lock; waiting"
            );
            told = Some(Instant::now());
        }
        std::thread::sleep(POLL_EVERY);
    }
}

/// Releases the migration lock. A failure is ignored: the lock goes with
/// the session, which ends right after.
pub(super) fn release(conn: &mut PgConnection) {
    let released = select(
        sql::<Bool>("pg_advisory_unlock(")
            .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
            .sql(")"),
    )
    .get_result::<bool>(conn);
    if let Err(error) = released {
        tracing::debug!(%error, "migration lock not released: it goes with the session");
    }
}
