//! `GET /metrics`: Prometheus' text format, with requests by route, method
//! and status, latency by route, the pool, database errors by kind and the
//! whole lists being streamed.

use reqwest::StatusCode;

use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{agent_query, Store, TestApp, World};

#[tokio::test]
async fn metrics_count_requests_by_route_method_and_status_and_show_the_pool() {
    let world = World::new(Store::Postgres);
    for n in 0..5 {
        world.session(uuid::Uuid::new_v4(), AGENT_A, None, at(n, 0), "{}");
    }
    // Batches of 2: the whole list of 5 is streamed.
    let app = TestApp::start_with(world.url(), &[("OTAS__HTTP__LIST_BATCH_SIZE", "2")]).await;
    let project = PROJECT_A.to_string();
    // A database that lost a table after the start: a store failure,
    // counted by kind.
    let no_schema = otas_postgres_adapter::test_support::TestDatabase::migrated();
    let failing = TestApp::start(no_schema.url()).await;
    diesel::connection::SimpleConnection::batch_execute(
        &mut no_schema.connect(),
        "DROP TABLE user_project_mapping",
    )
    .expect("drop a table");
    let failed = failing
        .list(Some(VALID), Some(&project), &agent_query(AGENT_A))
        .await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    for _ in 0..3 {
        let listed = app
            .list(Some(VALID), Some(&project), &agent_query(AGENT_A))
            .await;
        assert_eq!(listed.status(), StatusCode::OK);
    }
    let refused = app.list(Some(VALID), Some(&project), "").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let unknown = app
        .client
        .get(format!("{}/no/such/{}", app.address, uuid::Uuid::new_v4()))
        .send()
        .await
        .expect("answer");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // The same route without its trailing slash: counted as the same route.
    let slashless = app
        .client
        .get(format!(
            "{}/api/agent/v1/sessions/list?{}",
            app.address,
            agent_query(AGENT_A)
        ))
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", &project)
        .send()
        .await
        .expect("answer");
    assert_eq!(slashless.status(), StatusCode::OK);

    let response = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("answer");

    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.expect("a body");
    let line = |needles: &[&str]| {
        text.lines()
            .find(|line| !line.starts_with('#') && needles.iter().all(|n| line.contains(n)))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no line with {needles:?} in:\n{text}"))
    };
    let listed = line(&[
        "otas_http_requests_total{",
        r#"route="/api/agent/v1/sessions/list/""#,
        r#"method="GET""#,
        r#"status="200""#,
    ]);
    let count: f64 = listed
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(
        count >= 4.0,
        "both paths of the route count as one: {listed}"
    );
    assert!(
        !text.contains(r#"route="/api/agent/v1/sessions/list""#),
        "the path without its slash became a series of its own"
    );
    line(&["otas_http_requests_total{", r#"status="400""#]);
    // An unknown path is one series, whatever the path.
    line(&[
        "otas_http_requests_total{",
        r#"route="unmatched""#,
        r#"status="404""#,
    ]);
    assert!(!text.contains("/no/such/"), "a raw path became a label");
    line(&[
        "otas_http_request_duration_seconds_bucket{",
        r#"route="/api/agent/v1/sessions/list/""#,
    ]);
    line(&["otas_db_pool_connections{", r#"store="postgres""#]);
    line(&["otas_db_pool_idle{"]);
    line(&["otas_db_pool_waiting{"]);
    line(&["otas_db_errors_total{", r#"kind="failure""#]);
    line(&["otas_list_streams_in_flight"]);
}
