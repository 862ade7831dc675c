//! The error every store port returns.

/// Why a store could not answer.
///
/// The text is for the log only; it never reaches a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be reached, or did not answer within its timeout.
    /// The request may succeed once the store is back.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store answered with an error, or with data the domain refuses.
    #[error("store failure: {0}")]
    Failure(String),
}
