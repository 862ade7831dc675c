//! `POST /api/agent/v1/agents/key/create/` and `…/key/revoke/`: an admin
//! issues an agent a new key (revoking its active ones in the same
//! transaction, 30 days, shown once), or revokes one key.

use std::sync::Arc;

use otas_domain::{AccessDenied, AgentId, AgentKeyId, CreateAgentKeyError, RevokeAgentKeyError};
use otas_ports::{AgentKeyWriter, KeyKind, NewAgentKey, TokenVerifier};
use uuid::Uuid;

use crate::access_check::{AccessCheck, Claim, Need};
use crate::create_agent::{expiry, AgentAdminPorts, CreatedKey};
use crate::issuing::{IssuingTurns, NotIssued};
use crate::store_failure::store_failed;

/// An id a body names, as UASAM's `body.get(…)` and `if not value` read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BodyId {
    /// The body is not a JSON object.
    #[default]
    InvalidBody,
    /// Absent, or a value UASAM calls missing (`null`, `""`, `0`, `false`).
    Missing,
    /// The value, as text (a non-string value as its JSON text, which is no
    /// UUID, so not found).
    Given(String),
}

/// What the admin sent: the headers as raw text, the body's id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentKeyRequest {
    /// `X-OTAS-USER-TOKEN`.
    pub user_token: Option<String>,
    /// `X-OTAS-PROJECT-ID`.
    pub project_id: Option<String>,
    /// `agent_id` (key create) or `agent_key_id` (revoke).
    pub id: BodyId,
}

/// Issuing and revoking agent keys, as the HTTP layer calls them.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AgentKeysUseCase: std::fmt::Debug + Send + Sync {
    /// A new key for the agent, its active keys revoked in the same write.
    ///
    /// Blocking, and one PBKDF2: call it off the async executor.
    fn create_key(&self, request: AgentKeyRequest) -> Result<CreatedKey, CreateAgentKeyError>;

    /// Revokes the key; answers its id.
    ///
    /// Blocking: call it off the async executor.
    fn revoke_key(&self, request: AgentKeyRequest) -> Result<AgentKeyId, RevokeAgentKeyError>;
}

/// Agent keys over their ports.
#[derive(Clone, Debug)]
pub struct AgentKeys {
    access: AccessCheck,
    ports: AgentAdminPorts,
    keys: Arc<dyn AgentKeyWriter>,
    turns: IssuingTurns,
}

impl AgentKeys {
    /// Builds the use case over its ports, issuing within `turns` (shared
    /// with agent creation).
    pub fn new(ports: AgentAdminPorts, keys: Arc<dyn AgentKeyWriter>, turns: IssuingTurns) -> Self {
        let tokens: Arc<dyn TokenVerifier> = ports.tokens.clone();
        Self {
            access: AccessCheck {
                tokens,
                access: ports.access.clone(),
            },
            ports,
            keys,
            turns,
        }
    }
}

impl AgentKeysUseCase for AgentKeys {
    /// Cost: the access round trip (the agent's fact in it); for an agent
    /// of the project, one PBKDF2 within the issuing budget and one
    /// transaction (an indexed update, an insert).
    fn create_key(&self, request: AgentKeyRequest) -> Result<CreatedKey, CreateAgentKeyError> {
        let claim = Claim {
            user_token: request.user_token.as_deref(),
            project_id: request.project_id.as_deref(),
            agent_id: match &request.id {
                BodyId::Given(id) => Some(id),
                _ => None,
            },
        };
        let member = self
            .access
            .membership::<CreateAgentKeyError>(claim, Need::Admin)?;
        match request.id {
            BodyId::InvalidBody => return Err(CreateAgentKeyError::InvalidJson),
            BodyId::Missing => return Err(AccessDenied::MissingAgentId.into()),
            BodyId::Given(_) => {}
        }
        let agent: AgentId = member.agent.ok_or(AccessDenied::AgentNotFound)?;
        let issued = self
            .turns
            .issue(self.ports.issuer.as_ref(), KeyKind::Agent)
            .map_err(|not| match not {
                NotIssued::Busy => CreateAgentKeyError::Busy,
                NotIssued::Failed(failure) => failure.into(),
            })?;
        let now = self.ports.clock.now();
        let row = NewAgentKey {
            id: AgentKeyId::from_uuid(Uuid::new_v4()),
            agent,
            prefix: issued.prefix,
            hashed_key: issued.hashed_key,
            created_at: now,
            expires_at: expiry(now),
        };
        // The agent may have gone since the access read: not found then.
        if !self
            .keys
            .replace_keys(member.project, &row)
            .map_err(store_failed)?
        {
            return Err(AccessDenied::AgentNotFound.into());
        }
        Ok(CreatedKey {
            row,
            raw: issued.raw,
        })
    }

    /// Cost: the access round trip, one update by primary key.
    fn revoke_key(&self, request: AgentKeyRequest) -> Result<AgentKeyId, RevokeAgentKeyError> {
        let claim = Claim {
            user_token: request.user_token.as_deref(),
            project_id: request.project_id.as_deref(),
            agent_id: None,
        };
        let member = self
            .access
            .membership::<RevokeAgentKeyError>(claim, Need::Admin)?;
        let raw = match request.id {
            BodyId::InvalidBody => return Err(RevokeAgentKeyError::InvalidJson),
            BodyId::Missing => return Err(RevokeAgentKeyError::KeyIdRequired),
            BodyId::Given(raw) => raw,
        };
        let key = AgentKeyId::parse(&raw).map_err(|_| RevokeAgentKeyError::KeyNotFound)?;
        let revoked = self
            .keys
            .revoke_key(member.project, key, self.ports.clock.now())
            .map_err(store_failed)?;
        if revoked {
            Ok(key)
        } else {
            Err(RevokeAgentKeyError::KeyNotFound)
        }
    }
}

#[cfg(test)]
mod tests;
