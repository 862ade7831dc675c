//! `POST /api/project/v1/sdk/backend/key/revoke/`: an admin revokes one of
//! the project's SDK keys at once, as UASAM's `BackendSDKKeyRevokeView`
//! answers (`200 backend_sdk_key_revoked`, under `response_body`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use otas_domain::RevokeSdkKeyError;
use otas_use_cases::RevokeSdkKeyRequest;
use serde::Serialize;
use utoipa::ToSchema;

use crate::agents::body::id;
use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, NoPayload, ResponseBody};
use crate::error::{ApiError, Spelling};
use crate::sessions::request::header_text;
use crate::sessions::timed_body::TimedBody;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/project/v1/sdk/backend/key/revoke/",
    tag = "sdk keys",
    security(("user_token" = [], "project_id" = [])),
    request_body(content = Object, description = "The SDK key's id", example = json!({"sdk_key_id": "3f2a1b0c-b5c6-7890-abcd-ef1234567890"})),
    responses(
        (status = 200, description = "The key is revoked at once: it authenticates no more (`backend_sdk_key_revoked`)", body = Envelope<ResponseBody<SdkKeyRevokedJson>>),
        (status = 400, description = "missing_headers, invalid_json (the body is no JSON object), sdk_key_id_required", body = Envelope<NoPayload>),
        (status = 401, description = "invalid_token", body = Envelope<NoPayload>),
        (status = 403, description = "user_project_mapping_invalid, or forbidden: not an admin of the project", body = Envelope<NoPayload>),
        (status = 404, description = "sdk_key_not_found: no active SDK key of the project with that id (a non-UUID id included)", body = Envelope<NoPayload>),
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
    // Beyond the bound of requests at the stores, shed at once.
    let admitted = admit(&state.requests)?;
    let request = RevokeSdkKeyRequest {
        user_token: header_text(&req, "x-otas-user-token"),
        project_id: header_text(&req, "x-otas-project-id"),
        // A body that names no id is answered after the access checks.
        id: id(&body, "sdk_key_id"),
    };
    let use_case = state.sdk_keys.clone();
    let revoked = blocking_holding(admitted, state.deadline, move || {
        Ok(use_case.revoke_key(request)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Envelope::success(
        "backend_sdk_key_revoked",
        ResponseBody {
            response_body: SdkKeyRevokedJson {
                id: revoked.to_string(),
            },
        },
    )))
}

/// The `response_body` of a `200`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SdkKeyRevokedJson {
    #[schema(format = "uuid")]
    id: String,
}

impl From<RevokeSdkKeyError> for ApiError {
    fn from(error: RevokeSdkKeyError) -> Self {
        use RevokeSdkKeyError as E;
        match error {
            E::Denied(denied) => Self::denied(denied, Spelling::Management),
            E::InvalidJson => Self::new(StatusCode::BAD_REQUEST, "invalid_json"),
            E::KeyIdRequired => Self::new(StatusCode::BAD_REQUEST, "sdk_key_id_required"),
            E::KeyNotFound => Self::new(StatusCode::NOT_FOUND, "sdk_key_not_found"),
            E::Store(failure) => failure.into(),
        }
    }
}
