//! What the end-to-end tests share: the real `otas-server` started on port 0
//! against a database of the test's own, UASAM-shaped rows, the fixture tokens.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

pub mod app;
pub mod cluster;
pub mod world;

pub mod tokens {
    include!("../fixtures/user_tokens.rs");
}

pub use app::TestApp;
pub use world::World;

/// The body of an error answer: `{"status": 0, "status_description": code}`.
pub fn error_body(code: &str) -> serde_json::Value {
    serde_json::json!({"status": 0, "status_description": code})
}
