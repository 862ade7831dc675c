//! Where reads go: PostgreSQL streaming replicas when they answer and are
//! caught up, the primary otherwise. Writes never come here.
//!
//! A watcher (`watch`) checks every replica every `check_every`; a replica
//! that does not answer, is not in recovery, or lags more than `max_lag`
//! behind the primary is skipped until a later check finds it usable again.
//! A read that fails on a replica for want of it (no connection in time, a
//! connection lost) marks it unusable at once and runs again on the primary,
//! so losing a replica fails no read (the next check restores a replica that
//! was only busy); a read the replica cancelled for a conflict with replay
//! runs again on the primary too. A statement timeout does not: the primary
//! would meet it as well.
//!
//! One agent's reads go to one replica (the usable ones, by the agent's
//! id): a whole list read in batches sees one server's history rather than
//! several servers' different lags.

mod watch;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{PgConnection, QueryResult};
use otas_ports::StoreError;

use crate::error::Elsewhere;
use crate::pool::{try_with_connection_of, with_connection, PgPool};

/// The most replicas one service reads from.
pub const MAX_REPLICAS: usize = 8;

/// The standbys' names in metrics and logs, in the configured order
/// (`standby-N`, never to be mistaken for a replica of the service itself).
const NAMES: [&str; MAX_REPLICAS] = [
    "standby-0",
    "standby-1",
    "standby-2",
    "standby-3",
    "standby-4",
    "standby-5",
    "standby-6",
    "standby-7",
];

/// How replicas are chosen and watched.
#[derive(Debug, Clone, Copy)]
pub struct RoutingSettings {
    /// A replica further behind the primary than this is skipped.
    pub max_lag: Duration,
    /// With the primary unreachable, a replica that has heard nothing from
    /// it for longer than this is skipped too: it cannot know how stale it
    /// is, and would otherwise serve old membership for as long as the
    /// outage lasts.
    pub max_silence: Duration,
    /// How often each replica's health and lag are checked.
    pub check_every: Duration,
}

/// The pools reads may use. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ReadRouter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    primary: PgPool,
    /// The watcher's own connection to the primary.
    watch: PgPool,
    replicas: Vec<Replica>,
    /// Whether the watcher's last check reached the primary (always, with
    /// no replica and so no watcher).
    primary_up: AtomicBool,
}

#[derive(Debug)]
struct Replica {
    name: &'static str,
    pool: PgPool,
    usable: AtomicBool,
}

impl ReadRouter {
    /// Every read on the primary.
    pub fn primary_only(primary: PgPool) -> Self {
        Self {
            inner: Arc::new(Inner {
                watch: primary.clone(),
                primary,
                replicas: Vec::new(),
                primary_up: AtomicBool::new(true),
            }),
        }
    }

    /// Reads on `replicas` (at most [`MAX_REPLICAS`]; more are ignored) when
    /// usable, else on `primary`; `watch` is a pool of the primary for the
    /// watcher alone (one connection is enough). Checks them once, then
    /// starts the watcher, which ends with the last clone of the router.
    pub fn new(
        primary: PgPool,
        watch: PgPool,
        replicas: Vec<PgPool>,
        settings: RoutingSettings,
    ) -> Self {
        let router = Self {
            inner: Arc::new(Inner {
                primary,
                watch,
                replicas: replicas
                    .into_iter()
                    .zip(NAMES)
                    .map(|(pool, name)| Replica {
                        name,
                        pool,
                        usable: AtomicBool::new(false),
                    })
                    .collect(),
                primary_up: AtomicBool::new(true),
            }),
        };
        if !router.inner.replicas.is_empty() {
            watch::start(&router.inner, settings);
        }
        router
    }

    /// Runs `work` on the replica that serves `key` (an agent's or a user's
    /// id), or on the primary when none is usable or the replica fails for
    /// want of a server. Cost: the work's own statements on one pooled
    /// connection; a second run on the primary at most once.
    pub(crate) fn read<T>(
        &self,
        key: impl Hash,
        work: impl Fn(&mut PgConnection) -> QueryResult<T>,
    ) -> Result<T, StoreError> {
        if let Some(replica) = self.inner.replica_for(key) {
            match try_with_connection_of(&replica.pool, replica.name, &work) {
                Ok(done) => {
                    count_read(replica.name);
                    return Ok(done);
                }
                Err((error, Elsewhere::No)) => {
                    count_read(replica.name);
                    return Err(error);
                }
                Err((_, Elsewhere::Conflict)) => {}
                Err((error, Elsewhere::Lost)) => replica.set_lost(&error),
            }
        }
        count_read("primary");
        with_connection(&self.inner.primary, work)
    }

    /// Runs `work` on the primary, so that what it reads is current (a key
    /// revoked a moment ago is seen revoked), unless the primary is away:
    /// while the watcher finds it away, or when it fails this read for want
    /// of a server, `work` runs as [`Self::read`] runs it, on a usable
    /// replica (within the lag bound) if there is one. Cost: the work's own
    /// statements on one pooled connection; a second run at most once.
    pub(crate) fn read_fresh<T>(
        &self,
        key: impl Hash,
        work: impl Fn(&mut PgConnection) -> QueryResult<T>,
    ) -> Result<T, StoreError> {
        if self.primary_away() {
            return self.read(key, work);
        }
        match with_connection(&self.inner.primary, &work) {
            Err(StoreError::Unavailable(cause)) => match self.inner.replica_for(&key) {
                Some(_) => {
                    tracing::warn!(%cause, "primary unavailable; reading from a replica");
                    self.read(key, work)
                }
                None => Err(StoreError::Unavailable(cause)),
            },
            done => {
                count_read("primary");
                done
            }
        }
    }

    /// Whether the watcher's last check (every `check_every`) found the
    /// primary away: writes that can wait (a key's `last_used_at`) are then
    /// skipped rather than left to time out. Never, without replicas.
    pub(crate) fn primary_away(&self) -> bool {
        !self.inner.primary_up.load(Ordering::Relaxed)
    }

    /// The primary's pool, for the writes a store makes beside its reads.
    pub(crate) fn primary(&self) -> &PgPool {
        &self.inner.primary
    }

    /// Whether reads can be served now: a usable replica answers a trivial
    /// statement, or (with none usable) the primary does. With the primary
    /// down and a replica usable this answers at once, so that a load
    /// balancer's check keeps sending the lists this service can serve.
    pub(crate) fn ping(&self) -> Result<(), StoreError> {
        let select_1 = |conn: &mut PgConnection| conn.batch_execute("SELECT 1");
        let usable = self
            .inner
            .replicas
            .iter()
            .find(|r| r.usable.load(Ordering::Relaxed));
        if let Some(replica) = usable {
            match try_with_connection_of(&replica.pool, replica.name, select_1) {
                Ok(()) => return Ok(()),
                Err((error, _)) => replica.set_lost(&error),
            }
        }
        with_connection(&self.inner.primary, select_1)
    }
}

impl Replica {
    /// Skips this replica until the watcher finds it usable again.
    fn set_lost(&self, error: &StoreError) {
        self.usable.store(false, Ordering::Relaxed);
        metrics::gauge!("otas_db_replica_usable", "replica" => self.name).set(0.0);
        tracing::warn!(replica = self.name, %error, "replica unusable; reading from the primary");
    }
}

impl Inner {
    fn replica_for(&self, key: impl Hash) -> Option<&Replica> {
        let usable = || {
            self.replicas
                .iter()
                .filter(|r| r.usable.load(Ordering::Relaxed))
        };
        let count = u64::try_from(usable().count()).ok().filter(|n| *n > 0)?;
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        usable().nth(usize::try_from(hasher.finish() % count).ok()?)
    }
}

fn count_read(pool: &'static str) {
    metrics::counter!("otas_db_reads_total", "pool" => pool).increment(1);
}
