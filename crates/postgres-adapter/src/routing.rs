//! Where reads go: PostgreSQL streaming replicas when they answer and are
//! caught up, the primary otherwise. Writes never come here.
//!
//! A watcher thread asks each replica, every `check_every`, how far its
//! replay is behind (`pg_last_xact_replay_timestamp()` when it has received
//! WAL it has not replayed; 0 when it has replayed all it received). A
//! replica that does not answer within its pool's timeout, is not in
//! recovery, or lags more than `max_lag` is skipped until a later check
//! finds it usable again. A read that fails on a replica for want of it
//! (`Unavailable`) marks it unusable at once and is run again on the
//! primary, so a replica's loss costs at most that read's wait.
//!
//! One agent's reads go to one replica (the usable ones, by the agent's
//! id): a whole list read in batches sees one server's history rather than
//! several servers' different lags.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::sql_types::{Bool, Double};
use diesel::{PgConnection, QueryResult, QueryableByName, RunQueryDsl};
use otas_ports::StoreError;

use crate::pool::{with_connection, PgPool};

/// How replicas are chosen and watched.
#[derive(Debug, Clone, Copy)]
pub struct RoutingSettings {
    /// A replica whose replay is further behind than this is skipped.
    pub max_lag: Duration,
    /// How often each replica's health and lag are checked.
    pub check_every: Duration,
}

/// The pools reads may use. Cheap to clone.
#[derive(Clone)]
pub struct ReadRouter {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ReadRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadRouter")
            .field("replicas", &self.inner.replicas.len())
            .finish_non_exhaustive()
    }
}

struct Inner {
    primary: PgPool,
    replicas: Vec<Replica>,
}

struct Replica {
    /// `replica-0`, `replica-1`, … in the configured order: metrics labels.
    name: String,
    pool: PgPool,
    usable: AtomicBool,
}

impl ReadRouter {
    /// Every read on the primary.
    pub fn primary_only(primary: PgPool) -> Self {
        Self {
            inner: Arc::new(Inner {
                primary,
                replicas: Vec::new(),
            }),
        }
    }

    /// Reads on `replicas` when usable, else on `primary`; starts the watcher
    /// (it ends with the last clone of the router). Replicas start unusable
    /// until their first check.
    pub fn new(primary: PgPool, replicas: Vec<PgPool>, settings: RoutingSettings) -> Self {
        let router = Self {
            inner: Arc::new(Inner {
                primary,
                replicas: replicas
                    .into_iter()
                    .enumerate()
                    .map(|(n, pool)| Replica {
                        name: format!("replica-{n}"),
                        pool,
                        usable: AtomicBool::new(false),
                    })
                    .collect(),
            }),
        };
        if !router.inner.replicas.is_empty() {
            router.inner.check_all(settings.max_lag);
            watch(Arc::downgrade(&router.inner), settings);
        }
        router
    }

    /// Runs `work` on the replica that serves `key` (an agent's or a
    /// user's id), or on the primary when none is usable or the replica
    /// fails for want of a server. Cost: one pooled connection, the work's
    /// own statements; a retry on the primary at most once.
    pub(crate) fn read<T>(
        &self,
        key: impl Hash,
        work: impl Fn(&mut PgConnection) -> QueryResult<T>,
    ) -> Result<T, StoreError> {
        if let Some(replica) = self.inner.replica_for(key) {
            match with_connection(&replica.pool, &work) {
                Err(StoreError::Unavailable(reason)) => {
                    replica.usable.store(false, Ordering::Relaxed);
                    tracing::warn!(replica = %replica.name, %reason, "replica unusable; reading from the primary");
                }
                done => {
                    count_read(&replica.name);
                    return done;
                }
            }
        }
        count_read("primary");
        with_connection(&self.inner.primary, work)
    }
}

impl ReadRouter {
    /// Whether a usable replica answers a trivial statement now.
    pub(crate) fn ping_replica(&self) -> Result<(), StoreError> {
        let replica = self
            .inner
            .replicas
            .iter()
            .find(|r| r.usable.load(Ordering::Relaxed))
            .ok_or_else(|| StoreError::Unavailable("no usable replica".to_owned()))?;
        with_connection(&replica.pool, |conn| {
            diesel::connection::SimpleConnection::batch_execute(conn, "SELECT 1")
        })
    }
}

impl Inner {
    fn replica_for(&self, key: impl Hash) -> Option<&Replica> {
        let usable: Vec<&Replica> = self
            .replicas
            .iter()
            .filter(|r| r.usable.load(Ordering::Relaxed))
            .collect();
        if usable.is_empty() {
            return None;
        }
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let n = usize::try_from(hasher.finish() % usable.len() as u64).unwrap_or(0);
        usable.get(n).copied()
    }

    /// Checks each replica once; sets whether it is usable, and its lag.
    fn check_all(&self, max_lag: Duration) {
        for replica in &self.replicas {
            let lag = with_connection(&replica.pool, replay_lag);
            let usable = match &lag {
                Ok(lag) => lag.in_recovery && lag.seconds <= max_lag.as_secs_f64(),
                Err(_) => false,
            };
            if let Ok(lag) = &lag {
                metrics::gauge!("otas_db_replica_lag_seconds", "replica" => replica.name.clone())
                    .set(lag.seconds);
            }
            metrics::gauge!("otas_db_replica_usable", "replica" => replica.name.clone())
                .set(if usable { 1.0 } else { 0.0 });
            let was = replica.usable.swap(usable, Ordering::Relaxed);
            if was != usable {
                match lag {
                    Ok(lag) => tracing::info!(
                        replica = %replica.name, usable, in_recovery = lag.in_recovery,
                        lag_seconds = lag.seconds, "replica usability changed"
                    ),
                    Err(error) => tracing::info!(
                        replica = %replica.name, usable, %error, "replica usability changed"
                    ),
                }
            }
        }
    }
}

/// Checks the replicas every `check_every` until the router is dropped.
fn watch(inner: Weak<Inner>, settings: RoutingSettings) {
    let started = std::thread::Builder::new()
        .name("replica-watch".to_owned())
        .spawn(move || loop {
            std::thread::sleep(settings.check_every);
            let Some(inner) = inner.upgrade() else { return };
            inner.check_all(settings.max_lag);
        });
    if let Err(error) = started {
        tracing::warn!(%error, "replica watcher not started: replicas stay as first checked");
    }
}

fn count_read(pool: &str) {
    metrics::counter!("otas_db_reads_total", "pool" => pool.to_owned()).increment(1);
}

#[derive(QueryableByName)]
struct ReplayLag {
    #[diesel(sql_type = Bool)]
    in_recovery: bool,
    #[diesel(sql_type = Double)]
    seconds: f64,
}

/// Whether the server is a standby, and how far its replay is behind: 0 when
/// it replayed all the WAL it received, else the age of the last transaction
/// it replayed (or, when it replayed none since it started, of its start).
/// One statement, no table read.
fn replay_lag(conn: &mut PgConnection) -> QueryResult<ReplayLag> {
    diesel::sql_query(
        "SELECT pg_is_in_recovery() AS in_recovery, \
         CASE WHEN NOT pg_is_in_recovery() THEN 0 \
              WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 \
              ELSE EXTRACT(EPOCH FROM now() - COALESCE(pg_last_xact_replay_timestamp(), \
                                                         pg_postmaster_start_time())) \
         END::float8 AS seconds",
    )
    .get_result(conn)
}
