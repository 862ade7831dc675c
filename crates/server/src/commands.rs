//! What each command of `otas-server` does, once its settings are read:
//! `main.rs` parses the command line and calls one of these.

use anyhow::{bail, Context};
use otas_auth_adapter::JwtUserTokenIssuer;
use otas_domain::UserId;
use otas_ports::Clock;
use secrecy::SecretString;

use crate::clock::SystemClock;
use crate::demo::{self, first_run_commands, DEMO_TOKEN_DAYS, DEMO_USER};
use crate::settings::ConfigReport;
use crate::{stores, Application, Settings, Stores};

/// Serves the HTTP API until the process is told to stop. Everything that
/// can be refused is checked before the port opens.
pub fn serve(settings: &Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async {
        let application = Application::build(settings)?;
        application.run().await?;
        anyhow::Ok(())
    })?;
    tracing::info!("stopped");
    Ok(())
}

/// Applies the pending migrations, creating the PostgreSQL database first
/// when `create_database` asks and the server does not have it.
pub fn migrate(settings: &Settings, create_database: bool) -> anyhow::Result<()> {
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

/// Loads the demo into a store without users, then prints the commands
/// that try it, with a token of the demo user (when the store has them).
pub fn seed_demo(settings: &Settings) -> anyhow::Result<()> {
    let store = settings.database.store()?;
    let stores = Stores::open(&store)?;
    if demo::seed_demo(
        stores.users.as_ref(),
        stores.rows.as_ref(),
        SystemClock.now(),
    )? {
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
    let secret = settings.auth.signing_secret()?;
    let token = user_token(&secret, DEMO_USER, &email, DEMO_TOKEN_DAYS)?;
    let server = &settings.server;
    print!("{}", first_run_commands(&server.host, server.port, &token));
    Ok(())
}

/// Prints a user token for `user_id`, valid for `valid_for_days` (1 to
/// 3650); for a user the database has, unless `force`.
pub fn token(
    settings: &Settings,
    user_id: &str,
    valid_for_days: i64,
    force: bool,
) -> anyhow::Result<()> {
    let user = UserId::parse(user_id).map_err(|_| anyhow::anyhow!("the user id is not a UUID"))?;
    if !(1..=3650).contains(&valid_for_days) {
        bail!("--valid-for-days must be between 1 and 3650");
    }
    let secret = settings.auth.signing_secret()?;
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
    println!("{}", user_token(&secret, user, &email, valid_for_days)?);
    Ok(())
}

/// Prints the configuration report: every setting, the database's state,
/// the problems; fails exactly when `serve` would refuse to start (the same
/// list). Creates nothing and migrates nothing; a database that does not
/// answer is no failure, as it is no refusal.
pub fn check_config(settings: &Settings) -> anyhow::Result<()> {
    let report = ConfigReport::of(settings);
    print!("{report}");
    match report.problems.len() {
        0 => Ok(()),
        n => bail!("serve would refuse to start: {n} problem(s), listed above"),
    }
}

/// A user token as UASAM issues them, signed with `secret`, issued now and
/// valid for `days`.
fn user_token(
    secret: &SecretString,
    user: UserId,
    email: &str,
    days: i64,
) -> anyhow::Result<String> {
    let issued_at = SystemClock.now().as_micros().div_euclid(1_000_000);
    Ok(JwtUserTokenIssuer::new(secret)?.issue(user, email, issued_at, days * 86_400)?)
}
