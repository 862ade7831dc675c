//! `POST /api/agent/v1/user/authenticate/`: may this user see this agent?
//! OTAS's event service asks it on every dashboard read. The listing's own
//! access rule, then the agent's name.

use std::sync::Arc;

use otas_domain::{AccessDenied, AuthenticateError};
use otas_ports::{AccessStore, AgentDirectory, AgentInfo, TokenVerifier};

use crate::access_check::{AccessCheck, Claim};
use crate::store_failure::store_failed;

/// What the caller sent, as raw text: `None` when a part was not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthenticateRequest {
    /// `X-OTAS-USER-TOKEN`.
    pub user_token: Option<String>,
    /// `X-OTAS-PROJECT-ID`.
    pub project_id: Option<String>,
    /// `X-OTAS-AGENT-ID`.
    pub agent_id: Option<String>,
}

/// The authenticate call, as the HTTP layer calls it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AuthenticateAgentUseCase: std::fmt::Debug + Send + Sync {
    /// The agent the user may see, or why not, in UASAM's order.
    ///
    /// Blocking: call it off the async executor.
    fn authenticate(&self, request: AuthenticateRequest) -> Result<AgentInfo, AuthenticateError>;
}

/// The authenticate call over its ports.
#[derive(Clone, Debug)]
pub struct AuthenticateAgent {
    access: AccessCheck,
    agents: Arc<dyn AgentDirectory>,
}

impl AuthenticateAgent {
    /// Builds the use case over its ports.
    pub fn new(
        tokens: Arc<dyn TokenVerifier>,
        access: Arc<dyn AccessStore>,
        agents: Arc<dyn AgentDirectory>,
    ) -> Self {
        Self {
            access: AccessCheck { tokens, access },
            agents,
        }
    }
}

impl AuthenticateAgentUseCase for AuthenticateAgent {
    /// Cost: the listing's access round trip, then one primary-key lookup.
    fn authenticate(&self, request: AuthenticateRequest) -> Result<AgentInfo, AuthenticateError> {
        let claim = Claim {
            user_token: request.user_token.as_deref(),
            project_id: request.project_id.as_deref(),
            agent_id: request.agent_id.as_deref(),
        };
        let agent = self.access.agent::<AuthenticateError>(claim)?;
        let found = self.agents.agent(agent).map_err(store_failed)?;
        // An agent gone since the access check is not found either.
        Ok(found.ok_or(AccessDenied::AgentNotFound)?)
    }
}

#[cfg(test)]
mod tests {
    use otas_domain::{AgentId, ProjectId, UserId};
    use otas_ports::{
        AccessFacts, InvalidToken, MockAccessStore, MockAgentDirectory, MockTokenVerifier,
    };
    use uuid::Uuid;

    use super::*;

    const AGENT: &str = "d1e2f3a4-b5c6-7890-abcd-ef1234567890";
    const PROJECT: &str = "5c3e1f0a-4b2d-4e6f-8a9b-0c1d2e3f4a5b";

    fn request(agent: Option<&str>) -> AuthenticateRequest {
        AuthenticateRequest {
            user_token: Some("token".into()),
            project_id: Some(PROJECT.into()),
            agent_id: agent.map(str::to_owned),
        }
    }

    fn use_case(facts: Option<AccessFacts>, agents: MockAgentDirectory) -> AuthenticateAgent {
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
        AuthenticateAgent::new(Arc::new(tokens), Arc::new(access), Arc::new(agents))
    }

    const GRANTED: AccessFacts = AccessFacts {
        user_exists: true,
        project_member: true,
        project_admin: false,
        agent_in_project: true,
    };

    #[test]
    fn a_member_sees_the_agent_of_their_project_with_its_name() {
        let info = AgentInfo {
            id: AgentId::parse(AGENT).expect("a UUID"),
            name: "summarizer".into(),
            project: ProjectId::parse(PROJECT).expect("a UUID"),
        };
        let mut agents = MockAgentDirectory::new();
        let found = info.clone();
        agents
            .expect_agent()
            .times(1)
            .return_once(move |_| Ok(Some(found)));

        assert_eq!(
            use_case(Some(GRANTED), agents).authenticate(request(Some(AGENT))),
            Ok(info)
        );
    }

    #[test]
    fn the_listings_checks_deny_the_authenticate_call_for_the_same_reasons() {
        let cases = [
            (
                AuthenticateRequest::default(),
                None,
                AccessDenied::MissingCredentials,
            ),
            (
                AuthenticateRequest {
                    user_token: Some("forged".into()),
                    ..request(Some(AGENT))
                },
                None,
                AccessDenied::InvalidToken,
            ),
            (
                request(Some(AGENT)),
                Some(AccessFacts {
                    project_member: false,
                    ..GRANTED
                }),
                AccessDenied::NoProjectAccess,
            ),
            (request(None), Some(GRANTED), AccessDenied::MissingAgentId),
            (
                request(Some(AGENT)),
                Some(AccessFacts {
                    agent_in_project: false,
                    ..GRANTED
                }),
                AccessDenied::AgentNotFound,
            ),
            (
                request(Some("not-a-uuid")),
                Some(GRANTED),
                AccessDenied::AgentNotFound,
            ),
        ];
        for (request, facts, expected) in cases {
            // The directory mock panics if asked: a refused call never is.
            let answer = use_case(facts, MockAgentDirectory::new()).authenticate(request.clone());
            assert_eq!(
                answer,
                Err(AuthenticateError::Denied(expected)),
                "{request:?}"
            );
        }
    }
}
