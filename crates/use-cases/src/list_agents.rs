//! `GET /api/agent/v1/list/`: the dashboard's list of a project's agents,
//! each with its active keys. Any member of the project may read it.

use std::sync::Arc;

use otas_domain::{ListAgentsError, ProjectId};
use otas_ports::{AccessStore, AgentCatalog, AgentListBound, ProjectAgent, TokenVerifier};

use crate::access_check::{AccessCheck, Need};
use crate::credentials::ProjectCredentials;
use crate::store_failure::store_failed;

/// The most agents one listing reads. UASAM answers all of a project's
/// agents; a dashboard shows a few, and a bound keeps one request from
/// holding a project's every row in memory. Beyond it the oldest are
/// answered and the cut is logged.
pub const MAX_AGENTS_LISTED: usize = 1_000;

/// The most keys one listing reads, across its agents: ten per agent. Each
/// key create revokes the agent's earlier keys, so an agent has one active
/// key unless keys were written around the API.
pub const MAX_KEYS_LISTED: usize = 10 * MAX_AGENTS_LISTED;

/// A project's agents, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentList {
    pub project: ProjectId,
    pub agents: Vec<ProjectAgent>,
}

/// The listing of a project's agents, as the HTTP layer calls it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ListAgentsUseCase: std::fmt::Debug + Send + Sync {
    /// The project's active agents and their active keys, or why not.
    ///
    /// Blocking: call it off the async executor.
    fn list(&self, request: ProjectCredentials) -> Result<AgentList, ListAgentsError>;
}

/// The listing over its ports.
#[derive(Clone, Debug)]
pub struct ListAgents {
    access: AccessCheck,
    catalog: Arc<dyn AgentCatalog>,
}

impl ListAgents {
    /// Builds the use case over its ports.
    pub fn new(
        tokens: Arc<dyn TokenVerifier>,
        access: Arc<dyn AccessStore>,
        catalog: Arc<dyn AgentCatalog>,
    ) -> Self {
        Self {
            access: AccessCheck { tokens, access },
            catalog,
        }
    }
}

impl ListAgentsUseCase for ListAgents {
    /// Cost: the access round trip, then one snapshot of at most
    /// [`MAX_AGENTS_LISTED`] agents and [`MAX_KEYS_LISTED`] keys.
    fn list(&self, request: ProjectCredentials) -> Result<AgentList, ListAgentsError> {
        let claim = request.claim();
        let project = self
            .access
            .membership::<ListAgentsError>(claim, Need::Member)?
            .project;
        let bound = AgentListBound {
            agents: MAX_AGENTS_LISTED,
            keys: MAX_KEYS_LISTED,
        };
        let agents = self
            .catalog
            .project_agents(project, bound)
            .map_err(store_failed)?;
        let keys: usize = agents.iter().map(|agent| agent.keys.len()).sum();
        if agents.len() >= bound.agents || keys >= bound.keys {
            tracing::warn!(
                %project,
                agents = agents.len(),
                keys,
                "the agent list reached its bound: the oldest agents and keys are answered"
            );
        }
        Ok(AgentList { project, agents })
    }
}

#[cfg(test)]
mod tests {
    use otas_domain::{AccessDenied, AgentId, Timestamp, UserId};
    use otas_ports::{
        AccessFacts, InvalidToken, MockAccessStore, MockAgentCatalog, MockTokenVerifier,
    };
    use uuid::Uuid;

    use super::*;

    const PROJECT: &str = "5c3e1f0a-4b2d-4e6f-8a9b-0c1d2e3f4a5b";

    const MEMBER: AccessFacts = AccessFacts {
        user_exists: true,
        project_member: true,
        project_admin: false,
        agent_in_project: false,
    };

    fn request() -> ProjectCredentials {
        ProjectCredentials {
            user_token: Some("token".into()),
            project_id: Some(PROJECT.into()),
        }
    }

    fn use_case(facts: Option<AccessFacts>, catalog: MockAgentCatalog) -> ListAgents {
        let mut tokens = MockTokenVerifier::new();
        tokens.expect_verify_user_token().returning(|t| {
            if t == "token" {
                Ok(UserId::from_uuid(Uuid::from_u128(1)))
            } else {
                Err(InvalidToken)
            }
        });
        let mut access = MockAccessStore::new();
        if let Some(facts) = facts {
            access.expect_access_facts().returning(move |_| Ok(facts));
        }
        ListAgents::new(Arc::new(tokens), Arc::new(access), Arc::new(catalog))
    }

    fn agent() -> ProjectAgent {
        ProjectAgent {
            id: AgentId::from_uuid(Uuid::from_u128(7)),
            name: "summarizer".into(),
            description: String::new(),
            provider: "anthropic".into(),
            created_at: Timestamp::from_micros(0).expect("a time"),
            created_by: UserId::from_uuid(Uuid::from_u128(1)),
            is_active: true,
            keys: Vec::new(),
        }
    }

    #[test]
    fn a_member_lists_the_projects_agents_within_the_bound() {
        let project = ProjectId::parse(PROJECT).expect("a UUID");
        let mut catalog = MockAgentCatalog::new();
        catalog
            .expect_project_agents()
            .withf(move |asked, bound| {
                *asked == project
                    && *bound
                        == AgentListBound {
                            agents: MAX_AGENTS_LISTED,
                            keys: MAX_KEYS_LISTED,
                        }
            })
            .times(1)
            .returning(|_, _| Ok(vec![agent()]));

        let listed = use_case(Some(MEMBER), catalog).list(request());

        assert_eq!(
            listed,
            Ok(AgentList {
                project,
                agents: vec![agent()]
            })
        );
    }

    #[test]
    fn the_list_is_refused_for_the_listings_reasons_before_any_read() {
        let cases = [
            (
                ProjectCredentials::default(),
                None,
                AccessDenied::MissingCredentials,
            ),
            (
                ProjectCredentials {
                    user_token: Some("forged".into()),
                    ..request()
                },
                None,
                AccessDenied::InvalidToken,
            ),
            (
                request(),
                Some(AccessFacts {
                    user_exists: false,
                    ..MEMBER
                }),
                AccessDenied::InvalidToken,
            ),
            (
                request(),
                Some(AccessFacts {
                    project_member: false,
                    ..MEMBER
                }),
                AccessDenied::NoProjectAccess,
            ),
            (
                ProjectCredentials {
                    project_id: Some("not-a-uuid".into()),
                    ..request()
                },
                Some(MEMBER),
                AccessDenied::NoProjectAccess,
            ),
        ];
        for (request, facts, expected) in cases {
            // The catalog mock panics if asked: a refused call never is.
            let answer = use_case(facts, MockAgentCatalog::new()).list(request.clone());
            assert_eq!(
                answer,
                Err(ListAgentsError::Denied(expected)),
                "{request:?}"
            );
        }
    }
}
