//! `POST /api/agent/v1/auth/verify/`: OTAS's events service asks, on every
//! agent event, whose key `X-OTAS-AGENT-KEY` is. Refused as session creation
//! refuses a key, with the agent named when it is accepted.

use std::sync::Arc;
use std::time::Duration;

use otas_domain::KeyRefused;
use otas_ports::{AgentKeyStore, AgentProfile, AgentProfiles, Clock};

use crate::key_verifier::KeyVerifier;
use crate::store_failure::store_failed;

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
    pub agents: Arc<dyn AgentProfiles>,
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
    /// Cost: the key's candidates in one indexed read, a cache hit or one
    /// PBKDF2 (the verifier's bounds), then the agent by its primary key:
    /// one indexed read. `last_used_at` at most once a minute per key.
    fn verify(&self, request: VerifyAgentKeyRequest) -> Result<AgentProfile, KeyRefused> {
        let presented = request.agent_key.as_deref().ok_or(KeyRefused::Invalid)?;
        let now = self.ports.clock.now();
        let verified = self
            .keys
            .agent_key(self.ports.keys.as_ref(), now, presented)?;
        let key = &verified.key;
        // One primary-key lookup. An agent gone or deactivated since the
        // key's read is refused as the key of an inactive agent is.
        let agent = self
            .ports
            .agents
            .profile(key.agent)
            .map_err(store_failed)?
            .filter(|agent| agent.active)
            .ok_or(KeyRefused::Invalid)?;
        if self.keys.mark_due(&verified, MARK_USED_EVERY) {
            // The answer is known: a failed bookkeeping write is logged, not answered.
            if let Err(error) = self.ports.keys.mark_used(key.id, now) {
                tracing::warn!(%error, key = %key.id, "last_used_at not written");
            }
        }
        Ok(agent)
    }
}

#[cfg(test)]
mod tests;
