//! `POST /api/agent/v1/session/create/`: an agent opens a session with its
//! key, and gets the token it sends on its later calls.

use std::sync::Arc;
use std::time::Duration;

use otas_domain::agent_key::{candidate_prefixes, names_prefix, MAX_AGENT_KEY_BYTES};
use otas_domain::{AgentId, CreateSessionError, SessionId};
use otas_ports::{
    AgentKeyHasher, AgentKeyStore, Clock, SessionRow, SessionTokenIssuer, SessionWriter,
    StoredAgentKey,
};
use uuid::Uuid;

use crate::admission::Admission;
use crate::store_failure::store_failed;

mod failures;
mod flights;
mod room;
mod verified_keys;

use failures::FailureBudget;
use flights::{Flights, Turn};
use verified_keys::VerifiedKeys;

/// How often a key's `last_used_at` is written, at most.
const MARK_USED_EVERY: Duration = Duration::from_secs(60);

/// What the agent sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateSessionRequest {
    /// `X-OTAS-AGENT-KEY`.
    pub agent_key: Option<String>,
    /// The JSON text of `meta`, any JSON value, stored as sent (`{}` when
    /// the body had none); `None` when the body was not a JSON object,
    /// which is answered once the key is checked, as UASAM answers it.
    pub meta: Option<String>,
}

/// The session opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedSession {
    pub session: SessionId,
    pub agent: AgentId,
    /// The agent session token (`X-OTAS-AGENT-SESSION-TOKEN`).
    pub token: String,
}

/// Session creation, as the HTTP layer calls it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait CreateSessionUseCase: std::fmt::Debug + Send + Sync {
    /// Checks the key, writes the session, issues its token.
    ///
    /// Blocking (and, on a key not verified lately, PBKDF2): call it off the
    /// async executor.
    fn create(&self, request: CreateSessionRequest) -> Result<CreatedSession, CreateSessionError>;
}

/// How key verification is bounded.
#[derive(Debug, Clone, Copy)]
pub struct KeyVerification {
    /// A verified key not used for this long is verified (PBKDF2) again.
    pub cache_expiry: Duration,
    /// A verified key is verified again this long after it was, however
    /// busy (revocation never waits for it: the key row is read every call).
    pub cache_max_age: Duration,
    /// The most verified keys kept.
    pub cache_capacity: usize,
    /// The most PBKDF2 computations at once.
    pub concurrent: usize,
    /// The most calls waiting for a PBKDF2 turn; beyond them, `Busy` at once.
    pub waiting: usize,
    /// How long a verification waits for its turn before `Busy` (503).
    pub patience: Duration,
    /// Wrong secrets allowed per stored key per `failure_window`; beyond
    /// them, `TooManyAttempts` without hashing. `0`: no budget.
    pub failures_allowed: u32,
    /// The window the failures are counted in.
    pub failure_window: Duration,
}

/// The ports session creation needs.
#[derive(Clone, Debug)]
pub struct CreateSessionPorts {
    pub keys: Arc<dyn AgentKeyStore>,
    pub hasher: Arc<dyn AgentKeyHasher>,
    pub sessions: Arc<dyn SessionWriter>,
    pub tokens: Arc<dyn SessionTokenIssuer>,
    pub clock: Arc<dyn Clock>,
}

/// Session creation over its ports.
#[derive(Debug)]
pub struct CreateSession {
    ports: CreateSessionPorts,
    verified: VerifiedKeys,
    failures: FailureBudget,
    flights: Flights,
    /// The verifications' own budget, apart from the admission of requests:
    /// PBKDF2 takes a core for about a tenth of a second, so a flood of wrong
    /// keys must not take them all. Its waiters are bounded too, and beyond
    /// them a call fails at once rather than holding a request's place while
    /// it waits.
    verifications: Admission,
    patience: Duration,
}

impl CreateSession {
    /// Builds the use case over its ports.
    pub fn new(ports: CreateSessionPorts, verification: KeyVerification) -> Self {
        Self {
            ports,
            verified: VerifiedKeys::new(
                verification.cache_capacity,
                verification.cache_expiry,
                verification.cache_max_age,
            ),
            failures: FailureBudget::new(
                verification.failures_allowed,
                verification.failure_window,
                verification.cache_capacity,
            ),
            flights: Flights::default(),
            verifications: Admission::new(verification.concurrent).queueing(verification.waiting),
            patience: verification.patience,
        }
    }

    /// The stored key the presented one is, when it is one that may open a
    /// session now. Cost: one indexed read of at most 255 prefixes (a real
    /// key has one or two); PBKDF2 only for a key not in the cache of
    /// verified keys, within the verifications' own budget (`Busy` beyond
    /// it) and the key's budget of wrong secrets (`TooManyAttempts` beyond
    /// it, without hashing). `fingerprint` is the presented key's, computed
    /// once by the caller.
    fn key_of(
        &self,
        presented: &str,
        fingerprint: [u8; 32],
    ) -> Result<StoredAgentKey, CreateSessionError> {
        // At most 255 borrowed slices of a key of at most 512 bytes.
        let prefixes = candidate_prefixes(presented);
        if prefixes.is_empty() {
            return Err(CreateSessionError::InvalidAgentKey);
        }
        let now = self.ports.clock.now();
        let candidates: Vec<StoredAgentKey> = self
            .ports
            .keys
            .keys_with_prefixes(&prefixes)
            .map_err(store_failed)?
            .into_iter()
            .filter(|key| names_prefix(presented, &key.prefix))
            .filter(|key| key.usable_at(now))
            .collect();
        // A key verified lately is served even while its budget is spent:
        // a flood of wrong secrets does not lock its holder out.
        if let Some(key) = candidates
            .iter()
            .find(|key| self.verified.holds(&fingerprint, key.id, &key.hashed_key))
        {
            return Ok(key.clone());
        }
        let mut retry_after: Option<Duration> = None;
        'candidates: for key in candidates {
            // Calls presenting the same key wait for one verification, and
            // look at its outcome: verified, or the budget spent by it.
            let _flight = loop {
                if let Some(left) = self.failures.spent(key.id) {
                    retry_after = Some(retry_after.map_or(left, |other| other.min(left)));
                    continue 'candidates;
                }
                // A verification's outcome reaches the others through the
                // cache: with none kept, there is nothing to wait for.
                if !self.verified.keeps_any() {
                    break None;
                }
                match self.flights.board(fingerprint, self.patience) {
                    None => return Err(CreateSessionError::Busy),
                    Some(Turn::Lead(flight)) => break Some(flight),
                    Some(Turn::Landed) => {
                        if self.verified.holds(&fingerprint, key.id, &key.hashed_key) {
                            return Ok(key);
                        }
                    }
                }
            };
            let _turn = self
                .verifications
                .take_within(self.patience)
                .ok_or(CreateSessionError::Busy)?;
            if let Err(left) = self.failures.begin(key.id) {
                retry_after = Some(retry_after.map_or(left, |other| other.min(left)));
                continue;
            }
            let verified = self.ports.hasher.verify(presented, &key.hashed_key);
            self.failures.end(key.id, !verified);
            if verified {
                self.verified.remember(fingerprint, key.id, &key.hashed_key);
                return Ok(key);
            }
        }
        match retry_after {
            Some(left) => Err(CreateSessionError::TooManyAttempts {
                // Whole seconds, rounded up: never an invitation to retry early.
                retry_after_seconds: left.as_secs() + u64::from(left.subsec_nanos() > 0),
            }),
            None => Err(CreateSessionError::InvalidAgentKey),
        }
    }
}

impl CreateSessionUseCase for CreateSession {
    fn create(&self, request: CreateSessionRequest) -> Result<CreatedSession, CreateSessionError> {
        let presented = request
            .agent_key
            .as_deref()
            .filter(|key| !key.is_empty() && key.len() <= MAX_AGENT_KEY_BYTES)
            .ok_or(CreateSessionError::InvalidAgentKey)?;
        // An HMAC over at most 512 bytes.
        let fingerprint = self.ports.hasher.fingerprint(presented);
        let key = self.key_of(presented, fingerprint)?;
        let meta = request.meta.ok_or(CreateSessionError::InvalidJson)?;
        let now = self.ports.clock.now();
        let session = SessionId::from_uuid(Uuid::new_v4());
        self.ports
            .sessions
            .insert_session(&SessionRow {
                id: session,
                agent: key.agent,
                agent_key: Some(key.id),
                created_at: now,
                meta,
            })
            .map_err(store_failed)?;
        if self.verified.mark_due(&fingerprint, MARK_USED_EVERY) {
            // The session exists: a failed bookkeeping write is logged, not answered.
            if let Err(error) = self.ports.keys.mark_used(key.id, now) {
                tracing::warn!(%error, key = %key.id, "last_used_at not written");
            }
        }
        let token = self
            .ports
            .tokens
            .issue_session_token(session, key.agent, now)
            .map_err(store_failed)?;
        Ok(CreatedSession {
            session,
            agent: key.agent,
            token,
        })
    }
}

#[cfg(test)]
mod tests;
