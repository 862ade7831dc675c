//! The readiness probe's question, on SQLite.

use diesel::connection::SimpleConnection;
use otas_ports::{HealthCheck, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};

/// Reads the SQLite file through the pool.
#[derive(Clone, Debug)]
pub struct SqliteHealthCheck {
    pool: SqlitePool,
}

impl SqliteHealthCheck {
    /// A check over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl HealthCheck for SqliteHealthCheck {
    fn ping(&self) -> Result<(), StoreError> {
        // A connection within the pool's timeout, then one read of the schema.
        let mut conn = checkout(&self.pool)?;
        conn.batch_execute("SELECT count(*) FROM sqlite_master")
            .map_err(from_query)
    }
}
