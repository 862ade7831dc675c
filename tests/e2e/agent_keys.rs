//! `POST /api/agent/v1/agents/key/create/` and `…/key/revoke/`, answered as
//! UASAM's views answer, on both stores: a key issued here opens sessions,
//! the agent's previous key is refused from the moment a new one is issued,
//! and a revoked key at once.

use reqwest::StatusCode;
use serde_json::Value;

use crate::agents_create::{open_session, post, Case};
use crate::support::admins::{add_admin_project, AGENT_ADMIN, PROJECT_ADMIN};
use crate::support::tokens::{BOB_VALID, VALID};
use crate::support::world::*;
use crate::support::{error_body, on_both_stores, Store, TestApp, World};

const KEY_CREATE: &str = "/api/agent/v1/agents/key/create/";
const KEY_REVOKE: &str = "/api/agent/v1/agents/key/revoke/";

/// Issues a key for `agent` as Ada, the admin: the answer's body.
async fn issue(app: &TestApp, agent: &str) -> Value {
    let project = PROJECT_ADMIN.to_string();
    let body = format!(r#"{{"agent_id": "{agent}"}}"#);
    let (status, answer) = post(app, KEY_CREATE, Some(VALID), Some(&project), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

on_both_stores!(a_new_key_opens_sessions_and_the_previous_one_is_refused_at_once);
async fn a_new_key_opens_sessions_and_the_previous_one_is_refused_at_once(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let agent = AGENT_ADMIN.to_string();

    let first = issue(&app, &agent).await;

    assert_eq!(first["status_description"], "agent_key_created");
    assert_eq!(first["response"]["agent_id"], agent.as_str());
    let key = &first["response"]["agent_key"];
    assert_eq!(key["active"], true);
    let first_key = key["api_key"].as_str().expect("the key").to_owned();
    assert!(first_key.starts_with(&format!("agent_{}_", key["prefix"].as_str().unwrap())));
    assert_eq!(open_session(&app, &first_key).await, StatusCode::OK);

    let second = issue(&app, &agent).await;
    let second_key = second["response"]["agent_key"]["api_key"]
        .as_str()
        .expect("the key")
        .to_owned();

    assert_eq!(open_session(&app, &second_key).await, StatusCode::OK);
    // Revoked in the same transaction: refused at once, verified cache or not.
    assert_eq!(
        open_session(&app, &first_key).await,
        StatusCode::UNAUTHORIZED
    );

    let (status, body) = post(
        &app,
        KEY_REVOKE,
        Some(VALID),
        Some(&PROJECT_ADMIN.to_string()),
        &format!(
            r#"{{"agent_key_id": "{}"}}"#,
            second["response"]["agent_key"]["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        serde_json::json!({
            "status": 1,
            "status_description": "agent_key_revoked",
            "response": {"id": second["response"]["agent_key"]["id"]},
        })
    );
    assert_eq!(
        open_session(&app, &second_key).await,
        StatusCode::UNAUTHORIZED
    );
    // Revoked already: not found.
    let (status, body) = post(
        &app,
        KEY_REVOKE,
        Some(VALID),
        Some(&PROJECT_ADMIN.to_string()),
        &format!(
            r#"{{"agent_key_id": "{}"}}"#,
            second["response"]["agent_key"]["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, error_body("agent_key_not_found"))
    );
}

on_both_stores!(key_create_is_refused_in_uasams_order);
async fn key_create_is_refused_in_uasams_order(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let admin = PROJECT_ADMIN.to_string();
    let mine = format!(r#"{{"agent_id": "{AGENT_ADMIN}"}}"#);
    let other_project = format!(r#"{{"agent_id": "{AGENT_A}"}}"#);
    let cases: Vec<Case<'_>> = vec![
        (
            None,
            Some(&admin),
            &mine,
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some("forged"),
            Some(&admin),
            &mine,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(BOB_VALID),
            Some("nope"),
            &mine,
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(BOB_VALID),
            Some(&admin),
            &mine,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Some(BOB_VALID),
            Some(&admin),
            "[",
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Some(VALID),
            Some(&admin),
            "[",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            Some(VALID),
            Some(&admin),
            "{}",
            StatusCode::BAD_REQUEST,
            "agent_id_required",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"agent_id": ""}"#,
            StatusCode::BAD_REQUEST,
            "agent_id_required",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"agent_id": "not-a-uuid"}"#,
            StatusCode::NOT_FOUND,
            "agent_not_found_or_invalid_id",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"agent_id": 5}"#,
            StatusCode::NOT_FOUND,
            "agent_not_found_or_invalid_id",
        ),
        (
            Some(VALID),
            Some(&admin),
            &other_project,
            StatusCode::NOT_FOUND,
            "agent_not_found_or_invalid_id",
        ),
    ];

    for (token, project, body, status, code) in cases {
        let answer = post(&app, KEY_CREATE, token, project, body).await;
        assert_eq!(
            answer,
            (status, error_body(code)),
            "{token:?} {project:?} {body}"
        );
    }
}

on_both_stores!(key_revoke_is_refused_in_uasams_order);
async fn key_revoke_is_refused_in_uasams_order(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let admin = PROJECT_ADMIN.to_string();
    // Ada's key of project A's agent: another project's key here.
    let other = format!(r#"{{"agent_key_id": "{KEY_A}"}}"#);
    let cases: Vec<Case<'_>> = vec![
        (
            None,
            Some(&admin),
            &other,
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some("forged"),
            Some(&admin),
            &other,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(BOB_VALID),
            Some(&admin),
            &other,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Some(VALID),
            Some(&admin),
            "[1]",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            Some(VALID),
            Some(&admin),
            "{}",
            StatusCode::BAD_REQUEST,
            "agent_key_id_required",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"agent_key_id": "nope"}"#,
            StatusCode::NOT_FOUND,
            "agent_key_not_found",
        ),
        (
            Some(VALID),
            Some(&admin),
            &other,
            StatusCode::NOT_FOUND,
            "agent_key_not_found",
        ),
    ];

    for (token, project, body, status, code) in cases {
        let answer = post(&app, KEY_REVOKE, token, project, body).await;
        assert_eq!(
            answer,
            (status, error_body(code)),
            "{token:?} {project:?} {body}"
        );
    }
    // Project A's key is untouched: still listed to its member.
    let listed: Value = app
        .client
        .get(format!("{}/api/agent/v1/list/", app.address))
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", PROJECT_A.to_string())
        .send()
        .await
        .expect("the list")
        .json()
        .await
        .expect("JSON");
    assert!(listed.to_string().contains(&KEY_A.to_string()), "{listed}");
}
