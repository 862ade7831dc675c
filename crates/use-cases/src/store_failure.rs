//! What a use case makes of a store's failure.

use otas_domain::{AuthenticateError, CreateSessionError, ListSessionsError};
use otas_ports::StoreError;

/// A store's failure, logged, reduced to its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreFailure {
    Unavailable,
    Internal,
}

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

impl From<StoreFailure> for ListSessionsError {
    fn from(failure: StoreFailure) -> Self {
        match failure {
            StoreFailure::Unavailable => Self::Unavailable,
            StoreFailure::Internal => Self::Internal,
        }
    }
}

impl From<StoreFailure> for CreateSessionError {
    fn from(failure: StoreFailure) -> Self {
        match failure {
            StoreFailure::Unavailable => Self::Unavailable,
            StoreFailure::Internal => Self::Internal,
        }
    }
}

impl From<StoreFailure> for AuthenticateError {
    fn from(failure: StoreFailure) -> Self {
        match failure {
            StoreFailure::Unavailable => Self::Unavailable,
            StoreFailure::Internal => Self::Internal,
        }
    }
}
