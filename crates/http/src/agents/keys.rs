//! `POST /api/agent/v1/agents/key/create/` and `…/key/revoke/`: an admin
//! issues an agent a new key (its active keys revoked in the same
//! transaction; `201 agent_key_created`, the key shown once), or revokes one
//! (`200 agent_key_revoked`), as UASAM's `AgentKeyCreateView` and
//! `AgentKeyRevokeView` answer.

use actix_web::{web, HttpRequest, HttpResponse};
use otas_use_cases::{AgentKeyRequest, CreatedKey};
use serde::Serialize;
use utoipa::ToSchema;

use crate::agents::body::id;
use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, NoPayload, Response};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::sessions::timed_body::TimedBody;
use crate::state::AppState;

fn request(req: &HttpRequest, body: &[u8], name: &str) -> AgentKeyRequest {
    AgentKeyRequest {
        user_token: header_text(req, "x-otas-user-token"),
        project_id: header_text(req, "x-otas-project-id"),
        // A body that names no id is answered after the access checks.
        id: id(body, name),
    }
}

#[utoipa::path(
    post,
    path = "/api/agent/v1/agents/key/create/",
    tag = "agents",
    params(
        ("X-OTAS-USER-TOKEN" = String, Header, description = "The admin's JWT"),
        ("X-OTAS-PROJECT-ID" = String, Header, description = "The project's id"),
    ),
    request_body(content = Object, description = "The agent's id", example = json!({"agent_id": "d1e2f3a4-b5c6-7890-abcd-ef1234567890"})),
    responses(
        (status = 201, description = "The new key, valid 30 days; the agent's earlier active keys are revoked; `api_key` is shown this once (`agent_key_created`)", body = Envelope<Response<KeyCreatedJson>>),
        (status = 400, description = "missing_headers, invalid_json, agent_id_required", body = Envelope<NoPayload>),
        (status = 401, body = Envelope<NoPayload>),
        (status = 403, description = "user_project_mapping_invalid, or forbidden: not an admin", body = Envelope<NoPayload>),
        (status = 404, description = "agent_not_found_or_invalid_id: no active agent of the project with that id (a non-UUID id included)", body = Envelope<NoPayload>),
        (status = 408, body = Envelope<NoPayload>),
        (status = 413, body = Envelope<NoPayload>),
        (status = 503, body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn create(
    req: HttpRequest,
    TimedBody(body): TimedBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let admitted = admit(&state.requests)?;
    let request = request(&req, &body, "agent_id");
    let use_case = state.agent_keys.clone();
    let created = blocking_holding(admitted, state.deadline, move || {
        Ok(use_case.create_key(request)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(Envelope::success(
        "agent_key_created",
        Response {
            response: KeyCreatedJson::from(created),
        },
    )))
}

#[utoipa::path(
    post,
    path = "/api/agent/v1/agents/key/revoke/",
    tag = "agents",
    params(
        ("X-OTAS-USER-TOKEN" = String, Header, description = "The admin's JWT"),
        ("X-OTAS-PROJECT-ID" = String, Header, description = "The project's id"),
    ),
    request_body(content = Object, description = "The key's id", example = json!({"agent_key_id": "7a1b2c3d-b5c6-7890-abcd-ef1234567890"})),
    responses(
        (status = 200, description = "The key is revoked at once (`agent_key_revoked`)", body = Envelope<Response<KeyRevokedJson>>),
        (status = 400, description = "missing_headers, invalid_json, agent_key_id_required", body = Envelope<NoPayload>),
        (status = 401, body = Envelope<NoPayload>),
        (status = 403, description = "user_project_mapping_invalid, or forbidden: not an admin", body = Envelope<NoPayload>),
        (status = 404, description = "agent_key_not_found: no active key of the project's agents with that id (a non-UUID id included)", body = Envelope<NoPayload>),
        (status = 408, body = Envelope<NoPayload>),
        (status = 413, body = Envelope<NoPayload>),
        (status = 503, body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn revoke(
    req: HttpRequest,
    TimedBody(body): TimedBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let admitted = admit(&state.requests)?;
    let request = request(&req, &body, "agent_key_id");
    let use_case = state.agent_keys.clone();
    let revoked = blocking_holding(admitted, state.deadline, move || {
        Ok(use_case.revoke_key(request)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Envelope::success(
        "agent_key_revoked",
        Response {
            response: KeyRevokedJson {
                id: revoked.to_string(),
            },
        },
    )))
}

/// The `response` of key create's `201`, in UASAM's keys and order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KeyCreatedJson {
    #[schema(format = "uuid")]
    agent_id: String,
    agent_key: NewKeyJson,
}

/// The new key, with the key itself, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NewKeyJson {
    #[schema(format = "uuid")]
    id: String,
    prefix: String,
    /// `agent_<prefix>_<secret>`: shown once, never stored.
    api_key: String,
    /// UTC, six fractional digits, `+00:00`.
    created_at: String,
    /// 30 days after `created_at`.
    expires_at: String,
    active: bool,
}

/// The `response` of revoke's `200`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KeyRevokedJson {
    #[schema(format = "uuid")]
    id: String,
}

impl From<CreatedKey> for KeyCreatedJson {
    fn from(key: CreatedKey) -> Self {
        Self {
            agent_id: key.row.agent.to_string(),
            agent_key: NewKeyJson {
                id: key.row.id.to_string(),
                api_key: key.raw.expose().to_owned(),
                prefix: key.row.prefix,
                created_at: key.row.created_at.to_string(),
                expires_at: key.row.expires_at.to_string(),
                active: true,
            },
        }
    }
}
