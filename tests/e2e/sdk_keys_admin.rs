//! The dashboard's SDK-key endpoints under
//! `/api/project/v1/sdk/backend/key/`, answered as UASAM's views answer
//! (admins only, an intended difference), on both stores: a key created
//! here authenticates at once, one revoked here is refused at once, and the
//! list shows both, newest first.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::agents_create::{post, Case};
use crate::sdk_keys::{sdk_row, DJANGO_HASHED};
use crate::support::admins::{add_admin_project, PROJECT_ADMIN};
use crate::support::tokens::{BOB_VALID, VALID};
use crate::support::world::PROJECT_A;
use crate::support::{error_body, on_both_stores, Store, TestApp, World};

const CREATE: &str = "/api/project/v1/sdk/backend/key/create/";
const REVOKE: &str = "/api/project/v1/sdk/backend/key/revoke/";
const LIST: &str = "/api/project/v1/sdk/backend/key/list/";
const AUTHENTICATE: &str = "/api/project/v1/sdk/backend/key/authenticate/";

/// Creates an SDK key of the admin project as Ada, the admin: the answer's
/// `response_body`.
pub(crate) async fn create_key(app: &TestApp, validity: u32) -> Value {
    let project = PROJECT_ADMIN.to_string();
    let body = format!(r#"{{"validity": {validity}}}"#);
    let (status, answer) = post(app, CREATE, Some(VALID), Some(&project), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["status"], 1, "{answer}");
    assert_eq!(answer["status_description"], "backend_sdk_key_created");
    answer["response_body"].clone()
}

/// `POST …/authenticate/` with `key`: its status and body.
pub(crate) async fn authenticate(app: &TestApp, key: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}{AUTHENTICATE}", app.address))
        .header("X-OTAS-SDK-KEY", key)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

on_both_stores!(an_admins_new_sdk_key_is_shown_once_and_authenticates);
async fn an_admins_new_sdk_key_is_shown_once_and_authenticates(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;

    let key = create_key(&app, 7).await;

    let mut fields: Vec<&str> = key
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "active",
            "api_key",
            "created_at",
            "expires_at",
            "id",
            "name",
            "prefix",
            "project_id"
        ]
    );
    assert_eq!(key["project_id"], PROJECT_ADMIN.to_string());
    assert_eq!((&key["name"], &key["active"]), (&Value::Null, &json!(true)));
    let prefix = key["prefix"].as_str().expect("a prefix");
    assert_eq!(prefix.len(), 11);
    assert!(!prefix.contains('_'), "{prefix}");
    let raw = key["api_key"].as_str().expect("the key");
    assert!(raw.starts_with(&format!("otas_{prefix}_")), "{raw}");
    let created =
        chrono::DateTime::parse_from_rfc3339(key["created_at"].as_str().unwrap()).expect("a time");
    let expires =
        chrono::DateTime::parse_from_rfc3339(key["expires_at"].as_str().unwrap()).expect("a time");
    assert_eq!(expires - created, chrono::Duration::days(7));

    let (status, answer) = authenticate(&app, raw).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["response"]["project"]["id"],
        PROJECT_ADMIN.to_string()
    );
}

on_both_stores!(sdk_key_create_is_refused_in_uasams_order);
async fn sdk_key_create_is_refused_in_uasams_order(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let admin = PROJECT_ADMIN.to_string();
    let valid = r#"{"validity": 30}"#;
    let cases: Vec<Case<'_>> = vec![
        (
            None,
            Some(&admin),
            valid,
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some("forged"),
            Some(&admin),
            valid,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(VALID),
            Some("nope"),
            valid,
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        // A member: refused before the body is read (UASAM lets him in).
        (
            Some(BOB_VALID),
            Some(&admin),
            valid,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Some(BOB_VALID),
            Some(&admin),
            "{",
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        // Not JSON: UASAM's code, no `errors`.
        (
            Some(VALID),
            Some(&admin),
            "{",
            StatusCode::BAD_REQUEST,
            "sdk_key_creation_failed",
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

    for (body, error) in [
        ("", "validity is required"),
        ("{}", "validity is required"),
        (r#"{"validity": null}"#, "validity is required"),
        (r#"{"validity": "30"}"#, "validity must be an integer"),
        (r#"{"validity": 30.5}"#, "validity must be an integer"),
        (
            r#"{"validity": 0}"#,
            "validity must be between 1 and 300 days",
        ),
        (
            r#"{"validity": 301}"#,
            "validity must be between 1 and 300 days",
        ),
        (
            r#"{"validity": -1}"#,
            "validity must be between 1 and 300 days",
        ),
        ("[30]", "invalid_json"),
    ] {
        let answer = post(&app, CREATE, Some(VALID), Some(&admin), body).await;
        assert_eq!(
            answer,
            (
                StatusCode::BAD_REQUEST,
                json!({
                    "status": 0,
                    "status_description": "sdk_key_creation_failed",
                    "errors": [error],
                })
            ),
            "{body}"
        );
    }
}

/// Revokes `id` as Ada, the admin: the status and body.
async fn revoke(app: &TestApp, id: &str) -> (StatusCode, Value) {
    let project = PROJECT_ADMIN.to_string();
    let body = format!(r#"{{"sdk_key_id": "{id}"}}"#);
    post(app, REVOKE, Some(VALID), Some(&project), &body).await
}

on_both_stores!(a_revoked_sdk_key_is_refused_at_once);
async fn a_revoked_sdk_key_is_refused_at_once(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let key = create_key(&app, 30).await;
    let (id, raw) = (
        key["id"].as_str().expect("an id"),
        key["api_key"].as_str().expect("the key"),
    );
    // Verified once: the cache of verified keys holds it.
    assert_eq!(authenticate(&app, raw).await.0, StatusCode::OK);

    let answer = revoke(&app, id).await;

    assert_eq!(
        answer,
        (
            StatusCode::OK,
            json!({
                "status": 1,
                "status_description": "backend_sdk_key_revoked",
                "response_body": {"id": id},
            })
        )
    );
    let (status, body) = authenticate(&app, raw).await;
    assert_eq!(
        (status, &body["status_description"]),
        (StatusCode::FORBIDDEN, &json!("invalid_sdk_key"))
    );
    // Revoked already: not found.
    assert_eq!(
        revoke(&app, id).await,
        (StatusCode::NOT_FOUND, error_body("sdk_key_not_found"))
    );
}

on_both_stores!(sdk_key_revoke_is_refused_in_uasams_order);
async fn sdk_key_revoke_is_refused_in_uasams_order(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    // Project A's SDK key: another project's key here.
    let (other_id, other_row) = sdk_row(&DJANGO_HASHED, PROJECT_A, |_| {});
    world.write(&[other_row]);
    let app = TestApp::start(world.url()).await;
    let admin = PROJECT_ADMIN.to_string();
    let other = format!(r#"{{"sdk_key_id": "{other_id}"}}"#);
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
            Some(VALID),
            Some("nope"),
            &other,
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
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
            "sdk_key_id_required",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"sdk_key_id": ""}"#,
            StatusCode::BAD_REQUEST,
            "sdk_key_id_required",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"sdk_key_id": "not-a-uuid"}"#,
            StatusCode::NOT_FOUND,
            "sdk_key_not_found",
        ),
        (
            Some(VALID),
            Some(&admin),
            r#"{"sdk_key_id": 5}"#,
            StatusCode::NOT_FOUND,
            "sdk_key_not_found",
        ),
        (
            Some(VALID),
            Some(&admin),
            &other,
            StatusCode::NOT_FOUND,
            "sdk_key_not_found",
        ),
    ];
    for (token, project, body, status, code) in cases {
        let answer = post(&app, REVOKE, token, project, body).await;
        assert_eq!(
            answer,
            (status, error_body(code)),
            "{token:?} {project:?} {body}"
        );
    }
    // Project A's key was not touched.
    assert_eq!(
        authenticate(&app, DJANGO_HASHED.key).await.0,
        StatusCode::OK
    );
}

/// `GET …/list/` with the given credentials: the status and body.
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

on_both_stores!(an_admin_lists_the_projects_sdk_keys_newest_first_revoked_ones_included);
async fn an_admin_lists_the_projects_sdk_keys_newest_first_revoked_ones_included(store: Store) {
    let world = World::new(store);
    add_admin_project(&world);
    // Project A's key: never listed here.
    let (_, other_row) = sdk_row(&DJANGO_HASHED, PROJECT_A, |_| {});
    world.write(&[other_row]);
    let app = TestApp::start(world.url()).await;
    let admin = PROJECT_ADMIN.to_string();
    let first = create_key(&app, 30).await;
    let second = create_key(&app, 300).await;
    assert_eq!(
        revoke(&app, first["id"].as_str().unwrap()).await.0,
        StatusCode::OK
    );

    let (status, body) = list(&app, Some(VALID), Some(&admin)).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], 1);
    assert_eq!(body["status_description"], "backend_sdk_keys_listed");
    let keys = body["response_body"]["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2, "{body}");
    let (newest, oldest) = (&keys[0], &keys[1]);
    assert_eq!(newest["id"], second["id"]);
    assert_eq!(oldest["id"], first["id"]);
    for field in ["prefix", "created_at", "expires_at"] {
        assert_eq!(newest[field], second[field], "{field}");
        assert_eq!(oldest[field], first[field], "{field}");
    }
    assert_eq!(
        (&newest["active"], &newest["revoked_at"], &newest["name"]),
        (&json!(true), &Value::Null, &Value::Null)
    );
    assert_eq!(oldest["active"], false);
    assert!(oldest["revoked_at"]
        .as_str()
        .is_some_and(|at| at.ends_with("+00:00")));
    // Never the key, nor its hash.
    let text = body.to_string();
    assert!(
        !text.contains("api_key") && !text.contains("pbkdf2"),
        "{text}"
    );

    // A member, or anyone before him in UASAM's order, is refused.
    for (token, project, status, code) in [
        (
            None,
            Some(admin.as_str()),
            StatusCode::BAD_REQUEST,
            "missing_headers",
        ),
        (
            Some("forged"),
            Some(admin.as_str()),
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            Some(VALID),
            Some("nope"),
            StatusCode::FORBIDDEN,
            "user_project_mapping_invalid",
        ),
        (
            Some(BOB_VALID),
            Some(admin.as_str()),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ] {
        assert_eq!(
            list(&app, token, project).await,
            (status, error_body(code)),
            "{token:?} {project:?}"
        );
    }
}
