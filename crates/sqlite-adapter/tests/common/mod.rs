//! What the adapter's integration tests share: a migrated database file of
//! their own with both stores built over it, the way the server builds them.
#![allow(dead_code, clippy::expect_used)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::SqliteConnection;
use otas_sqlite_adapter::test_support::TestDatabase;
use otas_sqlite_adapter::{
    connect, SqliteAccessStore, SqlitePool, SqliteSessionStore, SqliteSettings,
};

/// The pool settings the tests use for a database file.
pub fn settings(path_or_url: &str) -> SqliteSettings {
    SqliteSettings {
        path_or_url: path_or_url.to_owned(),
        max_connections: 2,
        connection_timeout: Duration::from_secs(2),
        busy_timeout: Duration::from_secs(5),
    }
}

/// A pool over `path_or_url` with the tests' settings.
pub fn pool(path_or_url: &str) -> SqlitePool {
    connect(&settings(path_or_url)).expect("the test database path is usable")
}

/// A migrated database of the test's own, a connection to write fixtures
/// with, and both stores. The database file is removed with it.
pub struct Stores {
    pub access: SqliteAccessStore,
    pub sessions: SqliteSessionStore,
    pub conn: SqliteConnection,
    // Last, so that the stores' pool and the connection are dropped first.
    pub db: TestDatabase,
}

impl Stores {
    pub fn new() -> Self {
        let db = TestDatabase::migrated();
        let pool = pool(db.url());
        Self {
            access: SqliteAccessStore::new(pool.clone()),
            sessions: SqliteSessionStore::new(pool),
            conn: db.connect(),
            db,
        }
    }
}

/// Parses an RFC 3339 time.
pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("an RFC 3339 time")
        .with_timezone(&Utc)
}
