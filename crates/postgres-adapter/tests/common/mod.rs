//! What the adapter's integration tests share: the adapter's fixture (a
//! migrated database of the test's own, the stores over it), pool settings,
//! and times.
#![allow(dead_code, unused_imports, clippy::expect_used)]

pub mod uasam;

use chrono::{DateTime, Utc};
pub use otas_postgres_adapter::test_support::Fixture;
pub use otas_postgres_adapter::test_support::{
    pool, pool_settings as settings, PgFixture as Stores,
};

/// Parses an RFC 3339 time.
pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("an RFC 3339 time")
        .with_timezone(&Utc)
}
