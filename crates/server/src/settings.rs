//! Configuration: `config/default.toml` (compiled in: the one place where
//! defaults live), then that file and `config/<OTAS_ENV>.toml` from
//! `OTAS_CONFIG_DIR`, then `DATABASE_URL` / `JWT_SECRET` (UASAM's names),
//! then `OTAS__SECTION__KEY` variables. Later sources win.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use config::builder::DefaultState;
use config::{Config, ConfigBuilder, Environment, File, FileFormat};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Every setting of the service.
#[derive(Debug, Deserialize)]
pub struct Settings {
    /// `production` makes unsafe settings fatal (see [`crate::safety`]).
    pub environment: String,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub http: HttpLayerSettings,
    pub agent_keys: AgentKeySettings,
    pub log: LogSettings,
}

/// How agent keys are verified.
#[derive(Debug, Deserialize)]
pub struct AgentKeySettings {
    pub cache_expiry_seconds: u64,
    pub cache_capacity: usize,
    /// 0: one per CPU core.
    pub concurrent_verifications: usize,
    pub verification_wait_ms: u64,
}

#[derive(Debug, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// 0: one per CPU core.
    pub workers: usize,
    pub cors_allowed_origins: Vec<String>,
    /// How long in-flight requests may take to finish on shutdown.
    pub shutdown_grace_seconds: u64,
}

#[derive(Debug, Deserialize)]
pub struct DatabaseSettings {
    /// `postgres://…` selects PostgreSQL, `sqlite://…` or `file:…` a SQLite
    /// file; unset: the SQLite file at `sqlite_path`. Holds the password: a
    /// secret, never printed.
    pub url: Option<SecretString>,
    /// The SQLite file used when no URL is configured.
    pub sqlite_path: String,
    /// How long a SQLite statement waits for another one's lock.
    pub busy_timeout_ms: u64,
    pub max_connections: u32,
    pub min_idle: u32,
    pub connection_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub migrate_on_start: bool,
    /// PostgreSQL streaming replicas for reads, comma-separated URLs (a
    /// comma inside one is written `%2C`). Hold passwords: never printed.
    pub replica_urls: Option<SecretString>,
    /// A replica whose replay is further behind than this serves no read.
    pub replica_max_lag_ms: u64,
    /// How often each replica's health and lag are checked.
    pub replica_check_ms: u64,
}

/// The PostgreSQL replicas reads may use, and how they are chosen.
#[derive(Debug)]
pub struct Replicas {
    pub pools: Vec<otas_postgres_adapter::PoolSettings>,
    pub routing: otas_postgres_adapter::RoutingSettings,
}

/// Which store the configuration selects, with its settings.
#[derive(Debug)]
pub enum StoreChoice {
    /// The primary, and the streaming replicas reads may use.
    Postgres(otas_postgres_adapter::PoolSettings, Replicas),
    Sqlite(otas_sqlite_adapter::SqliteSettings),
}

impl StoreChoice {
    /// `postgres` or `sqlite`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Postgres(..) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }

    /// Where the store is, with any password masked: safe to print.
    pub fn location(&self) -> String {
        match self {
            Self::Postgres(settings, replicas) if replicas.pools.is_empty() => {
                masked_url(&settings.url)
            }
            Self::Postgres(settings, replicas) => format!(
                "{} (reads: {})",
                masked_url(&settings.url),
                replicas
                    .pools
                    .iter()
                    .map(|replica| masked_url(&replica.url))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::Sqlite(settings) => settings.path_or_url.clone(),
        }
    }
}

/// A database URL with every password masked: in its user part and in any
/// query parameter whose name holds `password` (`?password=…`,
/// `sslpassword=…`).
pub fn masked_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else {
        return "<malformed>".to_owned();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let secret = key.to_ascii_lowercase().contains("password");
                let value = if secret {
                    "***".to_owned()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

impl DatabaseSettings {
    /// The store the configuration selects. Refuses a malformed URL with a
    /// reason that names no part of it (it may hold a password).
    pub fn store(&self) -> anyhow::Result<StoreChoice> {
        let connection_timeout = Duration::from_millis(self.connection_timeout_ms);
        let sqlite = |path_or_url: &str| -> anyhow::Result<StoreChoice> {
            if otas_sqlite_adapter::validate_path_or_url(path_or_url).is_err() {
                bail!("the SQLite database path is malformed: expected a file path, sqlite://path or file:path");
            }
            Ok(StoreChoice::Sqlite(otas_sqlite_adapter::SqliteSettings {
                path_or_url: path_or_url.to_owned(),
                max_connections: self.max_connections,
                connection_timeout,
                busy_timeout: Duration::from_millis(self.busy_timeout_ms),
            }))
        };
        let Some(url) = self
            .url
            .as_ref()
            .map(|u| u.expose_secret())
            .filter(|u| !u.is_empty())
        else {
            return sqlite(&self.sqlite_path);
        };
        if url.starts_with("sqlite:") || url.starts_with("file:") {
            return sqlite(url);
        }
        if otas_postgres_adapter::validate_url(url).is_err() {
            bail!("the database URL is malformed: expected postgres://user:password@host:port/database or sqlite://path");
        }
        let pool = |url: &str| otas_postgres_adapter::PoolSettings {
            url: url.to_owned(),
            max_connections: self.max_connections,
            min_idle: self.min_idle,
            connection_timeout,
            statement_timeout: Duration::from_millis(self.statement_timeout_ms),
        };
        let mut replicas = Vec::new();
        for replica in self
            .replica_urls
            .as_ref()
            .map(|urls| {
                urls.expose_secret()
                    .split(',')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
            })
            .into_iter()
            .flatten()
        {
            if otas_postgres_adapter::validate_url(replica).is_err() {
                bail!("a replica URL is malformed: expected postgres://user:password@host:port/database");
            }
            replicas.push(pool(replica));
        }
        if self.replica_check_ms == 0 {
            bail!("database.replica_check_ms must be at least 1 ms");
        }
        Ok(StoreChoice::Postgres(
            pool(url),
            Replicas {
                pools: replicas,
                routing: otas_postgres_adapter::RoutingSettings {
                    max_lag: Duration::from_millis(self.replica_max_lag_ms),
                    check_every: Duration::from_millis(self.replica_check_ms),
                },
            },
        ))
    }
}

#[derive(Debug, Deserialize)]
pub struct AuthSettings {
    /// The current secret, verbatim.
    pub jwt_secret: Option<SecretString>,
    /// Older secrets still accepted, comma-separated, each trimmed of
    /// surrounding spaces (a secret holding a comma or edge spaces goes in
    /// the file).
    pub previous_jwt_secrets: Option<SecretString>,
    /// A file of older secrets still accepted, one per line (any character
    /// but a line break); empty: none.
    pub previous_jwt_secrets_file: String,
    /// Accept a current secret shorter than 32 bytes in production.
    pub allow_short_secret: bool,
}

impl AuthSettings {
    /// The secrets to verify with, the current one first.
    pub fn secrets(&self) -> anyhow::Result<Vec<SecretString>> {
        let Some(current) = self
            .jwt_secret
            .as_ref()
            .filter(|s| !s.expose_secret().is_empty())
        else {
            bail!("no JWT secret is configured: set JWT_SECRET (or OTAS__AUTH__JWT_SECRET) to the secret UASAM signs user tokens with");
        };
        let mut secrets = vec![current.clone()];
        if let Some(previous) = &self.previous_jwt_secrets {
            secrets.extend(
                previous
                    .expose_secret()
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(SecretString::from),
            );
        }
        if !self.previous_jwt_secrets_file.is_empty() {
            let text =
                std::fs::read_to_string(&self.previous_jwt_secrets_file).with_context(|| {
                    format!(
                        "cannot read auth.previous_jwt_secrets_file {:?}",
                        self.previous_jwt_secrets_file
                    )
                })?;
            // Each line verbatim; a blank or whitespace-only line is none.
            secrets.extend(
                text.lines()
                    .filter(|line| !line.trim().is_empty())
                    .map(|line| SecretString::from(line.to_owned())),
            );
        }
        Ok(secrets)
    }
}

#[derive(Debug, Deserialize)]
pub struct HttpLayerSettings {
    pub list_batch_size: usize,
    pub max_body_bytes: usize,
    /// 0: sixteen per pooled connection.
    pub max_in_flight: usize,
    pub max_streams: usize,
    pub write_timeout_ms: u64,
    pub request_head_timeout_ms: u64,
}

impl HttpLayerSettings {
    /// How long a peer may read nothing before its connection is closed.
    pub fn write_timeout(&self) -> anyhow::Result<Duration> {
        if self.write_timeout_ms == 0 {
            // 0 would close every connection whose peer is a moment slow.
            bail!("http.write_timeout_ms must be at least 1 ms");
        }
        Ok(Duration::from_millis(self.write_timeout_ms))
    }

    /// How long a client may take to send a request head.
    pub fn request_head_timeout(&self) -> anyhow::Result<Duration> {
        if self.request_head_timeout_ms == 0 {
            bail!("http.request_head_timeout_ms must be at least 1 ms");
        }
        Ok(Duration::from_millis(self.request_head_timeout_ms))
    }
}

#[derive(Debug, Deserialize)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The settings that are lists, written comma-separated in variables.
const LIST_KEYS: [&str; 1] = ["server.cors_allowed_origins"];

/// Every setting's default: `config/default.toml`, compiled in.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

fn with_defaults() -> ConfigBuilder<DefaultState> {
    Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml))
}

impl Settings {
    /// The defaults with `overrides` (`("server.port", "0")`, …) on top, and
    /// nothing from files or the environment: for running the service
    /// in-process, as tests do.
    pub fn with_overrides(overrides: &[(&str, &str)]) -> anyhow::Result<Self> {
        let mut builder = with_defaults();
        for (key, value) in overrides {
            builder = if LIST_KEYS.contains(key) {
                let items: Vec<String> = value.split(',').map(str::to_owned).collect();
                builder.set_override(*key, items)?
            } else {
                builder.set_override(*key, *value)?
            };
        }
        builder
            .build()
            .context("the configuration cannot be read")?
            .try_deserialize::<Self>()
            .context("the configuration is invalid")
    }

    /// Reads the configuration from the files in `OTAS_CONFIG_DIR` (default
    /// `./config`) and the environment.
    pub fn load() -> anyhow::Result<Self> {
        let dir = std::env::var_os("OTAS_CONFIG_DIR")
            .map_or_else(|| PathBuf::from("config"), PathBuf::from);
        let environment = std::env::var("OTAS_ENV").ok().filter(|e| !e.is_empty());
        let mut builder =
            with_defaults().add_source(File::from(dir.join("default")).required(false));
        if let Some(environment) = &environment {
            // Asked for by name: its absence is an error, not a silent default.
            builder = builder.add_source(File::from(dir.join(environment)).required(true));
        }
        builder = builder
            // Read verbatim, never through the variables' type guessing
            // (which would turn a secret `0123456` into `123456`).
            .set_override_option(
                "database.url",
                uasam_variable("DATABASE_URL", "OTAS__DATABASE__URL"),
            )?
            .set_override_option(
                "auth.jwt_secret",
                uasam_variable("JWT_SECRET", "OTAS__AUTH__JWT_SECRET"),
            )?
            .set_override_option(
                "auth.previous_jwt_secrets",
                std::env::var("OTAS__AUTH__PREVIOUS_JWT_SECRETS").ok(),
            )?
            .set_override_option(
                "database.replica_urls",
                std::env::var("OTAS__DATABASE__REPLICA_URLS").ok(),
            )?;
        let config = builder
            .add_source(
                Environment::with_prefix("OTAS")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key(LIST_KEYS[0]),
            )
            .build()
            .context("the configuration cannot be read")?;
        let settings = config
            .try_deserialize::<Self>()
            .context("the configuration is invalid")?;
        Ok(settings)
    }
}

/// The OTAS-specific variable when it is set, else UASAM's own, verbatim.
fn uasam_variable(name: &str, otas_name: &str) -> Option<String> {
    std::env::var(otas_name)
        .ok()
        .or_else(|| std::env::var(name).ok())
}
