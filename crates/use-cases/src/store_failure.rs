//! What a use case makes of a store's failure.

use otas_domain::ListSessionsError;
use otas_ports::StoreError;

/// Logs what the store said (inside the caller's request span) and keeps
/// only its kind for the answer.
pub(crate) fn store_failed(error: StoreError) -> ListSessionsError {
    match error {
        StoreError::Unavailable(cause) => {
            tracing::warn!(%cause, "session store unavailable");
            ListSessionsError::Unavailable
        }
        StoreError::Failure(cause) => {
            tracing::error!(%cause, "session store failed");
            ListSessionsError::Internal
        }
    }
}
