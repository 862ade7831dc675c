//! Configuration: `config/default.toml` (compiled in: the one place where
//! defaults live), then that file and `config/<OTAS_ENV>.toml` from
//! `OTAS_CONFIG_DIR`, then `DATABASE_URL` / `JWT_SECRET` (UASAM's names),
//! then `OTAS__SECTION__KEY` variables. Later sources win.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use config::builder::DefaultState;
use config::{Config, ConfigBuilder, Environment, File, FileFormat};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

mod database;
mod report;
pub use database::{masked_url, split_urls, DatabaseSettings, Replicas, StoreChoice};
pub use report::ConfigReport;

/// Every setting of the service.
#[derive(Debug, Deserialize)]
pub struct Settings {
    /// `production` makes unsafe settings fatal (see [`crate::safety`]).
    pub environment: String,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub http: HttpSettings,
    pub agent_keys: AgentKeySettings,
    pub log: LogSettings,
}

/// How agent keys are verified.
#[derive(Debug, Deserialize)]
pub struct AgentKeySettings {
    pub cache_expiry_seconds: u64,
    pub cache_max_age_seconds: u64,
    pub cache_capacity: usize,
    /// 0: one per CPU core.
    pub concurrent_verifications: usize,
    pub verification_waiters: usize,
    pub verification_wait_ms: u64,
    pub failures_per_window: u32,
    pub failure_window_seconds: u64,
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
    /// Accept a current or previous secret shorter than 32 bytes in production.
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

    /// The secret this service signs with (user tokens of `token` and
    /// `seed-demo`, agent session tokens, page cursors): the current one,
    /// the first of [`Self::secrets`].
    pub fn signing_secret(&self) -> anyhow::Result<SecretString> {
        self.secrets()?
            .into_iter()
            .next()
            .context("no JWT secret is configured")
    }
}

/// The `[http]` section of the configuration: bounds and timeouts of the
/// HTTP layer, as an operator writes them. `Application::build` checks them
/// and turns them, with parts of `[server]` and `[database]`, into the
/// http crate's [`otas_http::ServeOptions`], which `serve` takes.
#[derive(Debug, Deserialize)]
pub struct HttpSettings {
    pub list_batch_size: usize,
    /// The most bytes of sessions in a page or a batch of a whole list.
    pub max_page_bytes: usize,
    /// The most bytes of response bodies held until written.
    pub max_response_bytes_in_flight: usize,
    pub max_body_bytes: usize,
    /// 0: sixteen per pooled connection.
    pub max_in_flight: usize,
    pub max_streams: usize,
    pub write_timeout_ms: u64,
    pub request_head_timeout_ms: u64,
    pub request_body_timeout_ms: u64,
}

impl HttpSettings {
    /// How long a peer may read nothing before its connection is closed
    /// (0 would close every connection whose peer is a moment slow).
    pub fn write_timeout(&self) -> anyhow::Result<Duration> {
        at_least_1_ms("http.write_timeout_ms", self.write_timeout_ms)
    }

    /// How long a client may take to send a request body.
    pub fn request_body_timeout(&self) -> anyhow::Result<Duration> {
        at_least_1_ms("http.request_body_timeout_ms", self.request_body_timeout_ms)
    }

    /// How long a client may take to send a request head.
    pub fn request_head_timeout(&self) -> anyhow::Result<Duration> {
        at_least_1_ms("http.request_head_timeout_ms", self.request_head_timeout_ms)
    }
}

/// `ms` as a duration, refusing 0 (which would mean "at once" or "never").
pub(crate) fn at_least_1_ms(key: &str, ms: u64) -> anyhow::Result<Duration> {
    if ms == 0 {
        bail!("{key} must be at least 1 ms");
    }
    Ok(Duration::from_millis(ms))
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

impl ServerSettings {
    /// The browser origins allowed (CORS): each `*` (any origin) or an
    /// origin as a browser sends it, `scheme://host[:port]`; surrounding
    /// blanks trimmed and empty entries dropped, so that an empty variable
    /// allows none. An origin no browser sends is refused here, at start,
    /// rather than left to fail every request.
    pub fn cors_origins(&self) -> anyhow::Result<Vec<String>> {
        let mut origins = Vec::new();
        for origin in &self.cors_allowed_origins {
            let origin = origin.trim();
            if origin.is_empty() {
                continue;
            }
            // No pattern either: `https://*.example` would be compared as
            // it is, and match nothing.
            let is_origin = origin == "*"
                || !origin.contains('*')
                    && url::Url::parse(origin).is_ok_and(|url| {
                        url.origin().is_tuple() && url.origin().ascii_serialization() == origin
                    });
            if !is_origin {
                bail!(
                    "server.cors_allowed_origins: {origin:?} is not an origin: expected \"*\" or \
                     scheme://host[:port], without a path or a trailing slash \
                     (e.g. https://dashboard.otas.example)"
                );
            }
            origins.push(origin.to_owned());
        }
        Ok(origins)
    }
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
            environment_file_exists(&dir, environment)?;
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

/// Refuses an environment whose file is not in `dir`, naming the directory
/// searched (absolute), and how to point at another.
fn environment_file_exists(dir: &Path, environment: &str) -> anyhow::Result<()> {
    // The extensions the config crate tries for a name without one.
    let found = ["toml", "json", "yaml", "yml", "ini", "ron", "json5"]
        .iter()
        .any(|ext| dir.join(format!("{environment}.{ext}")).is_file());
    if !found {
        let searched = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        bail!(
            "the configuration file {environment}.toml (OTAS_ENV={environment}) is not in {} \
             (the directory OTAS_CONFIG_DIR names; unset, ./config of the working directory): \
             set OTAS_CONFIG_DIR to the directory that holds it",
            searched.display()
        );
    }
    Ok(())
}

/// The OTAS-specific variable when it is set, else UASAM's own, verbatim.
fn uasam_variable(name: &str, otas_name: &str) -> Option<String> {
    std::env::var(otas_name)
        .ok()
        .or_else(|| std::env::var(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(list: &[&str]) -> anyhow::Result<Vec<String>> {
        let mut settings = Settings::with_overrides(&[])?;
        settings.server.cors_allowed_origins = list.iter().map(|o| (*o).to_owned()).collect();
        settings.server.cors_origins()
    }

    #[test]
    fn by_default_any_origin_is_allowed() -> anyhow::Result<()> {
        let settings = Settings::with_overrides(&[])?;
        assert_eq!(settings.server.cors_origins()?, ["*"]);
        Ok(())
    }

    #[test]
    fn origins_are_trimmed_and_an_empty_list_allows_none() -> anyhow::Result<()> {
        assert_eq!(
            origins(&[" https://dash.example ", "http://127.0.0.1:5173"])?,
            ["https://dash.example", "http://127.0.0.1:5173"]
        );
        assert!(origins(&[""])?.is_empty());
        Ok(())
    }

    #[test]
    fn what_no_browser_sends_as_an_origin_is_refused_at_start() {
        for wrong in [
            "dash.example",
            "https://dash.example/",
            "https://dash.example/app",
            "file:///tmp/x.html",
            "https://*.example",
        ] {
            let refused = origins(&[wrong]);
            assert!(refused.is_err(), "{wrong} was taken");
        }
    }
}
