//! Who may read which agent's sessions.

use otas_domain::{AgentId, ProjectId, UserId};

use crate::store::StoreError;

/// The facts an access decision needs, asked in one round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessQuery {
    /// The user the token names.
    pub user: UserId,
    /// The project the request names, when it is a UUID.
    pub project: Option<ProjectId>,
    /// The agent the request names, when it is a UUID.
    pub agent: Option<AgentId>,
}

/// The answers to an [`AccessQuery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccessFacts {
    /// A row of `users` has the user's id.
    pub user_exists: bool,
    /// The project exists and is active, and the user has an active mapping to it.
    pub project_member: bool,
    /// `project_member`, and the user's mapping has privilege 1 (admin);
    /// privilege 2 is a member's.
    pub project_admin: bool,
    /// The agent exists, is active and belongs to the project.
    pub agent_in_project: bool,
}

/// Reads the users, projects, memberships and agents that UASAM manages.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AccessStore: std::fmt::Debug + Send + Sync {
    /// Implementations MUST answer every fact of the query from the same
    /// snapshot. A fact about an absent project or agent (`None`) MUST be
    /// `false`; `agent_in_project` MUST be `false` when `project` is `None`;
    /// `project_admin` MUST be `false` when `project_member` is.
    /// An unreachable store MUST be `StoreError::Unavailable`.
    fn access_facts(&self, query: &AccessQuery) -> Result<AccessFacts, StoreError>;
}
