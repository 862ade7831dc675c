//! The answers to the agent operations' own errors, in UASAM's codes; their
//! denials and store failures are answered by `crate::error`, once for all.

use actix_web::http::StatusCode;
use otas_domain::{CreateAgentError, CreateAgentKeyError, ListAgentsError, RevokeAgentKeyError};

use crate::error::{ApiError, Spelling};

impl From<ListAgentsError> for ApiError {
    fn from(error: ListAgentsError) -> Self {
        match error {
            ListAgentsError::Denied(denied) => Self::denied(denied, Spelling::Management),
            ListAgentsError::Store(failure) => failure.into(),
        }
    }
}

impl From<CreateAgentError> for ApiError {
    fn from(error: CreateAgentError) -> Self {
        match error {
            CreateAgentError::Denied(denied) => Self::denied(denied, Spelling::Management),
            CreateAgentError::InvalidBody => {
                Self::new(StatusCode::BAD_REQUEST, "agent_creation_failed")
            }
            CreateAgentError::Busy => Self::SERVICE_UNAVAILABLE,
            CreateAgentError::Store(failure) => failure.into(),
        }
    }
}

impl From<CreateAgentKeyError> for ApiError {
    fn from(error: CreateAgentKeyError) -> Self {
        match error {
            CreateAgentKeyError::Denied(denied) => Self::denied(denied, Spelling::Management),
            CreateAgentKeyError::InvalidJson => Self::new(StatusCode::BAD_REQUEST, "invalid_json"),
            CreateAgentKeyError::Busy => Self::SERVICE_UNAVAILABLE,
            CreateAgentKeyError::Store(failure) => failure.into(),
        }
    }
}

impl From<RevokeAgentKeyError> for ApiError {
    fn from(error: RevokeAgentKeyError) -> Self {
        use RevokeAgentKeyError as E;
        match error {
            E::Denied(denied) => Self::denied(denied, Spelling::Management),
            E::InvalidJson => Self::new(StatusCode::BAD_REQUEST, "invalid_json"),
            E::KeyIdRequired => Self::new(StatusCode::BAD_REQUEST, "agent_key_id_required"),
            E::KeyNotFound => Self::new(StatusCode::NOT_FOUND, "agent_key_not_found"),
            E::Store(failure) => failure.into(),
        }
    }
}
