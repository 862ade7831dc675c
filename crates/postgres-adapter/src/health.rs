//! The readiness probe's question, on PostgreSQL.

use diesel::connection::SimpleConnection;
use otas_ports::{HealthCheck, StoreError};

use crate::pool::{with_connection, PgPool};
use crate::routing::ReadRouter;

/// Pings PostgreSQL through the pool.
#[derive(Clone)]
pub struct PgHealthCheck {
    pool: PgPool,
    /// Replicas that may serve reads while the primary does not answer.
    reads: Option<ReadRouter>,
}

impl std::fmt::Debug for PgHealthCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgHealthCheck").finish_non_exhaustive()
    }
}

impl PgHealthCheck {
    /// A check over the pool's database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool, reads: None }
    }

    /// A check of what serves reads: a usable replica, else the primary.
    /// With the primary gone lists are still served (session creation
    /// answers 503), and the check answers without waiting on the primary.
    pub fn routed(pool: PgPool, reads: ReadRouter) -> Self {
        Self {
            pool,
            reads: Some(reads),
        }
    }
}

impl HealthCheck for PgHealthCheck {
    fn ping(&self) -> Result<(), StoreError> {
        // A connection within the pool's timeout, then one round trip.
        match &self.reads {
            Some(reads) => reads.ping(),
            None => with_connection(&self.pool, |conn| conn.batch_execute("SELECT 1")),
        }
    }
}
