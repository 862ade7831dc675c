//! A statement that runs past `statement_timeout` answers 503, whatever
//! language the database writes its messages in: the timeout is told by
//! when it comes, not by its English text (diesel does not expose the
//! SQLSTATE). Proved on a private cluster that speaks German.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::cluster::PrivateCluster;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{error_body, TestApp};

#[tokio::test]
async fn a_statement_timeout_on_a_server_that_speaks_german_is_a_json_503() {
    let cluster = PrivateCluster::start_in_german();
    let url = cluster.database_with_world();
    // The server's messages are German: the English text cannot match.
    let mut probe = PgConnection::establish(&url).expect("connect");
    let message = probe
        .batch_execute("SET statement_timeout = 1; SELECT pg_sleep(1)")
        .expect_err("cancelled")
        .to_string();
    assert!(!message.contains("statement timeout"), "{message}");
    assert!(message.contains("Zeitüberschreitung"), "{message}");
    drop(probe);

    let app = TestApp::start_with(
        &url,
        &[
            ("OTAS__DATABASE__STATEMENT_TIMEOUT_MS", "300"),
            ("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "1000"),
        ],
    )
    .await;
    // Another client holds the sessions: the listing waits on its lock.
    let mut locker = PgConnection::establish(&url).expect("connect");
    locker
        .batch_execute("BEGIN; LOCK TABLE agent_session IN ACCESS EXCLUSIVE MODE;")
        .expect("lock the sessions");
    let project = PROJECT_A.to_string();
    let started = Instant::now();
    let response = app
        .list(Some(VALID), Some(&project), &format!("agent_id={AGENT_A}"))
        .await;
    let waited = started.elapsed();
    eprintln!(
        "figure: a list blocked past a 300 ms statement timeout answered 503 after {waited:?}"
    );
    locker.batch_execute("ROLLBACK").expect("unlock");
    let after = app
        .list(Some(VALID), Some(&project), &format!("agent_id={AGENT_A}"))
        .await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        error_body("service_unavailable")
    );
    assert!(waited < Duration::from_secs(3), "answered after {waited:?}");
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "served once the lock is gone"
    );
}
