//! Faults, for real: a private PostgreSQL cluster stopped while the service
//! runs (503 in time, serving again when it is back), and lost in the middle of
//! a long list (the body never parses as complete).

use std::time::{Duration as StdDuration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::cluster::PrivateCluster;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{error_body, TestApp, World};

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
    let probe = |path: &'static str| app.client.get(format!("{}{path}", app.address)).send();
    assert_eq!(list().await.status(), StatusCode::OK);
    assert_eq!(
        probe("/readyz").await.expect("answer").status(),
        StatusCode::OK
    );

    cluster.stop();
    let started = Instant::now();
    let response = list().await;
    let waited = started.elapsed();
    let not_ready = probe("/readyz").await.expect("answer");
    let alive = probe("/healthz").await.expect("answer");

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        error_body("service_unavailable")
    );
    assert!(
        waited < StdDuration::from_secs(5),
        "answered after {waited:?}"
    );
    assert_eq!(not_ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        not_ready.json::<Value>().await.expect("JSON"),
        error_body("service_unavailable")
    );
    assert_eq!(alive.status(), StatusCode::OK, "alive without the database");

    cluster.start_again();
    let deadline = Instant::now() + StdDuration::from_secs(20);
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    while Instant::now() < deadline {
        status = list().await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    assert_eq!(status, StatusCode::OK, "serving resumed without a restart");
    assert_eq!(
        probe("/readyz").await.expect("answer").status(),
        StatusCode::OK
    );
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
