//! The original answer: every session newest first in UASAM's envelope, ties
//! by id, `meta` as stored, an empty list, the path without its slash.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{agent_query, json_of, on_both_stores, Store, TestApp, World};

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
    let app = TestApp::start(world.url()).await;

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
    let app = TestApp::start(world.url()).await;

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
    let app = TestApp::start(world.url()).await;

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
    let app = TestApp::start(world.url()).await;

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
    let app = TestApp::start(world.url()).await;
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
