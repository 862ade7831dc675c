//! An agent as `POST /api/agent/v1/auth/verify/` names it to OTAS's events
//! service.

use otas_domain::{AgentId, ProjectId};

use crate::store::StoreError;

/// An agent's id, name, provider and project, and whether it is active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProfile {
    pub id: AgentId,
    pub name: String,
    pub provider: String,
    pub project: ProjectId,
    pub active: bool,
}

/// Reads agents' profiles.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AgentProfiles: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return the agent with that id, active or not,
    /// and `None` when there is none. Cost: one primary-key lookup.
    fn profile(&self, id: AgentId) -> Result<Option<AgentProfile>, StoreError>;
}
