//! The HTTP surface: JSON 404 and 405, HEAD, CORS preflights.

use reqwest::StatusCode;

use crate::support::app::LIST_PATH;
use crate::support::socket;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{agent_query, assert_error, on_both_stores, Store, TestApp, World};

on_both_stores!(an_unknown_path_is_a_json_404);
async fn an_unknown_path_is_a_json_404(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;

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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start_with(world.url(), &[("OTAS__HTTP__LIST_BATCH_SIZE", "10")]).await;
    let get = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;
    let get_etag = get.headers()["etag"].clone();

    let project = PROJECT_A.to_string();
    let head = socket::exchange(
        &app.address,
        "HEAD",
        &format!("/api/agent/v1/sessions/list/?agent_id={AGENT_A}"),
        &[
            ("X-OTAS-USER-TOKEN", VALID),
            ("X-OTAS-PROJECT-ID", &project),
        ],
    )
    .await;

    assert_eq!(head.status_line, "HTTP/1.1 200 OK");
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert_eq!(head.header("etag"), get_etag.to_str().ok());
    assert!(
        head.after_head.is_empty(),
        "no byte of a body on the wire: {} bytes",
        head.after_head.len()
    );
}

/// The preflight the dashboard's browser sends before listing sessions.
async fn raw_preflight(app: &TestApp, origin: &str) -> socket::RawAnswer {
    socket::exchange(
        &app.address,
        "OPTIONS",
        LIST_PATH,
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "GET"),
            (
                "Access-Control-Request-Headers",
                "x-otas-user-token,x-otas-project-id",
            ),
        ],
    )
    .await
}

on_both_stores!(without_a_setting_a_preflight_from_any_origin_is_allowed_without_credentials);
async fn without_a_setting_a_preflight_from_any_origin_is_allowed_without_credentials(
    store: Store,
) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;

    for origin in [
        "http://127.0.0.1:5173",
        "http://localhost:5173",
        "https://dashboard.example",
    ] {
        let answer = raw_preflight(&app, origin).await;

        assert_eq!(answer.status_line, "HTTP/1.1 200 OK", "{origin}");
        // As UASAM (django-cors-headers, CORS_ALLOW_ALL_ORIGINS): any origin,
        // and never with credentials, since tokens travel in headers.
        assert_eq!(
            answer.header("access-control-allow-origin"),
            Some("*"),
            "{origin}"
        );
        assert_eq!(answer.header("access-control-allow-credentials"), None);
        let allowed = answer
            .header("access-control-allow-headers")
            .unwrap_or_default()
            .to_lowercase();
        assert!(
            allowed.contains("x-otas-user-token") && allowed.contains("x-otas-project-id"),
            "{allowed}"
        );
        let methods = answer
            .header("access-control-allow-methods")
            .unwrap_or_default();
        assert!(methods.contains("GET"), "{methods}");
    }
}

on_both_stores!(a_narrowed_setting_refuses_a_preflight_from_another_origin_in_json);
async fn a_narrowed_setting_refuses_a_preflight_from_another_origin_in_json(store: Store) {
    let world = World::new(store);
    let app = TestApp::start_with(
        world.url(),
        &[("OTAS__SERVER__CORS_ALLOWED_ORIGINS", "https://dash.example")],
    )
    .await;

    let allowed = raw_preflight(&app, "https://dash.example").await;
    let refused = raw_preflight(&app, "http://evil.example").await;

    assert_eq!(allowed.status_line, "HTTP/1.1 200 OK");
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://dash.example")
    );
    assert!(
        refused.status_line.starts_with("HTTP/1.1 400"),
        "{}",
        refused.status_line
    );
    assert_eq!(refused.header("access-control-allow-origin"), None);
    assert_eq!(refused.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&refused.after_head).expect("a JSON body");
    assert_eq!(body, crate::support::error_body("bad_request"));
}

on_both_stores!(the_configured_origins_replace_the_default);
async fn the_configured_origins_replace_the_default(store: Store) {
    let world = World::new(store);
    let app = TestApp::start_with(
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

#[tokio::test]
async fn a_cors_preflight_naming_any_header_uasam_accepts_is_allowed() {
    let world = World::new(Store::Sqlite);
    let app = TestApp::start(world.url()).await;
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

#[tokio::test]
async fn docs_without_its_slash_redirects_to_the_documentation_page() {
    let world = World::new(Store::Postgres);
    let app = TestApp::start(world.url()).await;
    let not_following = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");

    let redirect = not_following
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .expect("answer");
    let followed = app
        .client
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .expect("answer");

    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(redirect.headers()["location"], "docs/");
    assert_eq!(followed.status(), StatusCode::OK);
    assert_eq!(followed.url().path(), "/docs/");
    assert!(followed.text().await.expect("HTML").contains("swagger"));
}
