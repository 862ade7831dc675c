//! `POST /api/project/v1/sdk/backend/key/create/`: an admin issues the
//! project a new SDK key, valid `validity` days (1 to 300), as UASAM's
//! `BackendSDKKeyCreateView` answers (`201 backend_sdk_key_created`, the
//! key shown once as `api_key`, under `response_body`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use otas_domain::CreateSdkKeyError;
use otas_use_cases::{CreateSdkKeyRequest, CreatedSdkKey, RequestedValidity};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, Errors, NoPayload, ResponseBody};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::sessions::timed_body::TimedBody;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/project/v1/sdk/backend/key/create/",
    tag = "sdk keys",
    security(("user_token" = [], "project_id" = [])),
    request_body(content = Object, description = "validity: the key's days of validity, an integer from 1 to 300", example = json!({"validity": 30})),
    responses(
        (status = 201, description = "The new key, valid `validity` days; `api_key` is shown this once (`backend_sdk_key_created`)", body = Envelope<ResponseBody<SdkKeyCreatedJson>>),
        (status = 400, description = "missing_headers; or sdk_key_creation_failed: with `errors` (`invalid_json`, `validity is required`, `validity must be an integer`, `validity must be between 1 and 300 days`) when the body is JSON, without when it is not", body = Envelope<Errors>),
        (status = 401, description = "invalid_token", body = Envelope<NoPayload>),
        (status = 403, description = "user_project_mapping_invalid, or forbidden: not an admin of the project (UASAM lets a member in)", body = Envelope<NoPayload>),
        (status = 408, body = Envelope<NoPayload>),
        (status = 413, body = Envelope<NoPayload>),
        (status = 503, description = "Overloaded, the store away, or every key-issuing turn taken", body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn create(
    req: HttpRequest,
    TimedBody(body): TimedBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Beyond the bound of requests at the stores, shed at once.
    let admitted = admit(&state.requests)?;
    let request = CreateSdkKeyRequest {
        user_token: header_text(&req, "x-otas-user-token"),
        project_id: header_text(&req, "x-otas-project-id"),
        // A wrong validity is answered after the access checks.
        validity: validity_of(&body),
    };
    let use_case = state.sdk_keys.clone();
    let answer = blocking_holding(admitted, state.deadline, move || {
        Ok(use_case.create_key(request))
    })
    .await?;
    match answer {
        Ok(created) => Ok(HttpResponse::Created().json(Envelope::success(
            "backend_sdk_key_created",
            ResponseBody {
                response_body: SdkKeyCreatedJson::from(created),
            },
        ))),
        Err(CreateSdkKeyError::InvalidPayload(reason)) => Ok(HttpResponse::build(
            StatusCode::BAD_REQUEST,
        )
        .json(Envelope::refusal_listing(
            "sdk_key_creation_failed",
            vec![reason.text()],
        ))),
        Err(other) => Err(other.into()),
    }
}

/// The body's `validity`, as UASAM reads it: `json.loads(request.body or
/// "{}")`, then `payload.get("validity")` and `isinstance(validity, int)`
/// (where `True` and `False` are the integers 1 and 0). Memory: the body,
/// which `TimedBody` bounds.
fn validity_of(body: &[u8]) -> RequestedValidity {
    if body.is_empty() {
        return RequestedValidity::Missing;
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return RequestedValidity::NotJson;
    };
    let Value::Object(fields) = value else {
        return RequestedValidity::NotAnObject;
    };
    match fields.get("validity") {
        None | Some(Value::Null) => RequestedValidity::Missing,
        Some(Value::Bool(flag)) => RequestedValidity::Days(i64::from(*flag)),
        Some(Value::Number(n)) => match (n.as_i64(), n.is_u64()) {
            (Some(days), _) => RequestedValidity::Days(days),
            (None, true) => RequestedValidity::Days(i64::MAX),
            (None, false) => RequestedValidity::NotInteger,
        },
        Some(_) => RequestedValidity::NotInteger,
    }
}

impl From<CreateSdkKeyError> for ApiError {
    fn from(error: CreateSdkKeyError) -> Self {
        match error {
            CreateSdkKeyError::Denied(denied) => {
                Self::denied(denied, crate::error::Spelling::Management)
            }
            // The handler answers a wrong payload with its `errors`.
            CreateSdkKeyError::InvalidJson | CreateSdkKeyError::InvalidPayload(_) => {
                Self::new(StatusCode::BAD_REQUEST, "sdk_key_creation_failed")
            }
            CreateSdkKeyError::Busy => Self::SERVICE_UNAVAILABLE,
            CreateSdkKeyError::Store(failure) => failure.into(),
        }
    }
}

/// The `response_body` of a `201`, in UASAM's keys and order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SdkKeyCreatedJson {
    #[schema(format = "uuid")]
    id: String,
    prefix: String,
    /// `otas_<prefix>_<secret>`: shown once, never stored.
    api_key: String,
    #[schema(format = "uuid")]
    project_id: String,
    /// Always `null`: the dashboard names no key.
    name: Option<String>,
    /// UTC, six fractional digits, `+00:00`.
    created_at: String,
    /// `validity` days after `created_at`.
    expires_at: String,
    active: bool,
}

impl From<CreatedSdkKey> for SdkKeyCreatedJson {
    fn from(key: CreatedSdkKey) -> Self {
        Self {
            id: key.row.id.to_string(),
            api_key: key.raw.expose().to_owned(),
            prefix: key.row.prefix,
            project_id: key.row.project.to_string(),
            name: None,
            created_at: key.row.created_at.to_string(),
            expires_at: key.row.expires_at.to_string(),
            active: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_read_as_uasam_reads_it() {
        use RequestedValidity as V;
        let cases: [(&[u8], V); 13] = [
            (b"", V::Missing),
            (b"{}", V::Missing),
            (br#"{"validity": null}"#, V::Missing),
            (br#"{"validity": 30}"#, V::Days(30)),
            (br#"{"validity": -4}"#, V::Days(-4)),
            (br#"{"validity": 18446744073709551615}"#, V::Days(i64::MAX)),
            (br#"{"validity": true}"#, V::Days(1)),
            (br#"{"validity": 30.0}"#, V::NotInteger),
            (br#"{"validity": "30"}"#, V::NotInteger),
            (br#"[30]"#, V::NotAnObject),
            (b"null", V::NotAnObject),
            (b"{", V::NotJson),
            (b" ", V::NotJson),
        ];
        for (body, expected) in cases {
            assert_eq!(
                validity_of(body),
                expected,
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
