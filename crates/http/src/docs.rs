//! `/docs` without its slash: Swagger UI is served under `/docs/`, and a
//! browser given the bare path is sent there rather than answered 404.

use actix_web::http::header;
use actix_web::HttpResponse;

/// `308` to `docs/`, relative so that it holds behind a proxy that mounts
/// the service under a prefix (Swagger UI's own relative links need the
/// slash).
pub(crate) async fn to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "docs/"))
        .finish()
}
