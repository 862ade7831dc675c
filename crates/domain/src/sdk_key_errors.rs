//! Why the dashboard's SDK-key operations (creating a project's SDK key,
//! revoking one, listing them) are refused: the shared reasons
//! ([`AccessDenied`], [`StoreFailure`]) and each operation's own, in the
//! order UASAM's views check them; and the rule of a new key's validity.

use crate::error::{AccessDenied, StoreFailure};

/// The fewest days a new SDK key is valid (UASAM's validator).
pub const MIN_SDK_KEY_VALIDITY_DAYS: i64 = 1;
/// The most days a new SDK key is valid (UASAM's validator).
pub const MAX_SDK_KEY_VALIDITY_DAYS: i64 = 300;

/// What is wrong with a create body that is JSON, as UASAM's
/// `validate_backend_sdk_key_payload` says it (one reason at a time: its
/// checks of `validity` exclude each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SdkKeyPayloadError {
    /// The body is JSON but not an object (`invalid_json`).
    #[error("invalid_json")]
    NotAnObject,
    /// `validity` is absent or `null` (`validity is required`).
    #[error("validity is required")]
    ValidityRequired,
    /// `validity` is not an integer (`validity must be an integer`).
    #[error("validity must be an integer")]
    ValidityNotInteger,
    /// `validity` is an integer outside 1 to 300
    /// (`validity must be between 1 and 300 days`).
    #[error("validity must be between 1 and 300 days")]
    ValidityOutOfRange,
}

impl SdkKeyPayloadError {
    /// UASAM's text of the reason, the one item of its `errors` list.
    pub fn text(self) -> &'static str {
        match self {
            Self::NotAnObject => "invalid_json",
            Self::ValidityRequired => "validity is required",
            Self::ValidityNotInteger => "validity must be an integer",
            Self::ValidityOutOfRange => "validity must be between 1 and 300 days",
        }
    }
}

/// Why no SDK key was created (`POST /api/project/v1/sdk/backend/key/create/`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateSdkKeyError {
    /// The caller may not issue the project's SDK keys.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The body is not JSON at all.
    #[error("the body is not JSON")]
    InvalidJson,
    /// The body is JSON but asks no valid validity.
    #[error(transparent)]
    InvalidPayload(#[from] SdkKeyPayloadError),
    /// Too many keys are being issued at once: try again shortly.
    #[error("too many keys are being issued")]
    Busy,
    /// The store (or the source of the key's randomness) failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// Why a project's SDK keys cannot be listed
/// (`GET /api/project/v1/sdk/backend/key/list/`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListSdkKeysError {
    /// The caller may not list the project's SDK keys (an admin may).
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// Why an SDK key was not revoked
/// (`POST /api/project/v1/sdk/backend/key/revoke/`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevokeSdkKeyError {
    /// The caller may not revoke the project's SDK keys.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The body is not a JSON object.
    #[error("the body is not a JSON object")]
    InvalidJson,
    /// The body names no `sdk_key_id`.
    #[error("an SDK key id is required")]
    KeyIdRequired,
    /// No active SDK key with that id belongs to the project (an id that
    /// is no UUID included).
    #[error("no active SDK key with that id in this project")]
    KeyNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_says_uasams_words() {
        for reason in [
            SdkKeyPayloadError::NotAnObject,
            SdkKeyPayloadError::ValidityRequired,
            SdkKeyPayloadError::ValidityNotInteger,
            SdkKeyPayloadError::ValidityOutOfRange,
        ] {
            assert_eq!(reason.text(), reason.to_string());
        }
    }
}
