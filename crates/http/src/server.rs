//! Building and starting the HTTP server.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header::{self, HeaderName};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use otas_ports::ListSessions;

use crate::fallback::{method_not_allowed, not_found};
use crate::observe::{observe, REQUEST_ID};
use crate::sessions::list;

/// The paths of the session list: UASAM's, and the same without the trailing slash.
const SESSIONS_LIST: [&str; 2] = [
    "/api/agent/v1/sessions/list/",
    "/api/agent/v1/sessions/list",
];

/// How the HTTP layer behaves.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Origins a browser may call from (CORS), e.g. `http://localhost:5173`.
    pub allowed_origins: Vec<String>,
    /// Sessions read from the store per round trip when writing a whole list.
    pub list_batch_size: usize,
    /// actix worker threads.
    pub workers: usize,
}

/// What every handler shares.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) list_sessions: ListSessions,
    pub(crate) list_batch_size: usize,
}

/// Starts serving on `listener`. The returned server runs until it is
/// stopped or the process receives SIGINT/SIGTERM (then it drains).
pub fn serve(
    listener: TcpListener,
    list_sessions: ListSessions,
    settings: HttpSettings,
) -> std::io::Result<Server> {
    let state = web::Data::new(AppState {
        list_sessions,
        list_batch_size: settings.list_batch_size.max(1),
    });
    let origins = settings.allowed_origins.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .service(
                web::resource(SESSIONS_LIST)
                    .route(web::get().to(list::list))
                    .route(web::head().to(list::list))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(options))
                    .default_service(web::to(method_not_allowed)),
            )
            .default_service(web::to(not_found))
            .wrap(cors(&origins))
            .wrap(from_fn(observe))
    })
    .workers(settings.workers.max(1))
    .listen(listener)?
    .run();
    Ok(server)
}

/// An `OPTIONS` that is not a CORS preflight: what the path allows.
async fn options() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ALLOW, "GET, HEAD, OPTIONS"))
        .finish()
}

/// CORS for the browser dashboard: `GET` with the OTAS headers, from the
/// configured origins only.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "OPTIONS"])
        .allowed_headers([
            HeaderName::from_static("x-otas-user-token"),
            HeaderName::from_static("x-otas-project-id"),
            header::IF_NONE_MATCH,
            header::CONTENT_TYPE,
            REQUEST_ID,
        ])
        .expose_headers([header::ETAG, REQUEST_ID])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}
