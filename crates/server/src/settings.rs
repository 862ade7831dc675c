//! Configuration: `config/default.toml`, then `config/<OTAS_ENV>.toml`, then
//! `DATABASE_URL` / `JWT_SECRET` (UASAM's names), then `OTAS__SECTION__KEY`
//! variables. Later sources win.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use config::{Config, Environment, File};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Every setting of the service.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub http: HttpLayerSettings,
    pub log: LogSettings,
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// 0: one per CPU core.
    pub workers: usize,
    pub cors_allowed_origins: Vec<String>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 8000,
            workers: 0,
            cors_allowed_origins: vec!["http://localhost:5173".to_owned()],
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// Holds the password: a secret, never printed.
    pub url: Option<SecretString>,
    pub max_connections: u32,
    pub min_idle: u32,
    pub connection_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub migrate_on_start: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 16,
            min_idle: 0,
            connection_timeout_ms: 2000,
            statement_timeout_ms: 10_000,
            migrate_on_start: false,
        }
    }
}

impl DatabaseSettings {
    /// The database URL, checked for form; the reason names no part of it.
    pub fn url(&self) -> anyhow::Result<&str> {
        let Some(url) = &self.url else {
            bail!("no database is configured: set DATABASE_URL (or OTAS__DATABASE__URL) to a postgres:// URL");
        };
        let url = url.expose_secret();
        if otas_postgres_adapter::validate_url(url).is_err() {
            bail!("the database URL is malformed: expected postgres://user:password@host:port/database");
        }
        Ok(url)
    }

    pub fn pool(&self) -> anyhow::Result<otas_postgres_adapter::PoolSettings> {
        Ok(otas_postgres_adapter::PoolSettings {
            url: self.url()?.to_owned(),
            max_connections: self.max_connections,
            min_idle: self.min_idle,
            connection_timeout: Duration::from_millis(self.connection_timeout_ms),
            statement_timeout: Duration::from_millis(self.statement_timeout_ms),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// The current secret.
    pub jwt_secret: Option<SecretString>,
    /// Older secrets still accepted, comma-separated.
    pub previous_jwt_secrets: Option<SecretString>,
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
        Ok(secrets)
    }
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct HttpLayerSettings {
    pub list_batch_size: usize,
}

impl Default for HttpLayerSettings {
    fn default() -> Self {
        Self {
            list_batch_size: 1000,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Text,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// Reads the configuration from the files in `OTAS_CONFIG_DIR` (default
    /// `./config`) and the environment.
    pub fn load() -> anyhow::Result<Self> {
        let dir = std::env::var_os("OTAS_CONFIG_DIR")
            .map_or_else(|| PathBuf::from("config"), PathBuf::from);
        let environment = std::env::var("OTAS_ENV").ok().filter(|e| !e.is_empty());
        let mut builder =
            Config::builder().add_source(File::from(dir.join("default")).required(false));
        if let Some(environment) = &environment {
            // Asked for by name: its absence is an error, not a silent default.
            builder = builder.add_source(File::from(dir.join(environment)).required(true));
        }
        builder = builder
            .set_override_option(
                "database.url",
                uasam_variable("DATABASE_URL", "OTAS__DATABASE__URL"),
            )?
            .set_override_option(
                "auth.jwt_secret",
                uasam_variable("JWT_SECRET", "OTAS__AUTH__JWT_SECRET"),
            )?;
        let config = builder
            .add_source(
                Environment::with_prefix("OTAS")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("server.cors_allowed_origins"),
            )
            .build()
            .context("the configuration cannot be read")?;
        let settings = config
            .try_deserialize::<Self>()
            .context("the configuration is invalid")?;
        Ok(settings)
    }
}

/// UASAM's own variable, unless the OTAS-specific one is set (which then wins).
fn uasam_variable(name: &str, otas_name: &str) -> Option<String> {
    if std::env::var_os(otas_name).is_some() {
        return None;
    }
    std::env::var(name).ok()
}
