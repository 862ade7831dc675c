//! `POST /api/agent/v1/create/`: an admin creates an agent and its first
//! key, as UASAM's `AgentCreateView` answers (`201 agent_created`, the raw
//! key shown once as `api_key`).

use actix_web::{web, HttpRequest, HttpResponse};
use otas_use_cases::{AgentDraft, CreateAgentRequest, CreatedAgent, CreatedKey};
use serde::Serialize;
use utoipa::ToSchema;

use crate::agents::body::{object, text};
use crate::blocking::{admit, blocking_holding};
use crate::envelope::{Envelope, NoPayload, Response};
use crate::error::ApiError;
use crate::sessions::request::header_text;
use crate::sessions::timed_body::TimedBody;
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/api/agent/v1/create/",
    tag = "agents",
    params(
        ("X-OTAS-USER-TOKEN" = String, Header, description = "The admin's JWT"),
        ("X-OTAS-PROJECT-ID" = String, Header, description = "The project's id"),
    ),
    // The body is read by hand (`draft_of`), so no type describes it.
    request_body(
        content = Object,
        description = "agent_name and agent_provider (non-empty strings), agent_description (a string, default empty); each trimmed",
        example = json!({"agent_name": "summarizer", "agent_description": "reads the inbox", "agent_provider": "anthropic"})
    ),
    responses(
        (status = 201, description = "The agent and its first key, valid 30 days; `api_key` is shown this once (`agent_created`)", body = Envelope<Response<AgentCreatedJson>>),
        (status = 400, description = "missing_headers, or agent_creation_failed: the body is no JSON object describing an agent", body = Envelope<NoPayload>),
        (status = 401, body = Envelope<NoPayload>),
        (status = 403, description = "user_project_mapping_invalid, or forbidden: not an admin of the project", body = Envelope<NoPayload>),
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
    let request = CreateAgentRequest {
        user_token: header_text(&req, "x-otas-user-token"),
        project_id: header_text(&req, "x-otas-project-id"),
        // A body that describes no agent is answered after the access checks.
        agent: draft_of(&body),
    };
    let use_case = state.create_agent.clone();
    let created = blocking_holding(admitted, state.deadline, move || {
        Ok(use_case.create(request)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(Envelope::success(
        "agent_created",
        Response {
            response: AgentCreatedJson::from(created),
        },
    )))
}

/// The agent the body describes, trimmed, or `None`.
fn draft_of(body: &[u8]) -> Option<AgentDraft> {
    let fields = object(body)?;
    let description = match fields.get("agent_description") {
        None => "",
        // Any string, the empty one included; no U+0000.
        Some(value) => value.as_str().filter(|text| !text.contains('\0'))?,
    };
    Some(AgentDraft {
        name: text(&fields, "agent_name")?.trim().to_owned(),
        description: description.trim().to_owned(),
        provider: text(&fields, "agent_provider")?.trim().to_owned(),
    })
}

/// The `response` of a `201`, in UASAM's keys and order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AgentCreatedJson {
    agent: CreatedAgentJson,
    agent_key: CreatedAgentKeyJson,
}

/// The agent created.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedAgentJson {
    #[schema(format = "uuid")]
    id: String,
    name: String,
    description: String,
    provider: String,
    #[schema(format = "uuid")]
    project_id: String,
    #[schema(format = "uuid")]
    created_by: String,
    /// UTC, six fractional digits, `+00:00`.
    created_at: String,
}

/// The agent's first key, with the key itself, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedAgentKeyJson {
    #[schema(format = "uuid")]
    id: String,
    prefix: String,
    /// `agent_<prefix>_<secret>`: shown once, never stored.
    api_key: String,
    #[schema(format = "uuid")]
    agent_id: String,
    /// UTC, six fractional digits, `+00:00`.
    created_at: String,
    /// 30 days after `created_at`.
    expires_at: String,
    active: bool,
}

impl From<CreatedAgent> for AgentCreatedJson {
    fn from(created: CreatedAgent) -> Self {
        let agent = created.agent;
        Self {
            agent_key: CreatedAgentKeyJson::from(created.key),
            agent: CreatedAgentJson {
                id: agent.id.to_string(),
                name: agent.name,
                description: agent.description,
                provider: agent.provider,
                project_id: agent.project.to_string(),
                created_by: agent.created_by.to_string(),
                created_at: agent.created_at.to_string(),
            },
        }
    }
}

impl From<CreatedKey> for CreatedAgentKeyJson {
    fn from(key: CreatedKey) -> Self {
        Self {
            id: key.row.id.to_string(),
            prefix: key.row.prefix,
            api_key: key.raw.expose().to_owned(),
            agent_id: key.row.agent.to_string(),
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
    fn a_body_describes_an_agent_as_uasam_reads_it() {
        let draft = |body: &str| draft_of(body.as_bytes());
        assert_eq!(
            draft(r#"{"agent_name": " a ", "agent_provider": "p", "agent_description": " d "}"#),
            Some(AgentDraft {
                name: "a".into(),
                description: "d".into(),
                provider: "p".into()
            })
        );
        assert_eq!(
            draft(r#"{"agent_name": "a", "agent_provider": "p", "agent_description": ""}"#)
                .map(|d| d.description),
            Some(String::new())
        );
        assert_eq!(
            draft(r#"{"agent_name": "a", "agent_provider": "p"}"#).map(|d| d.description),
            Some(String::new())
        );
        for body in [
            "",
            "[]",
            "{",
            r#"{"agent_provider": "p"}"#,
            r#"{"agent_name": "", "agent_provider": "p"}"#,
            r#"{"agent_name": "a"}"#,
            r#"{"agent_name": 5, "agent_provider": "p"}"#,
            r#"{"agent_name": "a", "agent_provider": "p", "agent_description": null}"#,
            r#"{"agent_name": "a", "agent_provider": "p", "agent_description": 5}"#,
            r#"{"agent_name": "a\u0000", "agent_provider": "p"}"#,
        ] {
            assert_eq!(draft(body), None, "{body}");
        }
    }
}
