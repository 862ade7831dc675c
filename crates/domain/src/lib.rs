#![doc = include_str!("../README.md")]

pub mod agent_errors;
pub mod agent_key;
pub mod error;
pub mod etag;
pub mod ids;
pub mod meta_filter;
pub mod params;
pub mod query;
pub mod sdk_key;
pub mod sdk_key_errors;
pub mod session;

pub use agent_errors::{
    CreateAgentError, CreateAgentKeyError, ListAgentsError, RevokeAgentKeyError,
};
pub use error::{
    AccessDenied, AuthenticateError, CreateSessionError, KeyRefused, ListSessionsError,
    SdkAuthenticateError, StoreFailure,
};
pub use ids::{AgentId, AgentKeyId, IdError, ProjectId, SdkKeyId, SessionId, UserId};
pub use params::{InvalidParam, ListParams, RawListParams, Shape, MAX_LIMIT};
pub use query::{MetaFilter, Order, SessionFilter, SessionKey, SessionQuery, SessionSummary};
pub use sdk_key_errors::{
    CreateSdkKeyError, ListSdkKeysError, RevokeSdkKeyError, SdkKeyPayloadError,
};
pub use session::{Meta, MetaError, Session, Timestamp};
