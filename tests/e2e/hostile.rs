//! Attacks a review made on the service, each followed by what everyone else
//! sees meanwhile: a credential of a shape no valid one has, invented
//! methods, a flood of wrong secrets under a real prefix, a trickled body,
//! numbers no store keeps.

use std::time::{Duration, Instant};

use otas_auth_adapter::fixtures::AGENT_KEY;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::app::LIST_PATH;
use crate::support::socket;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{agent_query, error_body, key_row, on_both_stores, Store, TestApp, World};

const CREATE: &str = "/api/agent/v1/session/create/";

async fn create(app: &TestApp, key: &str, body: &str) -> (StatusCode, Option<String>, Value) {
    let response = app
        .client
        .post(format!("{}{CREATE}", app.address))
        .header("X-OTAS-AGENT-KEY", key)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, retry_after, json)
}

async fn list_status(app: &TestApp) -> StatusCode {
    app.list(
        Some(VALID),
        Some(&PROJECT_A.to_string()),
        &agent_query(AGENT_A),
    )
    .await
    .status()
}

on_both_stores!(a_key_of_a_hundred_thousand_underscores_is_refused_fast_and_costs_no_memory);
async fn a_key_of_a_hundred_thousand_underscores_is_refused_fast_and_costs_no_memory(store: Store) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::spawn(world.url()).await;
    let hostile = format!("agent_x{}y", "_".repeat(100_000));
    // Warm up: the first requests of a process allocate its pools.
    for _ in 0..3 {
        create(&app, "agent_warm_up", "{}").await;
    }
    let before = app.rss_bytes();

    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        let (status, _, body) = create(&app, &hostile, "{}").await;
        slowest = slowest.max(started.elapsed());
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, error_body("invalid_agent_key"));
    }
    let grown = app.rss_bytes().saturating_sub(before);
    eprintln!(
        "figure: 20 keys of 100,000 underscores on {}: slowest answer {slowest:?}, RSS +{} KiB",
        store.name(),
        grown / 1024
    );

    // Before the bound, one such key cost 218 MB at 20,000 underscores.
    assert!(grown < 16 << 20, "RSS grew by {grown} bytes");
    assert!(
        slowest < Duration::from_secs(2),
        "slowest answer {slowest:?}"
    );
    let (status, _, _) = create(&app, AGENT_KEY.key, "{}").await;
    assert_eq!(status, StatusCode::OK, "the real key still opens sessions");
    assert_eq!(list_status(&app).await, StatusCode::OK);
}

#[tokio::test]
async fn invented_methods_add_no_metric_series_and_are_not_echoed_whole() {
    let world = World::new(Store::Sqlite);
    let app = TestApp::spawn(world.url()).await;
    let series = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("otas_http_requests_total{"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    app.metrics_text().await;
    let before = app.metrics_text().await;

    for n in 0..100 {
        let answer = socket::exchange(&app.address, &format!("INVENTED{n}"), LIST_PATH, &[]).await;
        assert!(
            answer.status_line.starts_with("HTTP/1.1 405"),
            "{}",
            answer.status_line
        );
    }
    let long_method = "M".repeat(60_000);
    socket::exchange(&app.address, &long_method, LIST_PATH, &[]).await;
    let after = app.metrics_text().await;

    let new: Vec<String> = series(&after)
        .into_iter()
        .filter(|line| {
            let labels = line.split(' ').next().unwrap_or_default();
            !series(&before)
                .iter()
                .any(|b| b.split(' ').next() == Some(labels))
        })
        .collect();
    // At most the one `other` series of the 405s (and the scrape's own).
    assert!(new.len() <= 2, "new series: {new:#?}");
    assert!(
        series(&after)
            .iter()
            .all(|l| ["GET", "HEAD", "POST", "OPTIONS", "other"]
                .iter()
                .any(|m| l.contains(&format!("method=\"{m}\"")))),
        "{:#?}",
        series(&after)
    );
    assert!(
        after.len() < before.len() + 2_000,
        "metrics grew by {} bytes",
        after.len() - before.len()
    );
    let logs = app.logs().join("\n");
    assert!(
        !logs.contains(&long_method[..1_000]),
        "the long method was logged whole"
    );
}

on_both_stores!(
    a_flood_of_wrong_secrets_under_a_real_prefix_leaves_the_key_holder_and_readers_served
);
async fn a_flood_of_wrong_secrets_under_a_real_prefix_leaves_the_key_holder_and_readers_served(
    store: Store,
) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start(world.url()).await;
    // The holder's key is verified once, before the flood.
    assert_eq!(create(&app, AGENT_KEY.key, "{}").await.0, StatusCode::OK);
    // The holder and the reader are served all through the flood: before
    // the budget is spent (wrong secrets hashed) and after (refused
    // unhashed). Each goes on until it has been served five times and the
    // flood has met the budget; the flood, until both are done (at most
    // 30 s in all). How fast the budget is spent depends on the machine's
    // load: the test waits for it rather than for the clock.
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let served = AtomicUsize::new(0);
    let limited_seen = AtomicBool::new(false);
    let started = Instant::now();
    let within_time = || started.elapsed() < Duration::from_secs(30);
    let flooding = || served.load(Ordering::SeqCst) < 2 && within_time();
    let serving =
        |times: usize| (times < 5 || !limited_seen.load(Ordering::SeqCst)) && within_time();

    // 150 clients, each trying secrets of its own under the real prefix.
    let flood = futures_util::future::join_all((0..150).map(|client| {
        let (app, flooding, limited_seen) = (&app, &flooding, &limited_seen);
        async move {
            let mut seen = Vec::new();
            let mut attempt = 0;
            while flooding() {
                attempt += 1;
                let wrong = format!("agent_{}_{client:020}W{attempt:022}", AGENT_KEY.prefix);
                let (status, retry_after, body) = create(app, &wrong, "{}").await;
                if status == StatusCode::TOO_MANY_REQUESTS {
                    limited_seen.store(true, Ordering::SeqCst);
                }
                seen.push((status, retry_after, body));
            }
            seen
        }
    }));
    let holder = async {
        // Let the flood start first.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut seen = Vec::new();
        while serving(seen.len()) {
            let asked = Instant::now();
            let status = create(&app, AGENT_KEY.key, "{}").await.0;
            seen.push((status, asked.elapsed()));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        served.fetch_add(1, Ordering::SeqCst);
        seen
    };
    let reader = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut seen = Vec::new();
        while serving(seen.len()) {
            seen.push(list_status(&app).await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        served.fetch_add(1, Ordering::SeqCst);
        seen
    };
    let (flood, holder, reader) = tokio::join!(flood, holder, reader);

    assert!(
        holder.iter().all(|(s, _)| *s == StatusCode::OK),
        "{holder:?}"
    );
    assert!(reader.iter().all(|s| *s == StatusCode::OK), "{reader:?}");
    // Once the budget (10 a minute) is spent, attempts are refused unhashed.
    let limited = flood
        .iter()
        .flatten()
        .filter(|(status, _, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(limited > 0, "no attempt was limited");
    let flood: Vec<_> = flood.into_iter().flatten().collect();
    for (status, retry_after, body) in &flood {
        match *status {
            StatusCode::UNAUTHORIZED => assert_eq!(*body, error_body("invalid_agent_key")),
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(*body, error_body("too_many_attempts"));
                let seconds: u64 = retry_after
                    .as_deref()
                    .and_then(|s| s.parse().ok())
                    .expect("Retry-After");
                assert!((1..=60).contains(&seconds), "{seconds}");
            }
            // The verifications' own budget full: refused at once.
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(*body, error_body("service_unavailable"))
            }
            other => panic!("the flood got {other}: {body}"),
        }
    }
    let hashed = flood
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    let slowest_holder = holder.iter().map(|(_, took)| *took).max();
    eprintln!(
        "figure: wrong-key flood of 150 clients on {}: {} attempts, {hashed} hashed, {limited} answered 429, {} answered 503; the key holder's {} creations all 200, slowest {slowest_holder:?}; the reader's {} lists all 200",
        store.name(),
        flood.len(),
        flood.iter().filter(|(s, _, _)| *s == StatusCode::SERVICE_UNAVAILABLE).count(),
        holder.len(),
        reader.len()
    );
    assert!(hashed <= 10, "{hashed} wrong secrets were hashed");
}

on_both_stores!(a_trickled_body_is_answered_408_and_its_connection_closed);
async fn a_trickled_body_is_answered_408_and_its_connection_closed(store: Store) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start_with(
        world.url(),
        &[("OTAS__HTTP__REQUEST_BODY_TIMEOUT_MS", "700")],
    )
    .await;
    let authority = app.address.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&authority).await.expect("connect");
    let head = format!(
        "POST {CREATE} HTTP/1.1\r\nHost: {authority}\r\nX-OTAS-AGENT-KEY: {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"me",
        AGENT_KEY.key
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("send the head");
    let started = Instant::now();
    let (mut from_server, mut to_server) = stream.into_split();
    let trickle = async {
        // One byte every 200 ms: never the whole body in time.
        for byte in b"ta\": {\"n\": 1}}" {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if to_server.write_all(&[*byte]).await.is_err() {
                break;
            }
        }
    };
    // The answer, when its first bytes came, and when the server closed.
    let answer = async {
        let mut received = vec![0; 4096];
        let first = tokio::time::timeout(Duration::from_secs(10), from_server.read(&mut received))
            .await
            .expect("the server answers")
            .unwrap_or(0);
        let answered_after = started.elapsed();
        received.truncate(first);
        tokio::time::timeout(
            Duration::from_secs(10),
            from_server.read_to_end(&mut received),
        )
        .await
        .expect("the server closes the connection")
        .ok();
        (received, answered_after, started.elapsed())
    };
    // Everyone else is served meanwhile.
    let (_, (received, answered_after, closed_after), listed) =
        tokio::join!(trickle, answer, list_status(&app));

    assert_eq!(listed, StatusCode::OK);
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        text.contains(r#"{"status":0,"status_description":"request_timeout"}"#),
        "{text}"
    );
    eprintln!(
        "figure: a body trickled at a byte every 200 ms on {}: 408 after {answered_after:?}, the connection closed after {closed_after:?} (timeout 700 ms)",
        store.name(),
    );
    assert!(closed_after < Duration::from_secs(5), "{closed_after:?}");
}

on_both_stores!(a_meta_number_no_store_keeps_is_invalid_json);
async fn a_meta_number_no_store_keeps_is_invalid_json(store: Store) {
    let world = World::new(store);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = TestApp::start(world.url()).await;

    for body in [
        r#"{"meta": {"n": 1e-20000}}"#,
        r#"{"meta": {"deep": [1, {"n": -1.5e-16400}]}}"#,
        r#"{"meta": {"n": 1e400}}"#,
    ] {
        let (status, _, answer) = create(&app, AGENT_KEY.key, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer, error_body("invalid_json"), "{body}");
    }
    let (status, _, _) = create(&app, AGENT_KEY.key, r#"{"meta": {"n": 1e-16383}}"#).await;
    assert_eq!(status, StatusCode::OK, "the smallest numeric kept");
}

/// A credential of any shape: the real key's prefix with a hostile tail,
/// runs of underscores (each a candidate prefix), long base64url text, and
/// text of any printable byte, from empty to tens of kilobytes.
fn hostile_credential() -> impl Strategy<Value = String> {
    let printable = prop::collection::vec(0x20_u8..=0x7e, 0..200)
        .prop_map(|bytes| String::from_utf8(bytes).unwrap_or_default());
    // Short runs, and runs past what one SQL statement can bind (SQLite
    // takes 32,766 parameters): a candidate prefix per underscore.
    let underscores = prop_oneof![0_usize..300, 33_000_usize..60_000];
    let runs =
        (underscores, 0_usize..3, "[A-Za-z0-9_-]{0,60}").prop_map(|(underscores, kind, tail)| {
            let head = ["agent_x", "agent_", "otas_x"][kind];
            format!("{head}{}{tail}", "_".repeat(underscores))
        });
    let real_prefix =
        "[A-Za-z0-9_-]{0,600}".prop_map(|tail| format!("agent_{}_{tail}", AGENT_KEY.prefix));
    let long = (1_usize..40_000).prop_map(|n| "eyJ".repeat(n / 3 + 1));
    prop_oneof![printable, runs, real_prefix, long]
}

#[test]
fn hostile_credentials_and_headers_get_no_5xx_a_prompt_answer_and_cost_no_memory() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let world = World::new(Store::Sqlite);
    world.write(&[key_row(&AGENT_KEY, AGENT_A, |_| {}).1]);
    let app = runtime.block_on(TestApp::spawn(world.url()));
    let rounds = |app: &TestApp| {
        runtime.block_on(async {
            create(app, "agent_warm_up", "{}").await;
            list_status(app).await;
        })
    };
    for _ in 0..3 {
        rounds(&app);
    }
    let before = app.rss_bytes();
    let mut runner = TestRunner::new(Config {
        cases: 120,
        failure_persistence: None,
        ..Config::default()
    });

    let slowest = std::cell::Cell::new(Duration::ZERO);
    let result = runner.run(
        &(hostile_credential(), hostile_credential(), 0_usize..4),
        |(credential, other, place)| {
            let started = Instant::now();
            let (status, code) = runtime.block_on(async {
                let mut request = match place {
                    0 | 1 => app
                        .client
                        .post(format!("{}{CREATE}", app.address))
                        .header("X-OTAS-AGENT-KEY", credential.as_str())
                        .body("{}"),
                    _ => app
                        .client
                        .get(format!(
                            "{}{LIST_PATH}?agent_id={}",
                            app.address,
                            if place == 2 {
                                AGENT_A.to_string()
                            } else {
                                other.clone()
                            }
                        ))
                        .header("X-OTAS-USER-TOKEN", credential.as_str()),
                };
                if place == 1 {
                    request = request.header("X-OTAS-AGENT-KEY", other.as_str());
                } else if place == 3 {
                    request = request.header("X-OTAS-PROJECT-ID", other.as_str());
                }
                let response = request.send().await.expect("the server answers");
                let status = response.status();
                let body: Value = response.json().await.unwrap_or_default();
                let code = body["status_description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                (status, code)
            });
            let took = started.elapsed();
            slowest.set(slowest.get().max(took));
            prop_assert!(status.as_u16() < 500, "{status} {code}");
            prop_assert!(
                crate::bad_input::DOCUMENTED.contains(&code.as_str()),
                "undocumented {code:?} ({status})"
            );
            prop_assert!(took < Duration::from_secs(2), "answered in {took:?}");
            Ok(())
        },
    );
    if let Err(error) = result {
        panic!("{error}");
    }

    let grown = app.rss_bytes().saturating_sub(before);
    eprintln!(
        "figure: 120 hostile credentials: slowest answer {:?}, RSS +{} KiB",
        slowest.get(),
        grown / 1024
    );
    assert!(grown < 32 << 20, "RSS grew by {grown} bytes");
    rounds(&app);
}
