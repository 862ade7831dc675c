//! What a use case makes of a store's failure: the cause logged, its kind
//! ([`StoreFailure`]) answered; every operation's error converts from it.

use otas_domain::StoreFailure;
use otas_ports::StoreError;

/// Logs what the store said (inside the caller's request span) and keeps
/// only its kind for the answer.
pub(crate) fn store_failed(error: StoreError) -> StoreFailure {
    match error {
        StoreError::Unavailable(cause) => {
            tracing::warn!(%cause, "store unavailable");
            StoreFailure::Unavailable
        }
        StoreError::Failure(cause) => {
            tracing::error!(%cause, "store failed");
            StoreFailure::Internal
        }
    }
}
