//! `POST /api/project/v1/sdk/backend/key/authenticate/`, the SDK-key check
//! OTAS's events service makes on every backend event, on both stores:
//! UASAM's answer for SDK keys Django hashed, UASAM's refusals (the envelope
//! and UASAM's `error` text), revocation through the database at once, and
//! a second call that costs no hash.

use chrono::{Duration, Utc};
use otas_domain::{ProjectId, SdkKeyId, Timestamp};
use otas_ports::{Row, SdkKeyRow};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::world::*;
use crate::support::{on_both_stores, Store, TestApp, World};

const AUTHENTICATE: &str = "/api/project/v1/sdk/backend/key/authenticate/";

/// An SDK key and its Django hash.
pub(crate) struct SdkKey {
    pub(crate) key: &'static str,
    pub(crate) prefix: &'static str,
    pub(crate) hashed_key: &'static str,
}

/// Hashed by Django 5.0.1's `make_password` (crates/auth-adapter/tests/
/// vectors/django.json, `make_password`): a key as UASAM issues them.
pub(crate) const DJANGO_HASHED: SdkKey = SdkKey {
    key: "otas_c2RrLXByZWZpeA_U0RLLWtleS1mb3ItdGVzdHMtb25seS0tLWZpeGVkLXNlY3JldA",
    prefix: "c2RrLXByZWZpeA",
    hashed_key:
        "pbkdf2_sha256$720000$zZ9yY8xX7wW6vV5uU4tT3s$l6cDXKt+H5U73ni8JmVPRWKkIBacMRFrcaq7PZ1ErqM=",
};

/// Hashed here and accepted by Django's `check_password` (the same file,
/// `check_password_of_ours`).
const OURS_DJANGO_ACCEPTED: SdkKey = SdkKey {
    key: "otas_c2RrLWtleS0x_U0RLLWtleS1zZWNyZXQtbWFkZS1ieS1vdGFzLWZvci1kamFuZ28",
    prefix: "c2RrLWtleS0x",
    hashed_key:
        "pbkdf2_sha256$720000$9ZzyXWvuTSRQPONMLKJIH0$9rx9eotRa8U7na1yDmsxSFtPggqHU0CCAZF7OAzCN7Q=",
};

/// The row of `key` in `project`, changed by `change`.
pub(crate) fn sdk_row(
    key: &SdkKey,
    project: Uuid,
    change: impl FnOnce(&mut SdkKeyRow),
) -> (Uuid, Row) {
    let id = Uuid::new_v4();
    let mut row = SdkKeyRow {
        id: SdkKeyId::from_uuid(id),
        project: ProjectId::from_uuid(project),
        prefix: key.prefix.to_owned(),
        hashed_key: key.hashed_key.to_owned(),
        name: Some("backend".to_owned()),
        active: true,
        created_at: Timestamp::new(Utc::now() - Duration::days(1)),
        revoked_at: None,
        expires_at: None,
    };
    change(&mut row);
    (id, Row::SdkKey(row))
}

/// Asks with `key` (none: no header), without a body, as brain does.
async fn authenticate(app: &TestApp, key: Option<&str>) -> (StatusCode, Value) {
    let mut request = app.client.post(format!("{}{AUTHENTICATE}", app.address));
    if let Some(key) = key {
        request = request.header("X-OTAS-SDK-KEY", key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let text = response.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, json)
}

fn refusal(code: &str, error: &str) -> Value {
    json!({"status": 0, "status_description": code, "error": error})
}

on_both_stores!(sdk_keys_hashed_as_django_hashes_name_their_project_as_uasam_does);
async fn sdk_keys_hashed_as_django_hashes_name_their_project_as_uasam_does(store: Store) {
    let world = World::new(store);
    world.write(&[
        sdk_row(&DJANGO_HASHED, PROJECT_A, |_| {}).1,
        sdk_row(&OURS_DJANGO_ACCEPTED, PROJECT_B, |_| {}).1,
    ]);
    let app = TestApp::start(world.url()).await;

    for (key, project) in [
        (&DJANGO_HASHED, PROJECT_A),
        (&OURS_DJANGO_ACCEPTED, PROJECT_B),
    ] {
        let (status, body) = authenticate(&app, Some(key.key)).await;

        assert_eq!(status, StatusCode::OK, "{}: {body}", key.prefix);
        assert_eq!(
            body,
            json!({
                "status": 1,
                "status_description": "authenticated",
                "response": {"project": {"id": project.to_string(), "name": "Project", "description": ""}}
            })
        );
    }
}

on_both_stores!(every_refusal_answers_uasams_status_and_error_text_in_uasams_order);
async fn every_refusal_answers_uasams_status_and_error_text_in_uasams_order(store: Store) {
    let world = World::new(store);
    let past = Timestamp::new(Utc::now() - Duration::hours(1));
    world.write(&[sdk_row(&DJANGO_HASHED, PROJECT_A, |k| k.expires_at = Some(past)).1]);
    let app = TestApp::start(world.url()).await;
    let wrong_secret = format!("otas_{}_not-the-secret", OURS_DJANGO_ACCEPTED.prefix);
    let too_long = format!("otas_{}_{}", DJANGO_HASHED.prefix, "s".repeat(600));
    let missing = refusal("missing_sdk_key", "SDK Key missing");
    let format = refusal("invalid_key_format", "Invalid Key Format");
    let invalid = refusal("invalid_sdk_key", "Invalid SDK Key");

    for (why, key, status, body) in [
        ("no header", None, StatusCode::UNAUTHORIZED, &missing),
        ("empty", Some(""), StatusCode::UNAUTHORIZED, &missing),
        ("one part", Some("otaskey"), StatusCode::FORBIDDEN, &format),
        (
            "two parts",
            Some("otas_key"),
            StatusCode::FORBIDDEN,
            &format,
        ),
        (
            "an agent key",
            Some("agent_abc_def"),
            StatusCode::FORBIDDEN,
            &invalid,
        ),
        (
            "unknown prefix",
            Some("otas_nosuch_secret"),
            StatusCode::FORBIDDEN,
            &invalid,
        ),
        (
            "not stored",
            Some(wrong_secret.as_str()),
            StatusCode::FORBIDDEN,
            &invalid,
        ),
        (
            "longer than any issued",
            Some(too_long.as_str()),
            StatusCode::FORBIDDEN,
            &invalid,
        ),
        (
            "expired",
            Some(DJANGO_HASHED.key),
            StatusCode::FORBIDDEN,
            &invalid,
        ),
    ] {
        let (answered, answer) = authenticate(&app, key).await;

        assert_eq!(answered, status, "{why}: {answer}");
        assert_eq!(&answer, body, "{why}");
    }
}

on_both_stores!(a_wrong_secret_an_inactive_or_a_revoked_key_is_invalid_sdk_key);
async fn a_wrong_secret_an_inactive_or_a_revoked_key_is_invalid_sdk_key(store: Store) {
    let world = World::new(store);
    let (id, row) = sdk_row(&DJANGO_HASHED, PROJECT_A, |_| {});
    world.write(&[
        row,
        sdk_row(&OURS_DJANGO_ACCEPTED, PROJECT_A, |k| k.active = false).1,
    ]);
    let app = TestApp::start(world.url()).await;
    let wrong_secret = format!("otas_{}_not-the-secret", DJANGO_HASHED.prefix);
    let invalid = refusal("invalid_sdk_key", "Invalid SDK Key");

    let (wrong, wrong_body) = authenticate(&app, Some(&wrong_secret)).await;
    let (inactive, inactive_body) = authenticate(&app, Some(OURS_DJANGO_ACCEPTED.key)).await;
    let (before, _) = authenticate(&app, Some(DJANGO_HASHED.key)).await;
    let (cached, _) = authenticate(&app, Some(DJANGO_HASHED.key)).await;
    world.revoke_sdk_key(id);
    let (after, after_body) = authenticate(&app, Some(DJANGO_HASHED.key)).await;

    assert_eq!((wrong, &wrong_body), (StatusCode::FORBIDDEN, &invalid));
    assert_eq!(
        (inactive, &inactive_body),
        (StatusCode::FORBIDDEN, &invalid)
    );
    assert_eq!((before, cached), (StatusCode::OK, StatusCode::OK));
    assert_eq!(
        (after, &after_body),
        (StatusCode::FORBIDDEN, &invalid),
        "revoked: refused at once"
    );
}

/// One wrong secret spends the key's budget: a call that must hash is then
/// refused (429) without hashing, and only a cache hit is served.
const ONE_FAILURE: (&str, &str) = ("OTAS__AGENT_KEYS__FAILURES_PER_WINDOW", "1");

on_both_stores!(a_second_call_costs_no_hash_and_without_the_cache_it_would);
async fn a_second_call_costs_no_hash_and_without_the_cache_it_would(store: Store) {
    let world = World::new(store);
    world.write(&[sdk_row(&DJANGO_HASHED, PROJECT_A, |_| {}).1]);
    let wrong_secret = format!("otas_{}_not-the-secret", DJANGO_HASHED.prefix);
    let mut answers = Vec::new();
    for cache in ["1000", "0"] {
        let app = TestApp::start_with(
            world.url(),
            &[ONE_FAILURE, ("OTAS__AGENT_KEYS__CACHE_CAPACITY", cache)],
        )
        .await;
        let (first, _) = authenticate(&app, Some(DJANGO_HASHED.key)).await;
        // The key's budget spent: from here on, a call that hashes is refused.
        let (wrong, _) = authenticate(&app, Some(&wrong_secret)).await;
        let (again, _) = authenticate(&app, Some(DJANGO_HASHED.key)).await;
        answers.push((cache, first, wrong, again));
    }

    assert_eq!(
        answers,
        vec![
            (
                "1000",
                StatusCode::OK,
                StatusCode::FORBIDDEN,
                StatusCode::OK
            ),
            (
                "0",
                StatusCode::OK,
                StatusCode::FORBIDDEN,
                StatusCode::TOO_MANY_REQUESTS
            ),
        ],
        "with the cache the second call is served without a hash; without it, it must hash"
    );
}
