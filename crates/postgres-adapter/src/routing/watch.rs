//! The watcher: every `check_every`, the primary's WAL position, then each
//! replica's state, and from both whether the replica may serve reads.
//!
//! Lag is measured against the primary, not the replica's own view (a
//! standby cut off from its primary has replayed all it received and would
//! look current forever): when a check finds a replica's replay position
//! short of the primary's WAL position, that position becomes the replica's
//! target, and its lag is the time since, until it replays past it. An idle
//! primary lags nobody; a replica that stopped replaying lags more at every
//! check. With the primary unreachable there is nothing newer to compare
//! with: a replica that answers and is in recovery serves the reads (lists
//! through a primary outage), and pending targets are dropped.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::sql_types::{Bool, Double};
use diesel::{PgConnection, QueryResult, QueryableByName, RunQueryDsl};

use super::{Inner, RoutingSettings};
use crate::pool::{with_connection, with_connection_of};

/// A primary WAL position a replica has still to replay, and since when.
#[derive(Debug, Clone, Copy)]
struct Behind {
    target: f64,
    since: Instant,
}

/// Checks the replicas once now, then every `check_every` on a thread of
/// its own until the router is dropped.
pub(super) fn start(inner: &Arc<Inner>, settings: RoutingSettings) {
    let mut behind = vec![None; inner.replicas.len()];
    check_all(inner, &mut behind, settings.max_lag);
    let weak: Weak<Inner> = Arc::downgrade(inner);
    let started = std::thread::Builder::new()
        .name("replica-watch".to_owned())
        .spawn(move || loop {
            std::thread::sleep(settings.check_every);
            let Some(inner) = weak.upgrade() else { return };
            check_all(&inner, &mut behind, settings.max_lag);
        });
    if let Err(error) = started {
        tracing::warn!(%error, "replica watcher not started: replicas stay as first checked");
    }
}

/// One check of every replica. Cost: one statement on the primary and one
/// on each replica, none reading a table.
fn check_all(inner: &Inner, behind: &mut [Option<Behind>], max_lag: Duration) {
    let primary = with_connection(&inner.primary, primary_position).ok();
    metrics::gauge!("otas_db_primary_up").set(if primary.is_some() { 1.0 } else { 0.0 });
    let now = Instant::now();
    for (replica, behind) in inner.replicas.iter().zip(behind.iter_mut()) {
        let state = with_connection_of(&replica.pool, replica.name, replica_state);
        let (usable, lag) = match &state {
            Ok(state) if state.in_recovery => {
                let lag = lag(behind, state.replayed, primary.map(|p| p.position), now);
                (lag <= max_lag, Some(lag))
            }
            _ => (false, None),
        };
        if let Some(lag) = lag {
            metrics::gauge!("otas_db_replica_lag_seconds", "replica" => replica.name)
                .set(lag.as_secs_f64());
        }
        metrics::gauge!("otas_db_replica_usable", "replica" => replica.name).set(if usable {
            1.0
        } else {
            0.0
        });
        if replica.usable.swap(usable, Ordering::Relaxed) != usable {
            match state {
                Ok(state) => tracing::info!(
                    replica = replica.name,
                    usable,
                    in_recovery = state.in_recovery,
                    lag_seconds = lag.map(|l| l.as_secs_f64()),
                    "replica usability changed"
                ),
                Err(error) => tracing::info!(
                    replica = replica.name, usable, %error, "replica usability changed"
                ),
            }
        }
    }
}

/// The replica's lag at `now`, updating what it is `behind`: the target is
/// dropped once replayed past (or when the primary is out of reach), and a
/// new one taken when the replica is short of the primary's position.
fn lag(behind: &mut Option<Behind>, replayed: f64, primary: Option<f64>, now: Instant) -> Duration {
    let Some(primary) = primary else {
        *behind = None;
        return Duration::ZERO;
    };
    if behind.is_some_and(|b| replayed >= b.target) {
        *behind = None;
    }
    if behind.is_none() && replayed < primary {
        *behind = Some(Behind {
            target: primary,
            since: now,
        });
    }
    behind.map_or(Duration::ZERO, |b| now.saturating_duration_since(b.since))
}

#[derive(QueryableByName, Clone, Copy)]
struct PrimaryPosition {
    #[diesel(sql_type = Double)]
    position: f64,
}

/// The primary's WAL write position, in bytes.
fn primary_position(conn: &mut PgConnection) -> QueryResult<PrimaryPosition> {
    diesel::sql_query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 AS position")
        .get_result(conn)
}

#[derive(QueryableByName)]
struct ReplicaState {
    #[diesel(sql_type = Bool)]
    in_recovery: bool,
    #[diesel(sql_type = Double)]
    replayed: f64,
}

/// Whether the server is a standby, and the WAL position it replayed to.
fn replica_state(conn: &mut PgConnection) -> QueryResult<ReplicaState> {
    diesel::sql_query(
        "SELECT pg_is_in_recovery() AS in_recovery, \
         COALESCE(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'), 0)::float8 AS replayed",
    )
    .get_result(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_primary_lags_nobody_and_a_stopped_replay_lags_more_at_every_check() {
        let t0 = Instant::now();
        let mut behind = None;
        assert_eq!(lag(&mut behind, 100.0, Some(100.0), t0), Duration::ZERO);
        // The primary writes; the replica has not replayed it yet.
        assert_eq!(lag(&mut behind, 100.0, Some(150.0), t0), Duration::ZERO);
        let t1 = t0 + Duration::from_secs(3);
        assert_eq!(
            lag(&mut behind, 100.0, Some(200.0), t1),
            Duration::from_secs(3)
        );
        // It replays past the first target: a new target, from now.
        let t2 = t1 + Duration::from_secs(1);
        assert_eq!(lag(&mut behind, 160.0, Some(200.0), t2), Duration::ZERO);
        let t3 = t2 + Duration::from_secs(2);
        assert_eq!(lag(&mut behind, 200.0, Some(200.0), t3), Duration::ZERO);
        assert!(behind.is_none());
    }

    #[test]
    fn a_replica_cut_off_from_a_primary_that_still_writes_falls_behind() {
        let t0 = Instant::now();
        let mut behind = None;
        lag(&mut behind, 100.0, Some(120.0), t0);
        let later = t0 + Duration::from_secs(30);
        assert_eq!(
            lag(&mut behind, 100.0, Some(500.0), later),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn with_the_primary_out_of_reach_a_replica_is_judged_alone() {
        let t0 = Instant::now();
        let mut behind = None;
        lag(&mut behind, 100.0, Some(120.0), t0);
        let later = t0 + Duration::from_secs(30);
        assert_eq!(lag(&mut behind, 100.0, None, later), Duration::ZERO);
        assert!(behind.is_none());
    }
}
