//! Running the service: refusing bad configuration, migrations, and a
//! database that goes away and comes back.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use otas_postgres_adapter::test_support::TestDatabase;
use reqwest::StatusCode;
use serde_json::Value;
use support::app::command;
use support::cluster::PrivateCluster;
use support::tokens::VALID;
use support::world::*;
use support::{error_body, TestApp, World};

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
fn serve_refuses_to_start_without_a_jwt_secret_in_one_line() {
    let db = TestDatabase::migrated();

    let (ok, stderr) = run_to_end(db.url(), &[], &["JWT_SECRET"], &["serve"]);

    assert!(!ok);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");
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
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("database"), "{stderr}");
        assert!(
            !stderr.contains("hunter2"),
            "a password reached the output: {stderr}"
        );
    }
}

#[test]
fn an_environment_named_without_its_file_is_refused() {
    let db = TestDatabase::migrated();

    let (ok, stderr) = run_to_end(
        db.url(),
        &[("OTAS_ENV", "no-such-environment")],
        &[],
        &["serve"],
    );

    assert!(!ok);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
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
fn migrate_applies_to_a_database_uasam_already_built_and_keeps_its_rows() {
    let db = TestDatabase::empty();
    let mut conn = db.connect();
    // As UASAM leaves it: its own tables and rows, its own index names, no diesel bookkeeping.
    conn.batch_execute(
        "CREATE TABLE users (id uuid PRIMARY KEY, first_name varchar(100) NOT NULL, middle_name varchar(100), \
           last_name varchar(100) NOT NULL, email varchar(254) NOT NULL UNIQUE, password varchar(128) NOT NULL, \
           created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
         INSERT INTO users VALUES ('11111111-1111-1111-1111-111111111111', 'Ada', NULL, 'L', 'ada@example.com', 'x', now(), now());",
    )
    .expect("UASAM's users table");

    let (ok, stderr) = run_to_end(db.url(), &[], &[], &["migrate"]);

    assert!(ok, "{stderr}");
    assert_eq!(table_count(db.url()), 7);
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    use diesel::RunQueryDsl;
    let users: i64 = diesel::select(sql::<BigInt>("(SELECT count(*) FROM users)"))
        .get_result(&mut conn)
        .expect("count users");
    assert_eq!(users, 1);
}

#[tokio::test]
async fn serve_leaves_the_schema_alone_unless_told_to_migrate() {
    let untouched = TestDatabase::empty();
    let migrated = TestDatabase::empty();

    let _plain = TestApp::spawn(untouched.url()).await;
    let _migrating = TestApp::spawn_with(
        migrated.url(),
        &[("OTAS__DATABASE__MIGRATE_ON_START", "true")],
    )
    .await;

    assert_eq!(table_count(untouched.url()), 0);
    assert_eq!(table_count(migrated.url()), 7);
}

#[tokio::test]
async fn a_database_without_the_schema_is_a_json_500_without_sql() {
    let db = TestDatabase::empty();
    let app = TestApp::spawn(db.url()).await;

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
    let line = app.wait_for_log("session store failed").await;
    assert!(line.contains("request_id"), "{line}");
}

/// A private cluster (it will be stopped) with a migrated database `otas`
/// holding the world's rows, and that database's URL.
fn private_cluster_with_world() -> (PrivateCluster, String) {
    let cluster = PrivateCluster::start();
    PgConnection::establish(&cluster.url("postgres"))
        .expect("connect to the private cluster")
        .batch_execute("CREATE DATABASE otas")
        .expect("create database");
    let url = cluster.url("otas");
    otas_postgres_adapter::run_migrations(&url).expect("migrate");
    World::seed_into(&url);
    (cluster, url)
}

#[tokio::test]
async fn a_database_that_goes_away_answers_503_in_time_and_serving_resumes_when_it_is_back() {
    let (cluster, url) = private_cluster_with_world();
    let app = TestApp::spawn_with(&url, &[("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "1000")]).await;
    let (project, query) = (PROJECT_A.to_string(), format!("agent_id={AGENT_A}"));
    let list = || app.list(Some(VALID), Some(&project), &query);
    assert_eq!(list().await.status(), StatusCode::OK);

    cluster.stop();
    let started = Instant::now();
    let response = list().await;
    let waited = started.elapsed();

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        error_body("service_unavailable")
    );
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}");

    cluster.start_again();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    while Instant::now() < deadline {
        status = list().await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, StatusCode::OK, "serving resumed without a restart");
}

#[tokio::test]
async fn a_database_lost_in_the_middle_of_a_long_list_never_yields_a_body_that_parses() {
    let (cluster, url) = private_cluster_with_world();
    PgConnection::establish(&url)
        .expect("connect")
        .batch_execute(&format!(
            "INSERT INTO agent_session (id, created_at, meta, agent_id) \
             SELECT gen_random_uuid(), timestamptz '2026-01-01' + i * interval '1 second', \
                    jsonb_build_object('i', i, 'pad', repeat('x', 400)), '{AGENT_A}' \
             FROM generate_series(1, 50000) AS i"
        ))
        .expect("insert sessions");
    // Small batches: the list takes many round trips, and the first bytes
    // leave long before the last session is read.
    let app = TestApp::spawn_with(
        &url,
        &[
            ("OTAS__HTTP__LIST_BATCH_SIZE", "20"),
            ("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "500"),
        ],
    )
    .await;
    let mut response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = Vec::new();
    let first = response
        .chunk()
        .await
        .expect("a first chunk")
        .expect("not the end yet");
    body.extend_from_slice(&first);

    cluster.stop();
    let mut cut_short = false;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(_) => {
                cut_short = true;
                break;
            }
        }
    }

    assert!(
        cut_short,
        "the connection must be aborted, not ended cleanly"
    );
    assert!(
        serde_json::from_slice::<Value>(&body).is_err(),
        "a list cut short must never parse as a complete answer ({} bytes)",
        body.len()
    );
}
