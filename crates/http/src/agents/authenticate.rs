//! `POST /api/agent/v1/user/authenticate/`: may the user of
//! `X-OTAS-USER-TOKEN`, in `X-OTAS-PROJECT-ID`, see `X-OTAS-AGENT-ID`?
//! Answered exactly as UASAM answers it (`agent` at the top level).

use actix_web::{web, HttpRequest, HttpResponse};
use otas_use_cases::AuthenticateRequest;

use crate::blocking::{admit, blocking_holding};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/agent/v1/user/authenticate/",
    tag = "agents",
    params(
        ("X-OTAS-USER-TOKEN" = String, Header, description = "The user's JWT"),
        ("X-OTAS-PROJECT-ID" = String, Header, description = "The project's id"),
        ("X-OTAS-AGENT-ID" = String, Header, description = "The agent's id"),
    ),
    responses(
        (status = 200, description = "The user may see the agent", body = crate::openapi::Authenticated),
        (status = 400, body = crate::openapi::ErrorEnvelope),
        (status = 401, body = crate::openapi::ErrorEnvelope),
        (status = 403, body = crate::openapi::ErrorEnvelope),
        (status = 404, body = crate::openapi::ErrorEnvelope),
        (status = 503, body = crate::openapi::ErrorEnvelope),
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
    // UASAM's keys, in UASAM's order (a struct keeps its fields' order).
    Ok(HttpResponse::Ok().json(Authenticated {
        status: 1,
        status_description: "authenticated",
        agent: Agent {
            id: agent.id.to_string(),
            name: agent.name,
            project_id: agent.project.to_string(),
        },
    }))
}

#[derive(serde::Serialize)]
struct Authenticated {
    status: u8,
    status_description: &'static str,
    agent: Agent,
}

#[derive(serde::Serialize)]
struct Agent {
    id: String,
    name: String,
    project_id: String,
}
