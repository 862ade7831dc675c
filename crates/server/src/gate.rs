//! The gate `serve` passes before it opens its port: every problem that
//! makes it refuse, each with how to fix it, listed all at once. `serve`
//! refuses with the list; `check-config` prints the same list and fails
//! exactly when it is not empty.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::ExposeSecret;

use crate::settings::{at_least_1_ms, Settings, StoreChoice};

/// One reason `serve` refuses to start, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong, naming no secret.
    pub what: String,
    /// How to fix it: the setting, the variable or the command.
    pub fix: String,
}

impl Problem {
    pub fn new(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; fix: {}", self.what, self.fix)
    }
}

/// `serve` refusing to start: the whole list of problems.
#[derive(Debug)]
pub struct Refusal(pub Vec<Problem>);

impl std::error::Error for Refusal {}

/// A first line saying how many, then one line per problem.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        write!(f, "refusing to start: {count} {noun}")?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// What the settings alone make `serve` refuse (they read the previous
/// secrets' file, and connect to nothing): no JWT secret, an unreadable
/// previous-secrets file, a malformed database URL, a timeout of 0, invalid
/// CORS origins, and in production every unsafe setting
/// ([`crate::safety::concerns`]).
pub fn settings_problems(settings: &Settings) -> Vec<Problem> {
    let mut problems = Vec::new();
    let auth = &settings.auth;
    if auth
        .jwt_secret
        .as_ref()
        .is_none_or(|s| s.expose_secret().is_empty())
    {
        problems.push(Problem::new(
            "the JWT secret is empty",
            "set JWT_SECRET (or OTAS__AUTH__JWT_SECRET) to the secret UASAM signs user tokens with",
        ));
    }
    let file = &auth.previous_jwt_secrets_file;
    if !file.is_empty() {
        if let Err(error) = std::fs::read_to_string(file) {
            problems.push(Problem::new(
                format!("cannot read auth.previous_jwt_secrets_file {file:?}: {error}"),
                "make the file readable by the service, or set OTAS__AUTH__PREVIOUS_JWT_SECRETS_FILE to the right path (empty: none)",
            ));
        }
    }
    if settings.environment == "production" {
        problems.extend(crate::safety::concerns(settings));
    }
    match settings.database.store() {
        Ok(store) => problems.extend(pool_problems(settings, &store)),
        Err(error) => {
            let what = format!("{error:#}");
            let fix = if what.contains("replica_check_ms") {
                "set database.replica_check_ms (OTAS__DATABASE__REPLICA_CHECK_MS) to 1 or more"
            } else if what.contains("are read from") {
                "list no more replicas than that in OTAS__DATABASE__REPLICA_URLS"
            } else if what.contains("replica") {
                "write each of OTAS__DATABASE__REPLICA_URLS as postgres://user:password@host:port/database, comma-separated"
            } else {
                "set DATABASE_URL (or OTAS__DATABASE__URL) to postgres://user:password@host:port/database or sqlite://path"
            };
            problems.push(Problem::new(what, fix));
        }
    }
    if let Err(error) = settings.server.cors_origins() {
        problems.push(Problem::new(
            format!("{error:#}"),
            "list each origin as scheme://host[:port], or \"*\", in server.cors_allowed_origins (OTAS__SERVER__CORS_ALLOWED_ORIGINS, comma-separated)",
        ));
    }
    let http = &settings.http;
    for (key, ms) in [
        ("write_timeout_ms", http.write_timeout_ms),
        ("request_head_timeout_ms", http.request_head_timeout_ms),
        ("request_body_timeout_ms", http.request_body_timeout_ms),
    ] {
        problems.extend(zero_timeout("http", key, ms));
    }
    problems
}

/// The pool's timeouts, refused by the adapters' `connect` when 0.
fn pool_problems(settings: &Settings, store: &StoreChoice) -> Vec<Problem> {
    let db = &settings.database;
    let mut problems = Vec::new();
    problems.extend(zero_timeout(
        "database",
        "connection_timeout_ms",
        db.connection_timeout_ms,
    ));
    if matches!(store, StoreChoice::Postgres(..)) {
        problems.extend(zero_timeout(
            "database",
            "statement_timeout_ms",
            db.statement_timeout_ms,
        ));
    }
    problems
}

fn zero_timeout(section: &str, key: &str, ms: u64) -> Option<Problem> {
    at_least_1_ms(&format!("{section}.{key}"), ms)
        .err()
        .map(|error| {
            Problem::new(
                format!("{error:#}"),
                format!(
                    "set {section}.{key} (OTAS__{}__{}) to 1 or more",
                    section.to_uppercase(),
                    key.to_uppercase()
                ),
            )
        })
}

/// What the database says about its schema, asked once without changing
/// anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseState {
    /// It answers; these migrations are not applied (empty: up to date).
    Answers { pending: Vec<String> },
    /// The SQLite file is not there yet.
    NoFile(PathBuf),
    /// It does not answer now (down, unreachable, refusing the login).
    DoesNotAnswer(String),
}

/// Asks the store which migrations it lacks, creating nothing: one
/// connection, given up after `connect_timeout` (PostgreSQL; at least
/// libpq's 2 s), and two small catalog reads.
pub fn database_state(store: &StoreChoice, connect_timeout: Duration) -> DatabaseState {
    let pending = match store {
        StoreChoice::Postgres(settings, _) => {
            otas_postgres_adapter::pending_migrations(&settings.url, connect_timeout)
                .map_err(|error| error.to_string())
        }
        StoreChoice::Sqlite(settings) => {
            match otas_sqlite_adapter::pending_migrations(&settings.path_or_url) {
                Err(otas_sqlite_adapter::MigrationError::Missing(file)) => {
                    return DatabaseState::NoFile(file)
                }
                other => other.map_err(|error| error.to_string()),
            }
        }
    };
    match pending {
        Ok(pending) => DatabaseState::Answers { pending },
        Err(reason) => DatabaseState::DoesNotAnswer(reason),
    }
}

impl DatabaseState {
    /// The refusal this state is, if any. A database that does not answer
    /// is none: `serve` starts and answers 503 until it does. One that
    /// lacks migrations is, unless `serve` applies them
    /// (`migrate_on_start`): it would answer 500 to every call.
    pub fn problem(&self, migrate_on_start: bool) -> Option<Problem> {
        if migrate_on_start {
            return None;
        }
        match self {
            Self::Answers { pending } if !pending.is_empty() => Some(Problem::new(
                format!(
                    "the database is not migrated (pending: {})",
                    pending.join(", ")
                ),
                "run otas-server migrate (or set OTAS__DATABASE__MIGRATE_ON_START=true)",
            )),
            Self::NoFile(file) => Some(Problem::new(
                format!("the SQLite database {} does not exist yet", file.display()),
                "run otas-server migrate, which creates it",
            )),
            Self::Answers { .. } | Self::DoesNotAnswer(_) => None,
        }
    }
}

/// How `check-config` reports the state, one line.
impl fmt::Display for DatabaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Answers { pending } if pending.is_empty() => {
                write!(f, "database answers: yes, migrated")
            }
            Self::Answers { pending } => write!(
                f,
                "database answers: yes, not migrated (pending: {}): run otas-server migrate",
                pending.join(", ")
            ),
            Self::NoFile(file) => write!(
                f,
                "database answers: no, {} does not exist yet: `otas-server migrate` creates it",
                file.display()
            ),
            Self::DoesNotAnswer(reason) if reason.contains("does not exist") => write!(
                f,
                "database answers: no ({reason}): `otas-server migrate --create-database` creates it; serve would start and answer 503 until it exists"
            ),
            Self::DoesNotAnswer(reason) => write!(
                f,
                "database answers: no ({reason}); serve would start and answer 503 until it does"
            ),
        }
    }
}

/// Every problem that makes `serve` refuse: the settings', then the
/// database's when the settings select one (asked only then, and only
/// when `serve` would not migrate it itself).
pub fn problems(settings: &Settings) -> (Vec<Problem>, Option<DatabaseState>) {
    let mut problems = settings_problems(settings);
    let state = settings.database.store().ok().map(|store| {
        database_state(
            &store,
            Duration::from_millis(settings.database.connection_timeout_ms),
        )
    });
    if let Some(problem) = state
        .as_ref()
        .and_then(|s| s.problem(settings.database.migrate_on_start))
    {
        problems.push(problem);
    }
    (problems, state)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "a-strong-secret-of-forty-bytes-0123456789";

    #[test]
    fn production_lists_every_problem_at_once_each_with_its_fix() -> anyhow::Result<()> {
        let settings = Settings::with_overrides(&[
            ("environment", "production"),
            ("auth.jwt_secret", "some-jwt-secret"),
            ("server.cors_allowed_origins", "https://dash.example/"),
            ("http.write_timeout_ms", "0"),
        ])?;

        let problems = settings_problems(&settings);

        let whats: Vec<&str> = problems.iter().map(|p| p.what.as_str()).collect();
        assert_eq!(problems.len(), 4, "{whats:?}");
        assert!(whats[0].contains("published"), "{whats:?}");
        assert!(whats[1].starts_with("no database URL"), "{whats:?}");
        assert!(whats[2].contains("is not an origin"), "{whats:?}");
        assert!(whats[3].contains("http.write_timeout_ms"), "{whats:?}");
        assert!(problems.iter().all(|p| !p.fix.is_empty()));
        assert!(problems[3].fix.contains("OTAS__HTTP__WRITE_TIMEOUT_MS"));
        Ok(())
    }

    #[test]
    fn without_a_secret_the_fix_names_the_variables_in_every_environment() -> anyhow::Result<()> {
        for environment in ["development", "production"] {
            let settings = Settings::with_overrides(&[
                ("environment", environment),
                ("database.url", "postgres://otas@127.0.0.1/otas"),
            ])?;

            let problems = settings_problems(&settings);

            assert_eq!(problems.len(), 1, "{environment}: {problems:?}");
            assert!(
                problems[0]
                    .fix
                    .contains("JWT_SECRET (or OTAS__AUTH__JWT_SECRET)"),
                "{problems:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn development_warns_but_does_not_refuse_unsafe_settings() -> anyhow::Result<()> {
        let settings = Settings::with_overrides(&[("auth.jwt_secret", "short")])?;

        assert!(settings_problems(&settings).is_empty());
        Ok(())
    }

    #[test]
    fn a_malformed_url_an_unreadable_file_and_zero_timeouts_are_each_listed() -> anyhow::Result<()>
    {
        let settings = Settings::with_overrides(&[
            ("auth.jwt_secret", STRONG),
            ("auth.previous_jwt_secrets_file", "/no/such/otas/secrets"),
            ("database.url", "mysql://root:hunter2@db/otas"),
            ("http.request_head_timeout_ms", "0"),
        ])?;

        let problems = settings_problems(&settings);

        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].what.contains("previous_jwt_secrets_file"));
        assert!(problems[1].what.contains("database URL is malformed"));
        assert!(problems[2].what.contains("request_head_timeout_ms"));
        assert!(!format!("{problems:?}").contains("hunter2"));
        Ok(())
    }

    #[test]
    fn a_malformed_replica_url_is_told_how_to_write_one() -> anyhow::Result<()> {
        let settings = Settings::with_overrides(&[
            ("auth.jwt_secret", STRONG),
            ("database.url", "postgres://otas@127.0.0.1/otas"),
            ("database.replica_urls", "mysql://u:leaked@db/otas"),
        ])?;

        let problems = settings_problems(&settings);

        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].what.contains("a replica URL is malformed"));
        assert!(problems[0]
            .fix
            .contains("OTAS__DATABASE__REPLICA_URLS as postgres://"));
        assert!(!problems[0].to_string().contains("leaked"));
        Ok(())
    }

    #[test]
    fn pending_migrations_refuse_unless_serve_migrates_them_and_silence_does_not() {
        let pending = DatabaseState::Answers {
            pending: vec!["20261129000001_uasam".to_owned()],
        };
        let silent = DatabaseState::DoesNotAnswer("connection refused".to_owned());

        let refused = pending.problem(false);

        assert!(refused.is_some_and(|p| p.what.contains("not migrated")
            && p.what.contains("20261129000001_uasam")
            && p.fix.contains("otas-server migrate")));
        assert_eq!(pending.problem(true), None);
        assert_eq!(silent.problem(false), None);
        assert!(silent.to_string().contains("503"));
    }

    #[test]
    fn a_refusal_prints_a_count_then_a_line_per_problem() {
        let refusal = Refusal(vec![Problem::new("a", "b"), Problem::new("c", "d")]);

        assert_eq!(
            refusal.to_string(),
            "refusing to start: 2 problems\n  - a; fix: b\n  - c; fix: d"
        );
    }
}
