//! The answers to the agent operations' own errors, in UASAM's codes; their
//! denials and store failures are answered by `crate::error`, once for all.

use actix_web::http::StatusCode;
use otas_domain::{CreateAgentError, ListAgentsError};

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
