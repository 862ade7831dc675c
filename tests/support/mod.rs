//! What the end-to-end tests share: the real `otas-server` started on port 0
//! against a database of the test's own, UASAM-shaped rows on either store,
//! the fixture tokens.
#![allow(
    dead_code,
    unused_macros,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic
)]

pub mod app;
pub mod cluster;
pub mod world;

pub mod tokens {
    include!("../fixtures/user_tokens.rs");
}

pub use app::TestApp;
#[allow(unused_imports)] // Not every target names the store.
pub use world::{Store, World};

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
