//! `otas-server`: the OTAS session service.
//!
//! The thin binary: reads the configuration, builds the adapters, hands them
//! to the use cases and the HTTP layer, and runs the chosen command.

mod settings;
mod telemetry;

use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use otas_auth_adapter::{HmacCursorCodec, JwtUserTokenVerifier};
use otas_http::HttpSettings;
use otas_ports::ListSessions;
use otas_postgres_adapter::{PgAccessStore, PgSessionStore};

use crate::settings::Settings;

/// The OTAS session service: UASAM's session API, on UASAM's database.
///
/// Configuration comes from config/default.toml, config/$OTAS_ENV.toml,
/// DATABASE_URL and JWT_SECRET, then OTAS__SECTION__KEY variables.
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
    /// Safe on an empty database and on one that UASAM already built.
    Migrate {
        /// Create the database first when the server does not have it (development).
        #[arg(long)]
        create_database: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, with the chain of causes; never a secret.
            eprintln!("otas-server: {error:#}");
            tracing::error!(error = format!("{error:#}"), "otas-server stopped");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    telemetry::init(&settings.log);
    match command {
        Command::Serve => serve(&settings),
        Command::Migrate { create_database } => {
            if create_database
                && otas_postgres_adapter::create_database_if_missing(settings.database.url()?)?
            {
                tracing::info!("database created");
            }
            migrate(&settings)
        }
    }
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let applied = otas_postgres_adapter::run_migrations(settings.database.url()?)?;
    if applied.is_empty() {
        tracing::info!("the database schema is up to date");
    }
    for name in applied {
        tracing::info!(migration = %name, "migration applied");
    }
    Ok(())
}

fn serve(settings: &Settings) -> anyhow::Result<()> {
    // Everything that can be refused is checked before the port opens.
    let secrets = settings.auth.secrets()?;
    let verifier = JwtUserTokenVerifier::new(&secrets)?;
    let current = secrets.first().context("no JWT secret is configured")?;
    let cursors = HmacCursorCodec::from_secret(current);
    let pool_settings = settings.database.pool()?;
    if settings.database.migrate_on_start {
        migrate(settings)?;
    }
    let pool = otas_postgres_adapter::connect(&pool_settings)?;
    let list_sessions = ListSessions::new(
        Arc::new(verifier),
        Arc::new(PgAccessStore::new(pool.clone())),
        Arc::new(PgSessionStore::new(pool)),
        Arc::new(cursors),
    );

    let server = &settings.server;
    let listener = TcpListener::bind((server.host.as_str(), server.port))
        .with_context(|| format!("cannot listen on {}:{}", server.host, server.port))?;
    let address = listener.local_addr()?;
    let workers = match server.workers {
        0 => std::thread::available_parallelism().map_or(2, usize::from),
        n => n,
    };
    let http = HttpSettings {
        allowed_origins: server.cors_allowed_origins.clone(),
        list_batch_size: settings.http.list_batch_size,
        workers,
    };
    actix_web::rt::System::new().block_on(async move {
        let running = otas_http::serve(listener, list_sessions, http)?;
        tracing::info!(%address, workers, "listening on http://{address}");
        running.await
    })?;
    tracing::info!("stopped");
    Ok(())
}
