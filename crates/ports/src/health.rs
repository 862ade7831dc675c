//! Whether the store can serve now, for the readiness probe.

use crate::store::StoreError;

/// Asks the store for a sign of life.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait HealthCheck: std::fmt::Debug + Send + Sync {
    /// Implementations MUST take a pooled connection (waiting at most the
    /// pool's connection timeout) and run one trivial statement on it;
    /// `StoreError::Unavailable` when either fails. Cost: one round trip.
    fn ping(&self) -> Result<(), StoreError>;
}
