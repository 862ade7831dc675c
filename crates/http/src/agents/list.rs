//! `GET /api/agent/v1/list/`: the project's active agents, each with its
//! active keys, as UASAM's `AgentListView` answers (`agents_listed`).

use actix_web::{web, HttpRequest, HttpResponse};
use otas_ports::{ListedAgentKey, ProjectAgent};
use otas_use_cases::{AgentList, ProjectCredentials};
use serde::Serialize;
use utoipa::ToSchema;

use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, NoPayload, Response};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/api/agent/v1/list/",
    tag = "agents",
    params(
        ("X-OTAS-USER-TOKEN" = String, Header, description = "The user's JWT"),
        ("X-OTAS-PROJECT-ID" = String, Header, description = "The project's id"),
    ),
    responses(
        (status = 200, description = "The project's active agents, oldest first, at most 1,000, each with its active keys (`agents_listed`)", body = Envelope<Response<AgentListJson>>),
        (status = 400, body = Envelope<NoPayload>),
        (status = 401, body = Envelope<NoPayload>),
        (status = 403, body = Envelope<NoPayload>),
        (status = 503, body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Beyond the bound of requests at the stores, shed at once.
    let admitted = admit(&state.requests)?;
    let request = ProjectCredentials {
        user_token: header_text(&req, "x-otas-user-token"),
        project_id: header_text(&req, "x-otas-project-id"),
    };
    let use_case = state.list_agents.clone();
    let list = blocking_holding(
        admitted,
        state.deadline,
        move || Ok(use_case.list(request)?),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Envelope::success(
        "agents_listed",
        Response {
            response: AgentListJson::from(list),
        },
    )))
}

/// The `response` of a `200`, in UASAM's keys and order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AgentListJson {
    #[schema(format = "uuid")]
    project_id: String,
    agents: Vec<ListedAgentJson>,
}

/// An agent as listed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ListedAgentJson {
    #[schema(format = "uuid")]
    id: String,
    name: String,
    description: String,
    provider: String,
    /// UTC, six fractional digits, `+00:00`.
    created_at: String,
    /// The user who created the agent.
    #[schema(format = "uuid")]
    created_by: String,
    is_active: bool,
    /// The agent's keys whose `active` is true, oldest first.
    agent_keys: Vec<ListedKeyJson>,
}

/// A key as listed: never its hash, never the key.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ListedKeyJson {
    #[schema(format = "uuid")]
    id: String,
    prefix: String,
    #[schema(required = true)]
    name: Option<String>,
    /// UTC, six fractional digits, `+00:00`.
    created_at: String,
    /// UTC, six fractional digits, `+00:00`; `null` for a key that never expires.
    #[schema(required = true)]
    expires_at: Option<String>,
    active: bool,
}

impl From<AgentList> for AgentListJson {
    fn from(list: AgentList) -> Self {
        Self {
            project_id: list.project.to_string(),
            agents: list.agents.into_iter().map(ListedAgentJson::from).collect(),
        }
    }
}

impl From<ProjectAgent> for ListedAgentJson {
    fn from(agent: ProjectAgent) -> Self {
        Self {
            id: agent.id.to_string(),
            name: agent.name,
            description: agent.description,
            provider: agent.provider,
            created_at: agent.created_at.to_string(),
            created_by: agent.created_by.to_string(),
            is_active: agent.is_active,
            agent_keys: agent.keys.into_iter().map(ListedKeyJson::from).collect(),
        }
    }
}

impl From<ListedAgentKey> for ListedKeyJson {
    fn from(key: ListedAgentKey) -> Self {
        Self {
            id: key.id.to_string(),
            prefix: key.prefix,
            name: key.name,
            created_at: key.created_at.to_string(),
            expires_at: key.expires_at.map(|at| at.to_string()),
            active: key.active,
        }
    }
}
