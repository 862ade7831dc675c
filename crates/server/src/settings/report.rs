//! What `check-config` prints: the effective settings, secrets masked, what
//! would make the deployment unsafe, and which store they select.

use std::fmt;

use secrecy::ExposeSecret;

use super::{Settings, StoreChoice};

/// The effective configuration as `check-config` reports it. What it finds
/// (the unsafe settings, the store or why there is none) is kept apart from
/// how it is printed (`Display`), so that a caller can act on the findings.
#[derive(Debug)]
pub struct ConfigReport<'a> {
    settings: &'a Settings,
    /// What is unsafe, one sentence each ([`crate::safety::concerns`]):
    /// `serve` refuses to start in production on any of them.
    pub concerns: Vec<String>,
    /// The store the settings select, or why they select none.
    pub store: anyhow::Result<StoreChoice>,
    /// How many previous JWT secrets still verify (0 when they cannot be read).
    previous_secrets: usize,
}

impl<'a> ConfigReport<'a> {
    /// Reads what the settings amount to (the previous secrets' file
    /// included); connects to nothing.
    pub fn of(settings: &'a Settings) -> Self {
        Self {
            settings,
            concerns: crate::safety::concerns(settings),
            store: settings.database.store(),
            previous_secrets: settings
                .auth
                .secrets()
                .map_or(0, |s| s.len().saturating_sub(1)),
        }
    }
}

/// One `key = value` line per setting, the unsafe ones after the
/// environment, a secret only as whether it is set.
impl fmt::Display for ConfigReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = self.settings;
        let (server, db, auth, http, log) = (
            &settings.server,
            &settings.database,
            &settings.auth,
            &settings.http,
            &settings.log,
        );
        writeln!(f, "environment = {:?}", settings.environment)?;
        for concern in &self.concerns {
            writeln!(f, "unsafe: {concern}")?;
        }
        writeln!(f, "server.host = {:?}", server.host)?;
        writeln!(f, "server.port = {}", server.port)?;
        writeln!(f, "server.workers = {}", server.workers)?;
        writeln!(
            f,
            "server.cors_allowed_origins = {:?}",
            server.cors_allowed_origins
        )?;
        match &self.store {
            Ok(store) => writeln!(f, "database = {} at {}", store.kind(), store.location())?,
            Err(error) => writeln!(f, "database = invalid: {error:#}")?,
        }
        writeln!(f, "database.max_connections = {}", db.max_connections)?;
        writeln!(
            f,
            "database.connection_timeout_ms = {}",
            db.connection_timeout_ms
        )?;
        writeln!(
            f,
            "database.statement_timeout_ms = {}",
            db.statement_timeout_ms
        )?;
        writeln!(f, "database.busy_timeout_ms = {}", db.busy_timeout_ms)?;
        writeln!(f, "database.migrate_on_start = {}", db.migrate_on_start)?;
        let jwt_secret_set = auth
            .jwt_secret
            .as_ref()
            .is_some_and(|s| !s.expose_secret().is_empty());
        writeln!(f, "auth.jwt_secret = {}", masked(jwt_secret_set))?;
        writeln!(
            f,
            "auth.previous_jwt_secrets = {} secret(s)",
            self.previous_secrets
        )?;
        writeln!(f, "http.list_batch_size = {}", http.list_batch_size)?;
        writeln!(f, "http.max_page_bytes = {}", http.max_page_bytes)?;
        writeln!(
            f,
            "http.max_response_bytes_in_flight = {}",
            http.max_response_bytes_in_flight
        )?;
        writeln!(f, "log.level = {:?}", log.level)?;
        writeln!(f, "log.format = {:?}", log.format)
    }
}

/// A secret as printed: whether it is set, never what it is.
fn masked(set: bool) -> &'static str {
    if set {
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
        let settings = Settings::with_overrides(&[("auth.jwt_secret", secret)])?;

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
    fn an_invalid_database_url_is_reported_and_kept_as_a_finding() -> anyhow::Result<()> {
        let settings = Settings::with_overrides(&[("database.url", "bogus://x")])?;

        let report = ConfigReport::of(&settings);

        assert!(report.store.is_err());
        assert!(report.to_string().contains("database = invalid: "));
        Ok(())
    }
}
