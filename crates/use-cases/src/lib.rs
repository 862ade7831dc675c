#![doc = include_str!("../README.md")]

mod access_check;
pub mod admission;
pub mod agent_keys;
pub mod authenticate;
pub mod create_agent;
pub mod create_session;
pub mod issuing;
pub mod list_agents;
pub mod list_sessions;
mod store_failure;

pub use admission::{Admission, Admitted};
pub use agent_keys::{AgentKeyRequest, AgentKeys, AgentKeysUseCase, BodyId};
pub use authenticate::{AuthenticateAgent, AuthenticateAgentUseCase, AuthenticateRequest};
pub use create_agent::{
    AgentAdminPorts, AgentDraft, CreateAgent, CreateAgentRequest, CreateAgentUseCase, CreatedAgent,
    CreatedKey, KEY_VALIDITY_DAYS,
};
pub use create_session::{
    CreateSession, CreateSessionPorts, CreateSessionRequest, CreateSessionUseCase, CreatedSession,
    KeyVerification,
};
pub use issuing::{IssuingBudget, IssuingTurns};
pub use list_agents::{
    AgentList, ListAgents, ListAgentsRequest, ListAgentsUseCase, MAX_AGENTS_LISTED, MAX_KEYS_LISTED,
};
pub use list_sessions::{
    ListOutcome, ListSessions, ListSessionsRequest, ListSessionsUseCase, NextBatch, RestOfList,
    SessionPage, WholeList,
};

#[cfg(any(test, feature = "mock"))]
pub use agent_keys::MockAgentKeysUseCase;
#[cfg(any(test, feature = "mock"))]
pub use authenticate::MockAuthenticateAgentUseCase;
#[cfg(any(test, feature = "mock"))]
pub use create_agent::MockCreateAgentUseCase;
#[cfg(any(test, feature = "mock"))]
pub use create_session::MockCreateSessionUseCase;
#[cfg(any(test, feature = "mock"))]
pub use list_agents::MockListAgentsUseCase;
#[cfg(any(test, feature = "mock"))]
pub use list_sessions::MockListSessionsUseCase;
