//! Graceful shutdown of the real binary: on SIGTERM, a whole list being
//! streamed finishes, complete, and the process exits 0.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{agent_query, Store, TestApp, World};

#[tokio::test]
async fn sigterm_lets_an_in_flight_whole_list_finish_then_the_process_exits_0() {
    let world = World::new(Store::Postgres);
    world.many_sessions(
        AGENT_A,
        20_000,
        Spread {
            meta_key: "i",
            period_seconds: 1_000,
        },
    );
    let mut app = TestApp::spawn_with(
        world.url(),
        &[
            ("OTAS__HTTP__LIST_BATCH_SIZE", "100"),
            ("OTAS__SERVER__SHUTDOWN_GRACE_SECONDS", "20"),
        ],
    )
    .await;
    let mut response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response
        .chunk()
        .await
        .expect("the first bytes")
        .expect("a first chunk")
        .to_vec();

    app.terminate();
    // A slow reader: the server waits on the socket, the list is in flight.
    while let Some(chunk) = response
        .chunk()
        .await
        .expect("the list goes on after SIGTERM")
    {
        body.extend_from_slice(&chunk);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let status = app.exit_status(Duration::from_secs(25)).await;

    let body: Value = serde_json::from_slice(&body).expect("a complete JSON body");
    let sessions = body["response"]["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 20_000);
    let status = status.expect("the process exits within the grace period");
    assert!(status.success(), "exit status {status:?}");
}
