//! What every handler shares.

use std::sync::Arc;

use otas_ports::HealthCheck;
use otas_use_cases::{
    Admission, AgentKeysUseCase, AuthenticateAgentUseCase, AuthenticateSdkKeyUseCase,
    CreateAgentUseCase, CreateSessionUseCase, ListAgentsUseCase, ListSdkKeysUseCase,
    ListSessionsUseCase, SdkKeysUseCase, VerifyAgentKeyUseCase,
};

/// The use cases (and the readiness check) the routes call.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) list_sessions: Arc<dyn ListSessionsUseCase>,
    pub(crate) create_session: Arc<dyn CreateSessionUseCase>,
    pub(crate) authenticate: Arc<dyn AuthenticateAgentUseCase>,
    pub(crate) verify_agent_key: Arc<dyn VerifyAgentKeyUseCase>,
    pub(crate) authenticate_sdk_key: Arc<dyn AuthenticateSdkKeyUseCase>,
    pub(crate) list_agents: Arc<dyn ListAgentsUseCase>,
    pub(crate) create_agent: Arc<dyn CreateAgentUseCase>,
    pub(crate) agent_keys: Arc<dyn AgentKeysUseCase>,
    pub(crate) sdk_keys: Arc<dyn SdkKeysUseCase>,
    pub(crate) list_sdk_keys: Arc<dyn ListSdkKeysUseCase>,
    pub(crate) health: Arc<dyn HealthCheck>,
    /// Renders every metric in Prometheus' text format.
    pub(crate) metrics: crate::app::MetricsText,
    /// How long a request waits on the stores before `503`.
    pub(crate) deadline: std::time::Duration,
    /// The bound on requests at the stores at once (`http.max_in_flight`).
    pub(crate) requests: Admission,
    /// The bound on whole lists being streamed at once (`http.max_streams`).
    pub(crate) streams: Admission,
    /// The bound on response bytes held until written
    /// (`http.max_response_bytes_in_flight`), weighted in bytes.
    pub(crate) response_bytes: Admission,
}
