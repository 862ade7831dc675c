//! What review found on `GET /api/agent/v1/sessions/list/`, through the real
//! binary on both stores: sessions whose `meta` is no object (UASAM stores
//! any JSON value) are listed as stored and matched by no filter; a `meta`
//! filter beyond its bounds is refused alike on every store; a credential
//! header sent twice is no credential.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use reqwest::{StatusCode, Url};
use serde_json::{json, Value};
use support::app::LIST_PATH;
use support::tokens::VALID;
use support::world::*;
use support::{error_body, on_both_stores, Store, TestApp, World};
use uuid::Uuid;

async fn get(app: &TestApp, params: &[(&str, &str)]) -> (StatusCode, Value) {
    let url =
        Url::parse_with_params(&format!("{}{LIST_PATH}", app.address), params).expect("a list URL");
    let response = app
        .client
        .get(url)
        .header("X-OTAS-USER-TOKEN", VALID)
        .header("X-OTAS-PROJECT-ID", PROJECT_A.to_string())
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let body = response.text().await.expect("a body");
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (status, json)
}

fn metas(body: &Value) -> Vec<Value> {
    body["response"]["sessions"]
        .as_array()
        .unwrap_or_else(|| panic!("a listing: {body}"))
        .iter()
        .map(|s| s["meta"].clone())
        .collect()
}

const ODD_METAS: [&str; 6] = [
    r#"[1, 2]"#,
    r#""text""#,
    "5",
    "null",
    r#"[{"task": "summarize"}]"#,
    r#"{"task": "summarize"}"#,
];

on_both_stores!(a_session_whose_meta_is_no_object_is_listed_as_stored_and_matched_by_no_filter);
async fn a_session_whose_meta_is_no_object_is_listed_as_stored_and_matched_by_no_filter(
    store: Store,
) {
    let world = World::new(store);
    for (n, meta) in ODD_METAS.iter().enumerate() {
        world.session(Uuid::new_v4(), AGENT_A, None, at(n as i64, 0), meta);
    }
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let agent = agent.as_str();

    let (whole_status, whole) = get(&app, &[("agent_id", agent), ("order", "asc")]).await;
    let (page_status, page) = get(&app, &[("agent_id", agent), ("limit", "2")]).await;
    let (filtered_status, filtered) = get(
        &app,
        &[("agent_id", agent), ("meta", r#"{"task":"summarize"}"#)],
    )
    .await;

    assert_eq!(whole_status, StatusCode::OK, "{whole}");
    let expected: Vec<Value> = ODD_METAS
        .iter()
        .map(|m| serde_json::from_str(m).expect("JSON"))
        .collect();
    assert_eq!(metas(&whole), expected);
    assert_eq!(page_status, StatusCode::OK, "{page}");
    assert_eq!(
        metas(&page),
        [json!({"task": "summarize"}), json!([{"task": "summarize"}])]
    );
    assert_eq!(filtered_status, StatusCode::OK, "{filtered}");
    assert_eq!(metas(&filtered), [json!({"task": "summarize"})]);
}

/// An object of `n` keys `k0…`, each with a number.
fn keys(n: usize) -> String {
    let members: Vec<String> = (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect();
    format!("{{{}}}", members.join(","))
}

on_both_stores!(a_meta_filter_beyond_its_bounds_is_invalid_meta_and_one_within_them_lists);
async fn a_meta_filter_beyond_its_bounds_is_invalid_meta_and_one_within_them_lists(store: Store) {
    let world = World::new(store);
    world.session(Uuid::new_v4(), AGENT_A, None, at(0, 0), r#"{"n": 1}"#);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let long = |len: usize| format!(r#"{{"k":"{}"}}"#, "x".repeat(len - 8));

    let refused = [
        (keys(17), "17 keys"),
        (long(4097), "4097 bytes"),
        (r#"{"n":1e400}"#.to_owned(), "beyond a double"),
        (r#"{"n":-1e309}"#.to_owned(), "beyond a double, negative"),
        (r#"{"n":1e-20000}"#.to_owned(), "beyond numeric"),
        (r#"{"n":1e-16384}"#.to_owned(), "just beyond numeric"),
    ];
    let accepted = [
        (keys(16), "16 keys"),
        (long(4096), "4096 bytes"),
        (r#"{"n":1e-16383}"#.to_owned(), "the smallest numeric step"),
        (r#"{"n":1e308}"#.to_owned(), "a large double"),
    ];

    for (meta, why) in refused {
        let (status, body) = get(&app, &[("agent_id", &agent), ("meta", &meta)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert_eq!(body, error_body("invalid_meta"), "{why}");
    }
    for (meta, why) in accepted {
        let (status, body) = get(&app, &[("agent_id", &agent), ("meta", &meta)]).await;
        assert_eq!(status, StatusCode::OK, "{why}: {body}");
        assert_eq!(metas(&body), Vec::<Value>::new(), "{why}");
    }
}

on_both_stores!(a_credential_header_sent_twice_is_no_credential);
async fn a_credential_header_sent_twice_is_no_credential(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;
    let url = format!("{}{LIST_PATH}?agent_id={AGENT_A}", app.address);
    let project = PROJECT_A.to_string();
    let send = |tokens: &[&str], projects: &[&str]| {
        let mut request = app.client.get(&url);
        for token in tokens {
            request = request.header("X-OTAS-USER-TOKEN", *token);
        }
        for project in projects {
            request = request.header("X-OTAS-PROJECT-ID", *project);
        }
        request.send()
    };

    let once = send(&[VALID], &[&project]).await.expect("answer");
    let two_tokens = send(&[VALID, VALID], &[&project]).await.expect("answer");
    let two_projects = send(&[VALID], &[&project, &project]).await.expect("answer");

    assert_eq!(once.status(), StatusCode::OK);
    assert_eq!(two_tokens.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        two_tokens.json::<Value>().await.expect("JSON"),
        error_body("invalid_token")
    );
    assert_eq!(two_projects.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        two_projects.json::<Value>().await.expect("JSON"),
        error_body("user_project_mapping_invalid")
    );
}

#[tokio::test]
async fn a_cors_preflight_naming_any_header_uasam_accepts_is_allowed() {
    let world = World::new(Store::Sqlite);
    let app = TestApp::spawn(world.url()).await;
    let headers = "accept,accept-encoding,authorization,content-type,dnt,origin,user-agent,\
                   x-csrftoken,x-requested-with,x-otas-user-token,x-otas-agent-key,\
                   x-otas-agent-session-key,x-otas-sdk-key,x-otas-project-id,if-none-match,\
                   x-request-id";

    let response = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}{LIST_PATH}", app.address),
        )
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", headers)
        .send()
        .await
        .expect("answer");

    assert!(response.status().is_success(), "{}", response.status());
    let allowed = response.headers()["access-control-allow-headers"]
        .to_str()
        .expect("ascii")
        .to_lowercase();
    for header in headers.split(',') {
        assert!(allowed.contains(header), "{header} not in {allowed}");
    }
}
