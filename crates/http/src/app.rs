//! Building and starting the HTTP server.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header::{self, HeaderName};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, Resource};
use std::sync::Arc;

use otas_ports::HealthCheck;
use otas_use_cases::{
    Admission, AgentKeysUseCase, AuthenticateAgentUseCase, AuthenticateSdkKeyUseCase,
    CreateAgentUseCase, CreateSessionUseCase, ListAgentsUseCase, ListSdkKeysUseCase,
    ListSessionsUseCase, SdkKeysUseCase, VerifyAgentKeyUseCase,
};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::agents::{
    authenticate, create as agents_create, keys as agent_keys, list as agents_list,
};
use crate::error::ApiError;
use crate::fallback::{method_not_allowed, not_found};
use crate::listener::{self, Serving};
use crate::observe::{observe, REQUEST_ID};
use crate::openapi::ApiDoc;
use crate::probes;
use crate::sessions::create;
use crate::sessions::list;
use crate::state::AppState;

/// The paths of the session list: UASAM's, and the same without the trailing slash.
const SESSIONS_LIST: [&str; 2] = [
    "/api/agent/v1/sessions/list/",
    "/api/agent/v1/sessions/list",
];

/// What [`serve`] takes: how the HTTP layer behaves, in the types it
/// uses. The server builds it from its configuration (the `[http]` section,
/// its `HttpSettings`, with parts of `[server]` and `[database]`).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Origins a browser may call from (CORS), e.g. `http://localhost:5173`.
    pub allowed_origins: Vec<String>,
    /// actix worker threads.
    pub workers: usize,
    /// How long a request waits on the stores before `503` (a database that
    /// stops answering without closing its connections).
    pub store_deadline: std::time::Duration,
    /// The largest request body taken (session creation); beyond it, 413.
    pub max_body_bytes: usize,
    /// The most requests at the stores at once; beyond it, 503 at once.
    pub max_in_flight: usize,
    /// The most whole lists streamed at once (a stalled reader holds one);
    /// beyond it, a new whole list answers 503.
    pub max_streams: usize,
    /// The most bytes of response bodies held in memory until written,
    /// across every connection; beyond it, a new list answers 503.
    pub max_response_bytes_in_flight: usize,
    /// On SIGTERM or SIGINT: how long in-flight requests (streamed lists
    /// included) may take to finish once no new connection is accepted.
    pub shutdown_grace: std::time::Duration,
    /// A connection whose peer reads nothing for this long is closed (a
    /// stalled reader of a streamed list gives its place back).
    pub write_timeout: std::time::Duration,
    /// A request head must arrive within this long, else 408.
    pub request_head_timeout: std::time::Duration,
    /// A request body must arrive within this long, else 408 and the
    /// connection is closed.
    pub request_body_timeout: std::time::Duration,
}

/// What the routes call: the use cases, and the readiness check.
#[derive(Clone, Debug)]
pub struct Services {
    pub list_sessions: Arc<dyn ListSessionsUseCase>,
    pub create_session: Arc<dyn CreateSessionUseCase>,
    pub authenticate: Arc<dyn AuthenticateAgentUseCase>,
    /// `auth/verify`: whose agent key is this?
    pub verify_agent_key: Arc<dyn VerifyAgentKeyUseCase>,
    /// SDK `authenticate`: whose SDK key is this?
    pub authenticate_sdk_key: Arc<dyn AuthenticateSdkKeyUseCase>,
    /// The dashboard's list of a project's agents.
    pub list_agents: Arc<dyn ListAgentsUseCase>,
    /// An admin creates an agent and its first key.
    pub create_agent: Arc<dyn CreateAgentUseCase>,
    /// An admin issues and revokes agent keys.
    pub agent_keys: Arc<dyn AgentKeysUseCase>,
    /// An admin issues, revokes and lists the project's SDK keys.
    pub sdk_keys: Arc<dyn SdkKeysUseCase>,
    /// An admin's list of the project's SDK keys.
    pub list_sdk_keys: Arc<dyn ListSdkKeysUseCase>,
    /// The probe asks the store directly: readiness is no use case.
    pub health: Arc<dyn HealthCheck>,
    /// Renders every metric in Prometheus' text format (`GET /metrics`).
    pub metrics: MetricsText,
}

/// What `GET /metrics` answers: the recorder's text, rendered at each scrape
/// by whatever the binary installed (the http crate records, it does not
/// export).
#[derive(Clone)]
pub struct MetricsText(Arc<dyn Fn() -> String + Send + Sync>);

impl MetricsText {
    /// Metrics rendered by `render` at each scrape.
    pub fn new(render: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Self(Arc::new(render))
    }

    /// The text of every metric now.
    pub(crate) fn render(&self) -> String {
        (self.0)()
    }
}

/// By hand: a closure has no `Debug`.
impl std::fmt::Debug for MetricsText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsText").finish_non_exhaustive()
    }
}

/// The paths of session creation, with and without the trailing slash.
const SESSION_CREATE: [&str; 2] = [
    "/api/agent/v1/session/create/",
    "/api/agent/v1/session/create",
];

/// The paths of the authenticate call, with and without the trailing slash.
const USER_AUTHENTICATE: [&str; 2] = [
    "/api/agent/v1/user/authenticate/",
    "/api/agent/v1/user/authenticate",
];

/// The paths of `auth/verify`, with and without the trailing slash.
const AGENT_VERIFY: [&str; 2] = ["/api/agent/v1/auth/verify/", "/api/agent/v1/auth/verify"];

/// The paths of the SDK-key check, with and without the trailing slash.
const SDK_AUTHENTICATE: [&str; 2] = [
    "/api/project/v1/sdk/backend/key/authenticate/",
    "/api/project/v1/sdk/backend/key/authenticate",
];

/// The paths of the list of a project's agents, with and without the
/// trailing slash.
const AGENTS_LIST: [&str; 2] = ["/api/agent/v1/list/", "/api/agent/v1/list"];

/// The paths of agent creation, with and without the trailing slash.
const AGENT_CREATE: [&str; 2] = ["/api/agent/v1/create/", "/api/agent/v1/create"];

/// The paths of agent key create and revoke, with and without the trailing
/// slash.
const AGENT_KEY_CREATE: [&str; 2] = [
    "/api/agent/v1/agents/key/create/",
    "/api/agent/v1/agents/key/create",
];
/// The paths of the list of a project's SDK keys, with and without the
/// trailing slash.
const SDK_KEY_LIST: [&str; 2] = [
    "/api/project/v1/sdk/backend/key/list/",
    "/api/project/v1/sdk/backend/key/list",
];

/// The paths of SDK key create, with and without the trailing slash.
const SDK_KEY_CREATE: [&str; 2] = [
    "/api/project/v1/sdk/backend/key/create/",
    "/api/project/v1/sdk/backend/key/create",
];
/// The paths of SDK key revoke, with and without the trailing slash.
const SDK_KEY_REVOKE: [&str; 2] = [
    "/api/project/v1/sdk/backend/key/revoke/",
    "/api/project/v1/sdk/backend/key/revoke",
];
const AGENT_KEY_REVOKE: [&str; 2] = [
    "/api/agent/v1/agents/key/revoke/",
    "/api/agent/v1/agents/key/revoke",
];

/// Registers `paths`, a route's path with and without its trailing slash, as
/// one static resource each, built alike by `build` and named after the
/// first, so that the metrics count both as one route. (One resource of two
/// paths is a regex set, which actix runs on every request that reaches it
/// in the routing order: about 8 % of the server's CPU under `auth/verify`
/// in a `perf` profile of 2026-12-05; a static path is a string comparison.)
fn twins(
    paths: [&'static str; 2],
    build: impl Fn(Resource) -> Resource + 'static,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        for path in paths {
            config.service(build(web::resource(path).name(paths[0])));
        }
    }
}

/// Starts serving on `listener`. The returned server runs until it is
/// stopped or the process receives SIGINT/SIGTERM: then it stops accepting,
/// lets in-flight requests finish within `shutdown_grace`, and ends.
pub fn serve(
    listener: TcpListener,
    services: Services,
    settings: ServeOptions,
) -> std::io::Result<Server> {
    let state = web::Data::new(AppState {
        list_sessions: services.list_sessions,
        create_session: services.create_session,
        authenticate: services.authenticate,
        verify_agent_key: services.verify_agent_key,
        authenticate_sdk_key: services.authenticate_sdk_key,
        list_agents: services.list_agents,
        create_agent: services.create_agent,
        agent_keys: services.agent_keys,
        sdk_keys: services.sdk_keys,
        list_sdk_keys: services.list_sdk_keys,
        health: services.health,
        metrics: services.metrics,
        deadline: settings.store_deadline,
        requests: Admission::new(settings.max_in_flight),
        streams: list::streams(settings.max_streams),
        response_bytes: crate::bytes_in_flight::response_bytes(
            settings.max_response_bytes_in_flight,
        ),
    });
    let body_limits = crate::sessions::timed_body::BodyLimits {
        max_bytes: settings.max_body_bytes,
        timeout: settings.request_body_timeout,
    };
    let origins = settings.allowed_origins.clone();
    let serving = Serving {
        workers: settings.workers,
        shutdown_grace: settings.shutdown_grace,
        write_timeout: settings.write_timeout,
        request_head_timeout: settings.request_head_timeout,
    };
    listener::run(listener, serving, move || {
        App::new()
            .app_data(state.clone())
            .configure(twins(SESSIONS_LIST, move |resource| {
                resource
                    .route(web::get().to(list::list))
                    .route(web::head().to(list::list))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(options))
                    .default_service(web::to(method_not_allowed))
            }))
            .configure(twins(SESSION_CREATE, move |resource| {
                resource
                    .app_data(body_limits)
                    .route(web::post().to(create::create))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(USER_AUTHENTICATE, move |resource| {
                resource
                    .route(web::post().to(authenticate::authenticate))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(AGENT_VERIFY, move |resource| {
                resource
                    .route(web::post().to(crate::agents::verify::verify))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(AGENTS_LIST, move |resource| {
                resource
                    .route(web::get().to(agents_list::list))
                    .route(web::head().to(agents_list::list))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(options))
                    .default_service(web::to(method_not_allowed))
            }))
            .configure(twins(AGENT_CREATE, move |resource| {
                resource
                    .app_data(body_limits)
                    .route(web::post().to(agents_create::create))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(AGENT_KEY_CREATE, move |resource| {
                resource
                    .app_data(body_limits)
                    .route(web::post().to(agent_keys::create))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(SDK_AUTHENTICATE, move |resource| {
                resource
                    .route(web::post().to(crate::sdk_keys::authenticate::authenticate))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(AGENT_KEY_REVOKE, move |resource| {
                resource
                    .app_data(body_limits)
                    .route(web::post().to(agent_keys::revoke))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(SDK_KEY_CREATE, move |resource| {
                resource
                    .app_data(body_limits)
                    .route(web::post().to(crate::sdk_keys::create::create))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(SDK_KEY_REVOKE, move |resource| {
                resource
                    .app_data(body_limits)
                    .route(web::post().to(crate::sdk_keys::revoke::revoke))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(post_options))
                    .default_service(web::to(post_only))
            }))
            .configure(twins(SDK_KEY_LIST, move |resource| {
                resource
                    .route(web::get().to(crate::sdk_keys::list::list))
                    .route(web::head().to(crate::sdk_keys::list::list))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(options))
                    .default_service(web::to(method_not_allowed))
            }))
            .route("/healthz", web::get().to(probes::healthz))
            .route("/readyz", web::get().to(probes::readyz))
            .route("/metrics", web::get().to(probes::metrics))
            .route("/docs", web::get().to(crate::docs::to_docs))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api/openapi.json", ApiDoc::openapi()))
            .default_service(web::to(not_found))
            .wrap(cors(&origins))
            .wrap(from_fn(observe))
    })
}

/// An `OPTIONS` that is not a CORS preflight: what the path allows.
async fn options() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ALLOW, "GET, HEAD, OPTIONS"))
        .finish()
}

/// The request headers a preflight may name: those UASAM accepts (so that
/// no client UASAM served is refused), and the conditional and tracing ones.
const PREFLIGHT_HEADERS: [&str; 16] = [
    "accept",
    "accept-encoding",
    "authorization",
    "content-type",
    "dnt",
    "origin",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
    "x-otas-user-token",
    "x-otas-agent-key",
    "x-otas-agent-session-key",
    "x-otas-sdk-key",
    "x-otas-project-id",
    "if-none-match",
    "x-request-id",
];

/// An `OPTIONS` on a path that takes `POST`.
async fn post_options() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ALLOW, "POST, OPTIONS"))
        .finish()
}

/// A path that takes `POST`, asked with another method.
async fn post_only() -> Result<HttpResponse, ApiError> {
    Err(ApiError::POST_ONLY)
}

/// CORS for the browser dashboard: `GET` and `POST` with the OTAS headers,
/// from the configured origins; `*` allows any origin, answered with a
/// wildcard `Access-Control-Allow-Origin` and never with credentials (as
/// UASAM's `CORS_ALLOW_ALL_ORIGINS`): tokens travel in headers a page must
/// set itself, never in cookies a browser would add on its own.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "OPTIONS"])
        .allowed_headers(PREFLIGHT_HEADERS.map(HeaderName::from_static))
        .expose_headers([header::ETAG, REQUEST_ID])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin().send_wildcard()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}
