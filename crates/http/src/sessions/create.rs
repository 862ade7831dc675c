//! `POST /api/agent/v1/session/create/`: an agent opens a session with its
//! key (`X-OTAS-AGENT-KEY`) and an optional `{"meta": <any JSON value>}`.

use std::collections::HashMap;

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use otas_domain::agent_key::MAX_AGENT_KEY_BYTES;
use otas_domain::meta_filter::numbers_within_numeric;
use otas_domain::CreateSessionError;
use otas_use_cases::CreateSessionRequest;
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, NoPayload, Response};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::sessions::timed_body::TimedBody;
use crate::state::AppState;

const AGENT_KEY: &str = "x-otas-agent-key";

#[utoipa::path(
    post,
    path = "/api/agent/v1/session/create/",
    tag = "sessions",
    security(("agent_key" = [])),
    // The body is read by hand (`meta_of`), so no type describes it.
    request_body(
        content = Object,
        description = "Empty, or {\"meta\": <any JSON value>}; a missing or null meta means {}",
        example = json!({"meta": {"task": "triage"}})
    ),
    responses(
        (status = 200, description = "The session and its token (`agent_session_created`)", body = Envelope<Response<CreatedResponse>>),
        (status = 400, description = "`invalid_json`", body = Envelope<NoPayload>),
        (status = 401, description = "`invalid_agent_key`", body = Envelope<NoPayload>),
        (status = 408, description = "`request_timeout`: the body did not arrive within http.request_body_timeout_ms; the connection is closed", body = Envelope<NoPayload>),
        (status = 413, description = "`payload_too_large`", body = Envelope<NoPayload>),
        (status = 429, description = "`too_many_attempts`: too many wrong secrets under this key's prefix lately; see Retry-After", body = Envelope<NoPayload>),
        (status = 503, description = "`service_unavailable` (with Retry-After)", body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn create(
    req: HttpRequest,
    TimedBody(body): TimedBody,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let agent_key = header_text(&req, AGENT_KEY);
    // A key longer than any issued is refused before any work: no
    // admission, no read, no hash (a 100,000-byte key used to cost memory
    // with the square of its length).
    if agent_key
        .as_ref()
        .is_some_and(|key| key.len() > MAX_AGENT_KEY_BYTES)
    {
        return Err(CreateSessionError::InvalidAgentKey.into());
    }
    // Beyond the bound of requests at the stores, shed at once.
    let admitted = admit(&state.requests)?;
    // A body that is no JSON object is answered once the key is checked.
    let request = CreateSessionRequest {
        agent_key,
        meta: meta_of(&body).ok(),
    };
    let use_case = state.create_session.clone();
    let created = blocking_holding(admitted, state.deadline, move || {
        Ok(use_case.create(request)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Envelope::success(
        "agent_session_created",
        Response {
            response: CreatedResponse {
                header_value: SESSION_TOKEN,
                jwt_token: created.token,
            },
        },
    )))
}

/// The header a session's token goes in, as the answer names it.
const SESSION_TOKEN: &str = "X-OTAS-AGENT-SESSION-TOKEN";

/// The token of a session opened: the `response` of a `200`, in UASAM's keys
/// and order (a struct keeps its fields' order).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedResponse {
    /// `X-OTAS-AGENT-SESSION-TOKEN`.
    #[serde(rename = "Header_value")]
    #[schema(example = "X-OTAS-AGENT-SESSION-TOKEN")]
    header_value: &'static str,
    /// The session's token, sent as `X-OTAS-AGENT-SESSION-TOKEN` on the agent's later calls.
    #[schema(
        example = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJhZ2VudF9zZXNzaW9uX2lkIjoi4oCmIn0.…"
    )]
    jwt_token: String,
}

/// The JSON text of `meta` as sent: an empty body, a missing `meta` or
/// `"meta": null` mean `{}`. A body that is not a JSON object, or a `meta`
/// holding U+0000 (which no store keeps), is `invalid_json`.
fn meta_of(body: &[u8]) -> Result<String, ApiError> {
    let invalid = ApiError::new(actix_web::http::StatusCode::BAD_REQUEST, "invalid_json");
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok("{}".to_owned());
    }
    let text = std::str::from_utf8(body).map_err(|_| invalid)?;
    // Only an object deserializes into a map; a repeated key counts last.
    let fields: HashMap<&str, &RawValue> = serde_json::from_str(text).map_err(|_| invalid)?;
    let Some(meta) = fields.get("meta").filter(|meta| meta.get() != "null") else {
        return Ok("{}".to_owned());
    };
    // serde_json refuses a number beyond a finite double (`1e400`); one
    // beyond PostgreSQL's `numeric` (`1e-20000`, which a double reads as 0)
    // is refused too, on every store, as the list's filter refuses it.
    let value: serde_json::Value = serde_json::from_str(meta.get()).map_err(|_| invalid)?;
    if holds_nul(&value) || !numbers_within_numeric(meta.get()) {
        return Err(invalid);
    }
    Ok(meta.get().to_owned())
}

fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.contains('\0') || holds_nul(value)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_is_kept_as_sent_whatever_its_type_and_defaults_to_an_empty_object() {
        let meta = |body: &str| meta_of(body.as_bytes()).map_err(|e| e.code);
        assert_eq!(meta(""), Ok("{}".into()));
        assert_eq!(meta("  \n"), Ok("{}".into()));
        assert_eq!(meta("{}"), Ok("{}".into()));
        assert_eq!(meta(r#"{"meta": null}"#), Ok("{}".into()));
        assert_eq!(meta(r#"{"other": 1}"#), Ok("{}".into()));
        assert_eq!(
            meta(r#"{"meta": {"task": "x", "n": 1.50}}"#),
            Ok(r#"{"task": "x", "n": 1.50}"#.into())
        );
        assert_eq!(meta(r#"{"meta": [1, 2]}"#), Ok("[1, 2]".into()));
        assert_eq!(meta(r#"{"meta": "text"}"#), Ok(r#""text""#.into()));
        assert_eq!(meta(r#"{"meta": 5}"#), Ok("5".into()));
    }

    #[test]
    fn a_body_that_is_no_json_object_is_invalid_json() {
        for body in [
            "[1]",
            "\"meta\"",
            "5",
            "{",
            "not json",
            r#"{"meta": "a\u0000b"}"#,
        ] {
            assert_eq!(
                meta_of(body.as_bytes()).map_err(|e| e.code),
                Err("invalid_json"),
                "{body}"
            );
        }
        assert_eq!(
            meta_of(&[0xff, 0xfe]).map_err(|e| e.code),
            Err("invalid_json")
        );
    }
}
