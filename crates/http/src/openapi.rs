//! The OpenAPI 3.1 document of this service, generated from the code
//! (utoipa): served at `GET /api/openapi.json`, with an interactive page at
//! `/docs` from vendored assets. The paths are annotated on the handlers,
//! and their answers' schemas are the types the handlers write (`Envelope`
//! and each payload), collected from those annotations. The end-to-end tests
//! validate real answers against it, so it cannot drift from what the
//! server answers.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "otas-server",
        description = "The OTAS agent-session API (UASAM's, in Rust). Every answer is UASAM's envelope: `status` 1 and a `status_description` saying what happened, or `status` 0 and the error's code. Authorize once with a user token and a project id (the dashboard's calls) or an agent key (an agent's calls). The examples are the demo data that `otas-server seed-demo` loads."
    ),
    modifiers(&CredentialHeaders),
    paths(
        crate::sessions::list::list,
        crate::sessions::create::create,
        crate::agents::authenticate::authenticate,
        crate::agents::verify::verify,
        crate::sdk_keys::authenticate::authenticate,
        crate::agents::list::list,
        crate::agents::create::create,
        crate::agents::keys::create,
        crate::agents::keys::revoke,
        crate::sdk_keys::create::create,
        crate::sdk_keys::revoke::revoke,
        crate::sdk_keys::list::list,
        crate::probes::healthz,
        crate::probes::readyz,
    )
)]
pub(crate) struct ApiDoc;

/// The credentials, each a header, declared once as security schemes so that
/// the interactive page's one Authorize fills them for every call.
#[derive(Debug)]
struct CredentialHeaders;

/// The scheme names the handlers' `security(...)` use.
pub(crate) const USER_TOKEN: &str = "user_token";
pub(crate) const PROJECT_ID: &str = "project_id";
pub(crate) const AGENT_KEY: &str = "agent_key";

impl Modify for CredentialHeaders {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, header, description) in [
            (
                USER_TOKEN,
                "X-OTAS-USER-TOKEN",
                "The user's JWT, as UASAM's login issues it (HS256)",
            ),
            (
                PROJECT_ID,
                "X-OTAS-PROJECT-ID",
                "The project's id, e.g. de300000-0000-4000-8000-000000000002 (the demo project)",
            ),
            (
                AGENT_KEY,
                "X-OTAS-AGENT-KEY",
                "The agent's key, agent_<prefix>_<secret>",
            ),
        ] {
            components.add_security_scheme(
                name,
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    header,
                    description,
                ))),
            );
        }
    }
}
