//! Who may act in a project, and on which agent: the checks every user's
//! operation shares (the listing, the authenticate call, the agents and
//! their keys), in the contract's order, every fact asked in one round trip.

use std::sync::Arc;

use otas_domain::{AccessDenied, AgentId, ProjectId, StoreFailure, UserId};
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

/// What a request may do in its project: read (any active member), or
/// manage agents and keys (an admin, privilege 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Member,
    Admin,
}

/// The project the caller may act in, and what the access round trip said
/// of the agent the request named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Membership {
    pub(crate) user: UserId,
    pub(crate) project: ProjectId,
    /// The agent the request named, when it is a UUID of an active agent of
    /// the project.
    pub(crate) agent: Option<AgentId>,
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
        let membership = self.membership::<E>(claim, Need::Member)?;
        if non_empty(claim.agent_id).is_none() {
            return Err(AccessDenied::MissingAgentId.into());
        }
        membership
            .agent
            .ok_or_else(|| AccessDenied::AgentNotFound.into())
    }

    /// The project the caller may act in with `need`, and the agent the
    /// claim names when it is one of the project's. The checks run in the
    /// contract's order and the first failure answers: credentials present,
    /// token valid and its user existing, active membership of an active
    /// project, then the privilege (`NotAdmin`). The agent is not checked
    /// here: each operation says when, and how, a missing or unknown one is
    /// refused. Cost: no IO for the token, one round trip for every fact.
    pub(crate) fn membership<E>(&self, claim: Claim<'_>, need: Need) -> Result<Membership, E>
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
        let agent = non_empty(claim.agent_id).and_then(|raw| AgentId::parse(raw).ok());

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
        let Some(project) = project.filter(|_| facts.project_member) else {
            return Err(AccessDenied::NoProjectAccess.into());
        };
        if need == Need::Admin && !facts.project_admin {
            return Err(AccessDenied::NotAdmin.into());
        }
        Ok(Membership {
            user,
            project,
            agent: agent.filter(|_| facts.agent_in_project),
        })
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}
