//! What happens before any route runs, on a raw socket: heads too large,
//! malformed or too slow answer in the JSON envelope (actix-http's own
//! answers carry no body), whatever bytes arrive; and a peer that reads
//! nothing is cut off after the write timeout, giving its stream back.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::StatusCode;
use serde_json::Value;

use crate::bad_input::DOCUMENTED;
use crate::support::app::LIST_PATH;
use crate::support::socket::{exchange_raw, RawAnswer};
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{agent_query, error_body, Store, TestApp, World};

/// The head timeout the tests run with, so that a slow head costs little.
const HEAD_TIMEOUT_MS: &str = "400";

async fn app(world: &World) -> TestApp {
    TestApp::start_with(
        world.url(),
        &[("OTAS__HTTP__REQUEST_HEAD_TIMEOUT_MS", HEAD_TIMEOUT_MS)],
    )
    .await
}

/// Asserts a raw answer is `status` with the envelope of `code`, its
/// length and type declared.
fn assert_envelope(answer: &RawAnswer, status: u16, code: &str) {
    assert!(
        answer
            .status_line
            .starts_with(&format!("HTTP/1.1 {status} ")),
        "{} for {code}",
        answer.status_line
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(
        answer.header("content-length"),
        Some(answer.after_head.len().to_string().as_str())
    );
    let body: Value = serde_json::from_slice(&answer.after_head).expect("a JSON body");
    assert_eq!(body, error_body(code));
}

#[tokio::test]
async fn a_head_of_more_than_96_headers_is_a_json_431() {
    let world = World::new(Store::Sqlite);
    let app = app(&world).await;
    let mut head = format!("GET {LIST_PATH} HTTP/1.1\r\nHost: x\r\n");
    for n in 0..100 {
        head.push_str(&format!("X-Filler-{n}: {n}\r\n"));
    }
    head.push_str("\r\n");

    let answer = exchange_raw(&app.address, head.as_bytes()).await;

    assert_envelope(&answer, 431, "headers_too_large");
}

#[tokio::test]
async fn a_head_over_128_kib_is_a_json_431() {
    let world = World::new(Store::Sqlite);
    let app = app(&world).await;
    let head = format!(
        "GET {LIST_PATH} HTTP/1.1\r\nHost: x\r\nX-OTAS-USER-TOKEN: {VALID}\r\n\
         X-OTAS-PROJECT-ID: {PROJECT_A}\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(129 * 1024)
    );

    let answer = exchange_raw(&app.address, head.as_bytes()).await;

    assert_envelope(&answer, 431, "headers_too_large");
}

#[tokio::test]
async fn a_malformed_head_is_a_json_400() {
    let world = World::new(Store::Sqlite);
    let app = app(&world).await;

    for head in [
        &b"GET /api/agent/v1/sessions/list/ HTTP/9.9\r\nHost: x\r\n\r\n"[..],
        b"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ] {
        let answer = exchange_raw(&app.address, head).await;
        assert_envelope(&answer, 400, "bad_request");
    }
}

#[tokio::test]
async fn a_head_that_does_not_arrive_in_time_is_a_json_408() {
    let world = World::new(Store::Sqlite);
    let app = app(&world).await;
    let started = Instant::now();

    let answer = exchange_raw(&app.address, b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;

    assert_envelope(&answer, 408, "request_timeout");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered after the head timeout, not much later: {:?}",
        started.elapsed()
    );
}

/// A request head as a machine may write it: any method, target and version,
/// any number of headers of any bytes but line ends, complete or cut short.
fn raw_head() -> impl Strategy<Value = Vec<u8>> {
    let token = prop::collection::vec(
        prop_oneof![0x21_u8..=0x7e, 0x80_u8..=0xff, Just(b' ')],
        0..24,
    );
    let method = prop_oneof![Just(b"GET".to_vec()), Just(b"POST".to_vec()), token.clone()];
    let target = prop_oneof![
        Just(LIST_PATH.as_bytes().to_vec()),
        Just(b"/api/agent/v1/session/create/".to_vec()),
        token.clone().prop_map(|t| [b"/".to_vec(), t].concat()),
        (1_usize..140_000).prop_map(|n| format!("/{}", "a".repeat(n)).into_bytes()),
    ];
    let version = prop_oneof![
        4 => Just(b"HTTP/1.1".to_vec()),
        1 => Just(b"HTTP/1.0".to_vec()),
        1 => token.clone()
    ];
    let header = (token.clone(), token);
    let headers = prop_oneof![
        prop::collection::vec(header.clone(), 0..8),
        prop::collection::vec(header, 90..120),
    ];
    let complete = prop::bool::weighted(0.9);
    (method, target, version, headers, complete).prop_map(
        |(method, target, version, headers, complete)| {
            let mut head = [method, b" ".to_vec(), target, b" ".to_vec(), version].concat();
            head.extend_from_slice(b"\r\nHost: x\r\nConnection: close\r\n");
            for (name, value) in headers {
                head.extend_from_slice(&[name, b": ".to_vec(), value, b"\r\n".to_vec()].concat());
            }
            if complete {
                head.extend_from_slice(b"\r\n");
            }
            head
        },
    )
}

#[test]
fn no_raw_head_gets_a_5xx_or_an_answer_without_the_envelope() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let world = World::new(Store::Sqlite);
    let app = runtime.block_on(app(&world));
    let mut runner = TestRunner::new(Config {
        cases: 120,
        failure_persistence: None,
        ..Config::default()
    });

    let result = runner.run(&raw_head(), |head| {
        let answer = runtime.block_on(exchange_raw(&app.address, &head));
        let shown = String::from_utf8_lossy(&head[..head.len().min(200)]).into_owned();
        let status: u16 = answer
            .status_line
            .get(9..12)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| TestCaseError::fail(format!("{} for {shown}", answer.status_line)))?;
        prop_assert!(status < 500, "{} for {shown}", answer.status_line);
        let json: Value = serde_json::from_slice(&answer.after_head).map_err(|e| {
            TestCaseError::fail(format!(
                "not JSON ({e}): {} for {shown}",
                answer.status_line
            ))
        })?;
        let code = json["status_description"].as_str().unwrap_or_default();
        prop_assert!(
            DOCUMENTED.contains(&code),
            "undocumented {code:?} for {shown}"
        );
        Ok(())
    });

    if let Err(error) = result {
        panic!("{error}");
    }
}

#[tokio::test]
async fn a_reader_that_reads_nothing_is_cut_off_after_the_write_timeout() {
    let world = World::with_a_list_too_big_to_buffer();
    let app = TestApp::start_with(
        world.url(),
        &[
            ("OTAS__HTTP__MAX_STREAMS", "1"),
            ("OTAS__HTTP__LIST_BATCH_SIZE", "500"),
            ("OTAS__HTTP__WRITE_TIMEOUT_MS", "1000"),
        ],
    )
    .await;
    let project = PROJECT_A.to_string();
    let stalled = crate::support::socket::stalled_whole_list(&app.address).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let while_stalled = app
        .list(Some(VALID), Some(&project), &agent_query(AGENT_A))
        .await
        .status();

    // The stalled reader is still connected, reading nothing: only the
    // write timeout can give its place back.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut again = StatusCode::SERVICE_UNAVAILABLE;
    while Instant::now() < deadline && again != StatusCode::OK {
        tokio::time::sleep(Duration::from_millis(200)).await;
        again = app
            .list(
                Some(VALID),
                Some(&project),
                &format!("agent_id={AGENT_A}&created_after=2026-01-01T00:00:00Z&order=asc"),
            )
            .await
            .status();
    }
    drop(stalled);

    assert_eq!(
        while_stalled,
        StatusCode::SERVICE_UNAVAILABLE,
        "the cap holds"
    );
    assert_eq!(again, StatusCode::OK, "the stalled reader was cut off");
}
