#![doc = include_str!("../README.md")]

mod access_check;
pub mod admission;
pub mod agent_keys;
pub mod authenticate;
pub mod authenticate_sdk_key;
pub mod create_agent;
pub mod create_session;
pub mod credentials;
pub mod issuing;
pub mod key_verifier;
pub mod list_agents;
pub mod list_sdk_keys;
pub mod list_sessions;
pub mod sdk_keys;
mod store_failure;
pub mod verify_agent_key;

pub use admission::{Admission, Admitted};
pub use agent_keys::{AgentKeyRequest, AgentKeys, AgentKeysUseCase, BodyId};
pub use authenticate::{AuthenticateAgent, AuthenticateAgentUseCase, AuthenticateRequest};
pub use authenticate_sdk_key::{
    AuthenticateSdkKey, AuthenticateSdkKeyPorts, AuthenticateSdkKeyRequest,
    AuthenticateSdkKeyUseCase,
};
pub use create_agent::{
    AgentAdminPorts, AgentDraft, CreateAgent, CreateAgentRequest, CreateAgentUseCase, CreatedAgent,
    CreatedKey, KEY_VALIDITY_DAYS,
};
pub use create_session::{
    CreateSession, CreateSessionPorts, CreateSessionRequest, CreateSessionUseCase, CreatedSession,
};
pub use credentials::ProjectCredentials;
pub use issuing::{IssuingBudget, IssuingTurns};
pub use key_verifier::{KeyVerification, KeyVerifier, Verified};
pub use list_agents::{
    AgentList, ListAgents, ListAgentsUseCase, MAX_AGENTS_LISTED, MAX_KEYS_LISTED,
};
pub use list_sdk_keys::{ListSdkKeys, ListSdkKeysUseCase, SdkKeyList, MAX_SDK_KEYS_LISTED};
pub use list_sessions::{
    ListOutcome, ListSessions, ListSessionsRequest, ListSessionsUseCase, NextBatch, RestOfList,
    SessionPage, WholeList,
};
pub use sdk_keys::{
    CreateSdkKeyRequest, CreatedSdkKey, RequestedValidity, RevokeSdkKeyRequest, SdkKeys,
    SdkKeysUseCase,
};
pub use verify_agent_key::{
    VerifyAgentKey, VerifyAgentKeyPorts, VerifyAgentKeyRequest, VerifyAgentKeyUseCase,
};

#[cfg(any(test, feature = "mock"))]
pub use agent_keys::MockAgentKeysUseCase;
#[cfg(any(test, feature = "mock"))]
pub use authenticate::MockAuthenticateAgentUseCase;
#[cfg(any(test, feature = "mock"))]
pub use authenticate_sdk_key::MockAuthenticateSdkKeyUseCase;
#[cfg(any(test, feature = "mock"))]
pub use create_agent::MockCreateAgentUseCase;
#[cfg(any(test, feature = "mock"))]
pub use create_session::MockCreateSessionUseCase;
#[cfg(any(test, feature = "mock"))]
pub use list_agents::MockListAgentsUseCase;
#[cfg(any(test, feature = "mock"))]
pub use list_sdk_keys::MockListSdkKeysUseCase;
#[cfg(any(test, feature = "mock"))]
pub use list_sessions::MockListSessionsUseCase;
#[cfg(any(test, feature = "mock"))]
pub use sdk_keys::MockSdkKeysUseCase;
#[cfg(any(test, feature = "mock"))]
pub use verify_agent_key::MockVerifyAgentKeyUseCase;
