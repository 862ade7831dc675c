//! `POST /api/agent/v1/user/authenticate/`: may the user of
//! `X-OTAS-USER-TOKEN`, in `X-OTAS-PROJECT-ID`, see `X-OTAS-AGENT-ID`?
//! Answered exactly as UASAM answers it (`agent` at the top level).

use actix_web::{web, HttpRequest, HttpResponse};
use otas_use_cases::AuthenticateRequest;
use serde::Serialize;
use utoipa::ToSchema;

use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, NoPayload};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/agent/v1/user/authenticate/",
    tag = "agents",
    security(("user_token" = [], "project_id" = [])),
    params(
        ("X-OTAS-AGENT-ID" = String, Header, description = "The agent's id", example = "de300000-0000-4000-8000-0000000000a1"),
    ),
    responses(
        (status = 200, description = "The user may see the agent (`authenticated`)", body = Envelope<Authenticated>),
        (status = 400, description = "`missing_headers`, `missing_agent_id`", body = Envelope<NoPayload>),
        (status = 401, description = "`invalid_token`", body = Envelope<NoPayload>),
        (status = 403, description = "`user_project_mapping_invalid`", body = Envelope<NoPayload>),
        (status = 404, description = "`agent_not_found`", body = Envelope<NoPayload>),
        (status = 503, description = "`service_unavailable` (with Retry-After)", body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn authenticate(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Beyond the bound of requests at the stores, shed at once.
    let admitted = admit(&state.requests)?;
    let request = AuthenticateRequest {
        user_token: header_text(&req, "x-otas-user-token"),
        project_id: header_text(&req, "x-otas-project-id"),
        agent_id: header_text(&req, "x-otas-agent-id"),
    };
    let use_case = state.authenticate.clone();
    let agent = blocking_holding(admitted, state.deadline, move || {
        Ok(use_case.authenticate(request)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Envelope::success(
        "authenticated",
        Authenticated {
            agent: AgentJson {
                id: agent.id.to_string(),
                name: agent.name,
                project_id: agent.project.to_string(),
            },
        },
    )))
}

/// The payload of a `200`: the agent, at the top level beside the status (as
/// UASAM answers, not under `response`).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Authenticated {
    agent: AgentJson,
}

/// An agent, as the authenticate call names it, in UASAM's keys and order (a
/// struct keeps its fields' order).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AgentJson {
    #[schema(format = "uuid", example = "de300000-0000-4000-8000-0000000000a1")]
    id: String,
    #[schema(example = "summarizer")]
    name: String,
    #[schema(format = "uuid", example = "de300000-0000-4000-8000-000000000002")]
    project_id: String,
}
