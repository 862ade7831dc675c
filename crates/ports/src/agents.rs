//! Agents: what other OTAS backends are told about one, and what the
//! dashboard lists of a project's.

use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp, UserId};

use crate::agent_keys::NewAgentKey;
use crate::rows::AgentRow;
use crate::store::StoreError;

/// An agent, as `POST /api/agent/v1/user/authenticate/` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentInfo {
    pub id: AgentId,
    pub name: String,
    pub project: ProjectId,
}

/// Looks agents up.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AgentDirectory: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return the agent with that id, active or not,
    /// and `None` when there is none. Cost: one primary-key lookup.
    fn agent(&self, id: AgentId) -> Result<Option<AgentInfo>, StoreError>;
}

/// An agent as the dashboard lists it (`GET /api/agent/v1/list/`), with its
/// active keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectAgent {
    pub id: AgentId,
    pub name: String,
    pub description: String,
    pub provider: String,
    pub created_at: Timestamp,
    /// `agent.created_by_id`.
    pub created_by: UserId,
    pub is_active: bool,
    /// The agent's keys whose `active` is true (revoked or expired or not,
    /// as UASAM lists them), oldest first.
    pub keys: Vec<ListedAgentKey>,
}

/// A key as the dashboard lists it: never its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAgentKey {
    pub id: AgentKeyId,
    pub prefix: String,
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub active: bool,
}

/// How much one listing of a project's agents may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentListBound {
    /// The most agents read.
    pub agents: usize,
    /// The most keys read, across those agents.
    pub keys: usize,
}

/// Lists a project's agents.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AgentCatalog: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return the project's active agents, oldest
    /// first (`created_at`, then `id`), at most `bound.agents` of them; each
    /// with its keys whose `active` is true, oldest first (`created_at`,
    /// then `id`), at most `bound.keys` keys in all, the first agents' first;
    /// every row from one snapshot. Cost: two indexed reads (agents by
    /// `project_id`, keys by `agent_id`), both capped by `bound`.
    fn project_agents(
        &self,
        project: ProjectId,
        bound: AgentListBound,
    ) -> Result<Vec<ProjectAgent>, StoreError>;
}

/// A new row of `agent`, as the dashboard creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgent {
    pub id: AgentId,
    pub project: ProjectId,
    /// `agent.created_by_id`: the admin who created it.
    pub created_by: UserId,
    pub name: String,
    pub description: String,
    pub provider: String,
    /// `created_at` and `updated_at`.
    pub created_at: Timestamp,
}

/// Writes new agents.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AgentWriter: std::fmt::Debug + Send + Sync {
    /// Implementations MUST insert `agent` (active) and its first `key` in
    /// one transaction on the primary, committed before they return: both
    /// rows, or neither. A row the schema refuses (a duplicate id, an
    /// unknown project or user) MUST be `StoreError::Failure`; an
    /// unreachable store `StoreError::Unavailable`. Cost: two inserts.
    fn create_agent(&self, agent: &NewAgent, key: &NewAgentKey) -> Result<(), StoreError>;
}

impl NewAgent {
    /// The `agent` row it is: active.
    pub fn to_row(&self) -> AgentRow {
        AgentRow {
            id: self.id,
            project: self.project,
            owner: self.created_by,
            name: self.name.clone(),
            description: self.description.clone(),
            provider: self.provider.clone(),
            is_active: true,
            created_at: self.created_at,
        }
    }
}
