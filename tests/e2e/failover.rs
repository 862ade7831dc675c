//! The service's side of a failover, on private clusters (never the
//! machine's): the service is given both servers in one libpq URL with
//! `target_session_attrs=read-write`, as under pg_auto_failover or Patroni,
//! and follows the primary without a restart. A standby promoted by hand
//! after the primary stopped takes the creations within the reconnect
//! bound; while no server takes writes, and when a write reaches a server
//! that turned read-only, creation answers 503 with `Retry-After`, never
//! 500; every session whose creation answered 200 is listed afterwards (the
//! primary's standby is synchronous, as `make ha` runs it).

use std::time::{Duration, Instant};

use otas_auth_adapter::fixtures::AGENT_KEY;
use reqwest::StatusCode;
use serde_json::Value;

use crate::replication::primary_and_standby;
use crate::support::cluster::PrivateCluster;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::TestApp;

/// The service's `database.connection_timeout_ms` in these tests.
const CONNECTION_TIMEOUT: Duration = Duration::from_millis(1000);

/// How soon after a writable server is listed the service writes again: a
/// request waits at most `connection_timeout` for a connection, r2d2 tries
/// a new one at most `connection_timeout / 2` after the last failed try,
/// and that try may wait out libpq's `connect_timeout` (2 s at least) on a
/// host that does not answer, before it reaches the next one.
fn reconnect_bound() -> Duration {
    CONNECTION_TIMEOUT + CONNECTION_TIMEOUT / 2 + Duration::from_secs(2)
}

/// One URL naming both servers; libpq keeps the one that takes writes.
fn both(first: &PrivateCluster, second: &PrivateCluster) -> String {
    format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/otas?target_session_attrs=read-write",
        first.port(),
        second.port()
    )
}

async fn service(url: &str) -> TestApp {
    TestApp::spawn_with(
        url,
        &[(
            "OTAS__DATABASE__CONNECTION_TIMEOUT_MS",
            &CONNECTION_TIMEOUT.as_millis().to_string(),
        )],
    )
    .await
}

/// What one creation answered.
#[derive(Debug)]
struct Answer {
    /// The creation's number, in its session's `meta`.
    n: u64,
    status: StatusCode,
    retry_after: bool,
    body: String,
    done: Instant,
}

async fn create(app: &TestApp, n: u64) -> Answer {
    let response = app
        .client
        .post(format!("{}/api/agent/v1/session/create/", app.address))
        .header("X-OTAS-AGENT-KEY", AGENT_KEY.key)
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"meta": {{"failover": {n}}}}}"#))
        .send()
        .await
        .expect("an answer");
    Answer {
        n,
        status: response.status(),
        retry_after: response.headers().contains_key("retry-after"),
        body: response.text().await.expect("a body"),
        done: Instant::now(),
    }
}

/// The `failover` numbers of the agent's sessions, from its whole list.
async fn listed(app: &TestApp) -> Vec<u64> {
    let project = PROJECT_A.to_string();
    let response = app
        .list(Some(VALID), Some(&project), &format!("agent_id={AGENT_A}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    body["response"]["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["meta"]["failover"].as_u64())
        .collect()
}

/// Makes `primary`'s standby synchronous (set after the base backup, so
/// that the standby, once promoted, waits for no standby of its own) and
/// waits until it is.
fn synchronous(primary: &PrivateCluster) {
    primary.psql(
        "postgres",
        "ALTER SYSTEM SET synchronous_standby_names = '*'",
    );
    primary.psql("postgres", "SELECT pg_reload_conf()");
    let deadline = Instant::now() + Duration::from_secs(30);
    while primary.psql(
        "postgres",
        "SELECT string_agg(sync_state, ',') FROM pg_stat_replication",
    ) != "sync"
    {
        assert!(
            Instant::now() < deadline,
            "the standby never became synchronous"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn a_standby_promoted_by_hand_takes_the_creations_without_a_restart_and_none_acknowledged_is_lost(
) {
    let (primary, standby, _, _) = primary_and_standby();
    synchronous(&primary);
    let app = service(&both(&primary, &standby)).await;

    // Creations one after another while the primary stops at once and,
    // a moment later, the standby is promoted.
    let fault = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(500));
        primary.stop();
        std::thread::sleep(Duration::from_millis(500));
        standby.promote();
        (Instant::now(), primary, standby)
    });
    let mut answers = Vec::new();
    let mut n = 0;
    while !fault.is_finished() {
        n += 1;
        answers.push(create(&app, n).await);
    }
    let (promoted, _primary, _standby) = fault.await.expect("the fault's steps");
    let mut first_after = None;
    while first_after.is_none() && promoted.elapsed() < 2 * reconnect_bound() {
        n += 1;
        let answer = create(&app, n).await;
        if answer.status == StatusCode::OK {
            first_after = Some(answer.done.saturating_duration_since(promoted));
        }
        answers.push(answer);
    }
    for _ in 0..5 {
        n += 1;
        answers.push(create(&app, n).await);
    }

    let refused: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status != StatusCode::OK)
        .collect();
    assert!(
        !refused.is_empty(),
        "no creation met the outage: {answers:?}"
    );
    for answer in &refused {
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{answer:?}");
        assert!(answer.retry_after, "a 503 without Retry-After: {answer:?}");
    }
    let first_after = first_after.expect("no creation answered 200 after the promotion");
    assert!(
        first_after <= reconnect_bound(),
        "creations came back {first_after:?} after the promotion (bound {:?})",
        reconnect_bound()
    );
    let acknowledged: Vec<u64> = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .map(|a| a.n)
        .collect();
    let listed = listed(&app).await;
    let missing: Vec<&u64> = acknowledged
        .iter()
        .filter(|n| !listed.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged, then not listed on the promoted standby: {missing:?}"
    );
}

#[tokio::test]
async fn a_write_that_reaches_a_read_only_server_answers_503_and_the_next_goes_to_the_writable_one()
{
    let (primary, standby, _, _) = primary_and_standby();
    let app = service(&both(&primary, &standby)).await;
    let before = create(&app, 1).await;
    assert_eq!(before.status, StatusCode::OK, "{before:?}");

    // The primary turns read-only under the service's open connections, as
    // a primary that a failover demoted while it still answers; the
    // standby is promoted.
    primary.psql(
        "postgres",
        "ALTER SYSTEM SET default_transaction_read_only = on",
    );
    primary.psql("postgres", "SELECT pg_reload_conf()");
    standby.promote();
    let refused = create(&app, 2).await;
    let next = create(&app, 3).await;

    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{refused:?}"
    );
    assert!(refused.retry_after, "{refused:?}");
    assert!(refused.body.contains("service_unavailable"), "{refused:?}");
    assert_eq!(next.status, StatusCode::OK, "{next:?}");
    assert_eq!(
        standby.psql(
            "otas",
            r#"SELECT count(*) FROM agent_session WHERE meta @> '{"failover": 3}'"#
        ),
        "1",
        "the next session is on the promoted standby"
    );
}
