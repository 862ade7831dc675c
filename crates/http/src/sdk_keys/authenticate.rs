//! `POST /api/project/v1/sdk/backend/key/authenticate/`: whose SDK key is
//! `X-OTAS-SDK-KEY`? OTAS's events service asks it on every backend event.
//! There is no body. Refusals carry UASAM's `error` text beside the envelope.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use otas_domain::{KeyRefused, SdkAuthenticateError};
use otas_use_cases::AuthenticateSdkKeyRequest;
use serde::Serialize;
use utoipa::ToSchema;

use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, ErrorText, NoPayload, Response};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/project/v1/sdk/backend/key/authenticate/",
    tag = "sdk keys",
    params(("X-OTAS-SDK-KEY" = String, Header, description = "The backend's SDK key, otas_<prefix>_<secret>")),
    responses(
        (status = 200, description = "The key's project (`authenticated`)", body = Envelope<Response<AuthenticatedProject>>),
        (status = 401, description = "missing_sdk_key (`SDK Key missing`)", body = Envelope<ErrorText>),
        (status = 403, description = "invalid_key_format (`Invalid Key Format`): not three `_`-separated parts; invalid_sdk_key (`Invalid SDK Key`): no usable key matches", body = Envelope<ErrorText>),
        (status = 429, description = "too_many_attempts: too many wrong secrets under this key's prefix lately; see Retry-After", body = Envelope<NoPayload>),
        (status = 503, body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn authenticate(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Beyond the bound of requests at the stores, shed at once.
    let admitted = admit(&state.requests)?;
    let request = AuthenticateSdkKeyRequest {
        sdk_key: header_text(&req, "x-otas-sdk-key"),
    };
    let use_case = state.authenticate_sdk_key.clone();
    let answer = blocking_holding(admitted, state.deadline, move || {
        Ok(use_case.authenticate(request))
    })
    .await?;
    let key = match answer {
        Ok(key) => key,
        Err(error) => return Ok(refusal(error)),
    };
    Ok(HttpResponse::Ok().json(Envelope::success(
        "authenticated",
        Response {
            response: AuthenticatedProject {
                project: ProjectJson {
                    id: key.project.to_string(),
                    name: key.project_name,
                    description: key.project_description,
                },
            },
        },
    )))
}

/// A refusal: UASAM's status, our code and UASAM's `error` text; the
/// budgets' and the store's refusals as every other endpoint answers them.
fn refusal(error: SdkAuthenticateError) -> HttpResponse {
    let (status, code, text) = match error {
        SdkAuthenticateError::MissingKey => (
            StatusCode::UNAUTHORIZED,
            "missing_sdk_key",
            "SDK Key missing",
        ),
        SdkAuthenticateError::InvalidFormat => (
            StatusCode::FORBIDDEN,
            "invalid_key_format",
            "Invalid Key Format",
        ),
        SdkAuthenticateError::Refused(KeyRefused::Invalid) => {
            (StatusCode::FORBIDDEN, "invalid_sdk_key", "Invalid SDK Key")
        }
        SdkAuthenticateError::Refused(other) => {
            let as_elsewhere: ApiError = otas_domain::CreateSessionError::from(other).into();
            return as_elsewhere.error_response();
        }
    };
    HttpResponse::build(status).json(Envelope::refusal_saying(code, text))
}

/// The `response` of a `200`, in UASAM's keys and order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AuthenticatedProject {
    project: ProjectJson,
}

/// The key's project.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProjectJson {
    #[schema(format = "uuid")]
    id: String,
    name: String,
    description: String,
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;
    use otas_domain::StoreFailure;
    use serde_json::{json, Value};

    use super::*;

    async fn answer(error: SdkAuthenticateError) -> (StatusCode, Option<String>, Value) {
        let response = refusal(error);
        let status = response.status();
        let retry = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = to_bytes(response.into_body()).await.expect("a body");
        (status, retry, serde_json::from_slice(&body).expect("JSON"))
    }

    #[actix_web::test]
    async fn uasams_refusals_carry_the_envelope_and_uasams_error_text() {
        let cases = [
            (
                SdkAuthenticateError::MissingKey,
                StatusCode::UNAUTHORIZED,
                "missing_sdk_key",
                "SDK Key missing",
            ),
            (
                SdkAuthenticateError::InvalidFormat,
                StatusCode::FORBIDDEN,
                "invalid_key_format",
                "Invalid Key Format",
            ),
            (
                SdkAuthenticateError::Refused(KeyRefused::Invalid),
                StatusCode::FORBIDDEN,
                "invalid_sdk_key",
                "Invalid SDK Key",
            ),
        ];
        for (error, status, code, text) in cases {
            assert_eq!(
                answer(error).await,
                (
                    status,
                    None,
                    json!({"status": 0, "status_description": code, "error": text})
                )
            );
        }
    }

    #[actix_web::test]
    async fn the_budgets_and_the_store_are_answered_as_everywhere_else() {
        assert_eq!(
            answer(SdkAuthenticateError::Refused(KeyRefused::TooManyAttempts {
                retry_after_seconds: 7
            }))
            .await,
            (
                StatusCode::TOO_MANY_REQUESTS,
                Some("7".into()),
                json!({"status": 0, "status_description": "too_many_attempts"})
            )
        );
        for error in [
            KeyRefused::Busy,
            KeyRefused::Store(StoreFailure::Unavailable),
        ] {
            let (status, retry, body) = answer(SdkAuthenticateError::Refused(error)).await;
            assert_eq!(
                (status, retry, body),
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Some("1".into()),
                    json!({"status": 0, "status_description": "service_unavailable"})
                )
            );
        }
    }
}
