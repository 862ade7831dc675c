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

    /// A check that also counts a usable replica as ready: with the primary
    /// gone, lists are still served (session creation answers 503).
    pub fn routed(pool: PgPool, reads: ReadRouter) -> Self {
        Self {
            pool,
            reads: Some(reads),
        }
    }
}

impl HealthCheck for PgHealthCheck {
    fn ping(&self) -> Result<(), StoreError> {
        // A connection within the pool's timeout, then one round trip; on
        // a replica as well when the primary does not answer.
        let primary = with_connection(&self.pool, |conn| conn.batch_execute("SELECT 1"));
        match (&primary, &self.reads) {
            (Err(StoreError::Unavailable(_)), Some(reads)) if reads.ping_replica().is_ok() => {
                Ok(())
            }
            _ => primary,
        }
    }
}
