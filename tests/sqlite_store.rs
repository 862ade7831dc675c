//! Without any `DATABASE_URL`, the service keeps its data in the SQLite file
//! the configuration names: `otas-server migrate` creates it, `serve` lists
//! from it.

mod support;

use std::path::PathBuf;
use std::process::Stdio;

use otas_store_contract::session_row;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::app::command;
use support::tokens::VALID;
use support::world::*;
use support::{TestApp, World};
use uuid::Uuid;

/// A directory of the test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("otas-sqlite-store-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn without_a_database_url_serve_lists_from_the_sqlite_file_that_migrate_created() {
    let scratch = Scratch::new();
    // In a directory that does not exist yet.
    let file = scratch.0.join("state").join("otas.db");
    let path = file.to_str().expect("a UTF-8 path").to_owned();
    let env = [("OTAS__DATABASE__SQLITE_PATH", path.as_str())];
    let mut migrate = command("", &env);
    migrate.env_remove("DATABASE_URL");
    let migrated = migrate
        .arg("migrate")
        .stdin(Stdio::null())
        .output()
        .expect("run otas-server migrate");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(file.is_file(), "migrate created {}", file.display());
    World::seed_into(&path);
    let session = Uuid::new_v4();
    World::write_into(
        &path,
        &[session_row(
            session,
            AGENT_A,
            Some(KEY_A),
            at(3_600, 42),
            r#"{"store": "the file"}"#,
        )],
    );

    let app = TestApp::spawn_without_database_url(&env).await;
    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        json!({
            "status": 1,
            "status_description": "agent_sessions_listed",
            "response": {
                "agent_id": AGENT_A.to_string(),
                "sessions": [{
                    "id": session.to_string(),
                    "agent_key_id": KEY_A.to_string(),
                    "created_at": "2026-04-16T01:00:00.000042+00:00",
                    "meta": {"store": "the file"}
                }]
            }
        })
    );
    let listening: Value =
        serde_json::from_str(&app.wait_for_log("listening on").await).expect("a JSON log line");
    assert_eq!(listening["store"], "sqlite", "{listening}");
}
