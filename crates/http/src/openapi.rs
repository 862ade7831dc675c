//! The OpenAPI 3.1 document of this service, generated from the code
//! (utoipa): served at `GET /api/openapi.json`, with an interactive page at
//! `/docs` from vendored assets. The paths are annotated on the handlers,
//! and their answers' schemas are the types the handlers write (`Envelope`
//! and each payload), collected from those annotations. The end-to-end tests
//! validate real answers against it, so it cannot drift from what the
//! server answers.

use utoipa::OpenApi;

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
        crate::agents::list::list,
        crate::agents::create::create,
        crate::agents::keys::create,
        crate::agents::keys::revoke,
        crate::probes::healthz,
        crate::probes::readyz,
    )
)]
pub(crate) struct ApiDoc;
