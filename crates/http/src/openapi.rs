//! The OpenAPI 3.1 document of this service, generated from the code
//! (utoipa): served at `GET /api/openapi.json`, with an interactive page at
//! `/docs` from vendored assets. The end-to-end tests validate real answers
//! against it, so it cannot drift from what the server answers.

#![allow(dead_code)] // The schema types are documentation, never built.

use utoipa::{OpenApi, ToSchema};

/// Every error answer: `status` 0 and a code clients switch on.
#[derive(ToSchema)]
pub(crate) struct ErrorEnvelope {
    /// Always 0.
    status: u8,
    /// The error's code, e.g. `invalid_token`.
    status_description: String,
}

/// One session, as listed.
#[derive(ToSchema)]
pub(crate) struct SessionJson {
    #[schema(format = "uuid")]
    id: String,
    /// `null` once the session's key was deleted.
    #[schema(format = "uuid", required = true)]
    agent_key_id: Option<String>,
    /// UTC, six fractional digits, `+00:00`.
    created_at: String,
    /// Whatever JSON value the agent sent.
    meta: serde_json::Value,
}

/// The listing.
#[derive(ToSchema)]
pub(crate) struct ListResponse {
    #[schema(format = "uuid")]
    agent_id: String,
    sessions: Vec<SessionJson>,
    /// With `limit`: whether more sessions follow (also when the page ended
    /// early at the byte bound, holding fewer than `limit` sessions).
    has_more: Option<bool>,
    /// With `limit`: the cursor of the next page, or `null`.
    next_cursor: Option<String>,
    /// With `include_total=true`: how many sessions the filters keep.
    total: Option<u64>,
}

/// `200` of the listing.
#[derive(ToSchema)]
pub(crate) struct SessionsListed {
    /// Always 1.
    status: u8,
    /// `agent_sessions_listed`.
    status_description: String,
    response: ListResponse,
}

/// The token of a session opened.
#[derive(ToSchema)]
pub(crate) struct CreatedResponse {
    /// `X-OTAS-AGENT-SESSION-TOKEN`.
    #[schema(rename = "Header_value")]
    header_value: String,
    jwt_token: String,
}

/// `200` of session creation.
#[derive(ToSchema)]
pub(crate) struct SessionCreated {
    status: u8,
    /// `agent_session_created`.
    status_description: String,
    response: CreatedResponse,
}

/// An agent, as the authenticate call names it.
#[derive(ToSchema)]
pub(crate) struct AgentJson {
    #[schema(format = "uuid")]
    id: String,
    name: String,
    #[schema(format = "uuid")]
    project_id: String,
}

/// `200` of the authenticate call (`agent` at the top level, as UASAM).
#[derive(ToSchema)]
pub(crate) struct Authenticated {
    status: u8,
    /// `authenticated`.
    status_description: String,
    agent: AgentJson,
}

/// The body of session creation.
#[derive(ToSchema)]
pub(crate) struct CreateBody {
    /// Any JSON value; missing or `null` mean `{}`.
    meta: Option<serde_json::Value>,
}

/// `200` of a probe.
#[derive(ToSchema)]
pub(crate) struct ProbeAnswer {
    status: u8,
    /// `alive` or `ready`.
    status_description: String,
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "otas-server",
        description = "The OTAS agent-session API (UASAM's, in Rust)"
    ),
    paths(
        crate::sessions::list::list,
        crate::sessions::create::create,
        crate::agents::authenticate::authenticate,
        crate::probes::healthz,
        crate::probes::readyz,
    ),
    components(schemas(
        ErrorEnvelope,
        SessionJson,
        ListResponse,
        SessionsListed,
        CreatedResponse,
        SessionCreated,
        AgentJson,
        Authenticated,
        CreateBody,
        ProbeAnswer
    ))
)]
pub(crate) struct ApiDoc;
