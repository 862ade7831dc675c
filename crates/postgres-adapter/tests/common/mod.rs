//! What the adapter's integration tests share: a migrated database of their
//! own with both stores built over it, the way the server builds them.
#![allow(dead_code, clippy::expect_used)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use otas_postgres_adapter::test_support::TestDatabase;
use otas_postgres_adapter::{connect, PgAccessStore, PgPool, PgSessionStore, PoolSettings};

/// The pool settings the tests use for a database URL.
pub fn settings(url: &str) -> PoolSettings {
    PoolSettings {
        url: url.to_owned(),
        max_connections: 2,
        min_idle: 0,
        connection_timeout: Duration::from_secs(2),
        statement_timeout: Duration::from_secs(5),
    }
}

/// A pool over `url` with the tests' settings.
pub fn pool(url: &str) -> PgPool {
    connect(&settings(url)).expect("the test database URL is a postgres:// URL")
}

/// A migrated database of the test's own, a connection to write fixtures
/// with, and both stores. The database is dropped with it.
pub struct Stores {
    pub access: PgAccessStore,
    pub sessions: PgSessionStore,
    pub conn: PgConnection,
    // Last, so that the stores' pool and the connection are dropped first.
    pub db: TestDatabase,
}

impl Stores {
    pub fn new() -> Self {
        let db = TestDatabase::migrated();
        let pool = pool(db.url());
        Self {
            access: PgAccessStore::new(pool.clone()),
            sessions: PgSessionStore::new(pool),
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
