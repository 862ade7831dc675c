//! Faults, for real: a private PostgreSQL cluster stopped while the service
//! runs (503 in time, serving again when it is back), down at start, lost
//! in the middle of a long list (the body never parses as complete); a
//! frozen proxy (a silent partition); an exhausted pool. Restarted under
//! load: `restart`.

use std::time::{Duration as StdDuration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::cluster::PrivateCluster;
use crate::support::proxy::FreezableProxy;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{error_body, TestApp, World};

/// A private cluster (it will be stopped) with a migrated database `otas`
/// holding the world's rows, and that database's URL.
pub(crate) fn private_cluster_with_world() -> (PrivateCluster, String) {
    let cluster = PrivateCluster::start();
    let url = cluster.database_with_world();
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

#[tokio::test]
async fn a_database_down_at_start_is_503_and_ready_once_it_is_up_without_a_restart() {
    let (cluster, url) = private_cluster_with_world();
    cluster.stop();
    let app = TestApp::spawn_with(&url, &[("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "1000")]).await;
    let (project, query) = (PROJECT_A.to_string(), format!("agent_id={AGENT_A}"));
    let probe = |path: &'static str| app.client.get(format!("{}{path}", app.address)).send();

    let started = Instant::now();
    let listed = app.list(Some(VALID), Some(&project), &query).await;
    let not_ready = probe("/readyz").await.expect("answer").status();
    let waited = started.elapsed();
    cluster.start_again();
    let deadline = Instant::now() + StdDuration::from_secs(20);
    let mut ready = StatusCode::SERVICE_UNAVAILABLE;
    while Instant::now() < deadline && ready != StatusCode::OK {
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        ready = probe("/readyz").await.expect("answer").status();
    }
    let listed_again = app.list(Some(VALID), Some(&project), &query).await;

    assert_eq!(listed.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(not_ready, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        waited < StdDuration::from_secs(8),
        "answered after {waited:?}"
    );
    assert_eq!(ready, StatusCode::OK, "ready once the database is up");
    assert_eq!(listed_again.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_silent_partition_answers_503_within_the_deadline_and_serving_resumes_when_it_heals() {
    let world = World::new(Store::Postgres);
    let proxy = FreezableProxy::start("127.0.0.1:5432".parse().expect("an address")).await;
    let url = world
        .url()
        .replace("127.0.0.1:5432", &proxy.address.to_string());
    let app = TestApp::start_with(
        &url,
        &[
            ("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "500"),
            ("OTAS__DATABASE__STATEMENT_TIMEOUT_MS", "1000"),
        ],
    )
    .await;
    let (project, query) = (PROJECT_A.to_string(), format!("agent_id={AGENT_A}"));
    let list = || app.list(Some(VALID), Some(&project), &query);
    assert_eq!(list().await.status(), StatusCode::OK);

    proxy.freeze();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let status = list().await.status();
        answers.push((status, started.elapsed()));
    }
    proxy.thaw();
    let deadline = Instant::now() + StdDuration::from_secs(20);
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    while Instant::now() < deadline && status != StatusCode::OK {
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        status = list().await.status();
    }

    for (answered, waited) in answers {
        assert_eq!(answered, StatusCode::SERVICE_UNAVAILABLE);
        // The deadline: the pool's 0.5 s, the statement's 1 s, 0.5 s more.
        assert!(
            waited < StdDuration::from_secs(4),
            "answered after {waited:?}"
        );
    }
    assert_eq!(
        status,
        StatusCode::OK,
        "serving resumed once the partition healed"
    );
}

#[tokio::test]
async fn an_exhausted_pool_answers_503_in_time_and_sheds_load_beyond_the_bound_at_once() {
    let world = World::new(Store::Postgres);
    let app = TestApp::start_with(
        world.url(),
        &[
            ("OTAS__DATABASE__MAX_CONNECTIONS", "1"),
            ("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "1000"),
            ("OTAS__DATABASE__STATEMENT_TIMEOUT_MS", "3000"),
            ("OTAS__HTTP__MAX_IN_FLIGHT", "2"),
        ],
    )
    .await;
    // The sessions behind a lock: the service's one connection waits on it.
    let mut locker = PgConnection::establish(world.url()).expect("connect");
    locker
        .batch_execute("BEGIN; LOCK TABLE agent_session IN ACCESS EXCLUSIVE MODE;")
        .expect("lock the sessions");
    let (project, query) = (PROJECT_A.to_string(), format!("agent_id={AGENT_A}"));

    let answers = futures_util::future::join_all((0..12).map(|_| {
        let (app, project, query) = (&app, &project, &query);
        async move {
            let started = Instant::now();
            let status = app.list(Some(VALID), Some(project), query).await.status();
            (status, started.elapsed())
        }
    }))
    .await;
    locker.batch_execute("ROLLBACK").expect("unlock");

    for (status, waited) in &answers {
        assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE, "after {waited:?}");
        // Never a hang: at most the deadline (1 s + 3 s + 0.5 s), with room.
        assert!(
            *waited < StdDuration::from_secs(6),
            "answered after {waited:?}"
        );
    }
    let shed = answers
        .iter()
        .filter(|(_, waited)| *waited < StdDuration::from_millis(500))
        .count();
    assert!(
        shed >= 10,
        "load beyond the bound is shed at once: {answers:?}"
    );
    let after = app.list(Some(VALID), Some(&project), &query).await;
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "serving again once the lock is gone"
    );
}
