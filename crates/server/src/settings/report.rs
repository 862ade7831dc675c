//! What `check-config` prints: every effective setting, secrets masked, the
//! log filter in force, what is unsafe, what the database says, and the
//! problems that make `serve` refuse, each with its fix.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use super::{masked_url, split_urls, Settings, StoreChoice};
use crate::gate::{DatabaseState, Problem};

/// The effective configuration as `check-config` reports it. What it finds
/// (the problems, the database's state) is kept apart from how it is
/// printed (`Display`), so that a caller can act on the findings.
#[derive(Debug)]
pub struct ConfigReport<'a> {
    settings: &'a Settings,
    /// What `serve` refuses to start on ([`crate::gate::problems`]): the
    /// same list, in the same order.
    pub problems: Vec<Problem>,
    /// Unsafe settings outside production: warnings, not problems.
    pub warnings: Vec<Problem>,
    /// The store the settings select, or why they select none.
    pub store: anyhow::Result<StoreChoice>,
    /// What the database says, when the settings select one.
    pub database: Option<DatabaseState>,
    /// How many previous JWT secrets still verify (0 when they cannot be read).
    previous_secrets: usize,
    /// The log filter in force, and where it comes from.
    log_filter: (String, &'static str),
}

impl<'a> ConfigReport<'a> {
    /// Reads what the settings amount to (the previous secrets' file
    /// included) and asks the database which migrations it lacks, creating
    /// nothing ([`crate::gate::database_state`]).
    pub fn of(settings: &'a Settings) -> Self {
        let (problems, database) = crate::gate::problems(settings);
        let warnings = if settings.environment == "production" {
            Vec::new()
        } else {
            crate::safety::concerns(settings)
        };
        let (filter, source) = crate::telemetry::filter(&settings.log);
        Self {
            settings,
            problems,
            warnings,
            store: settings.database.store(),
            database,
            previous_secrets: settings
                .auth
                .secrets()
                .map_or(0, |s| s.len().saturating_sub(1)),
            log_filter: (filter.to_string(), source),
        }
    }
}

/// One `key = value` line per setting, a secret only as whether it is set,
/// then the database's state and the problems.
impl fmt::Display for ConfigReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = self.settings;
        writeln!(f, "environment = {:?}", settings.environment)?;
        for warning in &self.warnings {
            writeln!(f, "unsafe: {warning}")?;
        }
        let server = &settings.server;
        writeln!(f, "server.host = {:?}", server.host)?;
        writeln!(f, "server.port = {}", server.port)?;
        writeln!(f, "server.workers = {}", server.workers)?;
        writeln!(
            f,
            "server.cors_allowed_origins = {:?}",
            server.cors_allowed_origins
        )?;
        writeln!(
            f,
            "server.shutdown_grace_seconds = {}",
            server.shutdown_grace_seconds
        )?;
        self.database_lines(f)?;
        let auth = &settings.auth;
        writeln!(f, "auth.jwt_secret = {}", masked(auth.jwt_secret.as_ref()))?;
        writeln!(
            f,
            "auth.previous_jwt_secrets = {} secret(s)",
            self.previous_secrets
        )?;
        writeln!(
            f,
            "auth.previous_jwt_secrets_file = {:?}",
            auth.previous_jwt_secrets_file
        )?;
        writeln!(f, "auth.allow_short_secret = {}", auth.allow_short_secret)?;
        let http = &settings.http;
        for (key, value) in [
            ("list_batch_size", http.list_batch_size),
            ("max_page_bytes", http.max_page_bytes),
            (
                "max_response_bytes_in_flight",
                http.max_response_bytes_in_flight,
            ),
            ("max_body_bytes", http.max_body_bytes),
            ("max_in_flight", http.max_in_flight),
            ("max_streams", http.max_streams),
        ] {
            writeln!(f, "http.{key} = {value}")?;
        }
        for (key, value) in [
            ("write_timeout_ms", http.write_timeout_ms),
            ("request_head_timeout_ms", http.request_head_timeout_ms),
            ("request_body_timeout_ms", http.request_body_timeout_ms),
        ] {
            writeln!(f, "http.{key} = {value}")?;
        }
        let keys = &settings.agent_keys;
        for (key, value) in [
            ("cache_expiry_seconds", keys.cache_expiry_seconds),
            ("cache_max_age_seconds", keys.cache_max_age_seconds),
            ("verification_wait_ms", keys.verification_wait_ms),
            ("failure_window_seconds", keys.failure_window_seconds),
        ] {
            writeln!(f, "agent_keys.{key} = {value}")?;
        }
        for (key, value) in [
            ("cache_capacity", keys.cache_capacity),
            ("concurrent_verifications", keys.concurrent_verifications),
            ("verification_waiters", keys.verification_waiters),
        ] {
            writeln!(f, "agent_keys.{key} = {value}")?;
        }
        writeln!(
            f,
            "agent_keys.failures_per_window = {}",
            keys.failures_per_window
        )?;
        writeln!(f, "log.level = {:?}", settings.log.level)?;
        let format = format!("{:?}", settings.log.format).to_lowercase();
        writeln!(f, "log.format = {format:?}")?;
        let (filter, source) = &self.log_filter;
        writeln!(f, "log filter in force = {filter:?} (from {source})")?;
        if let Some(database) = &self.database {
            writeln!(f, "{database}")?;
        }
        for problem in &self.problems {
            writeln!(f, "problem: {}\n  fix: {}", problem.what, problem.fix)?;
        }
        match self.problems.len() {
            0 => writeln!(f, "serve would start"),
            n => writeln!(f, "serve would refuse to start: {n} problem(s)"),
        }
    }
}

impl ConfigReport<'_> {
    /// The `[database]` keys; URLs with their passwords masked.
    fn database_lines(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let db = &self.settings.database;
        match &self.store {
            Ok(store) => writeln!(f, "database = {} at {}", store.kind(), store.location())?,
            Err(error) => writeln!(f, "database = invalid: {error:#}")?,
        }
        let url = db
            .url
            .as_ref()
            .map(|u| u.expose_secret())
            .filter(|u| !u.is_empty());
        match url {
            Some(url) if url.starts_with("postgres") => {
                writeln!(f, "database.url = {}", masked_url(url))?;
            }
            Some(url) => writeln!(f, "database.url = {url:?}")?,
            None => writeln!(f, "database.url = (not set)")?,
        }
        let replicas: Vec<String> = db
            .replica_urls
            .as_ref()
            .map(|urls| {
                split_urls(urls.expose_secret())
                    .into_iter()
                    .map(masked_url)
                    .collect()
            })
            .unwrap_or_default();
        writeln!(f, "database.replica_urls = {replicas:?}")?;
        writeln!(f, "database.sqlite_path = {:?}", db.sqlite_path)?;
        for (key, value) in [
            ("busy_timeout_ms", db.busy_timeout_ms),
            ("connection_timeout_ms", db.connection_timeout_ms),
            ("statement_timeout_ms", db.statement_timeout_ms),
            ("replica_max_lag_ms", db.replica_max_lag_ms),
            ("replica_check_ms", db.replica_check_ms),
            ("replica_max_silence_ms", db.replica_max_silence_ms),
        ] {
            writeln!(f, "database.{key} = {value}")?;
        }
        writeln!(f, "database.max_connections = {}", db.max_connections)?;
        writeln!(f, "database.min_idle = {}", db.min_idle)?;
        writeln!(f, "database.migrate_on_start = {}", db.migrate_on_start)
    }
}

/// A secret as printed: whether it is set, never what it is.
fn masked(secret: Option<&SecretString>) -> &'static str {
    if secret.is_some_and(|s| !s.expose_secret().is_empty()) {
        "*** (set)"
    } else {
        "(not set)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_masks_the_secret_and_names_what_is_unsafe() -> anyhow::Result<()> {
        let secret = "a-secret-of-forty-bytes-0123456789abcdef";
        let settings = Settings::with_overrides(&[
            ("auth.jwt_secret", secret),
            ("database.sqlite_path", "/nonexistent/otas-report/otas.db"),
        ])?;

        let printed = ConfigReport::of(&settings).to_string();

        assert!(
            printed.contains("auth.jwt_secret = *** (set)\n"),
            "{printed}"
        );
        assert!(!printed.contains(secret), "{printed}");
        assert!(
            printed.contains("\nunsafe: no database URL is set"),
            "{printed}"
        );
        Ok(())
    }

    #[test]
    fn every_setting_of_the_defaults_is_printed() -> anyhow::Result<()> {
        let settings = Settings::with_overrides(&[
            (
                "auth.jwt_secret",
                "a-secret-of-forty-bytes-0123456789abcdef",
            ),
            ("database.sqlite_path", "/nonexistent/otas-report/otas.db"),
        ])?;
        let defaults = super::super::with_defaults()
            .build()?
            .try_deserialize::<std::collections::BTreeMap<String, config::Value>>()?;

        let printed = ConfigReport::of(&settings).to_string();

        for (section, keys) in &defaults {
            let Ok(keys) = keys.clone().into_table() else {
                assert!(printed.contains(&format!("{section} = ")), "{section}");
                continue;
            };
            for key in keys.keys() {
                let line = format!("\n{section}.{key} = ");
                assert!(printed.contains(&line), "{line:?} missing: {printed}");
            }
        }
        Ok(())
    }

    #[test]
    fn a_missing_sqlite_file_is_reported_and_not_created() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("otas-report-{}", uuid::Uuid::new_v4()));
        let file = dir.join("otas.db");
        let path = file.to_string_lossy().into_owned();
        let settings = Settings::with_overrides(&[
            (
                "auth.jwt_secret",
                "a-secret-of-forty-bytes-0123456789abcdef",
            ),
            ("database.sqlite_path", &path),
        ])?;

        let report = ConfigReport::of(&settings);

        assert!(!dir.exists(), "check-config created {}", dir.display());
        let printed = report.to_string();
        assert!(
            printed.contains("does not exist yet: `otas-server migrate` creates it"),
            "{printed}"
        );
        assert_eq!(report.problems.len(), 1, "{printed}");
        assert!(printed.ends_with("serve would refuse to start: 1 problem(s)\n"));
        Ok(())
    }

    #[test]
    fn an_invalid_database_url_is_reported_and_kept_as_a_finding() -> anyhow::Result<()> {
        let settings = Settings::with_overrides(&[("database.url", "bogus://x")])?;

        let report = ConfigReport::of(&settings);

        assert!(report.store.is_err());
        assert!(report.to_string().contains("database = invalid: "));
        assert!(report
            .problems
            .iter()
            .any(|p| p.what.contains("database URL is malformed")));
        Ok(())
    }

    #[test]
    fn urls_listing_several_hosts_are_accepted_and_printed_without_passwords() -> anyhow::Result<()>
    {
        let settings = Settings::with_overrides(&[
            (
                "auth.jwt_secret",
                "a-secret-of-forty-bytes-0123456789abcdef",
            ),
            (
                "database.url",
                "postgres://otas:hunter2@127.0.0.1:1,127.0.0.1:2/otas?target_session_attrs=read-write",
            ),
            (
                "database.replica_urls",
                "postgres://otas:hunter3@127.0.0.1:1,127.0.0.1:2/otas?target_session_attrs=prefer-standby, \
                 postgres://otas:hunter4@127.0.0.1:3/otas",
            ),
        ])?;

        let report = ConfigReport::of(&settings);

        let printed = report.to_string();
        assert!(report.store.is_ok(), "{printed}");
        for password in ["hunter2", "hunter3", "hunter4"] {
            assert!(!printed.contains(password), "{printed}");
        }
        assert!(
            printed.contains("database.url = postgres://otas:***@127.0.0.1:1,127.0.0.1:2/otas?target_session_attrs=read-write\n"),
            "{printed}"
        );
        assert!(
            printed.contains("database.replica_urls = [\"postgres://otas:***@127.0.0.1:1,127.0.0.1:2/otas?target_session_attrs=prefer-standby\", \"postgres://otas:***@127.0.0.1:3/otas\"]\n"),
            "{printed}"
        );
        Ok(())
    }
}
