//! The process: refusing bad configuration in one line, migrations, serving
//! from the SQLite file `migrate` created when no database URL is set, one log
//! line per request with its id and never the token.

use std::process::Stdio;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use otas_postgres_adapter::test_support::TestDatabase;
use otas_store_contract::session_row;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::app::command;
use crate::support::scratch::Scratch;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{agent_query, error_body, on_both_stores, Store, TestApp, World};

/// Runs `otas-server <args>` to its end and returns (success, stderr).
fn run_to_end(
    database_url: &str,
    env: &[(&str, &str)],
    remove: &[&str],
    args: &[&str],
) -> (bool, String) {
    let mut command = command(database_url, env);
    for key in remove {
        command.env_remove(key);
    }
    let output = command
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run otas-server");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn table_count(url: &str) -> i64 {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    use diesel::RunQueryDsl;
    let mut conn = PgConnection::establish(url).expect("connect");
    diesel::select(sql::<BigInt>(
        "(SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' \
          AND table_name IN ('users','project','user_project_mapping','agent','agent_key','agent_session','backend_api_keys'))",
    ))
    .get_result(&mut conn)
    .expect("count tables")
}

#[test]
fn serve_refuses_to_start_without_a_jwt_secret_saying_what_to_set() {
    let db = TestDatabase::migrated();

    let (ok, stderr) = run_to_end(db.url(), &[], &["JWT_SECRET"], &["serve"]);

    assert!(!ok);
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "otas-server: refusing to start: 1 problem",
            "  - the JWT secret is empty; fix: set JWT_SECRET (or OTAS__AUTH__JWT_SECRET) to the secret UASAM signs user tokens with",
        ],
        "{stderr}"
    );
}

#[test]
fn serve_refuses_a_malformed_database_url_without_printing_it() {
    for url in [
        "mysql://root:hunter2@db/otas",
        "hunter2-not-a-url",
        "http://root:hunter2@db/otas",
    ] {
        let (ok, stderr) = run_to_end(url, &[], &[], &["serve"]);

        assert!(!ok, "{url:?}");
        assert_eq!(stderr.trim().lines().count(), 2, "{stderr}");
        assert!(
            stderr.contains("refusing to start: 1 problem\n  - the database URL is malformed"),
            "{stderr}"
        );
        assert!(stderr.contains("fix: set DATABASE_URL"), "{stderr}");
        assert!(
            !stderr.contains("hunter2"),
            "a password reached the output: {stderr}"
        );
    }
}

#[test]
fn serve_lists_every_problem_at_once_each_with_its_fix() {
    let db = TestDatabase::migrated();

    let (ok, stderr) = run_to_end(
        db.url(),
        &[
            (
                "OTAS__SERVER__CORS_ALLOWED_ORIGINS",
                "https://dash.example/",
            ),
            ("OTAS__HTTP__WRITE_TIMEOUT_MS", "0"),
        ],
        &["JWT_SECRET"],
        &["serve"],
    );

    assert!(!ok);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert_eq!(lines[0], "otas-server: refusing to start: 3 problems");
    assert!(lines[1].starts_with("  - the JWT secret is empty; fix: set JWT_SECRET"));
    assert!(lines[2].contains("is not an origin") && lines[2].contains("; fix: "));
    assert!(lines[3].contains("http.write_timeout_ms must be at least 1 ms; fix: set"));
}

#[test]
fn an_environment_named_without_its_file_is_refused_naming_the_directory_searched() {
    let db = TestDatabase::migrated();

    let (ok, stderr) = run_to_end(
        db.url(),
        &[
            ("OTAS_ENV", "no-such-environment"),
            ("OTAS_CONFIG_DIR", "/nonexistent/otas-config"),
        ],
        &[],
        &["serve"],
    );

    assert!(!ok);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.ends_with('\n'), "{stderr:?}");
    assert!(
        stderr.contains("no-such-environment.toml")
            && stderr.contains("/nonexistent/otas-config")
            && stderr.contains("set OTAS_CONFIG_DIR"),
        "{stderr}"
    );
}

#[test]
fn migrate_on_a_database_the_server_does_not_have_suggests_creating_it() {
    let db = TestDatabase::empty();
    let missing = db.url().replace(db.name(), "otas_never_created");

    let (ok, stderr) = run_to_end(&missing, &[], &[], &["migrate"]);

    assert!(!ok);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(
        stderr.contains("`otas-server migrate --create-database` creates it"),
        "{stderr}"
    );
}

#[test]
fn migrate_creates_uasams_schema_on_an_empty_database_and_is_idempotent() {
    let db = TestDatabase::empty();

    let first = run_to_end(db.url(), &[], &[], &["migrate"]);
    let second = run_to_end(db.url(), &[], &[], &["migrate"]);

    assert!(first.0, "{}", first.1);
    assert!(second.0, "{}", second.1);
    assert_eq!(table_count(db.url()), 7);
}

#[test]
fn migrate_refuses_a_database_holding_only_some_of_uasams_tables_naming_them() {
    let db = TestDatabase::empty();
    let mut conn = db.connect();
    // Some of UASAM's tables, as an unfinished Django migration leaves them.
    conn.batch_execute(
        "CREATE TABLE users (id uuid PRIMARY KEY, first_name varchar(100) NOT NULL, middle_name varchar(100), \
           last_name varchar(100) NOT NULL, email varchar(254) NOT NULL UNIQUE, password varchar(128) NOT NULL, \
           created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
         INSERT INTO users VALUES ('11111111-1111-1111-1111-111111111111', 'Ada', NULL, 'L', 'ada@example.com', 'x', now(), now());",
    )
    .expect("UASAM's users table");

    let (ok, stderr) = run_to_end(db.url(), &[], &[], &["migrate"]);

    assert!(!ok, "migrated a partial schema");
    assert!(
        stderr.contains("present: users;") && stderr.contains("missing: agent, agent_key"),
        "{stderr}"
    );
    assert_eq!(table_count(db.url()), 1, "nothing created");
}

#[tokio::test]
async fn serve_warns_about_an_invalid_index_and_counts_it_in_the_metrics() {
    let db = TestDatabase::migrated();
    db.connect()
        .batch_execute(
            "UPDATE pg_index SET indisvalid = false \
             WHERE indexrelid = 'public.agent_session_agent_created_id_idx'::regclass",
        )
        .expect("mark the listing index INVALID");
    let app = TestApp::spawn(db.url()).await;

    let warning = app.wait_for_log("INVALID indexes").await;
    let metrics = app.metrics_text().await;

    assert!(
        warning.contains("agent_session_agent_created_id_idx"),
        "{warning}"
    );
    assert!(
        metrics.lines().any(|l| l == "otas_db_invalid_indexes 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn serve_refuses_an_unmigrated_database_and_migrates_only_when_told_to() {
    let untouched = TestDatabase::empty();
    let migrated = TestDatabase::empty();

    let (ok, stderr) = run_to_end(untouched.url(), &[], &[], &["serve"]);
    let _migrating = TestApp::spawn_with(
        migrated.url(),
        &[("OTAS__DATABASE__MIGRATE_ON_START", "true")],
    )
    .await;

    assert!(!ok, "served an unmigrated database");
    assert!(
        stderr.contains("the database is not migrated (pending: 2026-11-29-000001_uasam_schema, "),
        "{stderr}"
    );
    assert!(stderr.contains("fix: run otas-server migrate"), "{stderr}");
    assert_eq!(table_count(untouched.url()), 0);
    assert_eq!(table_count(migrated.url()), 7);
}

#[tokio::test]
async fn serve_starts_while_the_database_does_not_answer() {
    let app = TestApp::spawn_with(
        "postgres://otas@127.0.0.1:1/otas",
        &[("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "200")],
    )
    .await;

    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("an answer");

    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    app.wait_for_log("the database does not answer yet").await;
}

#[tokio::test]
async fn a_schema_lost_after_start_is_a_json_500_without_sql() {
    let db = TestDatabase::migrated();
    let app = TestApp::spawn(db.url()).await;
    db.connect()
        .batch_execute("DROP TABLE user_project_mapping")
        .expect("drop a table");

    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        error_body("server_error")
    );
    // The cause is in the log, tied to the request.
    let line = app.wait_for_log("store failed").await;
    assert!(line.contains("request_id"), "{line}");
}

#[tokio::test]
async fn without_a_database_url_serve_lists_from_the_sqlite_file_that_migrate_created() {
    let scratch = Scratch::new();
    // In a directory that does not exist yet.
    let file = scratch.path().join("state").join("otas.db");
    let path = file.to_str().expect("a UTF-8 path").to_owned();
    let env = [("OTAS__DATABASE__SQLITE_PATH", path.as_str())];
    let mut migrate = command("", &env);
    migrate.env_remove("DATABASE_URL");
    let migrated = migrate
        .arg("migrate")
        .stdin(Stdio::null())
        .output()
        .expect("run otas-server migrate");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(file.is_file(), "migrate created {}", file.display());
    World::seed_into(&path);
    let session = Uuid::new_v4();
    World::write_into(
        &path,
        &[session_row(
            session,
            AGENT_A,
            Some(KEY_A),
            at(3_600, 42),
            r#"{"store": "the file"}"#,
        )],
    );

    let app = TestApp::spawn_without_database_url(&env).await;
    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        json!({
            "status": 1,
            "status_description": "agent_sessions_listed",
            "response": {
                "agent_id": AGENT_A.to_string(),
                "sessions": [{
                    "id": session.to_string(),
                    "agent_key_id": KEY_A.to_string(),
                    "created_at": "2026-04-16T01:00:00.000042+00:00",
                    "meta": {"store": "the file"}
                }]
            }
        })
    );
    let listening: Value =
        serde_json::from_str(&app.wait_for_log("listening on").await).expect("a JSON log line");
    assert_eq!(listening["store"], "sqlite", "{listening}");
}

on_both_stores!(every_request_gets_a_request_id_and_one_log_line_without_the_token);
async fn every_request_gets_a_request_id_and_one_log_line_without_the_token(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;
    for probe in ["/healthz", "/readyz"] {
        let answer = app
            .client
            .get(format!("{}{probe}", app.address))
            .header("X-Request-Id", format!("probe{}", probe.replace('/', "-")))
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), StatusCode::OK, "{probe}");
    }

    let echoed = app
        .client
        .get(format!(
            "{}/api/agent/v1/sessions/list/?agent_id={AGENT_A}",
            app.address
        ))
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", PROJECT_A.to_string())
        .header("X-Request-Id", "dashboard-req-42")
        .send()
        .await
        .expect("answer");
    let generated = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;

    assert_eq!(echoed.headers()["x-request-id"], "dashboard-req-42");
    let generated_id = generated.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(Uuid::parse_str(&generated_id).is_ok(), "{generated_id}");
    let line = app.wait_for_log("dashboard-req-42").await;
    let event: Value = serde_json::from_str(&line).expect("a JSON log line");
    assert_eq!(event["method"], "GET");
    assert_eq!(event["path"], "/api/agent/v1/sessions/list/");
    assert_eq!(event["status"], 200);
    assert!(
        event["latency_ms"].is_string() || event["latency_ms"].is_number(),
        "{event}"
    );
    app.wait_for_log(&generated_id).await;
    let logs = app.logs().join("\n");
    assert!(!logs.contains(VALID), "a token reached the log");
    assert!(
        !logs.contains(&VALID[VALID.len() - 20..]),
        "a token's signature reached the log"
    );
    assert_eq!(
        logs.matches("dashboard-req-42").count(),
        1,
        "one line per request:\n{logs}"
    );
    // The probes came first, and are not in the info log.
    assert!(
        !logs.contains("probe-healthz") && !logs.contains("probe-readyz"),
        "a probe was logged at info:\n{logs}"
    );
    // The server runs on the store the world is on.
    let listening: Value =
        serde_json::from_str(&app.wait_for_log("listening on").await).expect("a JSON log line");
    assert_eq!(listening["store"], store.name(), "{listening}");
}
