//! `POST /api/agent/v1/auth/verify/`: OTAS's events service asks, on every
//! agent event, whose key `X-OTAS-AGENT-KEY` is. Refused as session creation
//! refuses a key, with the agent named when it is accepted.

use std::sync::Arc;
use std::time::Duration;

use otas_domain::KeyRefused;
use otas_ports::{AgentKeyStore, AgentProfile, Clock};

use crate::key_verifier::KeyVerifier;

/// How often a key's `last_used_at` is written, at most (as session creation).
const MARK_USED_EVERY: Duration = Duration::from_secs(60);

/// What the caller sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyAgentKeyRequest {
    /// `X-OTAS-AGENT-KEY`.
    pub agent_key: Option<String>,
}

/// The agent-key check, as the HTTP layer calls it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait VerifyAgentKeyUseCase: std::fmt::Debug + Send + Sync {
    /// The agent whose key was presented, when the key is usable and its
    /// agent active.
    ///
    /// Blocking (and, on a key not verified lately, PBKDF2): call it off the
    /// async executor.
    fn verify(&self, request: VerifyAgentKeyRequest) -> Result<AgentProfile, KeyRefused>;
}

/// The ports the check needs.
#[derive(Clone, Debug)]
pub struct VerifyAgentKeyPorts {
    pub keys: Arc<dyn AgentKeyStore>,
    pub clock: Arc<dyn Clock>,
}

/// The agent-key check over its ports.
#[derive(Debug)]
pub struct VerifyAgentKey {
    ports: VerifyAgentKeyPorts,
    /// Shared with every other use case that checks a key.
    keys: Arc<KeyVerifier>,
}

impl VerifyAgentKey {
    /// Builds the use case over its ports and the shared key verifier.
    pub fn new(ports: VerifyAgentKeyPorts, keys: Arc<KeyVerifier>) -> Self {
        Self { ports, keys }
    }
}

impl VerifyAgentKeyUseCase for VerifyAgentKey {
    /// Cost: the key's candidates, each with its agent, in one indexed read,
    /// then a cache hit or one PBKDF2 (the verifier's bounds). The key row
    /// and its agent are read on every call, so a revoked key or a
    /// deactivated agent is refused at once. `last_used_at` at most once a
    /// minute per key.
    fn verify(&self, request: VerifyAgentKeyRequest) -> Result<AgentProfile, KeyRefused> {
        let presented = request.agent_key.as_deref().ok_or(KeyRefused::Invalid)?;
        let now = self.ports.clock.now();
        // Usable means, among the rest, that its agent is active.
        let verified = self
            .keys
            .agent_key(self.ports.keys.as_ref(), now, presented)?;
        if self.keys.mark_due(&verified, MARK_USED_EVERY) {
            // The answer is known: a failed bookkeeping write is logged, not answered.
            if let Err(error) = self.ports.keys.mark_used(verified.key.id, now) {
                tracing::warn!(%error, key = %verified.key.id, "last_used_at not written");
            }
        }
        Ok(verified.key.agent)
    }
}

#[cfg(test)]
mod tests;
