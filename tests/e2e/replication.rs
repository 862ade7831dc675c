//! Reads on PostgreSQL's own streaming replication: a private primary and a
//! standby made by `pg_basebackup -R` (never the machine's cluster). Lists
//! are served by the standby, also with the primary stopped (creation then
//! answers 503); a replay paused past the lag bound moves reads to the
//! primary and back once it resumes; a session created on the primary lists
//! once replayed; losing the standby fails no request.

use std::time::{Duration, Instant};

use otas_auth_adapter::fixtures::AGENT_KEY;
use reqwest::StatusCode;
use serde_json::Value;

use crate::sdk_keys::DJANGO_HASHED;
use crate::support::cluster::PrivateCluster;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{error_body, TestApp};

/// A primary with a migrated database `otas` holding the world's rows,
/// three sessions, an agent key of `AGENT_A` and an SDK key of `PROJECT_A`, its streaming standby, and both URLs.
pub(crate) fn primary_and_standby() -> (PrivateCluster, PrivateCluster, String, String) {
    let primary = PrivateCluster::start();
    let url = primary.database_with_world();
    primary.psql(
        "otas",
        &format!(
            "INSERT INTO agent_session (id, created_at, meta, agent_id) \
             SELECT gen_random_uuid(), timestamptz '2026-01-01' + i * interval '1 hour', \
                    jsonb_build_object('i', i), '{AGENT_A}' FROM generate_series(1, 3) AS i"
        ),
    );
    primary.psql(
        "otas",
        &format!(
            "INSERT INTO agent_key (id, prefix, hashed_key, name, created_at, active, agent_id) \
             VALUES (gen_random_uuid(), '{}', '{}', 'fixture', now(), true, '{AGENT_A}')",
            AGENT_KEY.prefix, AGENT_KEY.hashed_key
        ),
    );
    primary.psql(
        "otas",
        &format!(
            "INSERT INTO backend_api_keys (id, prefix, hashed_key, name, created_at, active, project_id) \
             VALUES (gen_random_uuid(), '{}', '{}', 'fixture', now(), true, '{PROJECT_A}')",
            DJANGO_HASHED.prefix, DJANGO_HASHED.hashed_key
        ),
    );
    let standby = PrivateCluster::standby_of(&primary);
    let standby_url = standby.url("otas");
    (primary, standby, url, standby_url)
}

/// The service over `primary` with `standby` for reads, checked every 200 ms,
/// skipped past 1 s of lag.
async fn service(primary: &str, standby: &str) -> TestApp {
    service_checking_every(primary, standby, "200").await
}

async fn service_checking_every(primary: &str, standby: &str, check_ms: &str) -> TestApp {
    TestApp::spawn_with(
        primary,
        &[
            ("OTAS__DATABASE__REPLICA_URLS", standby),
            ("OTAS__DATABASE__REPLICA_CHECK_MS", check_ms),
            ("OTAS__DATABASE__REPLICA_MAX_LAG_MS", "1000"),
            ("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "1000"),
        ],
    )
    .await
}

/// The value of the sample `name` (with its labels) in `/metrics`; 0 when absent.
async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.metrics_text().await;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

const REPLICA_READS: &str = r#"otas_db_reads_total{pool="standby-0"}"#;
const PRIMARY_READS: &str = r#"otas_db_reads_total{pool="primary"}"#;
const USABLE: &str = r#"otas_db_replica_usable{replica="standby-0"}"#;

async fn list(app: &TestApp) -> reqwest::Response {
    let project = PROJECT_A.to_string();
    app.list(Some(VALID), Some(&project), &format!("agent_id={AGENT_A}"))
        .await
}

/// Whether the list holds the session `create` opened (its meta says so).
async fn lists_the_new_session(app: &TestApp) -> bool {
    let body: Value = list(app).await.json().await.expect("JSON");
    body["response"]["sessions"]
        .as_array()
        .is_some_and(|all| all.iter().any(|s| s["meta"]["replicated"] == true))
}

async fn create(app: &TestApp) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}/api/agent/v1/session/create/", app.address))
        .header("X-OTAS-AGENT-KEY", AGENT_KEY.key)
        .header("Content-Type", "application/json")
        .body(r#"{"meta": {"replicated": true}}"#)
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

/// Polls `check` every 100 ms for up to 10 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within 10 s: {what}");
}

#[tokio::test]
async fn lists_are_served_by_the_standby_and_still_answer_with_the_primary_stopped() {
    let (primary, _standby, url, standby_url) = primary_and_standby();
    let app = service(&url, &standby_url).await;
    eventually("the standby is usable", || async {
        metric(&app, USABLE).await == 1.0
    })
    .await;

    let before = metric(&app, REPLICA_READS).await;
    let listed = list(&app).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let sessions = listed.json::<Value>().await.expect("JSON")["response"]["sessions"].clone();
    assert!(sessions.as_array().is_some_and(|s| !s.is_empty()));
    assert!(
        metric(&app, REPLICA_READS).await > before,
        "the list was read on the standby"
    );

    primary.stop();
    let started = Instant::now();
    let listed = list(&app).await;
    let (created, body) = create(&app).await;
    let waited = started.elapsed();
    let asked = Instant::now();
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz");
    let ready_in = asked.elapsed();

    assert_eq!(listed.status(), StatusCode::OK, "lists without the primary");
    assert_eq!(
        listed.json::<Value>().await.expect("JSON")["response"]["sessions"],
        sessions,
        "the same sessions as with the primary up"
    );
    assert_eq!(created, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body, error_body("service_unavailable"));
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(ready.status(), StatusCode::OK, "ready: reads are served");
    // A load balancer's check must not time out waiting on the primary.
    assert!(ready_in < Duration::from_millis(500), "{ready_in:?}");
}

#[tokio::test]
async fn a_replay_paused_past_the_lag_bound_moves_reads_to_the_primary_and_back() {
    let (_primary, standby, url, standby_url) = primary_and_standby();
    let app = service(&url, &standby_url).await;
    eventually("the standby is usable", || async {
        metric(&app, USABLE).await == 1.0
    })
    .await;

    standby.psql("otas", "SELECT pg_wal_replay_pause()");
    let (created, body) = create(&app).await;
    assert_eq!(created, StatusCode::OK, "{body}");
    // The standby receives the new WAL but replays none: past 1 s its lag
    // makes it unusable, and lists come from the primary, new session included.
    eventually("the standby is skipped", || async {
        metric(&app, USABLE).await == 0.0
    })
    .await;
    let primary_before = metric(&app, PRIMARY_READS).await;
    assert!(lists_the_new_session(&app).await, "the primary lists it");
    assert!(metric(&app, PRIMARY_READS).await > primary_before);

    standby.psql("otas", "SELECT pg_wal_replay_resume()");
    eventually("the standby is usable again", || async {
        metric(&app, USABLE).await == 1.0
    })
    .await;
    let replica_before = metric(&app, REPLICA_READS).await;
    assert!(
        lists_the_new_session(&app).await,
        "the standby lists it once replayed"
    );
    assert!(
        metric(&app, REPLICA_READS).await > replica_before,
        "read on the standby"
    );
}

#[tokio::test]
async fn losing_the_standby_moves_reads_to_the_primary_without_a_failed_request() {
    let (_primary, standby, url, standby_url) = primary_and_standby();
    // No check in the test's time: only a read that fails on the lost
    // standby can move reads, by running again on the primary.
    let app = service_checking_every(&url, &standby_url, "600000").await;
    eventually("the standby is usable", || async {
        metric(&app, USABLE).await == 1.0
    })
    .await;
    assert_eq!(list(&app).await.status(), StatusCode::OK);

    standby.stop();
    let mut answers = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let status = list(&app).await.status();
        answers.push((status, started.elapsed()));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    for (status, waited) in &answers {
        assert_eq!(*status, StatusCode::OK, "{answers:?}");
        // A read caught on the lost standby is run again on the primary.
        assert!(*waited < Duration::from_secs(3), "{answers:?}");
    }
    assert_eq!(metric(&app, USABLE).await, 0.0, "the standby is skipped");
}

#[tokio::test]
async fn a_standby_without_news_from_a_stopped_primary_serves_only_until_the_silence_bound() {
    let (primary, _standby, url, standby_url) = primary_and_standby();
    let app = TestApp::spawn_with(
        &url,
        &[
            ("OTAS__DATABASE__REPLICA_URLS", standby_url.as_str()),
            ("OTAS__DATABASE__REPLICA_CHECK_MS", "200"),
            ("OTAS__DATABASE__REPLICA_MAX_LAG_MS", "1000"),
            ("OTAS__DATABASE__REPLICA_MAX_SILENCE_MS", "2000"),
            ("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "1000"),
        ],
    )
    .await;
    eventually("the standby is usable", || async {
        metric(&app, USABLE).await == 1.0
    })
    .await;

    primary.stop();
    let stopped = Instant::now();
    let right_after = list(&app).await.status();
    eventually("the silent standby is skipped", || async {
        metric(&app, USABLE).await == 0.0
    })
    .await;
    let skipped_after = stopped.elapsed();
    eprintln!(
        "figure: a standby without news from its stopped primary skipped after {skipped_after:?} (bound 2 s, checked every 200 ms)"
    );
    let past_the_bound = list(&app).await;
    let status = past_the_bound.status();
    let body: Value = past_the_bound.json().await.expect("JSON");
    primary.start_again();
    eventually(
        "the standby serves again once the primary is back",
        || async {
            metric(&app, USABLE).await == 1.0 && list(&app).await.status() == StatusCode::OK
        },
    )
    .await;

    assert_eq!(right_after, StatusCode::OK, "served within the bound");
    assert!(
        skipped_after >= Duration::from_millis(1500),
        "skipped after {skipped_after:?}, before its silence reached the bound"
    );
    // No replica without news, no primary: no answer rather than a stale one.
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body, error_body("service_unavailable"));
}

/// `auth/verify` and the SDK-key check, as brain calls them.
async fn check_keys(app: &TestApp) -> (StatusCode, StatusCode) {
    let verify = app
        .client
        .post(format!("{}/api/agent/v1/auth/verify/", app.address))
        .header("X-OTAS-AGENT-KEY", AGENT_KEY.key)
        .body("{}")
        .send()
        .await
        .expect("an answer");
    let sdk = app
        .client
        .post(format!(
            "{}/api/project/v1/sdk/backend/key/authenticate/",
            app.address
        ))
        .header("X-OTAS-SDK-KEY", DJANGO_HASHED.key)
        .send()
        .await
        .expect("an answer");
    (verify.status(), sdk.status())
}

#[tokio::test]
async fn the_key_checks_go_on_from_the_standby_with_the_primary_stopped() {
    let (primary, _standby, url, standby_url) = primary_and_standby();
    let app = service(&url, &standby_url).await;
    eventually("the standby is usable", || async {
        metric(&app, USABLE).await == 1.0
    })
    .await;
    // Verified once (cached) with the primary up: read there.
    let primary_before = metric(&app, PRIMARY_READS).await;
    assert_eq!(check_keys(&app).await, (StatusCode::OK, StatusCode::OK));
    assert!(
        metric(&app, PRIMARY_READS).await > primary_before,
        "with the primary up, the keys are read on it"
    );

    primary.stop();
    let started = Instant::now();
    let during = check_keys(&app).await;
    let waited = started.elapsed();
    let replica_before = metric(&app, REPLICA_READS).await;
    let again = check_keys(&app).await;

    assert_eq!(
        during,
        (StatusCode::OK, StatusCode::OK),
        "served from the standby"
    );
    assert_eq!(again, (StatusCode::OK, StatusCode::OK));
    assert!(
        metric(&app, REPLICA_READS).await >= replica_before + 2.0,
        "both keys read on the standby"
    );
    // At most one connection timeout (1 s) before the watcher notices.
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}
