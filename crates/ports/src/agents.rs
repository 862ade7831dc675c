//! What other OTAS backends are told about an agent.

use otas_domain::{AgentId, ProjectId};

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
