//! The database settings: which store, its pool, the replicas reads may use.

use std::time::Duration;

use anyhow::bail;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

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
    /// With the primary unreachable, a replica without news from it for
    /// longer than this serves no read.
    pub replica_max_silence_ms: u64,
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

/// The URLs of a comma-separated list, each trimmed, empty ones left out.
/// The list is cut only at a comma that starts another URL (`…,postgres://`)
/// or another comma or the end, so that a URL listing several hosts
/// (`postgres://h1:5432,h2:5432/db`) stays whole.
pub fn split_urls(list: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut start = 0;
    for (at, _) in list.match_indices(',') {
        let next = list[at + 1..].trim_start();
        let cut = next.is_empty()
            || next.starts_with(',')
            || next.starts_with("postgres://")
            || next.starts_with("postgresql://");
        if cut {
            urls.push(&list[start..at]);
            start = at + 1;
        }
    }
    urls.push(&list[start..]);
    urls.into_iter()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect()
}

/// A database URL with every password masked: in its user part and in any
/// query parameter whose name holds `password` (`?password=…`,
/// `sslpassword=…`).
/// A URL listing several hosts (`postgres://u:p@h1:5432,h2:5432/db`) is
/// masked alike, its hosts kept.
pub fn masked_url(text: &str) -> String {
    otas_postgres_adapter::edit_url(text, |url| {
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
    })
    .unwrap_or_else(|| "<malformed>".to_owned())
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
            .map(|urls| split_urls(urls.expose_secret()))
            .unwrap_or_default()
        {
            if otas_postgres_adapter::validate_url(replica).is_err() {
                bail!("a replica URL is malformed: expected postgres://user:password@host:port/database");
            }
            replicas.push(pool(replica));
        }
        if replicas.len() > otas_postgres_adapter::MAX_REPLICAS {
            bail!(
                "database.replica_urls lists {} replicas; at most {} are read from",
                replicas.len(),
                otas_postgres_adapter::MAX_REPLICAS
            );
        }
        let check_every = super::at_least_1_ms("database.replica_check_ms", self.replica_check_ms)?;
        Ok(StoreChoice::Postgres(
            pool(url),
            Replicas {
                pools: replicas,
                routing: otas_postgres_adapter::RoutingSettings {
                    max_lag: Duration::from_millis(self.replica_max_lag_ms),
                    max_silence: Duration::from_millis(self.replica_max_silence_ms),
                    check_every,
                },
            },
        ))
    }
}
