//! The readiness probe's question, on PostgreSQL.

use otas_ports::{HealthCheck, StoreError};

use crate::routing::ReadRouter;

/// Pings what serves reads: a usable replica, else the primary.
#[derive(Clone, Debug)]
pub struct PgHealthCheck {
    reads: ReadRouter,
}

impl PgHealthCheck {
    /// A check of what serves reads: a usable replica, else the primary.
    /// With the primary gone lists are still served (session creation
    /// answers 503), and the check answers without waiting on the primary.
    pub fn routed(reads: ReadRouter) -> Self {
        Self { reads }
    }
}

impl HealthCheck for PgHealthCheck {
    fn ping(&self) -> Result<(), StoreError> {
        // A connection within the pool's timeout, then one round trip.
        self.reads.ping()
    }
}
