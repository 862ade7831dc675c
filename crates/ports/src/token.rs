//! The tokens: verifying the user tokens that the OTAS login endpoint
//! issues, and issuing the agent session tokens that session creation
//! answers.

use otas_domain::{AgentId, SessionId, Timestamp, UserId};

use crate::store::StoreError;

/// The token is not one this deployment accepts. Deliberately without detail:
/// the caller answers every such token alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid user token")]
pub struct InvalidToken;

/// Checks a user token (`X-OTAS-USER-TOKEN`) without any IO.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait TokenVerifier: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return the token's user id only when its signature
    /// verifies under one of the configured secrets with the algorithm the
    /// deployment uses, it carries an `exp` in the future and a `user_id`
    /// claim that is a UUID; otherwise `InvalidToken`. Whether that user still
    /// exists is not theirs to check: the use case asks the access store.
    fn verify_user_token(&self, token: &str) -> Result<UserId, InvalidToken>;
}

/// Issues the token an agent sends on its later calls
/// (`X-OTAS-AGENT-SESSION-TOKEN`).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SessionTokenIssuer: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return UASAM's agent session token for the
    /// session, issued at `now`.
    fn issue_session_token(
        &self,
        session: SessionId,
        agent: AgentId,
        now: Timestamp,
    ) -> Result<String, StoreError>;
}
