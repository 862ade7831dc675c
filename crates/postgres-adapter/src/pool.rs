//! The r2d2 connection pool.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection};
use diesel::PgConnection;

/// A pool of PostgreSQL connections.
pub type PgPool = r2d2::Pool<ConnectionManager<PgConnection>>;

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

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSetup {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "SET statement_timeout = {}; SET application_name = 'otas-server'",
            self.statement_timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)
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
    let manager = ConnectionManager::<PgConnection>::new(settings.url.clone());
    let pool = r2d2::Pool::builder()
        .max_size(settings.max_connections.max(1))
        .min_idle(Some(settings.min_idle.min(settings.max_connections)))
        .connection_timeout(settings.connection_timeout)
        .test_on_check_out(true)
        .connection_customizer(Box::new(SessionSetup {
            statement_timeout_ms: settings.statement_timeout.as_millis(),
        }))
        .error_handler(Box::new(LogConnectionErrors))
        .build_unchecked(manager);
    Ok(pool)
}

/// Checks the URL's form (scheme, host) without connecting.
pub fn validate_url(url: &str) -> Result<(), PoolError> {
    let parsed = url::Url::parse(url).map_err(|_| PoolError::InvalidUrl)?;
    if matches!(parsed.scheme(), "postgres" | "postgresql") {
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
