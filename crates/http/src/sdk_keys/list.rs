//! `GET /api/project/v1/sdk/backend/key/list/`: the project's SDK keys,
//! revoked ones included, newest first, as UASAM's `BackendSDKKeyListView`
//! answers (`backend_sdk_keys_listed`, under `response_body`). Admins only.

use actix_web::{web, HttpRequest, HttpResponse};
use otas_domain::ListSdkKeysError;
use otas_ports::ListedSdkKey;
use otas_use_cases::{ProjectCredentials, SdkKeyList};
use serde::Serialize;
use utoipa::ToSchema;

use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, NoPayload, ResponseBody};
use crate::error::{ApiError, Spelling};
use crate::sessions::request::header_text;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/api/project/v1/sdk/backend/key/list/",
    tag = "sdk keys",
    security(("user_token" = [], "project_id" = [])),
    responses(
        (status = 200, description = "The project's SDK keys, revoked ones included, newest first, at most 1,000; never a key or its hash (`backend_sdk_keys_listed`)", body = Envelope<ResponseBody<SdkKeyListJson>>),
        (status = 400, description = "missing_headers", body = Envelope<NoPayload>),
        (status = 401, description = "invalid_token", body = Envelope<NoPayload>),
        (status = 403, description = "user_project_mapping_invalid, or forbidden: not an admin of the project", body = Envelope<NoPayload>),
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
    let use_case = state.list_sdk_keys.clone();
    let list = blocking_holding(
        admitted,
        state.deadline,
        move || Ok(use_case.list(request)?),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Envelope::success(
        "backend_sdk_keys_listed",
        ResponseBody {
            response_body: SdkKeyListJson::from(list),
        },
    )))
}

impl From<ListSdkKeysError> for ApiError {
    fn from(error: ListSdkKeysError) -> Self {
        match error {
            ListSdkKeysError::Denied(denied) => Self::denied(denied, Spelling::Management),
            ListSdkKeysError::Store(failure) => failure.into(),
        }
    }
}

/// The `response_body` of a `200`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SdkKeyListJson {
    keys: Vec<ListedSdkKeyJson>,
}

/// An SDK key as listed, in UASAM's keys and order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ListedSdkKeyJson {
    #[schema(format = "uuid")]
    id: String,
    prefix: String,
    name: Option<String>,
    /// UTC, six fractional digits, `+00:00`.
    created_at: String,
    expires_at: Option<String>,
    active: bool,
    revoked_at: Option<String>,
}

impl From<SdkKeyList> for SdkKeyListJson {
    fn from(list: SdkKeyList) -> Self {
        Self {
            keys: list.keys.into_iter().map(ListedSdkKeyJson::from).collect(),
        }
    }
}

impl From<ListedSdkKey> for ListedSdkKeyJson {
    fn from(key: ListedSdkKey) -> Self {
        Self {
            id: key.id.to_string(),
            prefix: key.prefix,
            name: key.name,
            created_at: key.created_at.to_string(),
            expires_at: key.expires_at.map(|at| at.to_string()),
            active: key.active,
            revoked_at: key.revoked_at.map(|at| at.to_string()),
        }
    }
}
