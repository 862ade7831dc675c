//! What the end-to-end tests share: the service started on port 0 (in-process
//! or as the real binary) against a database of the test's own, UASAM-shaped
//! rows on either store, the fixture tokens, and ways to read answers.
#![allow(
    dead_code,
    unused_macros,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic
)]

pub mod admins;
pub mod answer;
pub mod app;
pub mod cluster;
pub mod proxy;
pub mod scratch;
pub mod socket;
pub mod world;

pub use otas_auth_adapter::fixtures as tokens;

pub use app::TestApp;
#[allow(unused_imports)] // Not every target names the store.
pub use world::{Store, World};

/// `agent_id=<agent>`.
pub fn agent_query(agent: uuid::Uuid) -> String {
    format!("agent_id={agent}")
}

/// The JSON body of an answer.
pub async fn json_of(response: reqwest::Response) -> serde_json::Value {
    response.json().await.expect("a JSON body")
}

/// Asserts the status and the error body of an answer.
pub async fn assert_error(response: reqwest::Response, status: reqwest::StatusCode, code: &str) {
    assert_eq!(response.status(), status, "status for {code}");
    assert_eq!(
        response.headers()["content-type"].to_str().expect("ascii"),
        "application/json",
        "content type for {code}"
    );
    assert_eq!(json_of(response).await, error_body(code));
}

/// The body of an error answer: `{"status": 0, "status_description": code}`.
pub fn error_body(code: &str) -> serde_json::Value {
    serde_json::json!({"status": 0, "status_description": code})
}

/// Runs each scenario `async fn name(store: Store)` on both stores: a module
/// `name` with the tests `on_postgres` and `on_sqlite`, so that the tests
/// read `name::on_postgres` and `name::on_sqlite` (stable Rust cannot glue
/// identifiers together in a `macro_rules!`), and `cargo test on_sqlite`
/// runs one store's.
macro_rules! on_both_stores {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn on_postgres() {
                super::$scenario($crate::support::Store::Postgres).await;
            }

            #[tokio::test]
            async fn on_sqlite() {
                super::$scenario($crate::support::Store::Sqlite).await;
            }
        }
    )+};
}
#[allow(unused_imports)] // Not every target runs on both stores.
pub(crate) use on_both_stores;

/// The row of a fixture key of `agent`, changed by `change`.
pub fn key_row(
    key: &otas_auth_adapter::fixtures::FixtureAgentKey,
    agent: uuid::Uuid,
    change: impl FnOnce(&mut otas_ports::AgentKeyRow),
) -> (uuid::Uuid, otas_ports::Row) {
    use chrono::{Duration, Utc};
    use otas_domain::{AgentId, AgentKeyId, Timestamp};
    let id = uuid::Uuid::new_v4();
    let mut row = otas_ports::AgentKeyRow {
        id: AgentKeyId::from_uuid(id),
        agent: AgentId::from_uuid(agent),
        prefix: key.prefix.to_owned(),
        hashed_key: key.hashed_key.to_owned(),
        name: Some("fixture".to_owned()),
        active: true,
        created_at: Timestamp::new(Utc::now() - Duration::days(1)),
        revoked_at: None,
        expires_at: None,
    };
    change(&mut row);
    (id, otas_ports::Row::AgentKey(row))
}
