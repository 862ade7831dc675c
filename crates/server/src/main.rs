//! `otas-server`: the OTAS session service.
//!
//! The thin binary: reads the configuration, builds the adapters (PostgreSQL
//! or SQLite, the only place that knows which), hands them to the use cases
//! and the HTTP layer, and runs the chosen command.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use otas_auth_adapter::JwtUserTokenIssuer;
use otas_domain::{Timestamp, UserId};
use secrecy::ExposeSecret;

use otas_server::demo::{seed_demo, DEMO_AGENTS, DEMO_AGENT_KEY, DEMO_PROJECT, DEMO_USER};
use otas_server::{stores, telemetry, Application, Settings, Stores};

/// The OTAS session service: UASAM's session API, on UASAM's database.
///
/// Configuration comes from config/default.toml, config/$OTAS_ENV.toml,
/// DATABASE_URL and JWT_SECRET, then OTAS__SECTION__KEY variables. Without a
/// database URL it uses a SQLite file under ./data/.
#[derive(Debug, Parser)]
#[command(name = "otas-server", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API (the default). Changes the schema only when
    /// database.migrate_on_start is set.
    Serve,
    /// Apply the pending migrations to the configured database and exit.
    /// Safe on an empty database, on one that UASAM already built (a
    /// partial UASAM schema is refused), and alongside other runs.
    Migrate {
        /// PostgreSQL: create the database first when the server does not have it.
        #[arg(long)]
        create_database: bool,
    },
    /// Load demonstration data (a user, a project, two agents, a few hundred
    /// sessions) into a store that has no user yet, then print a curl command
    /// that lists the demo sessions. A store with users is left as it is.
    SeedDemo,
    /// Write a user token (HS256, UASAM's claims) with the current secret.
    Token {
        /// The user's id (a row of `users`).
        user_id: String,
        /// How long the token is valid, in days (UASAM issues 30).
        #[arg(long, default_value_t = 30)]
        valid_for_days: i64,
        /// Write a token even for a user the database does not have.
        #[arg(long)]
        force: bool,
    },
    /// Print the effective configuration, secrets masked, and whether the
    /// database answers (exit status 1 when it does not).
    CheckConfig,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, with the chain of causes; never a secret.
            eprintln!("otas-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    // The server logs to standard output; the other commands print their
    // answer there, so their logs go to standard error.
    telemetry::init(&settings.log, matches!(command, Command::Serve));
    match command {
        Command::Serve => serve(&settings),
        Command::Migrate { create_database } => migrate(&settings, create_database),
        Command::SeedDemo => seed(&settings),
        Command::Token {
            user_id,
            valid_for_days,
            force,
        } => token(&settings, &user_id, valid_for_days, force),
        Command::CheckConfig => check_config(&settings),
    }
}

fn migrate(settings: &Settings, create_database: bool) -> anyhow::Result<()> {
    let store = settings.database.store()?;
    let applied = stores::migrate(&store, create_database)?;
    if applied.is_empty() {
        tracing::info!(store = store.kind(), "the database schema is up to date");
    }
    for name in applied {
        tracing::info!(store = store.kind(), migration = %name, "migration applied");
    }
    Ok(())
}

fn serve(settings: &Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async {
        // Everything that can be refused is checked before the port opens.
        let application = Application::build(settings)?;
        application.run().await?;
        anyhow::Ok(())
    })?;
    tracing::info!("stopped");
    Ok(())
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn seed(settings: &Settings) -> anyhow::Result<()> {
    let store = settings.database.store()?;
    let stores = Stores::open(&store)?;
    let now = Timestamp::from_micros(unix_now().saturating_mul(1_000_000))
        .context("the clock is out of range")?;
    if seed_demo(stores.users.as_ref(), stores.rows.as_ref(), now)? {
        tracing::info!(store = store.kind(), "demo data loaded");
    } else {
        tracing::info!(
            store = store.kind(),
            "the store already has users: no demo data loaded"
        );
    }
    let Some(email) = stores.users.user_email(DEMO_USER)? else {
        // A real UASAM database: nothing of ours to show.
        return Ok(());
    };
    let secret = settings
        .auth
        .secrets()?
        .into_iter()
        .next()
        .context("no JWT secret is configured")?;
    let token =
        JwtUserTokenIssuer::new(&secret)?.issue(DEMO_USER, &email, unix_now(), 30 * 86_400)?;
    let host = match settings.server.host.as_str() {
        "0.0.0.0" | "::" => "127.0.0.1",
        host => host,
    };
    println!("List the demo agent's sessions (the token is valid for 30 days):");
    println!();
    println!(
        "curl -s 'http://{host}:{port}/api/agent/v1/sessions/list/?agent_id={agent}&limit=5' \\\n  -H 'X-OTAS-USER-TOKEN: {token}' \\\n  -H 'X-OTAS-PROJECT-ID: {DEMO_PROJECT}'",
        port = settings.server.port,
        agent = DEMO_AGENTS[0],
    );
    println!();
    println!(
        "Open a session as that agent with its key (demo data: never use this key elsewhere),"
    );
    println!("then run the command above again: the new session heads the list.");
    println!();
    println!(
        "curl -s -X POST 'http://{host}:{port}/api/agent/v1/session/create/' \\\n  -H 'X-OTAS-AGENT-KEY: {DEMO_AGENT_KEY}' \\\n  -d '{{\"meta\": {{\"task\": \"first-run\"}}}}'",
        port = settings.server.port,
    );
    println!();
    Ok(())
}

fn token(
    settings: &Settings,
    user_id: &str,
    valid_for_days: i64,
    force: bool,
) -> anyhow::Result<()> {
    let user = UserId::parse(user_id).map_err(|_| anyhow::anyhow!("the user id is not a UUID"))?;
    if !(1..=3650).contains(&valid_for_days) {
        bail!("--valid-for-days must be between 1 and 3650");
    }
    let secret = settings
        .auth
        .secrets()?
        .into_iter()
        .next()
        .context("no JWT secret is configured")?;
    let email = if force {
        String::new()
    } else {
        let store = settings.database.store()?;
        Stores::open(&store)?
            .users
            .user_email(user)?
            .with_context(|| {
                format!("no user {user} in the database (--force writes a token anyway)")
            })?
    };
    let token = JwtUserTokenIssuer::new(&secret)?.issue(
        user,
        &email,
        unix_now(),
        valid_for_days * 86_400,
    )?;
    println!("{token}");
    Ok(())
}

fn check_config(settings: &Settings) -> anyhow::Result<()> {
    let mask = |set: bool| if set { "*** (set)" } else { "(not set)" };
    let server = &settings.server;
    let db = &settings.database;
    println!("environment = {:?}", settings.environment);
    for concern in otas_server::safety::concerns(settings) {
        println!("unsafe: {concern}");
    }
    println!("server.host = {:?}", server.host);
    println!("server.port = {}", server.port);
    println!("server.workers = {}", server.workers);
    println!(
        "server.cors_allowed_origins = {:?}",
        server.cors_allowed_origins
    );
    let store = db.store();
    match &store {
        Ok(store) => println!("database = {} at {}", store.kind(), store.location()),
        Err(error) => println!("database = invalid: {error:#}"),
    }
    println!("database.max_connections = {}", db.max_connections);
    println!(
        "database.connection_timeout_ms = {}",
        db.connection_timeout_ms
    );
    println!(
        "database.statement_timeout_ms = {}",
        db.statement_timeout_ms
    );
    println!("database.busy_timeout_ms = {}", db.busy_timeout_ms);
    println!("database.migrate_on_start = {}", db.migrate_on_start);
    let auth = &settings.auth;
    println!(
        "auth.jwt_secret = {}",
        mask(
            auth.jwt_secret
                .as_ref()
                .is_some_and(|s| !s.expose_secret().is_empty())
        )
    );
    let previous = auth.secrets().map_or(0, |s| s.len().saturating_sub(1));
    println!("auth.previous_jwt_secrets = {previous} secret(s)");
    println!("http.list_batch_size = {}", settings.http.list_batch_size);
    println!("http.max_page_bytes = {}", settings.http.max_page_bytes);
    println!(
        "http.max_response_bytes_in_flight = {}",
        settings.http.max_response_bytes_in_flight
    );
    println!("log.level = {:?}", settings.log.level);
    println!("log.format = {:?}", settings.log.format);
    let store = store?;
    match Stores::open(&store).and_then(|stores| stores.ping()) {
        Ok(()) => {
            println!("database answers: yes");
            Ok(())
        }
        Err(error) => {
            println!("database answers: no ({error:#})");
            bail!("the database does not answer")
        }
    }
}
