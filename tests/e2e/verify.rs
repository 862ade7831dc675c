//! `POST /api/agent/v1/auth/verify/`, the agent-key check OTAS's events
//! service makes on every agent event, on both stores: UASAM's answer for
//! keys UASAM issued, every refusal as session creation's, revocation
//! through the database at once, and the cache shared with session creation.

use chrono::{Duration, Utc};
use otas_auth_adapter::fixtures::{AGENT_KEY, AGENT_KEYS, AGENT_KEY_WITH_UNDERSCORE};
use otas_domain::Timestamp;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::world::*;
use crate::support::{error_body, key_row, on_both_stores, Store, TestApp, World};

const VERIFY: &str = "/api/agent/v1/auth/verify/";

/// Asks with `key` (none: no header) and brain's `{}` body.
async fn verify(app: &TestApp, key: Option<&str>) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(format!("{}{VERIFY}", app.address))
        .header("Content-Type", "application/json")
        .body("{}");
    if let Some(key) = key {
        request = request.header("X-OTAS-AGENT-KEY", key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let text = response.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, json)
}

fn authenticated() -> Value {
    json!({
        "status": 1,
        "status_description": "authenticated",
        "response": {
            "project_id": PROJECT_A.to_string(),
            "agent": {"id": AGENT_A.to_string(), "name": "Agent", "provider": "anthropic"}
        }
    })
}

on_both_stores!(keys_uasam_issued_name_their_agent_and_project_as_uasam_does);
async fn keys_uasam_issued_name_their_agent_and_project_as_uasam_does(store: Store) {
    let world = World::new(store);
    for key in &AGENT_KEYS {
        world.write(&[key_row(key, AGENT_A, |_| {}).1]);
    }
    let app = TestApp::start(world.url()).await;

    for key in &AGENT_KEYS {
        let (status, body) = verify(&app, Some(key.key)).await;

        assert_eq!(status, StatusCode::OK, "{}: {body}", key.prefix);
        assert_eq!(body, authenticated(), "{}", key.prefix);
    }
    // The path without its slash, and a body brain never sends, alike.
    let response = app
        .client
        .post(format!("{}/api/agent/v1/auth/verify", app.address))
        .header("X-OTAS-AGENT-KEY", AGENT_KEY.key)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::OK);
}

on_both_stores!(every_key_that_may_not_be_used_is_401_invalid_agent_key);
async fn every_key_that_may_not_be_used_is_401_invalid_agent_key(store: Store) {
    let world = World::new(store);
    let past = Timestamp::new(Utc::now() - Duration::hours(1));
    // The underscored key is stored expired; the plain one, of an inactive agent.
    world.write(&[
        key_row(&AGENT_KEY_WITH_UNDERSCORE, AGENT_A, |k| {
            k.expires_at = Some(past)
        })
        .1,
        key_row(&AGENT_KEY, AGENT_A_INACTIVE, |_| {}).1,
    ]);
    let app = TestApp::start(world.url()).await;
    let wrong_secret = format!("agent_{}_not-the-secret", AGENT_KEY.prefix);
    let too_long = format!("agent_{}_{}", AGENT_KEY.prefix, "s".repeat(600));

    for (why, key) in [
        ("no header", None),
        ("empty", Some("")),
        ("not an agent key", Some("otas_abc_def")),
        ("unknown prefix", Some("agent_nosuchprefix_secret")),
        ("wrong secret", Some(wrong_secret.as_str())),
        ("longer than any issued", Some(too_long.as_str())),
        ("expired", Some(AGENT_KEY_WITH_UNDERSCORE.key)),
        ("of an inactive agent", Some(AGENT_KEY.key)),
    ] {
        let (status, body) = verify(&app, key).await;

        assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}: {body}");
        assert_eq!(body, error_body("invalid_agent_key"), "{why}");
    }
}

on_both_stores!(a_key_revoked_in_the_database_is_refused_on_the_next_call);
async fn a_key_revoked_in_the_database_is_refused_on_the_next_call(store: Store) {
    let world = World::new(store);
    let (id, row) = key_row(&AGENT_KEY, AGENT_A, |_| {});
    world.write(&[row]);
    let app = TestApp::start(world.url()).await;
    let (before, _) = verify(&app, Some(AGENT_KEY.key)).await;
    // Verified once: the next call would be a cache hit, but the row is read.
    let (cached, _) = verify(&app, Some(AGENT_KEY.key)).await;

    world.revoke_agent_key(id);
    let (after, body) = verify(&app, Some(AGENT_KEY.key)).await;

    assert_eq!((before, cached), (StatusCode::OK, StatusCode::OK));
    assert_eq!(after, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body, error_body("invalid_agent_key"));
}

/// One wrong secret spends the key's budget: a call that must hash is then
/// refused (429) without hashing, and only a cache hit is served.
const ONE_FAILURE: (&str, &str) = ("OTAS__AGENT_KEYS__FAILURES_PER_WINDOW", "1");

on_both_stores!(a_key_verified_by_session_creation_is_a_cache_hit_for_auth_verify);
async fn a_key_verified_by_session_creation_is_a_cache_hit_for_auth_verify(store: Store) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start_with(world.url(), &[ONE_FAILURE]).await;
    let wrong_secret = format!("agent_{}_not-the-secret", AGENT_KEY.prefix);

    // Verified (one PBKDF2) by session creation, then the budget spent.
    let created = app
        .client
        .post(format!("{}/api/agent/v1/session/create/", app.address))
        .header("X-OTAS-AGENT-KEY", AGENT_KEY.key)
        .send()
        .await
        .expect("the server answers");
    let (wrong, _) = verify(&app, Some(&wrong_secret)).await;
    let (spent, _) = verify(&app, Some(&wrong_secret)).await;
    let (status, body) = verify(&app, Some(AGENT_KEY.key)).await;

    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    assert_eq!(spent, StatusCode::TOO_MANY_REQUESTS, "the budget is spent");
    // Served although any hash would be refused: it was a cache hit.
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, authenticated());
}

on_both_stores!(without_the_cache_every_call_hashes);
async fn without_the_cache_every_call_hashes(store: Store) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start_with(
        world.url(),
        &[ONE_FAILURE, ("OTAS__AGENT_KEYS__CACHE_CAPACITY", "0")],
    )
    .await;
    let wrong_secret = format!("agent_{}_not-the-secret", AGENT_KEY.prefix);

    let (first, _) = verify(&app, Some(AGENT_KEY.key)).await;
    let (wrong, _) = verify(&app, Some(&wrong_secret)).await;
    let (again, body) = verify(&app, Some(AGENT_KEY.key)).await;

    assert_eq!((first, wrong), (StatusCode::OK, StatusCode::UNAUTHORIZED));
    // The same call as the cached one above, refused: it had to hash.
    assert_eq!(again, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body, error_body("too_many_attempts"));
}
