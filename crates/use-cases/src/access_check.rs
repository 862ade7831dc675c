//! Who may read an agent: the checks the listing and the authenticate call
//! share, in the contract's order, every fact asked in one round trip.

use std::sync::Arc;

use otas_domain::{AccessDenied, AgentId, ProjectId, StoreFailure};
use otas_ports::{AccessQuery, AccessStore, TokenVerifier};

use crate::store_failure::store_failed;

/// The credentials and the agent a request names, as raw text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim<'a> {
    pub(crate) user_token: Option<&'a str>,
    pub(crate) project_id: Option<&'a str>,
    pub(crate) agent_id: Option<&'a str>,
}

/// The shared checks.
#[derive(Clone, Debug)]
pub(crate) struct AccessCheck {
    pub(crate) tokens: Arc<dyn TokenVerifier>,
    pub(crate) access: Arc<dyn AccessStore>,
}

impl AccessCheck {
    /// The agent the caller may read. The checks run in the contract's
    /// order and the first failure answers, in the caller's own error:
    /// credentials present, token valid and its user existing, active
    /// membership of an active project, agent id present, agent active and
    /// in that project. Cost: no IO for the token, one round trip for every
    /// fact.
    pub(crate) fn agent<E>(&self, claim: Claim<'_>) -> Result<AgentId, E>
    where
        E: From<AccessDenied> + From<StoreFailure>,
    {
        let (Some(token), Some(project_raw)) =
            (non_empty(claim.user_token), non_empty(claim.project_id))
        else {
            return Err(AccessDenied::MissingCredentials.into());
        };
        let user = self
            .tokens
            .verify_user_token(token)
            .map_err(|_| AccessDenied::InvalidToken)?;
        let project = ProjectId::parse(project_raw).ok();
        let agent_raw = non_empty(claim.agent_id);
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
            return Err(AccessDenied::InvalidToken.into());
        }
        if project.is_none() || !facts.project_member {
            return Err(AccessDenied::NoProjectAccess.into());
        }
        if agent_raw.is_none() {
            return Err(AccessDenied::MissingAgentId.into());
        }
        match agent {
            Some(agent) if facts.agent_in_project => Ok(agent),
            _ => Err(AccessDenied::AgentNotFound.into()),
        }
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}
