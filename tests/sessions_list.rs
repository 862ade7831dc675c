//! `GET /api/agent/v1/sessions/list/` over HTTP, through the real binary, on
//! a real PostgreSQL and on a SQLite file (each scenario runs on both): the
//! checks of the contract in order, the 200 envelope, isolation between
//! projects, JSON for every error.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::tokens::{BOB_VALID, UNKNOWN_USER, VALID};
use support::world::*;
use support::{error_body, on_both_stores, Store, TestApp, World};
use uuid::Uuid;

fn agent_query(agent: Uuid) -> String {
    format!("agent_id={agent}")
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// Asserts the status and the error body of an answer.
async fn assert_error(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status, "status for {code}");
    assert_eq!(
        response.headers()["content-type"].to_str().expect("ascii"),
        "application/json",
        "content type for {code}"
    );
    assert_eq!(json_of(response).await, error_body(code));
}

on_both_stores!(list_returns_every_session_newest_first_in_uasams_envelope);
async fn list_returns_every_session_newest_first_in_uasams_envelope(store: Store) {
    let world = World::new(store);
    let (older, newer) = (Uuid::from_u128(0xa9b8), Uuid::from_u128(0xf1e2));
    world.session(older, AGENT_A, None, at(9 * 3600 + 15 * 60, 0), "{}");
    world.session(
        newer,
        AGENT_A,
        Some(KEY_A),
        at(14 * 3600 + 30 * 60, 0),
        r#"{"task": "summarize", "input_length": 512}"#,
    );
    let app = TestApp::spawn(world.url()).await;

    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = response.text().await.expect("a body");
    let expected = json!({
        "status": 1,
        "status_description": "agent_sessions_listed",
        "response": {
            "agent_id": AGENT_A.to_string(),
            "sessions": [
                {
                    "id": newer.to_string(),
                    "agent_key_id": KEY_A.to_string(),
                    "created_at": "2026-04-16T14:30:00.000000+00:00",
                    "meta": {"task": "summarize", "input_length": 512}
                },
                {
                    "id": older.to_string(),
                    "agent_key_id": null,
                    "created_at": "2026-04-16T09:15:00.000000+00:00",
                    "meta": {}
                }
            ]
        }
    });
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("JSON"),
        expected
    );
    // Keys in the contract's order.
    assert!(
        body.starts_with(&format!(
            r#"{{"status":1,"status_description":"agent_sessions_listed","response":{{"agent_id":"{AGENT_A}","sessions":[{{"id":"{newer}","agent_key_id":"{KEY_A}","created_at":"#
        )),
        "{body}"
    );
}

on_both_stores!(sessions_created_at_the_same_microsecond_are_ordered_by_id_descending);
async fn sessions_created_at_the_same_microsecond_are_ordered_by_id_descending(store: Store) {
    let world = World::new(store);
    let ids: Vec<Uuid> = (1..=5u128)
        .map(|n| Uuid::from_u128(n << 64 | 0x77))
        .collect();
    for id in &ids {
        world.session(*id, AGENT_A, None, at(60, 123_456), "{}");
    }
    world.session(Uuid::from_u128(1), AGENT_A, None, at(61, 0), "{}");
    let app = TestApp::spawn(world.url()).await;

    let body = json_of(
        app.list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await,
    )
    .await;

    let listed: Vec<&str> = body["response"]["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    let mut expected = vec![Uuid::from_u128(1).to_string()];
    expected.extend(ids.iter().rev().map(Uuid::to_string));
    assert_eq!(listed, expected);
    assert_eq!(
        body["response"]["sessions"][1]["created_at"],
        "2026-04-16T00:01:00.123456+00:00"
    );
}

on_both_stores!(meta_comes_back_exactly_as_stored_whatever_it_nests);
async fn meta_comes_back_exactly_as_stored_whatever_it_nests(store: Store) {
    let world = World::new(store);
    let meta = json!({
        "task": "résumé 日本語 🚀",
        "nested": {"list": [1, 2.5, {"deep": [null, true, false]}], "empty": {}},
        "quote": "a \"quoted\" \\ back\nslash",
        "big": 12345678901234_i64
    });
    world.session(Uuid::new_v4(), AGENT_A, None, at(1, 1), &meta.to_string());
    let app = TestApp::spawn(world.url()).await;

    let body = json_of(
        app.list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await,
    )
    .await;

    assert_eq!(body["response"]["sessions"][0]["meta"], meta);
    assert_eq!(
        body["response"]["sessions"][0]["created_at"],
        "2026-04-16T00:00:01.000001+00:00"
    );
}

on_both_stores!(an_agent_without_sessions_lists_an_empty_array);
async fn an_agent_without_sessions_lists_an_empty_array(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;

    let body = json_of(
        app.list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A_EMPTY),
        )
        .await,
    )
    .await;

    assert_eq!(
        body,
        json!({"status": 1, "status_description": "agent_sessions_listed",
               "response": {"agent_id": AGENT_A_EMPTY.to_string(), "sessions": []}})
    );
}

on_both_stores!(the_path_without_its_trailing_slash_answers_the_same);
async fn the_path_without_its_trailing_slash_answers_the_same(store: Store) {
    let world = World::new(store);
    world.session(Uuid::new_v4(), AGENT_A, None, at(5, 0), r#"{"a": 1}"#);
    let app = TestApp::spawn(world.url()).await;
    let with_slash = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;

    let without = app
        .client
        .get(format!(
            "{}/api/agent/v1/sessions/list?agent_id={AGENT_A}",
            app.address
        ))
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", PROJECT_A.to_string())
        .send()
        .await
        .expect("an answer");

    assert_eq!(without.status(), StatusCode::OK);
    assert_eq!(json_of(without).await, json_of(with_slash).await);
}

on_both_stores!(a_list_longer_than_one_read_batch_is_complete_valid_json);
async fn a_list_longer_than_one_read_batch_is_complete_valid_json(store: Store) {
    let world = World::new(store);
    world.many_sessions(
        AGENT_A,
        2500,
        Spread {
            meta_key: "i",
            period_seconds: 500,
        },
    );
    // Batches of 1000 and of 7: the list crosses many batch boundaries, with ties across them.
    for batch in ["1000", "7"] {
        let app = TestApp::spawn_with(world.url(), &[("OTAS__HTTP__LIST_BATCH_SIZE", batch)]).await;

        let body = json_of(
            app.list(
                Some(VALID),
                Some(&PROJECT_A.to_string()),
                &agent_query(AGENT_A),
            )
            .await,
        )
        .await;

        let sessions = body["response"]["sessions"].as_array().expect("sessions");
        assert_eq!(sessions.len(), 2500, "batch {batch}");
        let mut seen: Vec<i64> = sessions
            .iter()
            .map(|s| s["meta"]["i"].as_i64().expect("i"))
            .collect();
        let keys: Vec<(String, String)> = sessions
            .iter()
            .map(|s| {
                (
                    s["created_at"].as_str().expect("t").to_owned(),
                    s["id"].as_str().expect("id").to_owned(),
                )
            })
            .collect();
        assert!(
            keys.windows(2).all(|w| w[0] > w[1]),
            "strictly descending (created_at, id), batch {batch}"
        );
        seen.sort_unstable();
        assert_eq!(
            seen,
            (1..=2500).collect::<Vec<_>>(),
            "each session exactly once, batch {batch}"
        );
    }
}

on_both_stores!(a_missing_or_empty_header_is_400_missing_headers);
async fn a_missing_or_empty_header_is_400_missing_headers(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;
    let project = PROJECT_A.to_string();
    let query = agent_query(AGENT_A);

    for (token, project) in [
        (None, Some(project.as_str())),
        (Some(VALID), None),
        (Some(""), Some(project.as_str())),
        (Some(VALID), Some("")),
        (None, None),
    ] {
        assert_error(
            app.list(token, project, &query).await,
            StatusCode::BAD_REQUEST,
            "missing_headers",
        )
        .await;
    }
    // Checked first: even without agent_id and with a token that is not one.
    assert_error(
        app.list(Some("garbage"), None, "").await,
        StatusCode::BAD_REQUEST,
        "missing_headers",
    )
    .await;
}

on_both_stores!(a_project_that_is_not_granted_is_403_user_project_mapping_invalid);
async fn a_project_that_is_not_granted_is_403_user_project_mapping_invalid(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;

    for (project, why) in [
        ("not-a-uuid".to_owned(), "not a UUID"),
        (Uuid::new_v4().to_string(), "no such project"),
        (PROJECT_B.to_string(), "no mapping"),
        (PROJECT_LEFT.to_string(), "inactive mapping"),
        (PROJECT_CLOSED.to_string(), "inactive project"),
    ] {
        let response = app
            .list(Some(VALID), Some(&project), &agent_query(AGENT_A))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{why}");
        assert_eq!(
            json_of(response).await,
            error_body("user_project_mapping_invalid"),
            "{why}"
        );
    }
}

on_both_stores!(an_absent_or_empty_agent_id_is_400_agent_id_required);
async fn an_absent_or_empty_agent_id_is_400_agent_id_required(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;
    let project = PROJECT_A.to_string();

    for query in ["", "agent_id=", "other=1"] {
        assert_error(
            app.list(Some(VALID), Some(&project), query).await,
            StatusCode::BAD_REQUEST,
            "agent_id_required",
        )
        .await;
    }
}

on_both_stores!(an_agent_that_cannot_be_read_is_403_agent_not_found_or_no_access);
async fn an_agent_that_cannot_be_read_is_403_agent_not_found_or_no_access(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;
    let project = PROJECT_A.to_string();

    for (agent, why) in [
        ("12345".to_owned(), "not a UUID"),
        (Uuid::new_v4().to_string(), "no such agent"),
        (AGENT_A_INACTIVE.to_string(), "inactive agent"),
        (AGENT_B.to_string(), "agent of another project"),
        (AGENT_LEFT.to_string(), "agent of a project the user left"),
    ] {
        let response = app
            .list(Some(VALID), Some(&project), &format!("agent_id={agent}"))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{why}");
        assert_eq!(
            json_of(response).await,
            error_body("agent_not_found_or_no_access"),
            "{why}"
        );
    }
}

on_both_stores!(the_checks_run_in_the_contracts_order);
async fn the_checks_run_in_the_contracts_order(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;

    // Token before project, project before agent id, agent id before agent.
    assert_error(
        app.list(Some(UNKNOWN_USER), Some("not-a-uuid"), "").await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_error(
        app.list(Some("x.y.z"), Some(&PROJECT_B.to_string()), "")
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_error(
        app.list(Some(VALID), Some(&PROJECT_B.to_string()), "")
            .await,
        StatusCode::FORBIDDEN,
        "user_project_mapping_invalid",
    )
    .await;
    assert_error(
        app.list(Some(VALID), Some(&PROJECT_A.to_string()), "agent_id=")
            .await,
        StatusCode::BAD_REQUEST,
        "agent_id_required",
    )
    .await;
}

on_both_stores!(no_answer_ever_carries_another_projects_sessions);
async fn no_answer_ever_carries_another_projects_sessions(store: Store) {
    let world = World::new(store);
    let ada_session = Uuid::new_v4();
    world.session(ada_session, AGENT_A, None, at(1, 0), r#"{"owner": "ada"}"#);
    let app = TestApp::spawn(world.url()).await;

    let bob = json_of(
        app.list(
            Some(BOB_VALID),
            Some(&PROJECT_B.to_string()),
            &agent_query(AGENT_B),
        )
        .await,
    )
    .await;
    let bob_on_ada = app
        .list(
            Some(BOB_VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;
    let bob_via_own_project = app
        .list(
            Some(BOB_VALID),
            Some(&PROJECT_B.to_string()),
            &agent_query(AGENT_A),
        )
        .await;
    let ada = json_of(
        app.list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await,
    )
    .await;

    let bob_sessions = bob["response"]["sessions"].as_array().expect("sessions");
    assert_eq!(bob_sessions.len(), 1);
    assert_eq!(bob_sessions[0]["meta"], json!({"owner": "other"}));
    assert_error(
        bob_on_ada,
        StatusCode::FORBIDDEN,
        "user_project_mapping_invalid",
    )
    .await;
    assert_error(
        bob_via_own_project,
        StatusCode::FORBIDDEN,
        "agent_not_found_or_no_access",
    )
    .await;
    assert_eq!(
        ada["response"]["sessions"]
            .as_array()
            .expect("sessions")
            .len(),
        1
    );
    assert_eq!(
        ada["response"]["sessions"][0]["id"],
        ada_session.to_string()
    );
}

on_both_stores!(an_unknown_path_is_a_json_404);
async fn an_unknown_path_is_a_json_404(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;

    for path in [
        "/",
        "/api/agent/v1/sessions/",
        "/api/agent/v1/sessions/list/extra",
        "/static/x.js",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("answer");
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}

on_both_stores!(another_method_on_the_list_is_a_json_405_naming_the_allowed_ones);
async fn another_method_on_the_list_is_a_json_405_naming_the_allowed_ones(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;
    let url = format!("{}/api/agent/v1/sessions/list/", app.address);

    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let response = app
            .client
            .request(method.clone(), &url)
            .header("X-OTAS-USER-TOKEN", VALID)
            .body("{}")
            .send()
            .await
            .expect("answer");
        assert_eq!(
            response.headers()["allow"],
            "GET, HEAD, OPTIONS",
            "{method}"
        );
        assert_error(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
}

on_both_stores!(head_answers_the_status_and_headers_of_get_without_a_body);
async fn head_answers_the_status_and_headers_of_get_without_a_body(store: Store) {
    let world = World::new(store);
    // Longer than a read batch: HEAD answers without reading the rest.
    world.many_sessions(
        AGENT_A,
        50,
        Spread {
            meta_key: "i",
            period_seconds: 7,
        },
    );
    let app = TestApp::spawn_with(world.url(), &[("OTAS__HTTP__LIST_BATCH_SIZE", "10")]).await;
    let get = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;
    let get_etag = get.headers()["etag"].clone();

    let response = app
        .client
        .head(format!(
            "{}/api/agent/v1/sessions/list/?agent_id={AGENT_A}",
            app.address
        ))
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", PROJECT_A.to_string())
        .send()
        .await
        .expect("answer");

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["etag"], get_etag);
    assert!(response.bytes().await.expect("body").is_empty());
}

on_both_stores!(a_cors_preflight_from_the_dashboard_is_allowed);
async fn a_cors_preflight_from_the_dashboard_is_allowed(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;
    let url = format!("{}/api/agent/v1/sessions/list/", app.address);

    let response = app
        .client
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "GET")
        .header(
            "Access-Control-Request-Headers",
            "x-otas-user-token,x-otas-project-id",
        )
        .send()
        .await
        .expect("answer");

    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let allowed = response.headers()["access-control-allow-headers"]
        .to_str()
        .expect("ascii")
        .to_lowercase();
    assert!(
        allowed.contains("x-otas-user-token") && allowed.contains("x-otas-project-id"),
        "{allowed}"
    );
    let methods = response.headers()["access-control-allow-methods"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(methods.contains("GET"), "{methods}");
}

on_both_stores!(a_cors_preflight_from_an_unknown_origin_is_refused_in_json);
async fn a_cors_preflight_from_an_unknown_origin_is_refused_in_json(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;

    let response = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/agent/v1/sessions/list/", app.address),
        )
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .expect("answer");

    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
}

on_both_stores!(the_configured_origins_replace_the_default);
async fn the_configured_origins_replace_the_default(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn_with(
        world.url(),
        &[("OTAS__SERVER__CORS_ALLOWED_ORIGINS", "https://dash.example")],
    )
    .await;

    let response = app
        .client
        .get(format!(
            "{}/api/agent/v1/sessions/list/?agent_id={AGENT_A}",
            app.address
        ))
        .header("Origin", "https://dash.example")
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", PROJECT_A.to_string())
        .send()
        .await
        .expect("answer");

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://dash.example"
    );
}

on_both_stores!(every_request_gets_a_request_id_and_one_log_line_without_the_token);
async fn every_request_gets_a_request_id_and_one_log_line_without_the_token(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;

    let echoed = app
        .client
        .get(format!(
            "{}/api/agent/v1/sessions/list/?agent_id={AGENT_A}",
            app.address
        ))
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", PROJECT_A.to_string())
        .header("X-Request-Id", "dashboard-req-42")
        .send()
        .await
        .expect("answer");
    let generated = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;

    assert_eq!(echoed.headers()["x-request-id"], "dashboard-req-42");
    let generated_id = generated.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(Uuid::parse_str(&generated_id).is_ok(), "{generated_id}");
    let line = app.wait_for_log("dashboard-req-42").await;
    let event: Value = serde_json::from_str(&line).expect("a JSON log line");
    assert_eq!(event["method"], "GET");
    assert_eq!(event["path"], "/api/agent/v1/sessions/list/");
    assert_eq!(event["status"], 200);
    assert!(
        event["latency_ms"].is_string() || event["latency_ms"].is_number(),
        "{event}"
    );
    app.wait_for_log(&generated_id).await;
    let logs = app.logs().join("\n");
    assert!(!logs.contains(VALID), "a token reached the log");
    assert!(
        !logs.contains(&VALID[VALID.len() - 20..]),
        "a token's signature reached the log"
    );
    assert_eq!(
        logs.matches("dashboard-req-42").count(),
        1,
        "one line per request:\n{logs}"
    );
    // The server runs on the store the world is on.
    let listening: Value =
        serde_json::from_str(&app.wait_for_log("listening on").await).expect("a JSON log line");
    assert_eq!(listening["store"], store.name(), "{listening}");
}
