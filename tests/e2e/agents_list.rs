//! `GET /api/agent/v1/list/`: the dashboard's list of a project's agents,
//! answered as UASAM's `AgentListView` answers, on both stores.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::tokens::{UNKNOWN_USER, VALID};
use crate::support::world::*;
use crate::support::{error_body, on_both_stores, Store, TestApp, World};

const LIST: &str = "/api/agent/v1/list/";

async fn list(app: &TestApp, token: Option<&str>, project: Option<&str>) -> (StatusCode, Value) {
    let mut request = app.client.get(format!("{}{LIST}", app.address));
    for (name, value) in [("X-OTAS-USER-TOKEN", token), ("X-OTAS-PROJECT-ID", project)] {
        if let Some(value) = value {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

on_both_stores!(a_member_lists_the_projects_active_agents_with_their_active_keys);
async fn a_member_lists_the_projects_active_agents_with_their_active_keys(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let project = PROJECT_A.to_string();

    let (status, body) = list(&app, Some(VALID), Some(&project)).await;

    // The fixture's rows: every time is 2025-11-24T16:00:00 exactly, which
    // UASAM's isoformat() would print without a fraction; here always six
    // digits. The inactive agent is not listed; nor are other projects'.
    let created = "2025-11-24T16:00:00.000000+00:00";
    let key = json!({
        "id": KEY_A.to_string(),
        "prefix": &KEY_A.simple().to_string()[..11],
        "name": "key",
        "created_at": created,
        "expires_at": null,
        "active": true,
    });
    let agent = |id: uuid::Uuid, keys: Vec<Value>| {
        json!({
            "id": id.to_string(),
            "name": "Agent",
            "description": "",
            "provider": "anthropic",
            "created_at": created,
            "created_by": ADA.to_string(),
            "is_active": true,
            "agent_keys": keys,
        })
    };
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "status": 1,
            "status_description": "agents_listed",
            "response": {
                "project_id": project,
                "agents": [agent(AGENT_A, vec![key]), agent(AGENT_A_EMPTY, vec![])],
            }
        })
    );
}

on_both_stores!(a_revoked_key_leaves_the_list_once_inactive);
async fn a_revoked_key_leaves_the_list_once_inactive(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let (key, row) =
        crate::support::key_row(&crate::support::tokens::AGENT_KEY, AGENT_A_EMPTY, |row| {
            row.active = false
        });
    world.write(&[row]);

    let (status, body) = list(&app, Some(VALID), Some(&PROJECT_A.to_string())).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    let listed = body.to_string();
    assert!(!listed.contains(&key.to_string()), "{body}");
    assert!(!listed.contains("hashed"), "no hash is ever listed: {body}");
}

on_both_stores!(the_list_is_refused_as_the_sessions_list_is);
async fn the_list_is_refused_as_the_sessions_list_is(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let (a, b, left, closed) = (
        PROJECT_A.to_string(),
        PROJECT_B.to_string(),
        PROJECT_LEFT.to_string(),
        PROJECT_CLOSED.to_string(),
    );
    let cases: Vec<(Option<&str>, Option<&str>, StatusCode, &str)> = vec![
        (None, Some(&a), StatusCode::BAD_REQUEST, "missing_headers"),
        (
            Some(VALID),
            None,
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some(""),
            Some(&a),
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some("forged"),
            Some(&a),
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(UNKNOWN_USER),
            Some(&a),
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(VALID),
            Some(&b),
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(VALID),
            Some(&left),
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(VALID),
            Some(&closed),
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(VALID),
            Some("not-a-uuid"),
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
    ];

    for (token, project, status, code) in cases {
        let answer = list(&app, token, project).await;
        assert_eq!(answer, (status, error_body(code)), "{token:?} {project:?}");
    }
}

#[tokio::test]
async fn the_list_answers_only_get_head_and_options() {
    let world = World::new(Store::Sqlite);
    let app = TestApp::start(world.url()).await;

    let response = app
        .client
        .post(format!("{}{LIST}", app.address))
        .send()
        .await
        .expect("the server answers");

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        error_body("method_not_allowed")
    );
}
