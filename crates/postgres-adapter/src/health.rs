//! The readiness probe's question, on PostgreSQL.

use diesel::connection::SimpleConnection;
use otas_ports::{HealthCheck, StoreError};

use crate::pool::{with_connection, PgPool};

/// Pings PostgreSQL through the pool.
#[derive(Clone)]
pub struct PgHealthCheck {
    pool: PgPool,
}

impl std::fmt::Debug for PgHealthCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgHealthCheck").finish_non_exhaustive()
    }
}

impl PgHealthCheck {
    /// A check over the pool's database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl HealthCheck for PgHealthCheck {
    fn ping(&self) -> Result<(), StoreError> {
        // A connection within the pool's timeout, then one round trip.
        with_connection(&self.pool, |conn| conn.batch_execute("SELECT 1"))
    }
}
