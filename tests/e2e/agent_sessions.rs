//! Agents open sessions with the keys UASAM issued
//! (`POST /api/agent/v1/session/create/`), on both stores: the answers of
//! UASAM, keys stored as Django stores them, the session at the head of the
//! list, concurrency, revocation.

use chrono::{Duration, Utc};
use otas_auth_adapter::fixtures::{AGENT_KEY, AGENT_KEYS, AGENT_KEY_WITH_UNDERSCORE};
use otas_auth_adapter::JwtSessionTokenVerifier;
use otas_domain::Timestamp;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::tokens::{TEST_SECRET, VALID};
use crate::support::world::*;
use crate::support::{agent_query, error_body, key_row, on_both_stores, Store, TestApp, World};

const CREATE: &str = "/api/agent/v1/session/create/";

async fn create(app: &TestApp, keys: &[&str], body: &str) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(format!("{}{CREATE}", app.address))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    for key in keys {
        request = request.header("X-OTAS-AGENT-KEY", *key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let text = response.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, json)
}

fn verifier() -> JwtSessionTokenVerifier {
    JwtSessionTokenVerifier::new(&[SecretString::from(TEST_SECRET)]).expect("the fixture secret")
}

async fn listed(app: &TestApp) -> Vec<Value> {
    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;
    let body: Value = response.json().await.expect("JSON");
    body["response"]["sessions"]
        .as_array()
        .expect("sessions")
        .clone()
}

on_both_stores!(both_fixture_keys_open_a_session_that_heads_the_list);
async fn both_fixture_keys_open_a_session_that_heads_the_list(store: Store) {
    let world = World::new(store);
    let ids: Vec<Uuid> = AGENT_KEYS
        .iter()
        .map(|key| {
            let (id, row) = key_row(key, AGENT_A, |_| {});
            world.write(&[row]);
            id
        })
        .collect();
    let app = TestApp::start(world.url()).await;

    for (key, id) in AGENT_KEYS.iter().zip(ids) {
        let (status, body) = create(
            &app,
            &[key.key],
            r#"{"meta": {"task": "summarize", "n": 1}}"#,
        )
        .await;

        assert_eq!(status, StatusCode::OK, "{}: {body}", key.prefix);
        assert_eq!(body["status"], 1);
        assert_eq!(body["status_description"], "agent_session_created");
        assert_eq!(
            body["response"]["Header_value"],
            "X-OTAS-AGENT-SESSION-TOKEN"
        );
        let token = body["response"]["jwt_token"].as_str().expect("a token");
        let (session, agent) = verifier().verify(token).expect("a session token");
        assert_eq!(*agent.as_uuid(), AGENT_A);
        let head = &listed(&app).await[0];
        assert_eq!(head["id"], session.to_string(), "{}", key.prefix);
        assert_eq!(head["agent_key_id"], id.to_string());
        assert_eq!(head["meta"], json!({"task": "summarize", "n": 1}));
        assert!(
            world.agent_key(key.prefix).last_used_at.is_some(),
            "last_used_at is written"
        );
    }
}

on_both_stores!(meta_of_any_json_type_is_stored_as_sent_and_none_is_an_empty_object);
async fn meta_of_any_json_type_is_stored_as_sent_and_none_is_an_empty_object(store: Store) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start(world.url()).await;

    let bodies = [
        ("", json!({})),
        ("{}", json!({})),
        (r#"{"meta": null}"#, json!({})),
        (r#"{"meta": [1, 2]}"#, json!([1, 2])),
        (r#"{"meta": "text"}"#, json!("text")),
        (r#"{"meta": 5}"#, json!(5)),
    ];
    for (body, _) in &bodies {
        let (status, answer) = create(&app, &[AGENT_KEY.key], body).await;
        assert_eq!(status, StatusCode::OK, "{body}: {answer}");
    }

    let metas: Vec<Value> = listed(&app)
        .await
        .iter()
        .map(|s| s["meta"].clone())
        .collect();
    let expected: Vec<Value> = bodies.iter().rev().map(|(_, meta)| meta.clone()).collect();
    assert_eq!(metas[..expected.len()], expected[..]);
}

on_both_stores!(every_key_that_may_not_open_a_session_is_401_invalid_agent_key);
async fn every_key_that_may_not_open_a_session_is_401_invalid_agent_key(store: Store) {
    let world = World::new(store);
    let yesterday = Timestamp::new(Utc::now() - Duration::days(1));
    let tomorrow = Timestamp::new(Utc::now() + Duration::days(1));
    let unusable = [
        (
            "inactive",
            key_row(&AGENT_KEY, AGENT_A, |k| k.active = false),
        ),
        (
            "revoked",
            key_row(&AGENT_KEY, AGENT_A, |k| k.revoked_at = Some(yesterday)),
        ),
        (
            "expired",
            key_row(&AGENT_KEY, AGENT_A, |k| k.expires_at = Some(yesterday)),
        ),
        (
            "inactive agent",
            key_row(&AGENT_KEY_WITH_UNDERSCORE, AGENT_A_INACTIVE, |_| {}),
        ),
    ];
    let app = TestApp::start(world.url()).await;
    let wrong_secret = format!(
        "agent_{}_{}",
        AGENT_KEY.prefix, "V3JvbmdTZWNyZXQtV3JvbmdTZWNyZXQ"
    );

    for (why, (_, row)) in unusable {
        world.write(&[row]);
        let key = if why == "inactive agent" {
            AGENT_KEY_WITH_UNDERSCORE.key
        } else {
            AGENT_KEY.key
        };
        let (status, body) = create(&app, &[key], "{}").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}: {body}");
        assert_eq!(body, error_body("invalid_agent_key"), "{why}");
    }
    // A usable key for the cases below, expiring tomorrow.
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |k| k.expires_at = Some(tomorrow)).1]);
    for (why, keys) in [
        ("missing", vec![]),
        ("empty", vec![""]),
        ("not a key", vec!["Bearer abc"]),
        (
            "unknown prefix",
            vec!["agent_zzzzzzzzzzz_Rk9yVGVzdGluZ09ubHk"],
        ),
        ("wrong secret", vec![wrong_secret.as_str()]),
        ("sent twice", vec![AGENT_KEY.key, AGENT_KEY.key]),
    ] {
        let (status, body) = create(&app, &keys, "{}").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}: {body}");
        assert_eq!(body, error_body("invalid_agent_key"), "{why}");
    }
    let (status, _) = create(&app, &[AGENT_KEY.key], "{}").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the key expiring tomorrow opens sessions"
    );
}

on_both_stores!(a_body_that_is_no_json_object_is_400_and_one_over_the_limit_413);
async fn a_body_that_is_no_json_object_is_400_and_one_over_the_limit_413(store: Store) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start_with(world.url(), &[("OTAS__HTTP__MAX_BODY_BYTES", "1024")]).await;

    for body in ["[1]", "\"text\"", "{", "not json"] {
        let (status, answer) = create(&app, &[AGENT_KEY.key], body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer, error_body("invalid_json"), "{body}");
    }
    // The key is checked first, as UASAM checks it.
    let (status, answer) = create(&app, &[], "[1]").await;
    assert_eq!(
        (status, answer),
        (StatusCode::UNAUTHORIZED, error_body("invalid_agent_key"))
    );
    let large = format!(r#"{{"meta": "{}"}}"#, "x".repeat(2048));
    let (status, answer) = create(&app, &[AGENT_KEY.key], &large).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer, error_body("payload_too_large"));
    assert!(listed(&app)
        .await
        .iter()
        .all(|s| s["meta"] != json!("x".repeat(2048))));
}

on_both_stores!(a_hundred_concurrent_creations_with_one_key_all_succeed_each_session_once);
async fn a_hundred_concurrent_creations_with_one_key_all_succeed_each_session_once(store: Store) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start(world.url()).await;

    let answers = futures_util::future::join_all((0..100).map(|n| {
        let body = format!(r#"{{"meta": {{"n": {n}}}}}"#);
        let app = &app;
        async move { create(app, &[AGENT_KEY.key], &body).await }
    }))
    .await;

    let mut sessions = std::collections::HashSet::new();
    for (status, body) in answers {
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["response"]["jwt_token"].as_str().expect("a token");
        sessions.insert(verifier().verify(token).expect("a session token").0);
    }
    assert_eq!(sessions.len(), 100, "each creation opened its own session");
    let listed = listed(&app).await;
    let mut numbers: Vec<i64> = listed
        .iter()
        .filter_map(|s| s["meta"]["n"].as_i64())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (0..100).collect::<Vec<i64>>(),
        "each session exists once"
    );
}

on_both_stores!(a_revoked_key_opens_no_session_once_revoked_verified_or_not);
async fn a_revoked_key_opens_no_session_once_revoked_verified_or_not(store: Store) {
    let world = World::new(store);
    let (id, row) = key_row(&AGENT_KEY, AGENT_A, |_| {});
    world.write(&[row]);
    let app = TestApp::start(world.url()).await;
    let (before, _) = create(&app, &[AGENT_KEY.key], "{}").await;

    world.revoke_agent_key(id);
    let (after, body) = create(&app, &[AGENT_KEY.key], "{}").await;

    assert_eq!(before, StatusCode::OK);
    assert_eq!(after, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body, error_body("invalid_agent_key"));
}

#[tokio::test]
async fn answers_keep_uasams_key_order() {
    let world = World::new(Store::Sqlite);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start(world.url()).await;

    let created = app
        .client
        .post(format!("{}{CREATE}", app.address))
        .header("X-OTAS-AGENT-KEY", AGENT_KEY.key)
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("a body");
    let authenticated = app
        .client
        .post(format!("{}/api/agent/v1/user/authenticate/", app.address))
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", PROJECT_A.to_string())
        .header("X-OTAS-AGENT-ID", AGENT_A.to_string())
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("a body");

    assert!(
        created.starts_with(
            r#"{"status":1,"status_description":"agent_session_created","response":{"Header_value":"X-OTAS-AGENT-SESSION-TOKEN","jwt_token":""#
        ),
        "{created}"
    );
    assert!(
        authenticated
            .starts_with(r#"{"status":1,"status_description":"authenticated","agent":{"id":"#),
        "{authenticated}"
    );
}
