//! The watcher: every `check_every`, the primary's WAL position, then each
//! replica's state, and from both whether the replica may serve reads.
//!
//! Lag is measured against the primary, not the replica's own view (a
//! standby cut off from its primary has replayed all it received and would
//! look current forever). Each check records the primary's position and the
//! time it was seen, for every replica that has not replayed that far; a
//! replica's lag is the age of the oldest position it has still to replay.
//! An idle primary lags nobody; a replica steadily 8 s behind measures so
//! at every check, to within one check; one that stopped replaying lags more
//! at every check.
//!
//! The primary is asked on a connection of the watcher's own, so that a busy
//! request pool never reads as a primary gone. When the primary does not
//! answer, only what a replica received and has not replayed counts (it
//! needs no primary to catch up on that): a replica that answers and is in
//! recovery serves the reads through a primary outage, for at most
//! `max_silence` without news from the primary: since the later of the
//! watcher's last answer from the primary and the replica's WAL receiver's
//! last message from it (`pg_stat_wal_receiver`).
//!
//! A replica found out of recovery (and taking writes: a standby promoted
//! but still fenced read-only by its failover manager keeps serving) serves
//! no read, and its pool's connections are retired: with a URL listing several hosts and
//! `target_session_attrs=prefer-standby`, the next check reaches a standby
//! again as soon as one is up (a failover promotes the standby the pool
//! was on, and brings the old primary back as a standby).

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::sql_types::{Bool, Double};
use diesel::{PgConnection, QueryResult, QueryableByName, RunQueryDsl};

use super::{Inner, RoutingSettings};
use crate::pool::{checked_with_connection_of, with_connection_of};

/// The most primary positions remembered per replica. Past it, the newest
/// entry takes the new position and keeps its older time: the lag reads
/// high, never low.
const MAX_PENDING: usize = 64;

/// Primary WAL positions a replica has still to replay, oldest first, each
/// with when it was first seen.
#[derive(Debug, Default)]
struct Pending(VecDeque<(f64, Instant)>);

impl Pending {
    /// The replica's lag at `now`, after recording what this check saw.
    fn lag(&mut self, replica: &ReplicaState, primary: Option<f64>, now: Instant) -> Duration {
        while self
            .0
            .front()
            .is_some_and(|(at, _)| *at <= replica.replayed)
        {
            self.0.pop_front();
        }
        if let Some(primary) = primary {
            let recorded = self.0.back().is_some_and(|(at, _)| *at >= primary);
            if replica.replayed < primary && !recorded {
                if self.0.len() < MAX_PENDING {
                    self.0.push_back((primary, now));
                } else if let Some(newest) = self.0.back_mut() {
                    newest.0 = primary;
                }
            }
        }
        let oldest = self.0.front().filter(|(at, _)| {
            // Without the primary, only what the replica has can be waited on.
            primary.is_some() || *at <= replica.received
        });
        oldest.map_or(Duration::ZERO, |(_, seen)| {
            now.saturating_duration_since(*seen)
        })
    }
}

/// Checks the replicas once now, then every `check_every` on a thread of
/// its own until the router is dropped.
pub(super) fn start(inner: &Arc<Inner>, settings: RoutingSettings) {
    let mut pending: Vec<Pending> = inner.replicas.iter().map(|_| Pending::default()).collect();
    // Until the primary answers a check, silence counts from the start.
    let mut primary_seen = Instant::now();
    check_all(inner, &mut pending, &mut primary_seen, &settings);
    let weak: Weak<Inner> = Arc::downgrade(inner);
    let started = std::thread::Builder::new()
        .name("replica-watch".to_owned())
        .spawn(move || loop {
            std::thread::sleep(settings.check_every);
            let Some(inner) = weak.upgrade() else { return };
            check_all(&inner, &mut pending, &mut primary_seen, &settings);
        });
    if let Err(error) = started {
        tracing::warn!(%error, "replica watcher not started: replicas stay as first checked");
    }
}

/// One check of every replica. Cost: one statement on the primary and one
/// on each replica, none reading a table.
fn check_all(
    inner: &Inner,
    pending: &mut [Pending],
    primary_seen: &mut Instant,
    settings: &RoutingSettings,
) {
    let primary = with_connection_of(&inner.watch, "primary-watch", primary_position)
        .ok()
        .map(|p| p.position);
    metrics::gauge!("otas_db_primary_up").set(if primary.is_some() { 1.0 } else { 0.0 });
    inner
        .primary_up
        .store(primary.is_some(), std::sync::atomic::Ordering::Relaxed);
    let now = Instant::now();
    if primary.is_some() {
        *primary_seen = now;
    }
    for (replica, pending) in inner.replicas.iter().zip(pending.iter_mut()) {
        // A standby's URL that led to a primary (libpq's `prefer-standby`
        // with no standby up, or a standby promoted by a failover): the
        // pool's connections to it are retired, so that the next check
        // connects again and finds a standby once one is back.
        let state = checked_with_connection_of(
            &replica.pool,
            replica.name,
            replica_state,
            ReplicaState::serves_as_replica,
        );
        let (usable, lag) = match &state {
            Ok(state) if state.serves_as_replica() => {
                let lag = pending.lag(state, primary, now);
                let silence = (primary.is_none())
                    .then(|| state.silence(now.saturating_duration_since(*primary_seen)));
                let quiet_enough = silence.is_none_or(|silence| silence <= settings.max_silence);
                (lag <= settings.max_lag && quiet_enough, Some(lag))
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

#[derive(QueryableByName, Debug)]
struct ReplicaState {
    #[diesel(sql_type = Bool)]
    in_recovery: bool,
    /// Whether its transactions are read-only by default: a standby just
    /// promoted but fenced until its manager lets it take writes
    /// (pg_auto_failover's `stop_replication`).
    #[diesel(sql_type = Bool)]
    read_only: bool,
    #[diesel(sql_type = Double)]
    replayed: f64,
    #[diesel(sql_type = Double)]
    received: f64,
    /// Seconds since the replica's WAL receiver last heard from the
    /// primary; negative when unknown (no receiver running, or a role that
    /// may not read it).
    #[diesel(sql_type = Double)]
    heard_secs_ago: f64,
}

impl ReplicaState {
    /// A standby, or a promoted one that takes no writes yet: it has all
    /// its old primary acknowledged, and the primary's pool cannot reach
    /// it (`target_session_attrs=read-write` skips it), so reads stay on it
    /// until it takes writes.
    fn serves_as_replica(&self) -> bool {
        self.in_recovery || self.read_only
    }

    /// How long the replica has been without news from the primary, the
    /// primary being unreachable: since the later of the watcher's last
    /// answer from the primary and the replica's receiver's last message
    /// from it (an idle primary writes to its standbys only every half
    /// `wal_sender_timeout`, so the receiver alone would read silent early).
    fn silence(&self, since_watcher_saw_primary: Duration) -> Duration {
        if self.heard_secs_ago >= 0.0 && self.heard_secs_ago.is_finite() {
            since_watcher_saw_primary.min(Duration::from_secs_f64(self.heard_secs_ago))
        } else {
            since_watcher_saw_primary
        }
    }
}

/// Whether the server is a standby, the WAL positions it replayed to and
/// received to, in bytes, and when its receiver last heard from the primary.
fn replica_state(conn: &mut PgConnection) -> QueryResult<ReplicaState> {
    diesel::sql_query(
        "SELECT pg_is_in_recovery() AS in_recovery, \
         current_setting('default_transaction_read_only')::bool AS read_only, \
         COALESCE(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'), 0)::float8 AS replayed, \
         COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0'), 0)::float8 AS received, \
         COALESCE((SELECT EXTRACT(EPOCH FROM now() - last_msg_receipt_time) \
                   FROM pg_stat_wal_receiver), -1)::float8 AS heard_secs_ago",
    )
    .get_result(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(replayed: f64, received: f64) -> ReplicaState {
        ReplicaState {
            in_recovery: true,
            read_only: false,
            replayed,
            received,
            heard_secs_ago: -1.0,
        }
    }

    #[test]
    fn silence_counts_from_the_latest_news_of_the_primary() {
        let heard = |secs| ReplicaState {
            heard_secs_ago: secs,
            ..at(1.0, 1.0)
        };
        assert_eq!(heard(3.5).silence(60 * S), Duration::from_millis(3500));
        assert_eq!(
            heard(30.0).silence(2 * S),
            2 * S,
            "the watcher saw it later"
        );
        assert_eq!(at(1.0, 1.0).silence(60 * S), 60 * S, "no receiver to ask");
    }

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn an_idle_primary_lags_nobody() {
        let (t0, mut pending) = (Instant::now(), Pending::default());
        assert_eq!(
            pending.lag(&at(100.0, 100.0), Some(100.0), t0),
            Duration::ZERO
        );
        assert_eq!(
            pending.lag(&at(100.0, 100.0), Some(100.0), t0 + 60 * S),
            Duration::ZERO
        );
    }

    #[test]
    fn a_replica_steadily_eight_seconds_behind_measures_it_within_one_check() {
        // The primary writes 10 bytes a second; the replica replays what
        // the primary had 8 s before.
        let (t0, mut pending) = (Instant::now(), Pending::default());
        let mut lags = Vec::new();
        for second in 0..30_u32 {
            let primary = f64::from(second) * 10.0 + 1000.0;
            let replayed = (primary - 80.0).max(1000.0);
            lags.push(pending.lag(&at(replayed, primary), Some(primary), t0 + second * S));
        }
        // The oldest position it lacks was seen 7 s ago (checks 1 s apart).
        assert!(lags[10..].iter().all(|lag| *lag == 7 * S), "{lags:?}");
    }

    #[test]
    fn a_replica_that_stopped_replaying_lags_more_at_every_check() {
        let (t0, mut pending) = (Instant::now(), Pending::default());
        pending.lag(&at(100.0, 120.0), Some(120.0), t0);
        assert_eq!(
            pending.lag(&at(100.0, 500.0), Some(500.0), t0 + 30 * S),
            30 * S
        );
        // It catches up past the first position only: the second one's age.
        assert_eq!(pending.lag(&at(130.0, 500.0), Some(500.0), t0 + 31 * S), S);
        assert_eq!(
            pending.lag(&at(500.0, 500.0), Some(500.0), t0 + 32 * S),
            Duration::ZERO
        );
    }

    #[test]
    fn without_the_primary_only_what_the_replica_received_is_waited_on() {
        let (t0, mut pending) = (Instant::now(), Pending::default());
        pending.lag(&at(100.0, 100.0), Some(200.0), t0);
        // The primary is gone; the replica never received position 200.
        assert_eq!(
            pending.lag(&at(100.0, 100.0), None, t0 + 30 * S),
            Duration::ZERO
        );
        // It received it and is replaying slowly: that counts.
        assert_eq!(pending.lag(&at(150.0, 200.0), None, t0 + 40 * S), 40 * S);
    }

    #[test]
    fn memory_is_bounded_and_the_lag_never_reads_low() {
        let (t0, mut pending) = (Instant::now(), Pending::default());
        for second in 0..1000_u32 {
            pending.lag(
                &at(0.5, 0.5),
                Some(f64::from(second) + 1.0),
                t0 + second * S,
            );
        }
        assert_eq!(pending.0.len(), MAX_PENDING);
        assert_eq!(
            pending.lag(&at(0.5, 0.5), Some(1001.0), t0 + 1000 * S),
            1000 * S
        );
    }
}
