//! The r2d2 connection pool over one SQLite database file, and the settings
//! every connection gets (foreign keys, WAL, busy timeout).

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection};
use diesel::SqliteConnection;

/// A pool of SQLite connections to one database file.
pub type SqlitePool = r2d2::Pool<ConnectionManager<SqliteConnection>>;

/// Where the database file is and how long anything may wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteSettings {
    /// The database file: a path (`/var/lib/otas/otas.sqlite3`, `data/otas.db`),
    /// a `file:` URI as SQLite reads it (`file:///var/lib/otas.db?cache=private`),
    /// or `sqlite://` followed by the same as after `file:` (diesel's spelling).
    /// The file is created on first use; its directory by [`connect`].
    pub path_or_url: String,
    /// The most connections open at once (at least 1).
    pub max_connections: u32,
    /// How long a request waits for a connection before the store is called unavailable.
    pub connection_timeout: Duration,
    /// How long one statement waits for another connection's lock
    /// (`PRAGMA busy_timeout`) before failing as unavailable; `0` fails at once.
    pub busy_timeout: Duration,
}

/// The pool settings are unusable.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// `path_or_url` names no file every pooled connection would share.
    #[error("database path: {0}")]
    InvalidPath(&'static str),
    /// A timeout is shorter than a millisecond (r2d2 cannot wait 0 ms for a connection).
    #[error("database.{0} must be at least 1 ms")]
    TimeoutTooShort(&'static str),
    /// The database file's directory does not exist and could not be created.
    #[error("cannot create the database directory {path}: {reason}")]
    CreateDirectory {
        /// The directory.
        path: PathBuf,
        /// Why it could not be created.
        reason: String,
    },
}

/// Sets up each new connection: waits for locks up to the busy timeout,
/// enforces foreign keys, and reads and writes through the write-ahead log so
/// that readers and the writer do not block each other.
#[derive(Debug, Clone, Copy)]
struct ConnectionSetup {
    busy_timeout: Duration,
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        set_up(conn, self.busy_timeout).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The pragmas every connection of the adapter runs with. `busy_timeout`
/// first, so that switching to WAL waits for a connection that holds the file.
/// `synchronous = NORMAL` is SQLite's advice for WAL: a commit waits for the
/// log, not for each checkpoint.
pub(crate) fn set_up(
    conn: &mut SqliteConnection,
    busy_timeout: Duration,
) -> diesel::QueryResult<()> {
    let busy_ms = i32::try_from(busy_timeout.as_millis()).unwrap_or(i32::MAX);
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {busy_ms}; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
         PRAGMA synchronous = NORMAL;"
    ))
}

/// Builds the pool without opening a connection yet (creating the database
/// file's directory when it is missing): connections are opened in the
/// background and on demand, and a store that cannot get one in
/// `connection_timeout` answers `StoreError::Unavailable`.
pub fn connect(settings: &SqliteSettings) -> Result<SqlitePool, PoolError> {
    Ok(builder(settings)?.build_unchecked(manager(settings)))
}

/// The connection manager of a pool over `settings`' database file.
pub(crate) fn manager(settings: &SqliteSettings) -> ConnectionManager<SqliteConnection> {
    ConnectionManager::<SqliteConnection>::new(settings.path_or_url.clone())
}

/// The pool's configuration (validated, and the file's directory created),
/// before it is built: [`connect`] builds it as it is; the test fixture gives
/// it a background thread of its own, so that it can wait for that thread.
pub(crate) fn builder(
    settings: &SqliteSettings,
) -> Result<r2d2::Builder<ConnectionManager<SqliteConnection>>, PoolError> {
    let file = database_file(&settings.path_or_url)?;
    if settings.connection_timeout.as_millis() == 0 {
        return Err(PoolError::TimeoutTooShort("connection_timeout_ms"));
    }
    create_parent_directory(&file)?;
    Ok(r2d2::Pool::builder()
        .max_size(settings.max_connections.max(1))
        // Connections are opened when needed, not all at start.
        .min_idle(Some(1))
        .connection_timeout(settings.connection_timeout)
        .test_on_check_out(true)
        .connection_customizer(Box::new(ConnectionSetup {
            busy_timeout: settings.busy_timeout,
        }))
        .error_handler(Box::new(LogConnectionErrors)))
}

/// Checks that `path_or_url` names one database file (not an in-memory or
/// temporary database, which each pooled connection would get a private copy
/// of), without touching the file system.
pub fn validate_path_or_url(path_or_url: &str) -> Result<(), PoolError> {
    database_file(path_or_url).map(|_| ())
}

/// The file `path_or_url` names, as SQLite (through diesel) will open it.
pub(crate) fn database_file(path_or_url: &str) -> Result<PathBuf, PoolError> {
    if path_or_url.contains('\0') {
        return Err(PoolError::InvalidPath("it holds a NUL character"));
    }
    // diesel opens `sqlite://rest` as `file:rest`.
    let uri = path_or_url
        .strip_prefix("sqlite://")
        .or_else(|| path_or_url.strip_prefix("file:"));
    let path = match uri {
        None => path_or_url.to_owned(),
        Some(rest) => {
            let rest = rest.split('#').next().unwrap_or_default();
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            if query
                .split('&')
                .any(|pair| pair == "mode=memory" || pair.starts_with("vfs=memdb"))
            {
                return Err(PoolError::InvalidPath(
                    "an in-memory database is not shared",
                ));
            }
            let path = match path.strip_prefix("//") {
                None => path,
                Some(authority_and_path) => {
                    let slash = authority_and_path
                        .find('/')
                        .unwrap_or(authority_and_path.len());
                    let (authority, path) = authority_and_path.split_at(slash);
                    if !(authority.is_empty() || authority == "localhost") {
                        return Err(PoolError::InvalidPath("a file: URI may not name a host"));
                    }
                    path
                }
            };
            percent_decode(path)?
        }
    };
    if path.is_empty() {
        return Err(PoolError::InvalidPath(
            "an empty path is a temporary database, not shared",
        ));
    }
    if path == ":memory:" {
        return Err(PoolError::InvalidPath(
            "an in-memory database is not shared",
        ));
    }
    Ok(PathBuf::from(path))
}

/// `%HH` escapes decoded, as SQLite decodes a URI's path.
fn percent_decode(text: &str) -> Result<String, PoolError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(PoolError::InvalidPath("a % escape in the URI is malformed"))?;
            if hex == 0 {
                return Err(PoolError::InvalidPath("it holds a NUL character"));
            }
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PoolError::InvalidPath("the decoded path is not UTF-8"))
}

/// Creates the directory `file` is in, when it has one and it is missing.
pub(crate) fn create_parent_directory(file: &Path) -> Result<(), PoolError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|e| PoolError::CreateDirectory {
                path: dir.to_owned(),
                reason: e.to_string(),
            })
        }
        _ => Ok(()),
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

/// A pooled connection, waiting at most the pool's connection timeout, with
/// the pool's state in the metrics (`otas_db_pool_*`, `store="sqlite"`).
pub(crate) fn checkout(
    pool: &SqlitePool,
) -> Result<r2d2::PooledConnection<ConnectionManager<SqliteConnection>>, otas_ports::StoreError> {
    let waiting = metrics::gauge!("otas_db_pool_waiting", "store" => "sqlite");
    waiting.increment(1.0);
    let conn = pool.get();
    waiting.decrement(1.0);
    let state = pool.state();
    metrics::gauge!("otas_db_pool_connections", "store" => "sqlite")
        .set(f64::from(state.connections));
    metrics::gauge!("otas_db_pool_idle", "store" => "sqlite")
        .set(f64::from(state.idle_connections));
    conn.map_err(|e| crate::error::from_pool(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path_or_url: &str) -> Option<PathBuf> {
        database_file(path_or_url).ok()
    }

    #[test]
    fn paths_and_uris_name_the_file_sqlite_opens() {
        assert_eq!(file("otas.db"), Some(PathBuf::from("otas.db")));
        assert_eq!(
            file("/var/lib/otas/otas.db"),
            Some(PathBuf::from("/var/lib/otas/otas.db"))
        );
        assert_eq!(
            file("file:data/otas.db"),
            Some(PathBuf::from("data/otas.db"))
        );
        assert_eq!(
            file("file:///var/lib/o%20t.db?cache=private"),
            Some(PathBuf::from("/var/lib/o t.db"))
        );
        assert_eq!(
            file("file://localhost/var/otas.db#x"),
            Some(PathBuf::from("/var/otas.db"))
        );
        assert_eq!(
            file("sqlite:///var/lib/otas.db"),
            Some(PathBuf::from("/var/lib/otas.db"))
        );
        assert_eq!(
            file("sqlite://data/otas.db"),
            Some(PathBuf::from("data/otas.db"))
        );
    }

    #[test]
    fn databases_a_pool_could_not_share_are_refused() {
        for refused in [
            "",
            ":memory:",
            "file::memory:",
            "file:otas.db?mode=memory",
            "sqlite://:memory:",
            "file://example.com/otas.db",
            "file:otas%2.db",
            "file:otas%00.db",
            "ota\0s.db",
        ] {
            assert!(
                matches!(database_file(refused), Err(PoolError::InvalidPath(_))),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn a_zero_connection_timeout_is_refused() {
        let settings = SqliteSettings {
            path_or_url: "otas.db".to_owned(),
            max_connections: 1,
            connection_timeout: Duration::from_micros(500),
            busy_timeout: Duration::ZERO,
        };

        assert!(matches!(
            connect(&settings),
            Err(PoolError::TimeoutTooShort("connection_timeout_ms"))
        ));
    }
}
