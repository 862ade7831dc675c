//! Work that outlives its request: a request answered `503` at its deadline
//! keeps its share of `http.max_in_flight` until its store work has ended,
//! so a frozen database fills the bound and further requests are shed at
//! once, and are served again once the stuck work ends.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::support::proxy::FreezableProxy;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{TestApp, World};

/// Lists (and reads `/metrics`) until the primary pool holds `wanted`
/// connections: each stuck request then holds one of them.
async fn until_the_pool_holds(app: &TestApp, wanted: u32) {
    let (project, query) = (PROJECT_A.to_string(), format!("agent_id={AGENT_A}"));
    let started = Instant::now();
    loop {
        assert_eq!(
            app.list(Some(VALID), Some(&project), &query).await.status(),
            StatusCode::OK
        );
        let metrics = app.metrics_text().await;
        let connections = metrics
            .lines()
            .find(|l| l.starts_with("otas_db_pool_connections{") && l.contains("primary"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        if connections >= f64::from(wanted) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the pool opened {connections} connections"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn requests_past_their_deadline_keep_their_slots_until_their_work_ends() {
    let world = World::new(Store::Postgres);
    let proxy = FreezableProxy::start("127.0.0.1:5432".parse().expect("an address")).await;
    let url = world
        .url()
        .replace("127.0.0.1:5432", &proxy.address.to_string());
    // Deadline: 1 s for a connection + 0.5 s of statement + 0.5 s = 2 s.
    let app = TestApp::spawn_with(
        &url,
        &[
            ("OTAS__DATABASE__MAX_CONNECTIONS", "2"),
            ("OTAS__DATABASE__MIN_IDLE", "2"),
            ("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "1000"),
            ("OTAS__DATABASE__STATEMENT_TIMEOUT_MS", "500"),
            ("OTAS__HTTP__MAX_IN_FLIGHT", "2"),
        ],
    )
    .await;
    until_the_pool_holds(&app, 2).await;
    let (project, query) = (PROJECT_A.to_string(), format!("agent_id={AGENT_A}"));
    let list = || app.list(Some(VALID), Some(&project), &query);

    proxy.freeze();
    // Two requests take both slots and both connections, and time out.
    let (first, second) = tokio::join!(list(), list());
    assert_eq!(first.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Their work is still stuck on the frozen connections: every further
    // request is shed at once (without the fix, each would be admitted and
    // wait the pool's whole second for a connection).
    for _ in 0..3 {
        let started = Instant::now();
        let status = list().await.status();
        let waited = started.elapsed();
        eprintln!("figure: with both slots held by stuck work, a request shed in {waited:?}");
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            waited < Duration::from_millis(500),
            "shed at once, not admitted: answered after {waited:?}"
        );
    }

    proxy.thaw();
    let started = Instant::now();
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    while started.elapsed() < Duration::from_secs(20) && status != StatusCode::OK {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = list().await.status();
    }
    assert_eq!(status, StatusCode::OK, "served again once the work ended");
}
