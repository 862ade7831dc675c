//! Listing the sessions of one agent, as `GET /api/agent/v1/sessions/list/` does.

use std::sync::Arc;

use otas_domain::etag::{entity_tag, Shape};
use otas_domain::{
    AgentId, InvalidParam, ListParams, ListSessionsError, ProjectId, RawListParams, Session,
    SessionKey, SessionQuery, SessionSummary,
};

use crate::access::{AccessQuery, AccessStore};
use crate::cursor::CursorCodec;
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
    /// The optional extension parameters.
    pub params: RawListParams<'a>,
}

/// A listing the caller may read, with its parameters checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// Whose sessions, which, in which order.
    pub query: SessionQuery,
    /// Where the caller's cursor left off (`None`: from the start).
    pub after: Option<SessionKey>,
    /// A page of at most this many sessions; `None`: the whole list.
    pub limit: Option<usize>,
    /// Whether the answer carries the total count.
    pub include_total: bool,
    cursor: Option<String>,
}

impl Listing {
    /// The entity tag of this listing's answer over sessions summarized by `summary`.
    pub fn entity_tag(&self, summary: &SessionSummary) -> String {
        let shape = Shape {
            limit: self.limit,
            cursor: self.cursor.as_deref(),
            include_total: self.include_total,
        };
        entity_tag(&self.query, shape, summary)
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub sessions: Vec<Session>,
    /// More sessions follow this page.
    pub has_more: bool,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

/// The session-listing use case.
#[derive(Clone)]
pub struct ListSessions {
    tokens: Arc<dyn TokenVerifier>,
    access: Arc<dyn AccessStore>,
    sessions: Arc<dyn SessionStore>,
    cursors: Arc<dyn CursorCodec>,
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
        cursors: Arc<dyn CursorCodec>,
    ) -> Self {
        Self {
            tokens,
            access,
            sessions,
            cursors,
        }
    }

    /// Decides whether the caller may list the agent's sessions.
    ///
    /// The checks run in the contract's order and the first failure answers:
    /// headers present, token valid and its user existing, active membership
    /// of an active project, agent id present, agent active and in that
    /// project, then the extension parameters (the cursor last, against the
    /// query it claims to continue). Every fact the store knows is asked in
    /// one round trip.
    ///
    /// Blocking: call it off the async executor.
    pub fn authorize(
        &self,
        request: &ListSessionsRequest<'_>,
    ) -> Result<Listing, ListSessionsError> {
        let agent = self.authorize_agent(request)?;
        let params =
            ListParams::parse(&request.params).map_err(ListSessionsError::InvalidParameter)?;
        let query = SessionQuery {
            agent,
            order: params.order,
            filter: params.filter,
        };
        let after = match &params.cursor {
            None => None,
            Some(cursor) => Some(
                self.cursors
                    .open(cursor, &query.binding())
                    .ok_or(ListSessionsError::InvalidParameter(InvalidParam::Cursor))?,
            ),
        };
        Ok(Listing {
            query,
            after,
            limit: params.limit,
            include_total: params.include_total,
            cursor: params.cursor,
        })
    }

    fn authorize_agent(
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

    /// Counts the sessions a listing keeps and finds the newest, without
    /// reading them: enough for its entity tag and its total.
    ///
    /// Blocking: call it off the async executor.
    pub fn summarize(&self, listing: &Listing) -> Result<SessionSummary, ListSessionsError> {
        self.sessions
            .summarize(&listing.query)
            .map_err(store_failed)
    }

    /// Reads the page a paged listing (`limit`) asks for, with the cursor of
    /// the next one. A whole listing reads its first `MAX_LIMIT` sessions.
    ///
    /// Blocking: call it off the async executor.
    pub fn page(&self, listing: &Listing) -> Result<Page, ListSessionsError> {
        let limit = listing.limit.unwrap_or(otas_domain::MAX_LIMIT);
        // One more than asked tells whether another page follows.
        let mut sessions = self.sessions_after(&listing.query, listing.after, limit + 1)?;
        let has_more = sessions.len() > limit;
        sessions.truncate(limit);
        let next_cursor = match sessions.last() {
            Some(last) if has_more => Some(
                self.cursors
                    .seal(&SessionKey::of(last), &listing.query.binding()),
            ),
            _ => None,
        };
        Ok(Page {
            sessions,
            has_more,
            next_cursor,
        })
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
