//! The r2d2 connection pool.
//!
//! A connection is checked with a round trip (`SELECT 1`) only when it has
//! been idle for a while; one that just served a request is handed out as it
//! is. A connection whose query failed because the server went away is
//! marked and dropped when it comes back to the pool, so that serving
//! resumes with fresh connections as soon as the database is back.
//!
//! Such a failure, or a write refused because the server is read-only (a
//! primary demoted by a failover, SQLSTATE 25006), also retires every
//! connection the pool opened before it: they lead to the same server, and
//! are dropped at their next check-out or return instead of failing one
//! request each. New connections follow the URL again: with several hosts
//! and `target_session_attrs=read-write`, libpq finds the new primary. On
//! the happy path this costs one atomic load per check-out and return.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, ManageConnection};
use diesel::PgConnection;
use otas_ports::StoreError;

use crate::connection_url::edit_url;
use crate::error::{classify, from_pool, Elsewhere};

/// A pool of PostgreSQL connections.
pub type PgPool = r2d2::Pool<PgManager>;

/// Connections idle for longer than this are checked before use.
const VALIDATE_AFTER_IDLE: Duration = Duration::from_secs(1);

/// A pooled PostgreSQL connection with what the pool needs to know of its use.
pub struct PgConn {
    conn: PgConnection,
    idle_since: Instant,
    lost: bool,
    /// The `statement_timeout` set on this connection when it was acquired.
    statement_timeout: Option<Duration>,
    /// The pool's generation when this connection was opened; an older one
    /// than the pool's is retired.
    generation: u64,
    /// The pool's generation, shared with its manager.
    pool_generation: Arc<AtomicU64>,
}

impl PgConn {
    /// Retires this connection and every other one the pool opened before
    /// it: the server they lead to is gone, or no longer takes writes.
    pub(crate) fn retire_all(&mut self) {
        self.lost = true;
        let newer = self.generation + 1;
        // Only forward: a connection opened later, retiring its own
        // generation, must not bring an older one back.
        self.pool_generation.fetch_max(newer, Ordering::AcqRel);
    }

    fn retired(&self) -> bool {
        self.lost || self.generation < self.pool_generation.load(Ordering::Acquire)
    }
}

/// By hand: diesel's `PgConnection` has no `Debug`.
impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn")
            .field("idle_since", &self.idle_since)
            .field("lost", &self.lost)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl Deref for PgConn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for PgConn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

/// Opens, checks and retires the pool's connections.
pub struct PgManager {
    inner: ConnectionManager<PgConnection>,
    /// Raised to retire every connection opened before.
    generation: Arc<AtomicU64>,
}

/// By hand: its connection URL carries a password, never printed.
impl std::fmt::Debug for PgManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgManager").finish_non_exhaustive()
    }
}

impl ManageConnection for PgManager {
    type Connection = PgConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PgConn, Self::Error> {
        // Read before connecting: a retirement while this one connects
        // retires it too.
        let generation = self.generation.load(Ordering::Acquire);
        Ok(PgConn {
            conn: self.inner.connect()?,
            idle_since: Instant::now(),
            lost: false,
            statement_timeout: None,
            generation,
            pool_generation: Arc::clone(&self.generation),
        })
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<(), Self::Error> {
        if conn.retired() {
            return Err(diesel::r2d2::Error::ConnectionError(
                diesel::ConnectionError::BadConnection(
                    "retired: its server went away or became read-only".to_owned(),
                ),
            ));
        }
        if conn.idle_since.elapsed() >= VALIDATE_AFTER_IDLE {
            self.inner.is_valid(&mut conn.conn)?;
        }
        Ok(())
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        if conn.retired() || self.inner.has_broken(&mut conn.conn) {
            return true;
        }
        conn.idle_since = Instant::now();
        false
    }
}

/// Runs `work` on a pooled connection of the primary and sorts its failure.
/// A connection whose query failed for want of a server is not reused.
pub(crate) fn with_connection<T>(
    pool: &PgPool,
    work: impl FnOnce(&mut PgConnection) -> diesel::QueryResult<T>,
) -> Result<T, StoreError> {
    with_connection_of(pool, "primary", work)
}

/// [`with_connection`] on the pool named `name` in the metrics (`primary`,
/// `standby-0`, …).
pub(crate) fn with_connection_of<T>(
    pool: &PgPool,
    name: &'static str,
    work: impl FnOnce(&mut PgConnection) -> diesel::QueryResult<T>,
) -> Result<T, StoreError> {
    try_with_connection_of(pool, name, work).map_err(|(error, _)| error)
}

/// [`with_connection_of`], also saying whether the failure calls for
/// another server (no connection in time counts as a server gone).
pub(crate) fn try_with_connection_of<T>(
    pool: &PgPool,
    name: &'static str,
    work: impl FnOnce(&mut PgConnection) -> diesel::QueryResult<T>,
) -> Result<T, (StoreError, Elsewhere)> {
    run_on(pool, name, |conn| work(conn))
}

/// [`with_connection_of`], also retiring the connection, and every one the
/// pool opened before it, when `keep` finds that the answer came from the
/// wrong kind of server (a standby's pool whose URL led to a primary).
pub(crate) fn checked_with_connection_of<T>(
    pool: &PgPool,
    name: &'static str,
    work: impl FnOnce(&mut PgConnection) -> diesel::QueryResult<T>,
    keep: impl FnOnce(&T) -> bool,
) -> Result<T, StoreError> {
    run_on(pool, name, |conn| {
        let done = work(conn)?;
        if !keep(&done) {
            retire(conn, name);
        }
        Ok(done)
    })
    .map_err(|(error, _)| error)
}

/// Runs `work` on a connection of `pool` and sorts its failure; retires the
/// pool's connections when the failure shows their server gone or read-only.
fn run_on<T>(
    pool: &PgPool,
    name: &'static str,
    work: impl FnOnce(&mut PgConn) -> diesel::QueryResult<T>,
) -> Result<T, (StoreError, Elsewhere)> {
    let labels = [("store", "postgres"), ("pool", name)];
    let waiting = metrics::gauge!("otas_db_pool_waiting", &labels);
    waiting.increment(1.0);
    let conn = pool.get();
    waiting.decrement(1.0);
    let state = pool.state();
    metrics::gauge!("otas_db_pool_connections", &labels).set(f64::from(state.connections));
    metrics::gauge!("otas_db_pool_idle", &labels).set(f64::from(state.idle_connections));
    let count = |error: StoreError| counted(error, name);
    let mut conn = conn.map_err(|e| (count(from_pool(&e)), Elsewhere::Lost))?;
    let started = Instant::now();
    work(&mut conn).map_err(|error| {
        // PostgreSQL cancels a statement only once it ran its whole timeout
        // (timed here over the whole call, which may hold several).
        let timed_out = conn
            .statement_timeout
            .is_some_and(|timeout| started.elapsed() >= timeout);
        let (error, another) = classify(error, timed_out);
        let error = count(error);
        if another == Elsewhere::Lost {
            retire(&mut conn, name);
        }
        (error, another)
    })
}

/// Retires `conn` and the pool's older connections, counted in
/// `otas_db_retirements_total`.
fn retire(conn: &mut PgConn, pool: &'static str) {
    conn.retire_all();
    metrics::counter!("otas_db_retirements_total", "store" => "postgres", "pool" => pool)
        .increment(1);
}

/// Counts a store error in `otas_db_errors_total` by pool and kind.
fn counted(error: StoreError, pool: &'static str) -> StoreError {
    let kind = match &error {
        StoreError::Unavailable(_) => "unavailable",
        StoreError::Failure(_) => "failure",
    };
    metrics::counter!("otas_db_errors_total", "store" => "postgres", "pool" => pool, "kind" => kind)
        .increment(1);
    error
}

/// How the pool connects and how long anything may wait.
#[derive(Clone)]
pub struct PoolSettings {
    /// `postgres://user:password@host:port/database`.
    pub url: String,
    /// The most connections open at once.
    pub max_connections: u32,
    /// Connections kept open while idle.
    pub min_idle: u32,
    /// How long a request waits for a connection before the store is called unavailable.
    pub connection_timeout: Duration,
    /// The longest one statement may run (PostgreSQL `statement_timeout`).
    pub statement_timeout: Duration,
}

/// The URL carries a password: it is never printed.
impl std::fmt::Debug for PoolSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolSettings")
            .field("url", &"<redacted>")
            .field("max_connections", &self.max_connections)
            .field("min_idle", &self.min_idle)
            .field("connection_timeout", &self.connection_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

/// The pool settings are unusable.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The database URL is not a `postgres://` or `postgresql://` URL.
    #[error("the database URL is not a postgres:// URL")]
    InvalidUrl,
    /// A timeout is shorter than a millisecond (PostgreSQL would read 0 as "never").
    #[error("database.{0} must be at least 1 ms")]
    TimeoutTooShort(&'static str),
}

/// Sets each new connection's statement timeout.
#[derive(Debug, Clone, Copy)]
struct SessionSetup {
    statement_timeout_ms: u128,
}

impl CustomizeConnection<PgConn, diesel::r2d2::Error> for SessionSetup {
    fn on_acquire(&self, conn: &mut PgConn) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "SET statement_timeout = {}; SET application_name = 'otas-server'",
            self.statement_timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)?;
        conn.statement_timeout = Some(Duration::from_millis(
            u64::try_from(self.statement_timeout_ms).unwrap_or(u64::MAX),
        ));
        Ok(())
    }
}

/// Builds the pool without connecting: the service starts even while the
/// database is down, answers `503` meanwhile, and serves again as soon as the
/// database is back.
pub fn connect(settings: &PoolSettings) -> Result<PgPool, PoolError> {
    validate_url(&settings.url)?;
    if settings.connection_timeout.as_millis() == 0 {
        return Err(PoolError::TimeoutTooShort("connection_timeout_ms"));
    }
    if settings.statement_timeout.as_millis() == 0 {
        return Err(PoolError::TimeoutTooShort("statement_timeout_ms"));
    }
    let manager = PgManager {
        inner: ConnectionManager::<PgConnection>::new(with_network_timeouts(
            &settings.url,
            settings.connection_timeout,
        )),
        generation: Arc::new(AtomicU64::new(0)),
    };
    let pool = r2d2::Pool::builder()
        .max_size(settings.max_connections.max(1))
        .min_idle(Some(settings.min_idle.min(settings.max_connections)))
        .connection_timeout(settings.connection_timeout)
        .test_on_check_out(true) // PgManager::is_valid pings idle connections only
        .connection_customizer(Box::new(SessionSetup {
            statement_timeout_ms: settings.statement_timeout.as_millis(),
        }))
        .error_handler(Box::new(LogConnectionErrors))
        .build_unchecked(manager);
    Ok(pool)
}

/// The URL with libpq's network timeouts, unless the operator set them: a
/// connection attempt gives up after the pool's connection timeout (at
/// least libpq's 2 s floor; with several hosts, on each host in turn), and
/// a peer that stops acknowledging (a host gone, a dropped route) is
/// noticed by TCP keepalives and the kernel's user timeout within about
/// that time, instead of the system's minutes.
pub fn with_network_timeouts(url: &str, connection_timeout: std::time::Duration) -> String {
    let timeout_ms = connection_timeout.as_millis().max(1);
    let defaults = [
        (
            "connect_timeout",
            timeout_ms.div_ceil(1000).max(2).to_string(),
        ),
        ("keepalives", "1".to_owned()),
        ("keepalives_idle", "1".to_owned()),
        ("keepalives_interval", "1".to_owned()),
        ("keepalives_count", "3".to_owned()),
        ("tcp_user_timeout", timeout_ms.to_string()),
    ];
    let edited = edit_url(url, |parsed| {
        let present: Vec<String> = parsed
            .query_pairs()
            .map(|(key, _)| key.into_owned())
            .collect();
        let mut query = parsed.query_pairs_mut();
        for (key, value) in defaults {
            if !present.iter().any(|p| p == key) {
                query.append_pair(key, &value);
            }
        }
    });
    edited.unwrap_or_else(|| url.to_owned())
}

/// Checks the URL's form (scheme, hosts) without connecting. A list of
/// hosts (`postgres://h1:5432,h2:5432/db`) is accepted, as libpq takes it.
pub fn validate_url(url: &str) -> Result<(), PoolError> {
    let mut scheme_ok = false;
    edit_url(url, |parsed| {
        scheme_ok = matches!(parsed.scheme(), "postgres" | "postgresql");
    })
    .ok_or(PoolError::InvalidUrl)?;
    if scheme_ok {
        Ok(())
    } else {
        Err(PoolError::InvalidUrl)
    }
}

/// Sends the pool's failed connection attempts to the service's log.
#[derive(Debug, Clone, Copy)]
struct LogConnectionErrors;

impl r2d2::HandleError<diesel::r2d2::Error> for LogConnectionErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(%error, "database connection attempt failed");
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::with_network_timeouts;

    #[test]
    fn network_timeouts_are_added_unless_the_operator_set_them() {
        let url = with_network_timeouts(
            "postgres://u:p@db:5432/otas?sslmode=disable&keepalives_idle=30",
            Duration::from_millis(2500),
        );

        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let pairs: Vec<&str> = query.split('&').collect();
        assert!(pairs.contains(&"sslmode=disable"), "{url}");
        assert!(
            pairs.contains(&"keepalives_idle=30"),
            "the operator's value is kept: {url}"
        );
        assert!(pairs.contains(&"connect_timeout=3"), "{url}");
        assert!(pairs.contains(&"keepalives=1"), "{url}");
        assert!(pairs.contains(&"tcp_user_timeout=2500"), "{url}");
        assert_eq!(url.matches("keepalives_idle").count(), 1, "{url}");
    }

    #[test]
    fn network_timeouts_are_added_to_a_url_listing_several_hosts() {
        let url = with_network_timeouts(
            "postgres://u:p@db-a:5432,db-b:5432/otas?target_session_attrs=read-write",
            Duration::from_millis(1000),
        );
        assert!(
            url.starts_with(
                "postgres://u:p@db-a:5432,db-b:5432/otas?target_session_attrs=read-write&"
            ),
            "{url}"
        );
        assert!(url.contains("tcp_user_timeout=1000"), "{url}");
        assert!(super::validate_url(&url).is_ok());
        assert!(super::validate_url("mysql://db-a,db-b/otas").is_err());
    }

    #[test]
    fn libpq_connect_timeout_is_never_under_its_2_second_floor() {
        let url = with_network_timeouts("postgres://db/otas", Duration::from_millis(300));
        assert!(url.contains("connect_timeout=2"), "{url}");
    }
}
