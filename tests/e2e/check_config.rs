//! `check-config`, the gate: it prints every setting (secrets masked), what
//! the database says, and the problems `serve` refuses on, each with its
//! fix; it fails exactly when `serve` would refuse, and creates nothing.

use std::process::{Output, Stdio};

use diesel::dsl::sql;
use diesel::sql_types::Bool;
use diesel::RunQueryDsl;
use otas_postgres_adapter::test_support::TestDatabase;

use crate::support::app::command;
use crate::support::scratch::Scratch;
use crate::support::tokens::TEST_SECRET;

/// A secret of 40 bytes, none of them published.
const STRONG: &str = "a-strong-secret-of-forty-bytes-0123456789";

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The problems `check-config` printed (`problem: …` lines, fix included).
fn problems_printed(printed: &str) -> Vec<String> {
    let lines: Vec<&str> = printed.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let what = line.strip_prefix("problem: ")?;
            let fix = lines.get(i + 1)?.strip_prefix("  fix: ")?;
            Some(format!("{what}; fix: {fix}"))
        })
        .collect()
}

#[test]
fn check_config_masks_secrets_and_says_whether_the_database_answers() {
    let store = Scratch::new();
    assert!(store.run(&["migrate"], &[]).status.success());

    let healthy = store.run(
        &["check-config"],
        &[(
            "OTAS__AUTH__PREVIOUS_JWT_SECRETS",
            "old-secret-1,old-secret-2",
        )],
    );
    let unreachable = command("postgres://otas:hunter2@127.0.0.1:1/otas", &[])
        .args(["check-config"])
        .env("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "200")
        .output()
        .expect("run otas-server");

    assert!(healthy.status.success(), "{}", stderr(&healthy));
    let printed = stdout(&healthy);
    assert!(printed.contains("database = sqlite"), "{printed}");
    assert!(
        printed.contains("database answers: yes, migrated"),
        "{printed}"
    );
    assert!(
        printed.contains("auth.previous_jwt_secrets = 2 secret(s)"),
        "{printed}"
    );
    assert!(printed.ends_with("serve would start\n"), "{printed}");
    assert!(
        !printed.contains(TEST_SECRET) && !printed.contains("old-secret"),
        "a secret was printed: {printed}"
    );
    // Not a refusal: serve starts and answers 503 until the database does.
    assert!(unreachable.status.success(), "{}", stderr(&unreachable));
    let printed = stdout(&unreachable);
    assert!(printed.contains("database = postgres"), "{printed}");
    assert!(printed.contains("database answers: no"), "{printed}");
    assert!(printed.contains("answer 503 until it does"), "{printed}");
    assert!(
        !printed.contains("hunter2") && !stderr(&unreachable).contains("hunter2"),
        "a password was printed"
    );
}

#[test]
fn check_config_fails_on_what_serve_refuses_in_production_lists_it_all_and_creates_nothing() {
    let dir = Scratch::new();
    let env = [
        ("OTAS_ENV", "production"),
        ("JWT_SECRET", "short-but-not-published"),
        ("OTAS__SERVER__CORS_ALLOWED_ORIGINS", "dash.example"),
        ("OTAS__SERVER__PORT", "0"),
    ];
    let run = |args: &[&str]| {
        // No database URL: the SQLite file data/otas.db, under the
        // working directory.
        let mut command = command("", &env);
        command.env_remove("DATABASE_URL");
        command
            .current_dir(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run otas-server")
    };

    let checked = run(&["check-config"]);
    let served = run(&["serve"]);

    assert!(!checked.status.success());
    let printed = stdout(&checked);
    let problems = problems_printed(&printed);
    assert_eq!(problems.len(), 4, "{printed}");
    assert!(problems[0].starts_with("the JWT secret is shorter than 32 bytes"));
    assert!(problems[1].starts_with("no database URL is set"));
    assert!(problems[2].contains("\"dash.example\" is not an origin"));
    assert!(problems[3].contains("does not exist yet; fix: run otas-server migrate"));
    assert!(
        printed.contains("does not exist yet: `otas-server migrate` creates it"),
        "{printed}"
    );
    assert!(
        stderr(&checked).contains("serve would refuse to start: 4 problem(s), listed above"),
        "{}",
        stderr(&checked)
    );
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the scratch directory")
        .collect();
    assert!(
        entries.is_empty(),
        "check-config or serve created {entries:?}"
    );
    // serve refuses with the same list.
    assert!(!served.status.success());
    let refused: Vec<String> = stderr(&served)
        .lines()
        .filter_map(|line| line.strip_prefix("  - ").map(str::to_owned))
        .collect();
    assert_eq!(refused, problems, "{}", stderr(&served));
    assert!(stderr(&served).starts_with("otas-server: refusing to start: 4 problems\n"));
}

#[test]
fn check_config_says_not_migrated_on_an_empty_postgresql_database_and_migrates_nothing() {
    let db = TestDatabase::empty();

    let checked = command(db.url(), &[("JWT_SECRET", STRONG)])
        .args(["check-config"])
        .output()
        .expect("run otas-server");

    assert!(!checked.status.success(), "serve would refuse it");
    let printed = stdout(&checked);
    assert!(
        printed.contains(
            "database answers: yes, not migrated (pending: 2026-11-29-000001_uasam_schema, "
        ),
        "{printed}"
    );
    assert!(printed.contains("run otas-server migrate"), "{printed}");
    assert!(!printed.contains("no such table"), "{printed}");
    let bookkeeping: bool = diesel::select(sql::<Bool>(
        "to_regclass('public.__diesel_schema_migrations') IS NOT NULL",
    ))
    .get_result(&mut db.connect())
    .expect("the catalog");
    assert!(!bookkeeping, "check-config created diesel's table");
}

#[test]
fn check_config_prints_every_setting_and_the_log_filter_really_in_force() {
    let db = TestDatabase::migrated();

    let checked = command(db.url(), &[("JWT_SECRET", STRONG)])
        .args(["check-config"])
        .env("OTAS__LOG__LEVEL", "error")
        .env("RUST_LOG", "debug")
        .output()
        .expect("run otas-server");

    assert!(checked.status.success(), "{}", stderr(&checked));
    let printed = stdout(&checked);
    let settings = printed
        .lines()
        .filter(|line| line.contains('.') && line.contains(" = "))
        .count();
    assert!(settings >= 40, "{settings} settings: {printed}");
    assert!(printed.contains("log.level = \"error\"\n"), "{printed}");
    assert!(
        printed.contains("log filter in force = \"debug\" (from RUST_LOG"),
        "{printed}"
    );
    assert!(
        printed.contains("database answers: yes, migrated"),
        "{printed}"
    );
}
