//! Why the dashboard's agent operations (listing a project's agents,
//! creating an agent, issuing and revoking its keys) are refused: the shared
//! reasons ([`AccessDenied`], [`StoreFailure`]) and each operation's own, in
//! the order UASAM's views check them.

use crate::error::{AccessDenied, StoreFailure};

/// Why a project's agents cannot be listed (`GET /api/agent/v1/list/`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListAgentsError {
    /// The caller may not read the project.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// Why no agent was created (`POST /api/agent/v1/create/`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateAgentError {
    /// The caller may not create agents in the project.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The body is not a JSON object with a non-empty `agent_name` and
    /// `agent_provider` (and, when given, a text `agent_description`).
    #[error("the body does not describe an agent")]
    InvalidBody,
    /// Too many keys are being issued at once: try again shortly.
    #[error("too many keys are being issued")]
    Busy,
    /// The store (or the source of the key's randomness) failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// Why no new key was issued for an agent
/// (`POST /api/agent/v1/agents/key/create/`). A missing agent id and an
/// agent not found are the access check's (`AccessDenied::MissingAgentId`,
/// `AccessDenied::AgentNotFound`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateAgentKeyError {
    /// The caller may not issue keys for the agent.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The body is not a JSON object.
    #[error("the body is not a JSON object")]
    InvalidJson,
    /// Too many keys are being issued at once: try again shortly.
    #[error("too many keys are being issued")]
    Busy,
    /// The store (or the source of the key's randomness) failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// Why a key was not revoked (`POST /api/agent/v1/agents/key/revoke/`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevokeAgentKeyError {
    /// The caller may not revoke the project's keys.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The body is not a JSON object.
    #[error("the body is not a JSON object")]
    InvalidJson,
    /// The body names no `agent_key_id`.
    #[error("an agent key id is required")]
    KeyIdRequired,
    /// No active key with that id belongs to an agent of the project (an id
    /// that is no UUID included).
    #[error("no active key with that id in this project")]
    KeyNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}
