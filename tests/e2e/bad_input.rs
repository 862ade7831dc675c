//! Bad input, by machine: random headers, tokens of every algorithm and
//! malformed segments, percent-encoding tricks, repeated and over-long
//! parameters, random bodies, on every endpoint. Whatever comes in, no
//! answer is a 5xx and every answer is UASAM's JSON envelope with a
//! documented code.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{Store, TestApp, World};

/// Every code an answer may carry.
pub(crate) const DOCUMENTED: [&str; 27] = [
    "agent_sessions_listed",
    "agent_session_created",
    "authenticated",
    "missing_headers",
    "invalid_token",
    "user_project_mapping_invalid",
    "agent_id_required",
    "agent_not_found_or_no_access",
    "invalid_limit",
    "invalid_cursor",
    "invalid_order",
    "invalid_created_after",
    "invalid_created_before",
    "invalid_meta",
    "invalid_include_total",
    "not_found",
    "method_not_allowed",
    "invalid_agent_key",
    "invalid_json",
    "payload_too_large",
    "missing_agent_id",
    "agent_not_found",
    "bad_request",
    "uri_too_long",
    "headers_too_large",
    "request_timeout",
    "too_many_attempts",
];

/// One request, as the machine wrote it.
#[derive(Debug, Clone)]
struct Input {
    method: Method,
    path: &'static str,
    headers: Vec<(&'static str, Vec<u8>)>,
    query: String,
    body: Vec<u8>,
}

/// Bytes a header value may hold (visible ASCII, space, and high bytes).
fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![0x20_u8..=0x7e, 0x80_u8..=0xff], 0..max)
}

/// A JWT-shaped token: every algorithm, garbage claims, missing or extra
/// segments, and the fixture token itself.
fn token() -> impl Strategy<Value = Vec<u8>> {
    let alg = prop_oneof![
        Just("HS256"),
        Just("HS512"),
        Just("RS256"),
        Just("none"),
        Just("ES256"),
        Just("")
    ];
    let crafted = (alg, header_bytes(64), 0_usize..5).prop_map(|(alg, claims, segments)| {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
        let claims = URL_SAFE_NO_PAD.encode(claims);
        let parts = [
            header,
            claims,
            "c2lnbmF0dXJl".to_owned(),
            "extra".to_owned(),
        ];
        parts[..segments.min(parts.len())].join(".").into_bytes()
    });
    prop_oneof![Just(VALID.as_bytes().to_vec()), crafted, header_bytes(200),]
}

/// A query value: random bytes, percent-encoded or raw, sometimes long.
fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|bytes| {
            bytes
                .iter()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        }),
        "[a-zA-Z0-9_+%{}\":,.\\-\\[\\] ]{0,40}",
        (1_usize..9000).prop_map(|n| "9".repeat(n)),
        Just(AGENT_A.to_string()),
        Just(r#"%7B%22task%22%3A%22summarize%22%7D"#.to_owned()),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    let path = prop_oneof![
        Just("/api/agent/v1/sessions/list/"),
        Just("/api/agent/v1/session/create/"),
        Just("/api/agent/v1/user/authenticate/"),
        Just("/api/agent/v1/sessions/list"),
    ];
    let method = prop_oneof![
        4 => Just(Method::GET),
        4 => Just(Method::POST),
        1 => Just(Method::PUT),
        1 => Just(Method::DELETE),
        1 => Just(Method::PATCH),
    ];
    let name = prop_oneof![
        Just("x-otas-user-token"),
        Just("x-otas-project-id"),
        Just("x-otas-agent-id"),
        Just("x-otas-agent-key"),
        Just("if-none-match"),
        Just("x-request-id"),
        Just("content-type"),
    ];
    let headers = prop::collection::vec((name, prop_oneof![token(), header_bytes(80)]), 0..6);
    let param = prop_oneof![
        Just("agent_id"),
        Just("limit"),
        Just("cursor"),
        Just("order"),
        Just("created_after"),
        Just("created_before"),
        Just("meta"),
        Just("include_total"),
        Just("x"),
    ];
    let query = prop::collection::vec((param, query_value()), 0..6).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    });
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        "[{}\\[\\]\":a-z0-9, ]{0,80}".prop_map(String::into_bytes),
        Just(br#"{"meta": {"task": "x"}}"#.to_vec()),
    ];
    (method, path, headers, query, body).prop_map(|(method, path, headers, query, body)| Input {
        method,
        path,
        headers,
        query,
        body,
    })
}

#[test]
fn no_input_gets_a_5xx_or_anything_but_the_json_envelope_with_a_documented_code() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let world = World::new(Store::Sqlite);
    let app = runtime.block_on(TestApp::start(world.url()));
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });

    let result = runner.run(&input(), |input| {
        let (status, body) = runtime.block_on(send(&app, &input));
        prop_assert!(status.as_u16() < 500, "{status} for {input:?}: {body}");
        if status == StatusCode::NOT_MODIFIED {
            return Ok(());
        }
        let json: Value = serde_json::from_str(&body)
            .map_err(|e| TestCaseError::fail(format!("not JSON ({e}) for {input:?}: {body}")))?;
        let code = json["status_description"].as_str().unwrap_or_default();
        prop_assert!(
            DOCUMENTED.contains(&code),
            "undocumented {code:?} for {input:?}"
        );
        prop_assert_eq!(
            json["status"].as_u64(),
            Some(u64::from(status.is_success()))
        );
        Ok(())
    });

    if let Err(error) = result {
        panic!("{error}");
    }
}

async fn send(app: &TestApp, input: &Input) -> (StatusCode, String) {
    let url = format!("{}{}?{}", app.address, input.path, input.query);
    let mut request = app.client.request(input.method.clone(), url);
    for (name, value) in &input.headers {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            request = request.header(HeaderName::from_static(name), value);
        }
    }
    if input.method != Method::GET {
        request = request.body(input.body.clone());
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}
