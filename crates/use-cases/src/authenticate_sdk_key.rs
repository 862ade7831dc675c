//! `POST /api/project/v1/sdk/backend/key/authenticate/`: OTAS's events
//! service asks, on every backend event, whose SDK key `X-OTAS-SDK-KEY` is.
//! UASAM's checks in UASAM's order; the key found by its prefix, never
//! compared against every key.

use std::sync::Arc;
use std::time::Duration;

use otas_domain::sdk_key::has_three_parts;
use otas_domain::SdkAuthenticateError;
use otas_ports::{Clock, SdkKeyStore, StoredSdkKey};

use crate::key_verifier::KeyVerifier;

/// How often a key's `last_used_at` is written, at most.
const MARK_USED_EVERY: Duration = Duration::from_secs(60);

/// What the caller sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthenticateSdkKeyRequest {
    /// `X-OTAS-SDK-KEY`.
    pub sdk_key: Option<String>,
}

/// The SDK-key check, as the HTTP layer calls it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AuthenticateSdkKeyUseCase: std::fmt::Debug + Send + Sync {
    /// The SDK key presented (with its project), when it is usable.
    ///
    /// Blocking (and, on a key not verified lately, PBKDF2): call it off the
    /// async executor.
    fn authenticate(
        &self,
        request: AuthenticateSdkKeyRequest,
    ) -> Result<StoredSdkKey, SdkAuthenticateError>;
}

/// The ports the check needs.
#[derive(Clone, Debug)]
pub struct AuthenticateSdkKeyPorts {
    pub keys: Arc<dyn SdkKeyStore>,
    pub clock: Arc<dyn Clock>,
}

/// The SDK-key check over its ports.
#[derive(Debug)]
pub struct AuthenticateSdkKey {
    ports: AuthenticateSdkKeyPorts,
    /// Shared with every other use case that checks a key.
    keys: Arc<KeyVerifier>,
}

impl AuthenticateSdkKey {
    /// Builds the use case over its ports and the shared key verifier.
    pub fn new(ports: AuthenticateSdkKeyPorts, keys: Arc<KeyVerifier>) -> Self {
        Self { ports, keys }
    }
}

impl AuthenticateSdkKeyUseCase for AuthenticateSdkKey {
    /// Cost: the format checked with no IO; the key's candidates (and their
    /// project) in one indexed read; a cache hit or one PBKDF2 (the
    /// verifier's bounds). `last_used_at` at most once a minute per key.
    fn authenticate(
        &self,
        request: AuthenticateSdkKeyRequest,
    ) -> Result<StoredSdkKey, SdkAuthenticateError> {
        let presented = request
            .sdk_key
            .as_deref()
            .filter(|key| !key.is_empty())
            .ok_or(SdkAuthenticateError::MissingKey)?;
        if !has_three_parts(presented) {
            return Err(SdkAuthenticateError::InvalidFormat);
        }
        let now = self.ports.clock.now();
        let verified = self
            .keys
            .sdk_key(self.ports.keys.as_ref(), now, presented)?;
        if self.keys.mark_due(&verified, MARK_USED_EVERY) {
            // The answer is known: a failed bookkeeping write is logged, not answered.
            if let Err(error) = self.ports.keys.mark_sdk_key_used(verified.key.id, now) {
                tracing::warn!(%error, key = %verified.key.id, "last_used_at not written");
            }
        }
        Ok(verified.key)
    }
}

#[cfg(test)]
mod tests;
