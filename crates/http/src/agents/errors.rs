//! The answers to the agent operations' own errors, in UASAM's codes; their
//! denials and store failures are answered by `crate::error`, once for all.

use otas_domain::ListAgentsError;

use crate::error::{ApiError, Spelling};

impl From<ListAgentsError> for ApiError {
    fn from(error: ListAgentsError) -> Self {
        match error {
            ListAgentsError::Denied(denied) => Self::denied(denied, Spelling::Management),
            ListAgentsError::Store(failure) => failure.into(),
        }
    }
}
