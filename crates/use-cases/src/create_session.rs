//! `POST /api/agent/v1/session/create/`: an agent opens a session with its
//! key, and gets the token it sends on its later calls.

use std::sync::Arc;
use std::time::Duration;

use otas_domain::{AgentId, CreateSessionError, SessionId};
use otas_ports::{AgentKeyStore, Clock, SessionRow, SessionTokenIssuer, SessionWriter};
use uuid::Uuid;

use crate::key_verifier::KeyVerifier;
use crate::store_failure::store_failed;

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

/// The ports session creation needs.
#[derive(Clone, Debug)]
pub struct CreateSessionPorts {
    pub keys: Arc<dyn AgentKeyStore>,
    pub sessions: Arc<dyn SessionWriter>,
    pub tokens: Arc<dyn SessionTokenIssuer>,
    pub clock: Arc<dyn Clock>,
}

/// Session creation over its ports.
#[derive(Debug)]
pub struct CreateSession {
    ports: CreateSessionPorts,
    /// Shared with every other use case that checks a key.
    keys: Arc<KeyVerifier>,
}

impl CreateSession {
    /// Builds the use case over its ports and the shared key verifier.
    pub fn new(ports: CreateSessionPorts, keys: Arc<KeyVerifier>) -> Self {
        Self { ports, keys }
    }
}

impl CreateSessionUseCase for CreateSession {
    fn create(&self, request: CreateSessionRequest) -> Result<CreatedSession, CreateSessionError> {
        let presented = request
            .agent_key
            .as_deref()
            .ok_or(CreateSessionError::InvalidAgentKey)?;
        let now = self.ports.clock.now();
        // One indexed read of the candidates; a cache hit or one PBKDF2.
        let verified = self
            .keys
            .agent_key(self.ports.keys.as_ref(), now, presented)?;
        let key = &verified.key;
        let meta = request.meta.ok_or(CreateSessionError::InvalidJson)?;
        let session = SessionId::from_uuid(Uuid::new_v4());
        self.ports
            .sessions
            .insert_session(&SessionRow {
                id: session,
                agent: key.agent.id,
                agent_key: Some(key.id),
                created_at: now,
                meta,
            })
            .map_err(store_failed)?;
        if self.keys.mark_due(&verified, MARK_USED_EVERY) {
            // The session exists: a failed bookkeeping write is logged, not answered.
            if let Err(error) = self.ports.keys.mark_used(key.id, now) {
                tracing::warn!(%error, key = %key.id, "last_used_at not written");
            }
        }
        let token = self
            .ports
            .tokens
            .issue_session_token(session, key.agent.id, now)
            .map_err(store_failed)?;
        Ok(CreatedSession {
            session,
            agent: key.agent.id,
            token,
        })
    }
}

#[cfg(test)]
mod tests;
