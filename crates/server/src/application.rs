//! The service, assembled: configuration in, a listening HTTP server out.
//! The binary's `serve` runs it; tests start it in-process.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use anyhow::Context;
use otas_auth_adapter::{
    DjangoKeyHasher, DjangoKeyIssuer, HmacCursorCodec, JwtSessionTokenIssuer, JwtUserTokenVerifier,
};
use otas_http::{ServeOptions, Services};
use otas_use_cases::{
    AgentAdminPorts, AgentKeys, AuthenticateAgent, AuthenticateSdkKey, AuthenticateSdkKeyPorts,
    CreateAgent, CreateSession, CreateSessionPorts, IssuingBudget, IssuingTurns, KeyVerification,
    KeyVerifier, ListAgents, ListSdkKeys, ListSessions, SdkKeys, VerifyAgentKey,
    VerifyAgentKeyPorts,
};

use crate::clock::SystemClock;
use crate::settings::AgentKeySettings;

use crate::settings::Settings;
use crate::stores::{self, Stores};

/// The HTTP server over the configured stores, bound and ready to run.
pub struct Application {
    server: Server,
    address: SocketAddr,
    workers: usize,
    store: &'static str,
}

/// By hand: actix's `Server` has no `Debug`.
impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("address", &self.address)
            .field("workers", &self.workers)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Passes the gate ([`crate::gate::problems`]: refuses with every
    /// problem at once, the same list `check-config` prints), applies the
    /// migrations when `database.migrate_on_start` asks, builds
    /// the adapters, the use case and the HTTP server, and binds the port.
    /// Nothing is served until [`Application::run`].
    ///
    /// Call it inside an actix or tokio runtime: the server's workers start
    /// with it.
    pub fn build(settings: &Settings) -> anyhow::Result<Self> {
        let (problems, database) = crate::gate::problems(settings);
        if !problems.is_empty() {
            return Err(crate::gate::Refusal(problems).into());
        }
        crate::safety::warn(settings);
        if let Some(crate::gate::DatabaseState::DoesNotAnswer(reason)) = &database {
            tracing::warn!(
                %reason,
                "the database does not answer yet: every call answers 503 until it does"
            );
        }
        let secrets = settings.auth.secrets()?;
        let verifier = JwtUserTokenVerifier::new(&secrets)?;
        let current = settings.auth.signing_secret()?;
        let cursors = HmacCursorCodec::from_secret(&current);
        let store = settings.database.store()?;
        if settings.database.migrate_on_start {
            stores::migrate(&store, false)?;
        }
        // The recorder first: the stores record from their first check on.
        let metrics = crate::metrics::renderer();
        let stores = Stores::open(&store)?;
        stores::check_indexes_in_background(&store);
        let verifier: Arc<dyn otas_ports::TokenVerifier> = Arc::new(verifier);
        let list_sessions = ListSessions::new(
            verifier.clone(),
            stores.access.clone(),
            stores.sessions,
            Arc::new(cursors),
            settings.http.list_batch_size,
        )
        .with_max_page_bytes(settings.http.max_page_bytes);
        let list_agents = ListAgents::new(
            verifier.clone(),
            stores.access.clone(),
            stores.agent_catalog,
        );
        let list_sdk_keys = ListSdkKeys::new(
            verifier.clone(),
            stores.access.clone(),
            stores.sdk_key_catalog,
        );
        let admin = AgentAdminPorts {
            tokens: verifier.clone(),
            access: stores.access.clone(),
            issuer: Arc::new(DjangoKeyIssuer::new()),
            clock: Arc::new(SystemClock),
        };
        let issuing = IssuingTurns::new(issuing_budget(&settings.agent_keys));
        let agent_keys = AgentKeys::new(admin.clone(), stores.agent_key_writer, issuing.clone());
        let sdk_keys = SdkKeys::new(admin.clone(), stores.sdk_key_writer, issuing.clone());
        let create_agent = CreateAgent::new(admin, stores.agent_writer, issuing);
        let authenticate = AuthenticateAgent::new(verifier, stores.access, stores.agents);
        // One verifier of agent and SDK keys: one cache, one PBKDF2 budget.
        let key_verifier = Arc::new(KeyVerifier::new(
            Arc::new(DjangoKeyHasher::new(random_key())),
            key_verification(&settings.agent_keys),
        ));
        let create_session = CreateSession::new(
            CreateSessionPorts {
                keys: stores.agent_keys.clone(),
                sessions: stores.session_writer,
                tokens: Arc::new(JwtSessionTokenIssuer::new(&current)?),
                clock: Arc::new(SystemClock),
            },
            key_verifier.clone(),
        );
        let verify_agent_key = VerifyAgentKey::new(
            VerifyAgentKeyPorts {
                keys: stores.agent_keys,
                clock: Arc::new(SystemClock),
            },
            key_verifier.clone(),
        );
        let authenticate_sdk_key = AuthenticateSdkKey::new(
            AuthenticateSdkKeyPorts {
                keys: stores.sdk_keys,
                clock: Arc::new(SystemClock),
            },
            key_verifier,
        );

        let server = &settings.server;
        let listener = TcpListener::bind((server.host.as_str(), server.port))
            .with_context(|| format!("cannot listen on {}:{}", server.host, server.port))?;
        let address = listener.local_addr()?;
        let workers = match server.workers {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        };
        let http = ServeOptions {
            allowed_origins: server.cors_origins()?,
            workers,
            max_body_bytes: settings.http.max_body_bytes,
            max_streams: settings.http.max_streams,
            max_response_bytes_in_flight: settings.http.max_response_bytes_in_flight,
            max_in_flight: match settings.http.max_in_flight {
                0 => usize::try_from(settings.database.max_connections.max(1))
                    .unwrap_or(1)
                    .saturating_mul(16),
                n => n,
            },
            // A statement may run its whole timeout after waiting its whole
            // turn for a connection; past both, the database is not answering.
            store_deadline: std::time::Duration::from_millis(
                settings
                    .database
                    .connection_timeout_ms
                    .saturating_add(settings.database.statement_timeout_ms)
                    .saturating_add(500),
            ),
            shutdown_grace: std::time::Duration::from_secs(server.shutdown_grace_seconds),
            write_timeout: settings.http.write_timeout()?,
            request_head_timeout: settings.http.request_head_timeout()?,
            request_body_timeout: settings.http.request_body_timeout()?,
        };
        let services = Services {
            list_sessions: Arc::new(list_sessions),
            create_session: Arc::new(create_session),
            authenticate: Arc::new(authenticate),
            verify_agent_key: Arc::new(verify_agent_key),
            authenticate_sdk_key: Arc::new(authenticate_sdk_key),
            list_agents: Arc::new(list_agents),
            create_agent: Arc::new(create_agent),
            agent_keys: Arc::new(agent_keys),
            sdk_keys: Arc::new(sdk_keys),
            list_sdk_keys: Arc::new(list_sdk_keys),
            health: stores.health,
            metrics,
        };
        let server = otas_http::serve(listener, services, http)?;
        Ok(Self {
            server,
            address,
            workers,
            store: store.kind(),
        })
    }

    /// Where it listens (the port the system chose when configured with 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A handle that stops the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (by its handle, or SIGINT/SIGTERM).
    pub async fn run(self) -> std::io::Result<()> {
        let address = self.address;
        tracing::info!(
            %address,
            workers = self.workers,
            store = self.store,
            "listening on http://{address}"
        );
        self.server.await
    }
}

/// 32 random bytes from the system's generator (through UUID v4s), for the
/// fingerprints of verified keys: never stored, never sent.
fn random_key() -> [u8; 32] {
    let mut key = [0; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

fn key_verification(settings: &AgentKeySettings) -> KeyVerification {
    let concurrent = match settings.concurrent_verifications {
        0 => std::thread::available_parallelism().map_or(2, usize::from),
        n => n,
    };
    KeyVerification {
        cache_expiry: std::time::Duration::from_secs(settings.cache_expiry_seconds),
        cache_max_age: std::time::Duration::from_secs(settings.cache_max_age_seconds),
        cache_capacity: settings.cache_capacity,
        concurrent,
        waiting: settings.verification_waiters,
        patience: std::time::Duration::from_millis(settings.verification_wait_ms),
        failures_allowed: settings.failures_per_window,
        failure_window: std::time::Duration::from_secs(settings.failure_window_seconds),
    }
}

/// Keys are issued one at a time (an admin's rare act), with as many
/// waiters, as patient, as key verification allows: a budget apart from the
/// verifications', so that issuing never takes an agent's turn.
fn issuing_budget(settings: &AgentKeySettings) -> IssuingBudget {
    IssuingBudget {
        concurrent: 1,
        waiting: settings.verification_waiters,
        patience: std::time::Duration::from_millis(settings.verification_wait_ms),
    }
}
