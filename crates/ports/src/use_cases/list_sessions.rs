//! Listing the sessions of one agent, as `GET /api/agent/v1/sessions/list/` does.

use std::sync::Arc;

use otas_domain::{AgentId, ListSessionsError, ProjectId, Session, SessionKey, SessionQuery};

use crate::access::{AccessQuery, AccessStore};
use crate::sessions::SessionStore;
use crate::store::StoreError;
use crate::token::TokenVerifier;

/// What a caller sent, as raw text: `None` when it was not sent at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListSessionsRequest<'a> {
    /// The user token (`X-OTAS-USER-TOKEN`).
    pub user_token: Option<&'a str>,
    /// The project id (`X-OTAS-PROJECT-ID`).
    pub project_id: Option<&'a str>,
    /// The agent whose sessions are wanted (`agent_id`).
    pub agent_id: Option<&'a str>,
}

/// The session-listing use case.
#[derive(Clone)]
pub struct ListSessions {
    tokens: Arc<dyn TokenVerifier>,
    access: Arc<dyn AccessStore>,
    sessions: Arc<dyn SessionStore>,
}

impl std::fmt::Debug for ListSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListSessions").finish_non_exhaustive()
    }
}

impl ListSessions {
    /// Builds the use case over its ports.
    pub fn new(
        tokens: Arc<dyn TokenVerifier>,
        access: Arc<dyn AccessStore>,
        sessions: Arc<dyn SessionStore>,
    ) -> Self {
        Self {
            tokens,
            access,
            sessions,
        }
    }

    /// Decides whether the caller may list the agent's sessions.
    ///
    /// The checks run in the contract's order and the first failure answers:
    /// headers present, token valid and its user existing, active membership
    /// of an active project, agent id present, agent active and in that
    /// project. Every fact the store knows is asked in one round trip.
    ///
    /// Blocking: call it off the async executor.
    pub fn authorize(
        &self,
        request: &ListSessionsRequest<'_>,
    ) -> Result<AgentId, ListSessionsError> {
        let (Some(token), Some(project_raw)) =
            (non_empty(request.user_token), non_empty(request.project_id))
        else {
            return Err(ListSessionsError::MissingHeaders);
        };
        let user = self
            .tokens
            .verify_user_token(token)
            .map_err(|_| ListSessionsError::InvalidToken)?;
        let project = ProjectId::parse(project_raw).ok();
        let agent_raw = non_empty(request.agent_id);
        let agent = agent_raw.and_then(|raw| AgentId::parse(raw).ok());

        let facts = self
            .access
            .access_facts(&AccessQuery {
                user,
                project,
                agent,
            })
            .map_err(store_failed)?;

        if !facts.user_exists {
            return Err(ListSessionsError::InvalidToken);
        }
        if project.is_none() || !facts.project_member {
            return Err(ListSessionsError::ProjectAccessDenied);
        }
        if agent_raw.is_none() {
            return Err(ListSessionsError::AgentIdRequired);
        }
        match agent {
            Some(agent) if facts.agent_in_project => Ok(agent),
            _ => Err(ListSessionsError::AgentNotFound),
        }
    }

    /// Reads the next `limit` sessions of an authorized query, after `after`.
    ///
    /// Blocking: call it off the async executor.
    pub fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<Session>, ListSessionsError> {
        self.sessions
            .sessions_after(query, after, limit)
            .map_err(store_failed)
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// Logs what the store said (inside the caller's request span) and keeps
/// only its kind for the answer.
fn store_failed(error: StoreError) -> ListSessionsError {
    match error {
        StoreError::Unavailable(cause) => {
            tracing::warn!(%cause, "session store unavailable");
            ListSessionsError::Unavailable
        }
        StoreError::Failure(cause) => {
            tracing::error!(%cause, "session store failed");
            ListSessionsError::Internal
        }
    }
}

#[cfg(test)]
mod tests;
