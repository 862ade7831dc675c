//! `otas-server`: the OTAS session service.
//!
//! The thin binary: parses the command line, reads the configuration, and
//! runs the chosen command (`otas_server::commands`), which builds the
//! adapters (PostgreSQL or SQLite, see `otas_server::stores`) and hands them
//! to the use cases and the HTTP layer.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use otas_server::{commands, telemetry, Settings};

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
    /// Serve the HTTP API (the default). Refuses to start, listing every
    /// problem (as check-config does), on bad settings or a database that
    /// is not migrated; changes the schema only when
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
    /// Print every effective setting (secrets masked), the log filter in
    /// force, what the database says (migrated or not), and every problem
    /// serve would refuse to start on, each with its fix; exit status 1
    /// exactly when serve would refuse. Creates and migrates nothing.
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
        Command::Serve => commands::serve(&settings),
        Command::Migrate { create_database } => commands::migrate(&settings, create_database),
        Command::SeedDemo => commands::seed_demo(&settings),
        Command::Token {
            user_id,
            valid_for_days,
            force,
        } => commands::token(&settings, &user_id, valid_for_days, force),
        Command::CheckConfig => commands::check_config(&settings),
    }
}
