//! `POST /api/agent/v1/create/`: an admin creates an agent and its first
//! key (30 days), shown once.

use std::sync::Arc;

use otas_domain::{AgentId, AgentKeyId, CreateAgentError, Timestamp};
use otas_ports::{
    AccessStore, AgentWriter, Clock, KeyIssuer, KeyKind, NewAgent, NewAgentKey, RawKey,
    TokenVerifier,
};
use uuid::Uuid;

use crate::access_check::{AccessCheck, Claim, Need};
use crate::issuing::{IssuingTurns, NotIssued};
use crate::store_failure::store_failed;

/// How long a key issued by the dashboard is valid, as UASAM's views say.
pub const KEY_VALIDITY_DAYS: i64 = 30;

/// What the admin sent: the headers as raw text, and the agent the body
/// describes (`None` when it describes none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateAgentRequest {
    /// `X-OTAS-USER-TOKEN`.
    pub user_token: Option<String>,
    /// `X-OTAS-PROJECT-ID`.
    pub project_id: Option<String>,
    /// The body's agent, already trimmed.
    pub agent: Option<AgentDraft>,
}

/// An agent as a body describes it: `agent_name` and `agent_provider`
/// (non-empty as sent), `agent_description` (empty when not sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentDraft {
    pub name: String,
    pub description: String,
    pub provider: String,
}

/// A key just written: its row, and the key itself, to show once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedKey {
    pub row: NewAgentKey,
    pub raw: RawKey,
}

/// The agent created, and its first key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedAgent {
    pub agent: NewAgent,
    pub key: CreatedKey,
}

/// Agent creation, as the HTTP layer calls it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait CreateAgentUseCase: std::fmt::Debug + Send + Sync {
    /// Checks the admin, issues the key, writes both rows.
    ///
    /// Blocking, and one PBKDF2: call it off the async executor.
    fn create(&self, request: CreateAgentRequest) -> Result<CreatedAgent, CreateAgentError>;
}

/// The ports every operation managing agents and keys needs.
#[derive(Clone, Debug)]
pub struct AgentAdminPorts {
    pub tokens: Arc<dyn TokenVerifier>,
    pub access: Arc<dyn AccessStore>,
    pub issuer: Arc<dyn KeyIssuer>,
    pub clock: Arc<dyn Clock>,
}

/// Agent creation over its ports.
#[derive(Clone, Debug)]
pub struct CreateAgent {
    access: AccessCheck,
    issuer: Arc<dyn KeyIssuer>,
    clock: Arc<dyn Clock>,
    agents: Arc<dyn AgentWriter>,
    turns: IssuingTurns,
}

impl CreateAgent {
    /// Builds the use case over its ports, issuing within `turns`.
    pub fn new(ports: AgentAdminPorts, agents: Arc<dyn AgentWriter>, turns: IssuingTurns) -> Self {
        Self {
            access: AccessCheck {
                tokens: ports.tokens,
                access: ports.access,
            },
            issuer: ports.issuer,
            clock: ports.clock,
            agents,
            turns,
        }
    }
}

/// [`KEY_VALIDITY_DAYS`] after `now`.
pub(crate) fn expiry(now: Timestamp) -> Timestamp {
    let validity = KEY_VALIDITY_DAYS * 86_400 * 1_000_000;
    Timestamp::from_micros(now.as_micros().saturating_add(validity)).unwrap_or(now)
}

impl CreateAgentUseCase for CreateAgent {
    /// Cost: the access round trip, one PBKDF2 within the issuing budget,
    /// one transaction of two inserts.
    fn create(&self, request: CreateAgentRequest) -> Result<CreatedAgent, CreateAgentError> {
        let claim = Claim {
            user_token: request.user_token.as_deref(),
            project_id: request.project_id.as_deref(),
            agent_id: None,
        };
        let member = self
            .access
            .membership::<CreateAgentError>(claim, Need::Admin)?;
        let draft = request.agent.ok_or(CreateAgentError::InvalidBody)?;
        let issued = self
            .turns
            .issue(self.issuer.as_ref(), KeyKind::Agent)
            .map_err(|not| match not {
                NotIssued::Busy => CreateAgentError::Busy,
                NotIssued::Failed(failure) => failure.into(),
            })?;
        let now = self.clock.now();
        let agent = NewAgent {
            id: AgentId::from_uuid(Uuid::new_v4()),
            project: member.project,
            created_by: member.user,
            name: draft.name,
            description: draft.description,
            provider: draft.provider,
            created_at: now,
        };
        let row = NewAgentKey {
            id: AgentKeyId::from_uuid(Uuid::new_v4()),
            agent: agent.id,
            prefix: issued.prefix,
            hashed_key: issued.hashed_key,
            created_at: now,
            expires_at: expiry(now),
        };
        self.agents
            .create_agent(&agent, &row)
            .map_err(store_failed)?;
        Ok(CreatedAgent {
            agent,
            key: CreatedKey {
                row,
                raw: issued.raw,
            },
        })
    }
}

#[cfg(test)]
mod tests;
