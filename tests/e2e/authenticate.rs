//! `POST /api/agent/v1/user/authenticate/`, the question OTAS's event service
//! asks on every dashboard read, answered as UASAM answers it, on both stores.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::tokens::{BOB_VALID, UNKNOWN_USER, VALID};
use crate::support::world::*;
use crate::support::{error_body, on_both_stores, Store, TestApp, World};

const AUTHENTICATE: &str = "/api/agent/v1/user/authenticate/";

async fn ask(
    app: &TestApp,
    token: Option<&str>,
    project: Option<&str>,
    agent: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = app.client.post(format!("{}{AUTHENTICATE}", app.address));
    for (name, value) in [
        ("X-OTAS-USER-TOKEN", token),
        ("X-OTAS-PROJECT-ID", project),
        ("X-OTAS-AGENT-ID", agent),
    ] {
        if let Some(value) = value {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

on_both_stores!(a_member_is_told_the_agent_with_uasams_body);
async fn a_member_is_told_the_agent_with_uasams_body(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let (project, agent) = (PROJECT_A.to_string(), AGENT_A.to_string());

    let (status, body) = ask(&app, Some(VALID), Some(&project), Some(&agent)).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "status": 1,
            "status_description": "authenticated",
            "agent": {"id": agent, "name": "Agent", "project_id": project}
        })
    );
}

/// Token, project, agent, and the answer expected.
type Case<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    StatusCode,
    &'a str,
);

on_both_stores!(every_refusal_answers_uasams_code_in_uasams_order);
async fn every_refusal_answers_uasams_code_in_uasams_order(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let (a, b, left, closed) = (
        PROJECT_A.to_string(),
        PROJECT_B.to_string(),
        PROJECT_LEFT.to_string(),
        PROJECT_CLOSED.to_string(),
    );
    let agent_a = AGENT_A.to_string();
    let cases: Vec<Case<'_>> = vec![
        (
            None,
            Some(&a),
            Some(&agent_a),
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some(VALID),
            None,
            Some(&agent_a),
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some("forged"),
            Some(&a),
            Some(&agent_a),
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(UNKNOWN_USER),
            Some(&a),
            Some(&agent_a),
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(VALID),
            Some(&b),
            Some(&agent_a),
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(VALID),
            Some(&left),
            Some(&agent_a),
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(VALID),
            Some(&closed),
            Some(&agent_a),
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(VALID),
            Some(&a),
            None,
            StatusCode::BAD_REQUEST,
            "missing_agent_id",
        ),
        (
            Some(VALID),
            Some(&a),
            Some(""),
            StatusCode::BAD_REQUEST,
            "missing_agent_id",
        ),
        (
            Some(VALID),
            Some(&a),
            Some("not-a-uuid"),
            StatusCode::NOT_FOUND,
            "agent_not_found",
        ),
        (
            Some(BOB_VALID),
            Some(&b),
            Some(&agent_a),
            StatusCode::NOT_FOUND,
            "agent_not_found",
        ),
    ];
    let inactive = AGENT_A_INACTIVE.to_string();

    for (token, project, agent, status, code) in cases {
        let (answered, body) = ask(&app, token, project, agent).await;
        assert_eq!(
            (answered, body),
            (status, error_body(code)),
            "{token:?} {project:?} {agent:?}"
        );
    }
    let (status, body) = ask(&app, Some(VALID), Some(&a), Some(&inactive)).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, error_body("agent_not_found"))
    );
}
