//! The orchestrator's probes: `GET /healthz` (the process answers; no
//! database call) and `GET /readyz` (a pooled connection answers within its
//! timeout). Both answer in UASAM's envelope; neither is logged at info.

use actix_web::{web, HttpResponse};

use crate::blocking::blocking;
use crate::envelope::{Envelope, NoPayload};
use crate::error::ApiError;
use crate::state::AppState;

/// The paths of the probes and the metrics, which the request log keeps at
/// debug level.
pub(crate) const PROBE_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The Prometheus text of every metric.
pub(crate) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let text = state.metrics.render();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}

/// Alive: the process serves HTTP.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process serves HTTP (`alive`)", body = Envelope<NoPayload>)))]
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Envelope::success("alive", NoPayload {}))
}

/// Ready: the store answered a ping now. Cost: one pooled round trip.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "A pooled connection answers (`ready`)", body = Envelope<NoPayload>),
        (status = 503, description = "`service_unavailable`", body = Envelope<NoPayload>),
    ))]
pub(crate) async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let health = state.health.clone();
    let answered = blocking(state.deadline, move || Ok(health.ping())).await?;
    match answered {
        Ok(()) => Ok(HttpResponse::Ok().json(Envelope::success("ready", NoPayload {}))),
        Err(error) => {
            // Probes come every few seconds: the outage is logged by the requests.
            tracing::debug!(%error, "not ready: the store does not answer");
            Err(ApiError::SERVICE_UNAVAILABLE)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use actix_web::http::StatusCode;
    use actix_web::{test, web, App};
    use otas_ports::{MockHealthCheck, StoreError};
    use otas_use_cases::MockListSessionsUseCase;
    use serde_json::{json, Value};

    use super::*;

    async fn probe(path: &str, health: MockHealthCheck) -> (StatusCode, Value) {
        let state = web::Data::new(AppState {
            list_sessions: Arc::new(MockListSessionsUseCase::new()),
            create_session: Arc::new(otas_use_cases::MockCreateSessionUseCase::new()),
            authenticate: Arc::new(otas_use_cases::MockAuthenticateAgentUseCase::new()),
            verify_agent_key: Arc::new(otas_use_cases::MockVerifyAgentKeyUseCase::new()),
            authenticate_sdk_key: Arc::new(otas_use_cases::MockAuthenticateSdkKeyUseCase::new()),
            list_agents: Arc::new(otas_use_cases::MockListAgentsUseCase::new()),
            create_agent: Arc::new(otas_use_cases::MockCreateAgentUseCase::new()),
            agent_keys: Arc::new(otas_use_cases::MockAgentKeysUseCase::new()),
            sdk_keys: Arc::new(otas_use_cases::MockSdkKeysUseCase::new()),
            list_sdk_keys: Arc::new(otas_use_cases::MockListSdkKeysUseCase::new()),
            health: Arc::new(health),
            metrics: crate::app::MetricsText::new(String::new),
            deadline: std::time::Duration::from_secs(5),
            requests: otas_use_cases::Admission::new(8),
            streams: otas_use_cases::Admission::new(8),
            response_bytes: otas_use_cases::Admission::new(1 << 30),
        });
        let app = test::init_service(
            App::new()
                .app_data(state)
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(readyz)),
        )
        .await;
        let response =
            test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
        let status = response.status();
        let body: Value = test::read_body_json(response).await;
        (status, body)
    }

    #[actix_web::test]
    async fn alive_asks_nothing_of_the_store() {
        // The mock panics if it is asked.
        let (status, body) = probe("/healthz", MockHealthCheck::new()).await;

        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({"status": 1, "status_description": "alive"}));
    }

    #[actix_web::test]
    async fn ready_only_when_the_store_answers() {
        let mut answering = MockHealthCheck::new();
        answering.expect_ping().times(1).returning(|| Ok(()));
        let mut down = MockHealthCheck::new();
        down.expect_ping()
            .times(1)
            .returning(|| Err(StoreError::Unavailable("connection refused".into())));

        let (ready, ready_body) = probe("/readyz", answering).await;
        let (not_ready, not_ready_body) = probe("/readyz", down).await;

        assert_eq!(ready, StatusCode::OK);
        assert_eq!(
            ready_body,
            json!({"status": 1, "status_description": "ready"})
        );
        assert_eq!(not_ready, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            not_ready_body,
            json!({"status": 0, "status_description": "service_unavailable"})
        );
    }
}
