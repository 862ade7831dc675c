//! `POST /api/agent/v1/create/`: an admin creates an agent and its first
//! key, answered as UASAM's `AgentCreateView` answers, on both stores; the
//! key shown once opens sessions.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::admins::{add_admin_project, PROJECT_ADMIN};
use crate::support::tokens::{BOB_VALID, UNKNOWN_USER, VALID};
use crate::support::world::*;
use crate::support::{error_body, on_both_stores, Store, TestApp, World};

const CREATE: &str = "/api/agent/v1/create/";

/// POSTs `body` to `path` with the user headers given.
pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    project: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(format!("{}{path}", app.address))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in [("X-OTAS-USER-TOKEN", token), ("X-OTAS-PROJECT-ID", project)] {
        if let Some(value) = value {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

/// Opens a session with `key`: the status of `POST /api/agent/v1/session/create/`.
pub(crate) async fn open_session(app: &TestApp, key: &str) -> StatusCode {
    app.client
        .post(format!("{}/api/agent/v1/session/create/", app.address))
        .header("X-OTAS-AGENT-KEY", key)
        .body("{}")
        .send()
        .await
        .expect("the server answers")
        .status()
}

/// A time as this service writes it: RFC 3339, six fractional digits, `+00:00`.
fn is_our_time(value: &Value) -> bool {
    value.as_str().is_some_and(|text| {
        text.len() == 32 && text.ends_with("+00:00") && text.as_bytes()[19] == b'.'
    })
}

on_both_stores!(an_admin_creates_an_agent_whose_key_opens_sessions_and_is_listed);
async fn an_admin_creates_an_agent_whose_key_opens_sessions_and_is_listed(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let project = PROJECT_ADMIN.to_string();

    let (status, body) = post(
        &app,
        CREATE,
        Some(VALID),
        Some(&project),
        r#"{"agent_name": " triage ", "agent_description": "reads the inbox", "agent_provider": "anthropic"}"#,
    )
    .await;

    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], 1);
    assert_eq!(body["status_description"], "agent_created");
    let agent = &body["response"]["agent"];
    let key = &body["response"]["agent_key"];
    assert_eq!(agent["name"], "triage");
    assert_eq!(agent["description"], "reads the inbox");
    assert_eq!(agent["provider"], "anthropic");
    assert_eq!(agent["project_id"], project.as_str());
    assert_eq!(agent["created_by"], ADA.to_string());
    assert_eq!(key["agent_id"], agent["id"]);
    assert_eq!(key["active"], true);
    for time in [&agent["created_at"], &key["created_at"], &key["expires_at"]] {
        assert!(is_our_time(time), "{time}");
    }
    let api_key = key["api_key"].as_str().expect("the key, shown once");
    let prefix = key["prefix"].as_str().expect("its prefix");
    assert!(
        api_key.starts_with(&format!("agent_{prefix}_")),
        "{api_key}"
    );
    assert!(!prefix.contains('_'), "{prefix}");
    let created =
        chrono::DateTime::parse_from_rfc3339(key["created_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(key["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires - created, chrono::Duration::days(30));

    assert_eq!(open_session(&app, api_key).await, StatusCode::OK);

    let listed: Value = app
        .client
        .get(format!("{}/api/agent/v1/list/", app.address))
        .header("X-OTAS-USER-TOKEN", BOB_VALID)
        .header("X-OTAS-PROJECT-ID", &project)
        .send()
        .await
        .expect("the list")
        .json()
        .await
        .expect("JSON");
    let names: Vec<&str> = listed["response"]["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Agent", "triage"], "{listed}");
    assert!(
        !listed.to_string().contains(api_key),
        "the key is never listed"
    );
}

/// Token, project, body, and the answer expected.
pub(crate) type Case<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    StatusCode,
    &'a str,
);

on_both_stores!(agent_creation_is_refused_in_uasams_order);
async fn agent_creation_is_refused_in_uasams_order(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let (admin, a, b) = (
        PROJECT_ADMIN.to_string(),
        PROJECT_A.to_string(),
        PROJECT_B.to_string(),
    );
    let good = r#"{"agent_name": "x", "agent_provider": "p"}"#;
    let cases: Vec<Case<'_>> = vec![
        (
            None,
            Some(&admin),
            good,
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some(VALID),
            None,
            good,
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some("forged"),
            Some(&admin),
            good,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(UNKNOWN_USER),
            Some(&admin),
            good,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(VALID),
            Some(&b),
            good,
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(VALID),
            Some("nope"),
            good,
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        // A member, even with a body that describes no agent: the privilege first.
        (
            Some(BOB_VALID),
            Some(&admin),
            good,
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
            Some(&a),
            good,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Some(VALID),
            Some(&admin),
            "[",
            StatusCode::BAD_REQUEST,
            "agent_creation_failed",
        ),
        (
            Some(VALID),
            Some(&admin),
            "[1]",
            StatusCode::BAD_REQUEST,
            "agent_creation_failed",
        ),
        (
            Some(VALID),
            Some(&admin),
            "",
            StatusCode::BAD_REQUEST,
            "agent_creation_failed",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"agent_name": "x"}"#,
            StatusCode::BAD_REQUEST,
            "agent_creation_failed",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"agent_name": 5, "agent_provider": "p"}"#,
            StatusCode::BAD_REQUEST,
            "agent_creation_failed",
        ),
    ];

    for (token, project, body, status, code) in cases {
        let answer = post(&app, CREATE, token, project, body).await;
        assert_eq!(
            answer,
            (status, error_body(code)),
            "{token:?} {project:?} {body}"
        );
    }
    let listed = world_agents(&app, &admin).await;
    assert_eq!(listed, 1, "no refused call created an agent");
}

/// How many agents the admin project lists.
async fn world_agents(app: &TestApp, project: &str) -> usize {
    let listed: Value = app
        .client
        .get(format!("{}/api/agent/v1/list/", app.address))
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", project)
        .send()
        .await
        .expect("the list")
        .json()
        .await
        .expect("JSON");
    listed["response"]["agents"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_body_beyond_the_limit_is_refused_unread() {
    let world = World::new(Store::Sqlite);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let huge = format!(
        r#"{{"agent_name": "{}", "agent_provider": "p"}}"#,
        "x".repeat(70_000)
    );

    let (status, body) = post(
        &app,
        CREATE,
        Some(VALID),
        Some(&PROJECT_ADMIN.to_string()),
        &huge,
    )
    .await;

    assert_eq!(
        (status, body),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            error_body("payload_too_large")
        )
    );
}
