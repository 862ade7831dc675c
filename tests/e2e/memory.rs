//! Memory bounded in bytes, not only in rows: a page (and a batch of a
//! whole list) ends at `http.max_page_bytes`, a session larger than that
//! comes alone, and response bodies held for readers that read nothing are
//! bounded by `http.max_response_bytes_in_flight` (503 with Retry-After
//! beyond it), which keeps the server's RSS bounded.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use uuid::Uuid;

use crate::support::app::LIST_PATH;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{error_body, on_both_stores, Store, TestApp, World};

/// A `meta` of about `bytes` bytes.
fn padded(bytes: usize) -> String {
    format!(r#"{{"pad":"{}"}}"#, "x".repeat(bytes - 11))
}

/// Adds `count` sessions of agent A with a `meta` of `bytes`, one second
/// apart from `first_second`; their ids, newest first.
fn big_sessions(world: &World, first_second: i64, count: i64, bytes: usize) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = (0..count)
        .map(|i| {
            let id = Uuid::new_v4();
            world.session(id, AGENT_A, None, at(first_second + i, 0), &padded(bytes));
            id
        })
        .collect();
    ids.reverse();
    ids
}

/// Walks agent A's pages of `limit=1000`: the ids of each page, and the
/// largest body.
async fn walk(app: &TestApp) -> (Vec<Vec<Uuid>>, usize) {
    let (project, mut cursor) = (PROJECT_A.to_string(), None::<String>);
    let (mut pages, mut largest) = (Vec::new(), 0);
    loop {
        let mut query = format!("agent_id={AGENT_A}&limit=1000");
        if let Some(cursor) = &cursor {
            query.push_str(&format!("&cursor={cursor}"));
        }
        let response = app.list(Some(VALID), Some(&project), &query).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.bytes().await.expect("a body");
        largest = largest.max(body.len());
        let page: Value = serde_json::from_slice(&body).expect("JSON");
        let listed = &page["response"];
        pages.push(
            listed["sessions"]
                .as_array()
                .expect("sessions")
                .iter()
                .map(|s| s["id"].as_str().expect("an id").parse().expect("a UUID"))
                .collect(),
        );
        if listed["has_more"] == false {
            assert_eq!(listed["next_cursor"], Value::Null);
            return (pages, largest);
        }
        cursor = Some(listed["next_cursor"].as_str().expect("a cursor").to_owned());
    }
}

/// The whole list's ids (no `limit`).
async fn whole_list(app: &TestApp) -> Vec<Uuid> {
    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    body["response"]["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["id"].as_str().expect("an id").parse().expect("a UUID"))
        .collect()
}

on_both_stores!(a_page_of_big_metas_ends_at_the_byte_bound_and_the_walk_lists_each_once);
async fn a_page_of_big_metas_ends_at_the_byte_bound_and_the_walk_lists_each_once(store: Store) {
    let world = World::new(store);
    let ids = big_sessions(&world, 1_000, 20, 50_000);
    // Three sessions of 50 KB fit in 200,000 bytes, four do not.
    let app = TestApp::start_with(
        world.url(),
        &[
            ("OTAS__HTTP__MAX_PAGE_BYTES", "200000"),
            ("OTAS__HTTP__LIST_BATCH_SIZE", "1000"),
        ],
    )
    .await;

    let (pages, largest) = walk(&app).await;

    assert_eq!(pages.concat(), ids, "every session once, newest first");
    assert!(
        pages.iter().all(|page| page.len() <= 3),
        "cut at the byte bound: {:?}",
        pages.iter().map(Vec::len).collect::<Vec<_>>()
    );
    assert_eq!(pages.len(), 7, "20 sessions, 3 a page");
    assert!(largest < 200_000 + 1_000, "a body of {largest} bytes");
    // The whole list's batches are cut the same way, and continue after it.
    assert_eq!(whole_list(&app).await, ids);
}

on_both_stores!(a_meta_larger_than_the_bound_comes_alone_on_its_page);
async fn a_meta_larger_than_the_bound_comes_alone_on_its_page(store: Store) {
    let world = World::new(store);
    let older = big_sessions(&world, 1_000, 2, 1_000);
    let huge = big_sessions(&world, 2_000, 1, 300_000);
    let newer = big_sessions(&world, 3_000, 2, 1_000);
    let app = TestApp::start_with(world.url(), &[("OTAS__HTTP__MAX_PAGE_BYTES", "100000")]).await;

    let (pages, _) = walk(&app).await;

    assert_eq!(pages, vec![newer, huge.clone(), older]);
    assert_eq!(whole_list(&app).await.len(), 5);
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("its status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Asks for a page of agent A over a socket with a small receive buffer,
/// and reads only the answer's head (its first few hundred bytes): the
/// status line and headers, and the stream to hold open.
async fn stalled_page(address: &str, query: &str) -> (String, TcpStream) {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small buffer");
    let address = address
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let mut stream = socket.connect(address).await.expect("connect");
    stream
        .write_all(
            format!(
                "GET {LIST_PATH}?{query} HTTP/1.1\r\nHost: x\r\n\
                 X-OTAS-USER-TOKEN: {VALID}\r\nX-OTAS-PROJECT-ID: {PROJECT_A}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .expect("send");
    let mut head = vec![0_u8; 512];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut head))
        .await
        .expect("an answer in time")
        .expect("read");
    head.truncate(read);
    (String::from_utf8_lossy(&head).into_owned(), stream)
}

#[tokio::test]
async fn stalled_readers_of_big_pages_keep_the_servers_memory_bounded() {
    let world = World::new(Store::Postgres);
    // 100 sessions of 200 KB: one page of limit=1000 is 20 MB unbounded.
    big_sessions(&world, 1_000, 100, 200_000);
    let small = Uuid::new_v4();
    world.session(small, AGENT_A, None, at(5_000, 0), r#"{"small":true}"#);
    // Pages of about 4 MB (more than the kernel's socket buffers take of a
    // reader that reads nothing, about 1.5 MB here); 14 MiB of bodies held
    // at most: three pages.
    let app = TestApp::spawn_with(
        world.url(),
        &[
            ("OTAS__HTTP__MAX_PAGE_BYTES", "4194304"),
            ("OTAS__HTTP__MAX_RESPONSE_BYTES_IN_FLIGHT", "14680064"),
            // glibc keeps the freed heap of each request's transient read
            // (101 rows of 200 KB, bounded by rows and by the in-flight
            // bound, not in bytes); a fixed mmap threshold gives blocks of
            // 64 KiB and more back to the system when freed, so that RSS
            // shows what stays held: the bodies of the stalled readers.
            ("MALLOC_MMAP_THRESHOLD_", "65536"),
        ],
    )
    .await;
    let pid = app.pid().expect("a spawned binary");
    let page = format!("agent_id={AGENT_A}&limit=1000");
    let (warm, _) = stalled_page(&app.address, &page).await;
    assert!(warm.starts_with("HTTP/1.1 200"), "{warm}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kib(pid);

    let started = Instant::now();
    let mut held = Vec::new();
    let mut refused = Vec::new();
    for _ in 0..10 {
        let (head, stream) = stalled_page(&app.address, &page).await;
        if head.starts_with("HTTP/1.1 200") {
            held.push(stream);
        } else {
            refused.push(head);
        }
    }
    let small_page = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}&limit=1"),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = rss_kib(pid);
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!(
        "RSS {before} KiB -> {after} KiB (+{grown_mib} MiB) with {} stalled readers held, {} refused, in {:?}",
        held.len(),
        refused.len(),
        started.elapsed()
    );

    assert!(
        held.len() <= 3 && refused.len() >= 7,
        "{} held, refused: {refused:?}",
        held.len()
    );
    for head in &refused {
        assert!(head.starts_with("HTTP/1.1 503"), "{head}");
        assert!(
            head.to_ascii_lowercase().contains("\r\nretry-after: 1\r\n"),
            "{head}"
        );
        let body = head.split("\r\n\r\n").nth(1).expect("a body");
        let body: Value = serde_json::from_str(body).expect("the JSON envelope");
        assert_eq!(body, error_body("service_unavailable"));
    }
    assert_eq!(
        small_page.status(),
        StatusCode::OK,
        "a small page is served"
    );
    let listed: Value = small_page.json().await.expect("JSON");
    assert_eq!(listed["response"]["sessions"][0]["id"], small.to_string());
    // Unbounded, ten stalled pages of 20 MB would hold about 185 MB (the
    // kernel takes about 1.5 MB of each).
    assert!(grown_mib < 64, "RSS grew by {grown_mib} MiB");
}
