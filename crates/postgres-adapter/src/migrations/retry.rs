//! A step that waited its `lock_timeout` on another session's lock is tried
//! again, with a log line saying so, until a bounded time has passed: a
//! UASAM transaction that holds a lock for a moment must not fail the run,
//! and one that holds it for good must not hang it.

use std::error::Error;
use std::time::{Duration, Instant};

use diesel::PgConnection;

use super::{MigrationError, MigrationTimeouts};

/// The boxed error diesel's migration harness returns.
pub(super) type StepError = Box<dyn Error + Send + Sync>;

/// The pause between two attempts, for the lock holder to finish.
const PAUSE: Duration = Duration::from_millis(500);

/// Runs `step` (named `what` in the log and the error) until it succeeds,
/// fails for another reason than a lock timeout, or
/// `timeouts.lock_retry_for` has passed.
pub(super) fn on_lock_timeout(
    conn: &mut PgConnection,
    timeouts: &MigrationTimeouts,
    what: &str,
    mut step: impl FnMut(&mut PgConnection) -> Result<(), StepError>,
) -> Result<(), MigrationError> {
    let started = Instant::now();
    let mut attempts = 0_u32;
    loop {
        attempts += 1;
        let error = match step(conn) {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        if !is_lock_timeout(error.as_ref()) {
            return Err(MigrationError::Apply(error.to_string()));
        }
        if started.elapsed() >= timeouts.lock_retry_for {
            return Err(MigrationError::LockWait(format!(
                "{what}: other sessions held locks it needs for {}s ({attempts} attempts of lock_timeout {} ms); end the transactions holding locks on UASAM's tables (see pg_locks and pg_stat_activity) and run migrate again",
                started.elapsed().as_secs(),
                timeouts.lock_timeout.as_millis(),
            )));
        }
        tracing::warn!(
            step = what,
            attempt = attempts,
            waited_s = started.elapsed().as_secs(),
            most_s = timeouts.lock_retry_for.as_secs(),
            "another session holds a lock this migration step needs (lock_timeout reached); waiting and trying again"
        );
        std::thread::sleep(PAUSE);
    }
}

/// Whether `error` is PostgreSQL cancelling a statement for its
/// `lock_timeout` (SQLSTATE 55P03). Neither diesel 2.3 (no SQLSTATE) nor
/// diesel_migrations (its error type is private, with the driver's message
/// in its text) lets the code be read, so the message is: in English, as
/// the server writes it unless its `lc_messages` says otherwise (then the
/// step fails on its first timeout, with the server's message, rather than
/// being retried: still no hang).
fn is_lock_timeout(error: &(dyn Error + Send + Sync + 'static)) -> bool {
    error
        .to_string()
        .contains("canceling statement due to lock timeout")
}
