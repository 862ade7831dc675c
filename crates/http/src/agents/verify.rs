//! `POST /api/agent/v1/auth/verify/`: whose agent key is `X-OTAS-AGENT-KEY`?
//! OTAS's events service asks it on every agent event. The body (`{}`) is
//! not read.

use actix_web::{web, HttpRequest, HttpResponse};
use otas_domain::agent_key::MAX_AGENT_KEY_BYTES;
use otas_domain::{CreateSessionError, KeyRefused};
use otas_use_cases::VerifyAgentKeyRequest;
use serde::Serialize;
use utoipa::ToSchema;

use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, NoPayload, Response};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/agent/v1/auth/verify/",
    tag = "agents",
    params(("X-OTAS-AGENT-KEY" = String, Header, description = "The agent's key")),
    request_body(content = Object, description = "Ignored (brain sends {})", example = json!({})),
    responses(
        (status = 200, description = "The key's agent and project (`authenticated`)", body = Envelope<Response<VerifiedAgent>>),
        (status = 401, description = "invalid_agent_key: missing, wrong, revoked or expired, or its agent inactive", body = Envelope<NoPayload>),
        (status = 429, description = "too_many_attempts: too many wrong secrets under this key's prefix lately; see Retry-After", body = Envelope<NoPayload>),
        (status = 503, body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let agent_key = header_text(&req, "x-otas-agent-key");
    // A key longer than any issued is refused before any work.
    if agent_key
        .as_ref()
        .is_none_or(|key| key.is_empty() || key.len() > MAX_AGENT_KEY_BYTES)
    {
        return Err(refused(KeyRefused::Invalid));
    }
    // Beyond the bound of requests at the stores, shed at once.
    let admitted = admit(&state.requests)?;
    let use_case = state.verify_agent_key.clone();
    let request = VerifyAgentKeyRequest { agent_key };
    let agent = blocking_holding(admitted, state.deadline, move || {
        use_case.verify(request).map_err(refused)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Envelope::success(
        "authenticated",
        Response {
            response: VerifiedAgent {
                project_id: agent.project.to_string(),
                agent: KeyAgentJson {
                    id: agent.id.to_string(),
                    name: agent.name,
                    provider: agent.provider,
                },
            },
        },
    )))
}

/// A refused key, answered as session creation answers it.
fn refused(refused: KeyRefused) -> ApiError {
    CreateSessionError::from(refused).into()
}

/// The `response` of a `200`, in UASAM's keys and order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VerifiedAgent {
    #[schema(format = "uuid")]
    project_id: String,
    agent: KeyAgentJson,
}

/// The key's agent, as `auth/verify` names it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KeyAgentJson {
    #[schema(format = "uuid")]
    id: String,
    name: String,
    provider: String,
}
