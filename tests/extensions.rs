//! The extensions of `GET /api/agent/v1/sessions/list/` over HTTP, through the
//! real binary, on a real PostgreSQL and on a SQLite file (each scenario runs
//! on both): keyset pages and their cursors, order, time and meta filters,
//! `include_total`, `ETag`/`304`, and the whole list streamed on tens of
//! thousands of rows.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};
use support::app::LIST_PATH;
use support::tokens::{UNKNOWN_USER, VALID};
use support::world::*;
use support::{error_body, on_both_stores, Store, TestApp, World};
use uuid::Uuid;

// ---------------------------------------------------------------- helpers

/// A small deterministic PRNG (xorshift64), so that every run walks the same pages.
struct XorShift(u64);

impl XorShift {
    fn seeded(seed: u64) -> Self {
        Self(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    fn uuid(&mut self) -> Uuid {
        Uuid::from_u128(u128::from(self.next()) << 64 | u128::from(self.next()))
    }
}

/// A session's position in the listing's total order: (`created_at`, `id`),
/// compared as the stores compare them (a `Uuid` orders as PostgreSQL's
/// `uuid` and as SQLite's lower-case hyphenated text).
type Key = (DateTime<Utc>, Uuid);

/// A seeded session, as the test knows it.
#[derive(Debug, Clone)]
struct Seeded {
    id: Uuid,
    created_at: DateTime<Utc>,
    meta: Value,
}

impl Seeded {
    fn key(&self) -> Key {
        (self.created_at, self.id)
    }
}

fn insert(world: &World, agent: Uuid, id: Uuid, created_at: DateTime<Utc>, meta: &str) {
    world.session(id, agent, None, created_at, meta);
}

/// Inserts `count` sessions of `agent` spread over `times` distinct creation
/// times (so most times are shared), with random ids; returns them.
fn seed_ties(
    world: &World,
    rng: &mut XorShift,
    agent: Uuid,
    count: usize,
    times: u64,
) -> Vec<Seeded> {
    (0..count)
        .map(|n| {
            let slot = rng.between(0, times - 1) as i64;
            let session = Seeded {
                id: rng.uuid(),
                created_at: at(3_600 + slot * 60, (slot as u32) * 7),
                meta: json!({ "n": n }),
            };
            insert(
                world,
                agent,
                session.id,
                session.created_at,
                &session.meta.to_string(),
            );
            session
        })
        .collect()
}

/// Ids in the listing's order: newest first, or oldest first when `asc`.
fn in_order(keys: impl IntoIterator<Item = Key>, asc: bool) -> Vec<Uuid> {
    let mut keys: Vec<Key> = keys.into_iter().collect();
    keys.sort();
    if !asc {
        keys.reverse();
    }
    keys.into_iter().map(|(_, id)| id).collect()
}

fn list_url(app: &TestApp, params: &[(&str, &str)]) -> Url {
    Url::parse_with_params(&format!("{}{LIST_PATH}", app.address), params).expect("a list URL")
}

/// `GET` the list with properly encoded parameters, as `token` in `project`.
async fn get_as(
    app: &TestApp,
    token: &str,
    project: Uuid,
    params: &[(&str, &str)],
    if_none_match: Option<&str>,
) -> Answer {
    let mut request = app
        .client
        .get(list_url(app, params))
        .header("X-OTAS-USER-TOKEN", token)
        .header("X-OTAS-PROJECT-ID", project.to_string());
    if let Some(tag) = if_none_match {
        request = request.header(IF_NONE_MATCH, tag);
    }
    let response = request.send().await.expect("the server answers");
    Answer::read(response).await
}

/// `GET` the list as Ada, in her project.
async fn get(app: &TestApp, params: &[(&str, &str)]) -> Answer {
    get_as(app, VALID, PROJECT_A, params, None).await
}

/// `GET` the list as Ada with `If-None-Match`.
async fn get_if_none_match(app: &TestApp, params: &[(&str, &str)], tag: &str) -> Answer {
    get_as(app, VALID, PROJECT_A, params, Some(tag)).await
}

/// A whole answer: status, the headers that matter here, the raw body.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    etag: Option<String>,
    content_type: Option<String>,
    body: String,
}

impl Answer {
    async fn read(response: reqwest::Response) -> Self {
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &reqwest::header::HeaderValue| v.to_str().expect("ascii").to_owned())
        };
        let status = response.status();
        let etag = header(ETAG);
        let content_type = header(CONTENT_TYPE);
        let body = response.text().await.expect("a body");
        Self {
            status,
            etag,
            content_type,
            body,
        }
    }

    /// The body, which must be JSON.
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a 200 listing and returns its `response` object.
    fn listed(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        let json = self.json();
        assert_eq!(json["status"], 1);
        assert_eq!(json["status_description"], "agent_sessions_listed");
        json["response"].clone()
    }

    /// The listed sessions' ids, in the answer's order.
    fn ids(&self) -> Vec<Uuid> {
        self.listed()["sessions"]
            .as_array()
            .expect("a sessions array")
            .iter()
            .map(|s| Uuid::parse_str(s["id"].as_str().expect("an id")).expect("a UUID"))
            .collect()
    }

    fn etag(&self) -> String {
        self.etag
            .clone()
            .unwrap_or_else(|| panic!("no ETag on a {} answer", self.status))
    }

    /// `(has_more, next_cursor)` of a page, checking both keys are there.
    fn page(&self) -> (bool, Option<String>) {
        let response = self.listed();
        let has_more = response
            .get("has_more")
            .unwrap_or_else(|| panic!("a page without has_more: {}", self.body))
            .as_bool()
            .expect("has_more is a boolean");
        let next_cursor = match response.get("next_cursor") {
            Some(Value::Null) => None,
            Some(Value::String(cursor)) => Some(cursor.clone()),
            other => panic!("next_cursor is a string or null, got {other:?}"),
        };
        (has_more, next_cursor)
    }

    /// Asserts an error answer: the status, JSON, and exactly `{"status":0,…}`.
    fn assert_error(&self, status: StatusCode, code: &str, why: &str) {
        assert_eq!(self.status, status, "{why}: {}", self.body);
        assert_eq!(
            self.content_type.as_deref(),
            Some("application/json"),
            "{why}"
        );
        assert_eq!(self.json(), error_body(code), "{why}");
    }

    /// Asserts the raw body ends with the sessions' `]`, then exactly the
    /// extras a request with (`paged`, `total`) asks for, in the contract's
    /// order, then the closing braces.
    fn assert_tail(&self, paged: bool, total: Option<usize>) {
        let mut tail = String::from("]");
        if paged {
            let (has_more, cursor) = self.page();
            let cursor = cursor.map_or("null".to_owned(), |c| Value::String(c).to_string());
            tail.push_str(&format!(r#","has_more":{has_more},"next_cursor":{cursor}"#));
        }
        if let Some(total) = total {
            tail.push_str(&format!(r#","total":{total}"#));
        }
        tail.push_str("}}");
        assert!(
            self.body.ends_with(&tail),
            "the body should end with {tail}: …{}",
            &self.body[self.body.len().saturating_sub(160)..]
        );
        let keys: BTreeSet<String> = self
            .listed()
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        let mut expected: BTreeSet<String> = ["agent_id", "sessions"].map(String::from).into();
        if paged {
            expected.extend(["has_more", "next_cursor"].map(String::from));
        }
        if total.is_some() {
            expected.insert("total".to_owned());
        }
        assert_eq!(keys, expected);
    }
}

/// Follows `next_cursor` from the first page until `has_more` is false, with
/// page sizes from `size`; checks each page's shape on the way.
async fn walk(
    app: &TestApp,
    agent: Uuid,
    extra: &[(&str, &str)],
    mut size: impl FnMut() -> u64,
    total: Option<usize>,
) -> Vec<Uuid> {
    let agent = agent.to_string();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10_000 {
        let limit = size().to_string();
        let mut params = vec![("agent_id", agent.as_str()), ("limit", limit.as_str())];
        params.extend_from_slice(extra);
        if let Some(cursor) = &cursor {
            params.push(("cursor", cursor.as_str()));
        }
        let answer = get(app, &params).await;

        let ids = answer.ids();
        let (has_more, next) = answer.page();
        answer.assert_tail(true, total);
        if let Some(total) = total {
            assert_eq!(answer.listed()["total"], total, "total on every page");
        }
        assert!(
            ids.len() <= limit.parse().expect("a number"),
            "limit {limit}"
        );
        seen.extend(ids.iter().copied());
        if !has_more {
            assert_eq!(next, None, "the last page's next_cursor is null");
            return seen;
        }
        assert_eq!(
            ids.len().to_string(),
            limit,
            "a page with more after it is full"
        );
        assert!(next.is_some(), "has_more comes with a next_cursor");
        cursor = next;
    }
    panic!("the walk never ended");
}

// ------------------------------------------------------------ 1. pagination

on_both_stores!(walking_pages_of_random_sizes_lists_every_session_once_in_order_both_ways);
async fn walking_pages_of_random_sizes_lists_every_session_once_in_order_both_ways(store: Store) {
    let world = World::new(store);
    let mut rng = XorShift::seeded(0x0005_eed0_0001);
    let seeded = seed_ties(&world, &mut rng, AGENT_A, 300, 20);
    let newest_first = in_order(seeded.iter().map(Seeded::key), false);
    let oldest_first = in_order(seeded.iter().map(Seeded::key), true);
    let app = TestApp::spawn(world.url()).await;

    for walk_number in 0..6 {
        let desc = walk(&app, AGENT_A, &[], || rng.between(1, 40), None).await;
        let asc = walk(
            &app,
            AGENT_A,
            &[("order", "asc")],
            || rng.between(1, 40),
            None,
        )
        .await;
        let explicit_desc = walk(
            &app,
            AGENT_A,
            &[("order", "desc")],
            || rng.between(1, 120),
            None,
        )
        .await;

        assert_eq!(desc, newest_first, "walk {walk_number}, newest first");
        assert_eq!(asc, oldest_first, "walk {walk_number}, oldest first");
        assert_eq!(
            explicit_desc, newest_first,
            "walk {walk_number}, order=desc"
        );
    }
}

on_both_stores!(a_page_that_reaches_the_last_session_says_so_with_a_null_cursor);
async fn a_page_that_reaches_the_last_session_says_so_with_a_null_cursor(store: Store) {
    let world = World::new(store);
    let mut rng = XorShift::seeded(0x0005_eed0_0002);
    let seeded = seed_ties(&world, &mut rng, AGENT_A, 300, 20);
    let newest_first = in_order(seeded.iter().map(Seeded::key), false);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();

    let everything = get(&app, &[("agent_id", &agent), ("limit", "300")]).await;
    let all_but_one = get(&app, &[("agent_id", &agent), ("limit", "299")]).await;
    let (_, cursor) = all_but_one.page();
    let cursor = cursor.expect("a cursor after 299 of 300");
    let the_last_one = get(
        &app,
        &[("agent_id", &agent), ("limit", "1"), ("cursor", &cursor)],
    )
    .await;
    let more_than_left = get(
        &app,
        &[("agent_id", &agent), ("limit", "1000"), ("cursor", &cursor)],
    )
    .await;
    let halves = walk(&app, AGENT_A, &[], || 150, None).await;

    assert_eq!(everything.ids(), newest_first);
    assert_eq!(everything.page(), (false, None));
    assert!(everything
        .body
        .ends_with(r#"],"has_more":false,"next_cursor":null}}"#));
    assert_eq!(all_but_one.ids(), newest_first[..299]);
    assert!(all_but_one.page().0, "has_more after 299 of 300");
    assert_eq!(the_last_one.ids(), newest_first[299..]);
    assert_eq!(the_last_one.page(), (false, None));
    assert_eq!(more_than_left.ids(), newest_first[299..]);
    assert_eq!(more_than_left.page(), (false, None));
    assert_eq!(halves, newest_first);
}

on_both_stores!(has_more_and_next_cursor_appear_only_with_a_limit_and_total_only_when_asked);
async fn has_more_and_next_cursor_appear_only_with_a_limit_and_total_only_when_asked(store: Store) {
    let world = World::new(store);
    let mut rng = XorShift::seeded(0x0005_eed0_0003);
    seed_ties(&world, &mut rng, AGENT_A, 30, 4);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let head = format!(
        r#"{{"status":1,"status_description":"agent_sessions_listed","response":{{"agent_id":"{AGENT_A}","sessions":[{{"id":""#
    );

    let whole = get(&app, &[("agent_id", &agent)]).await;
    let whole_with_total = get(&app, &[("agent_id", &agent), ("include_total", "true")]).await;
    let not_total = get(&app, &[("agent_id", &agent), ("include_total", "false")]).await;
    let page = get(&app, &[("agent_id", &agent), ("limit", "7")]).await;
    let page_with_total = get(
        &app,
        &[
            ("agent_id", &agent),
            ("limit", "7"),
            ("include_total", "true"),
        ],
    )
    .await;
    let last_page_with_total = get(
        &app,
        &[
            ("agent_id", &agent),
            ("limit", "30"),
            ("include_total", "true"),
        ],
    )
    .await;
    let empty_page = get(
        &app,
        &[
            ("agent_id", &AGENT_A_EMPTY.to_string()),
            ("limit", "5"),
            ("include_total", "true"),
        ],
    )
    .await;

    whole.assert_tail(false, None);
    assert!(
        whole.body.ends_with("}]}}"),
        "…{}",
        &whole.body[whole.body.len() - 20..]
    );
    whole_with_total.assert_tail(false, Some(30));
    not_total.assert_tail(false, None);
    page.assert_tail(true, None);
    assert!(page.body.contains(r#"}],"has_more":true,"next_cursor":""#));
    page_with_total.assert_tail(true, Some(30));
    assert!(page_with_total
        .body
        .contains(r#"}],"has_more":true,"next_cursor":""#));
    last_page_with_total.assert_tail(true, Some(30));
    assert!(last_page_with_total
        .body
        .ends_with(r#"}],"has_more":false,"next_cursor":null,"total":30}}"#));
    assert_eq!(
        empty_page.body,
        format!(
            r#"{{"status":1,"status_description":"agent_sessions_listed","response":{{"agent_id":"{AGENT_A_EMPTY}","sessions":[],"has_more":false,"next_cursor":null,"total":0}}}}"#
        )
    );
    for answer in [&whole, &whole_with_total, &page, &page_with_total] {
        assert!(answer.body.starts_with(&head), "{}", &answer.body[..200]);
    }
}

// ---------------------------------------------- 2. inserts while a client pages

/// Sessions inserted around the cursor after a page was read: newer than
/// all, at the cursor's time with an id on either side, a microsecond on
/// either side, and older than all.
fn inserted_around(
    world: &World,
    rng: &mut XorShift,
    cursor: Key,
    newest: DateTime<Utc>,
    oldest: DateTime<Utc>,
    taken: &mut HashSet<Uuid>,
) -> Vec<Key> {
    let (time, id) = cursor;
    let spread = Duration::microseconds(rng.between(1, 1_000) as i64);
    let mut fresh = |candidate: Uuid| {
        let id = if taken.contains(&candidate) {
            Uuid::new_v4()
        } else {
            candidate
        };
        taken.insert(id);
        id
    };
    let keys = vec![
        (newest + Duration::hours(1) + spread, fresh(rng.uuid())),
        (time, fresh(Uuid::from_u128(id.as_u128().wrapping_sub(1)))),
        (time, fresh(Uuid::from_u128(id.as_u128().wrapping_add(1)))),
        (time, fresh(rng.uuid())),
        (time + Duration::microseconds(1), fresh(rng.uuid())),
        (time - Duration::microseconds(1), fresh(rng.uuid())),
        (oldest - Duration::hours(1) - spread, fresh(rng.uuid())),
    ];
    for (created_at, id) in &keys {
        insert(world, AGENT_A, *id, *created_at, r#"{"inserted": true}"#);
    }
    keys
}

on_both_stores!(sessions_created_while_a_client_pages_never_make_it_skip_or_repeat_a_session);
async fn sessions_created_while_a_client_pages_never_make_it_skip_or_repeat_a_session(
    store: Store,
) {
    let world = World::new(store);
    let mut rng = XorShift::seeded(0x0005_eed0_0004);
    let mut existing: Vec<Key> = seed_ties(&world, &mut rng, AGENT_A, 150, 10)
        .iter()
        .map(Seeded::key)
        .collect();
    let mut taken: HashSet<Uuid> = existing.iter().map(|(_, id)| *id).collect();
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();

    for order in ["desc", "asc"] {
        let asc = order == "asc";
        let at_start = existing.clone();
        let mut appearing: Vec<Key> = Vec::new();
        let mut seen: Vec<Uuid> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let limit = rng.between(3, 25).to_string();
            let mut params = vec![
                ("agent_id", agent.as_str()),
                ("limit", limit.as_str()),
                ("order", order),
            ];
            if let Some(cursor) = &cursor {
                params.push(("cursor", cursor.as_str()));
            }
            let answer = get(&app, &params).await;
            let sessions = answer.listed()["sessions"].clone();
            let (has_more, next) = answer.page();
            let page: Vec<Key> = sessions
                .as_array()
                .expect("sessions")
                .iter()
                .map(|s| {
                    let created_at =
                        DateTime::parse_from_rfc3339(s["created_at"].as_str().expect("created_at"))
                            .expect("RFC 3339")
                            .to_utc();
                    (
                        created_at,
                        Uuid::parse_str(s["id"].as_str().expect("id")).expect("uuid"),
                    )
                })
                .collect();
            seen.extend(page.iter().map(|(_, id)| *id));
            if !has_more {
                break;
            }
            cursor = next;

            // Act: while the client holds its cursor, sessions arrive.
            let position = *page.last().expect("a full page");
            let newest = existing.iter().max().expect("sessions").0;
            let oldest = existing.iter().min().expect("sessions").0;
            for key in inserted_around(&world, &mut rng, position, newest, oldest, &mut taken) {
                // Keyset pages: a session beyond the cursor in the walk's
                // direction is still ahead of the client and will be listed.
                let ahead = if asc { key > position } else { key < position };
                if ahead {
                    appearing.push(key);
                }
                existing.push(key);
            }
        }

        let unique: HashSet<Uuid> = seen.iter().copied().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{order}: a session was listed twice"
        );
        let missing: Vec<&Key> = at_start
            .iter()
            .filter(|(_, id)| !unique.contains(id))
            .collect();
        assert!(missing.is_empty(), "{order}: sessions skipped: {missing:?}");
        assert!(!appearing.is_empty());
        let mut expected = at_start.clone();
        expected.extend(appearing.iter().copied());
        assert_eq!(
            seen,
            in_order(expected, asc),
            "{order}: every session there at the start, plus those created ahead of the cursor, in order"
        );
    }
}

// ---------------------------------------------------------------- 3. filters

/// What the test expects a filter to keep: strict time bounds, and top-level
/// meta values equal as JSON (numbers by value).
#[derive(Debug, Clone, Default)]
struct Reference {
    after: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
    meta: Vec<(&'static str, Value)>,
}

impl Reference {
    fn keeps(&self, session: &Seeded) -> bool {
        let equal = |a: &Value, b: &Value| match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            _ => a == b,
        };
        self.after.is_none_or(|t| session.created_at > t)
            && self.before.is_none_or(|t| session.created_at < t)
            && self
                .meta
                .iter()
                .all(|(key, want)| session.meta.get(key).is_some_and(|have| equal(have, want)))
    }
}

/// 01:00:00Z and 02:00:00Z on 2026-04-16: the bounds the filters use.
fn t1() -> DateTime<Utc> {
    at(3_600, 0)
}
fn t2() -> DateTime<Utc> {
    at(7_200, 0)
}

const FILTER_METAS: &[&str] = &[
    r#"{}"#,
    r#"{"n": 512}"#,
    r#"{"n": 512.0}"#,
    r#"{"n": "512"}"#,
    r#"{"n": 513, "task": "summarize"}"#,
    r#"{"n": 512, "task": "summarize"}"#,
    r#"{"n": 5.12e2, "task": "résumé 日本語"}"#,
    r#"{"task": "summarize", "nested": {"n": 512}}"#,
    r#"{"x": null}"#,
    r#"{"x": null, "ok": true}"#,
    r#"{"x": "null"}"#,
    r#"{"x": 0, "ok": false}"#,
    r#"{"ok": true}"#,
    r#"{"ok": "true"}"#,
];

/// Sessions of Ada's agent on, around and between the bounds, with every meta.
fn seed_for_filters(world: &World, rng: &mut XorShift) -> Vec<Seeded> {
    let times = [
        t1() - Duration::hours(1),
        t1() - Duration::microseconds(1),
        t1(),
        t1() + Duration::microseconds(1),
        t1() + Duration::minutes(30),
        t2() - Duration::microseconds(1),
        t2(),
        t2() + Duration::microseconds(1),
        t2() + Duration::hours(5),
    ];
    let mut seeded = Vec::new();
    for (m, meta) in FILTER_METAS.iter().enumerate() {
        for (t, time) in times.iter().enumerate() {
            if (m + t) % 3 == 1 {
                continue;
            }
            let session = Seeded {
                id: rng.uuid(),
                created_at: *time,
                meta: serde_json::from_str(meta).expect("JSON"),
            };
            insert(world, AGENT_A, session.id, session.created_at, meta);
            seeded.push(session);
        }
    }
    // Other agents' look-alikes must never show.
    for meta in FILTER_METAS {
        insert(
            world,
            AGENT_A_EMPTY,
            rng.uuid(),
            t1() + Duration::minutes(1),
            meta,
        );
    }
    seeded
}

/// The filters, each as query parameters (offsets other than Z included)
/// and as the reference it must agree with.
fn filter_cases() -> Vec<(Vec<(&'static str, &'static str)>, Reference)> {
    let after = |t| Reference {
        after: Some(t),
        ..Reference::default()
    };
    let before = |t| Reference {
        before: Some(t),
        ..Reference::default()
    };
    let meta = |pairs: Vec<(&'static str, Value)>| Reference {
        meta: pairs,
        ..Reference::default()
    };
    vec![
        (vec![], Reference::default()),
        (
            vec![("created_after", "2026-04-16T03:00:00+02:00")],
            after(t1()),
        ),
        (vec![("created_after", "2026-04-16T01:00:00Z")], after(t1())),
        (
            vec![("created_after", "2026-04-16T00:59:59.999999Z")],
            after(t1() - Duration::microseconds(1)),
        ),
        (
            vec![("created_before", "2026-04-15T22:00:00-03:00")],
            before(t1()),
        ),
        (
            vec![("created_before", "2026-04-16T01:00:00.000001+00:00")],
            before(t1() + Duration::microseconds(1)),
        ),
        (
            vec![
                ("created_after", "2026-04-16T03:00:00+02:00"),
                ("created_before", "2026-04-16T07:30:00+05:30"),
            ],
            Reference {
                after: Some(t1()),
                before: Some(t2()),
                ..Reference::default()
            },
        ),
        (
            vec![
                ("created_after", "2026-04-16T07:30:00+05:30"),
                ("created_before", "2026-04-16T03:00:00+02:00"),
            ],
            Reference {
                after: Some(t2()),
                before: Some(t1()),
                ..Reference::default()
            },
        ),
        (
            vec![("meta", r#"{"n":512}"#)],
            meta(vec![("n", json!(512))]),
        ),
        (
            vec![("meta", r#"{"n":512.0}"#)],
            meta(vec![("n", json!(512))]),
        ),
        (
            vec![("meta", r#"{"n":"512"}"#)],
            meta(vec![("n", json!("512"))]),
        ),
        (
            vec![("meta", r#"{"x":null}"#)],
            meta(vec![("x", Value::Null)]),
        ),
        (
            vec![("meta", r#"{"x":"null"}"#)],
            meta(vec![("x", json!("null"))]),
        ),
        (
            vec![("meta", r#"{"ok":true}"#)],
            meta(vec![("ok", json!(true))]),
        ),
        (
            vec![("meta", r#"{"ok":false}"#)],
            meta(vec![("ok", json!(false))]),
        ),
        (vec![("meta", r#"{"x":0}"#)], meta(vec![("x", json!(0))])),
        (
            vec![("meta", r#"{"task":"résumé 日本語","n":512}"#)],
            meta(vec![("task", json!("résumé 日本語")), ("n", json!(512))]),
        ),
        (
            vec![("meta", r#"{ "n" : 512 , "task" : "summarize" }"#)],
            meta(vec![("task", json!("summarize")), ("n", json!(512))]),
        ),
        (
            vec![("meta", r#"{"missing":1}"#)],
            meta(vec![("missing", json!(1))]),
        ),
        (vec![("meta", "{}")], Reference::default()),
        (
            vec![
                ("meta", r#"{"task":"summarize"}"#),
                ("created_after", "2026-04-15T23:00:00-02:00"),
                ("created_before", "2026-04-16T02:00:00.000001Z"),
            ],
            Reference {
                after: Some(t1()),
                before: Some(t2() + Duration::microseconds(1)),
                meta: vec![("task", json!("summarize"))],
            },
        ),
        (
            vec![
                ("meta", r#"{"x":null}"#),
                ("created_before", "2026-04-16T03:00:00+02:00"),
            ],
            Reference {
                before: Some(t1()),
                meta: vec![("x", Value::Null)],
                ..Reference::default()
            },
        ),
    ]
}

on_both_stores!(filters_keep_exactly_what_a_reference_filter_keeps_paged_or_not_both_ways);
async fn filters_keep_exactly_what_a_reference_filter_keeps_paged_or_not_both_ways(store: Store) {
    let world = World::new(store);
    let mut rng = XorShift::seeded(0x0005_eed0_0005);
    let seeded = seed_for_filters(&world, &mut rng);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();

    for (params, reference) in filter_cases() {
        for order in [None, Some("desc"), Some("asc")] {
            let asc = order == Some("asc");
            let expected = in_order(
                seeded
                    .iter()
                    .filter(|s| reference.keeps(s))
                    .map(Seeded::key),
                asc,
            );
            let mut extra = params.clone();
            if let Some(order) = order {
                extra.push(("order", order));
            }
            let why = format!("{extra:?}");
            let mut whole_params = vec![("agent_id", agent.as_str())];
            whole_params.extend_from_slice(&extra);
            let mut total_params = whole_params.clone();
            total_params.push(("include_total", "true"));

            let whole = get(&app, &whole_params).await;
            let whole_with_total = get(&app, &total_params).await;
            let paged = walk(&app, AGENT_A, &extra, || 4, None).await;
            let mut with_total = extra.clone();
            with_total.push(("include_total", "true"));
            let paged_with_total =
                walk(&app, AGENT_A, &with_total, || 5, Some(expected.len())).await;

            assert_eq!(whole.ids(), expected, "whole list, {why}");
            assert_eq!(whole_with_total.ids(), expected, "with total, {why}");
            assert_eq!(
                whole_with_total.listed()["total"],
                expected.len(),
                "total, {why}"
            );
            assert_eq!(paged, expected, "pages of 4, {why}");
            assert_eq!(paged_with_total, expected, "pages of 5 with total, {why}");
        }
    }
}

on_both_stores!(the_total_counts_the_filtered_sessions_whatever_the_limit_and_cursor);
async fn the_total_counts_the_filtered_sessions_whatever_the_limit_and_cursor(store: Store) {
    let world = World::new(store);
    let mut rng = XorShift::seeded(0x0005_eed0_0006);
    let seeded = seed_for_filters(&world, &mut rng);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let reference = Reference {
        after: Some(t1()),
        meta: vec![("n", json!(512))],
        ..Reference::default()
    };
    let matching = seeded.iter().filter(|s| reference.keeps(s)).count();
    let filters = [
        ("agent_id", agent.as_str()),
        ("created_after", "2026-04-16T03:00:00+02:00"),
        ("meta", r#"{"n":512}"#),
        ("include_total", "true"),
    ];

    let mut first_params = filters.to_vec();
    first_params.push(("limit", "2"));
    let first = get(&app, &first_params).await;
    let (_, cursor) = first.page();
    let cursor = cursor.expect("a second page");
    let mut second_params = filters.to_vec();
    second_params.extend([("limit", "1"), ("cursor", cursor.as_str())]);
    let second = get(&app, &second_params).await;
    let unfiltered = get(
        &app,
        &[
            ("agent_id", &agent),
            ("include_total", "true"),
            ("limit", "1"),
        ],
    )
    .await;

    assert!(matching > 3, "the fixture has several matching sessions");
    assert_eq!(first.ids().len(), 2);
    assert_eq!(first.listed()["total"], matching, "page 1");
    assert_eq!(second.ids().len(), 1);
    assert_eq!(second.listed()["total"], matching, "page 2");
    assert_eq!(unfiltered.listed()["total"], seeded.len(), "no filter");
}

on_both_stores!(a_meta_number_matches_the_same_number_however_written_but_never_a_string);
async fn a_meta_number_matches_the_same_number_however_written_but_never_a_string(store: Store) {
    let world = World::new(store);
    let (int, float, text) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    world.session(int, AGENT_A, None, at(1, 0), r#"{"n": 512}"#);
    world.session(float, AGENT_A, None, at(2, 0), r#"{"n": 512.0}"#);
    world.session(text, AGENT_A, None, at(3, 0), r#"{"n": "512"}"#);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();

    let by_int = get(&app, &[("agent_id", &agent), ("meta", r#"{"n":512}"#)]).await;
    let by_float = get(&app, &[("agent_id", &agent), ("meta", r#"{"n":512.0}"#)]).await;
    let by_text = get(&app, &[("agent_id", &agent), ("meta", r#"{"n":"512"}"#)]).await;

    assert_eq!(by_int.ids(), [float, int]);
    assert_eq!(by_float.ids(), [float, int]);
    assert_eq!(by_text.ids(), [text]);
    // The stored spelling comes back as stored.
    assert!(
        by_int.body.contains(r#""meta":{"n": 512.0}"#),
        "{}",
        by_int.body
    );
}

on_both_stores!(a_meta_null_matches_a_present_null_but_not_an_absent_key);
async fn a_meta_null_matches_a_present_null_but_not_an_absent_key(store: Store) {
    let world = World::new(store);
    let (null, absent, text) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    world.session(null, AGENT_A, None, at(1, 0), r#"{"x": null}"#);
    world.session(absent, AGENT_A, None, at(2, 0), r#"{"y": 1}"#);
    world.session(text, AGENT_A, None, at(3, 0), r#"{"x": "null"}"#);
    let app = TestApp::spawn(world.url()).await;

    let answer = get(
        &app,
        &[
            ("agent_id", &AGENT_A.to_string()),
            ("meta", r#"{"x":null}"#),
        ],
    )
    .await;

    assert_eq!(answer.ids(), [null]);
}

on_both_stores!(an_offset_whose_plus_sign_arrived_unencoded_still_means_that_offset);
async fn an_offset_whose_plus_sign_arrived_unencoded_still_means_that_offset(store: Store) {
    let world = World::new(store);
    let (on_bound, after_bound) = (Uuid::new_v4(), Uuid::new_v4());
    world.session(on_bound, AGENT_A, None, t1(), "{}");
    world.session(
        after_bound,
        AGENT_A,
        None,
        t1() + Duration::seconds(1),
        "{}",
    );
    let app = TestApp::spawn(world.url()).await;

    // A raw `+` in a query string reads as a space.
    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}&created_after=2026-04-16T03:00:00+02:00"),
        )
        .await;
    let answer = Answer::read(response).await;

    assert_eq!(answer.ids(), [after_bound]);
}

on_both_stores!(a_bound_finer_than_a_microsecond_keeps_a_session_just_before_it);
async fn a_bound_finer_than_a_microsecond_keeps_a_session_just_before_it(store: Store) {
    let world = World::new(store);
    let (on_micro, next_micro) = (Uuid::new_v4(), Uuid::new_v4());
    world.session(on_micro, AGENT_A, None, t1(), "{}");
    world.session(
        next_micro,
        AGENT_A,
        None,
        t1() + Duration::microseconds(1),
        "{}",
    );
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();

    let before = get(
        &app,
        &[
            ("agent_id", &agent),
            ("created_before", "2026-04-16T01:00:00.0000005Z"),
        ],
    )
    .await;
    let after = get(
        &app,
        &[
            ("agent_id", &agent),
            ("created_after", "2026-04-16T01:00:00.0000005Z"),
        ],
    )
    .await;

    assert_eq!(before.ids(), [on_micro], "created_before");
    assert_eq!(after.ids(), [next_micro], "created_after");
}

on_both_stores!(a_meta_filter_holding_a_nul_character_never_fails_and_matches_only_a_stored_nul);
/// PostgreSQL's `jsonb` cannot hold U+0000, so there the filter lists
/// nothing; SQLite keeps `meta` as the JSON text written, which may hold one,
/// and the filter matches it exactly as any other character.
async fn a_meta_filter_holding_a_nul_character_never_fails_and_matches_only_a_stored_nul(
    store: Store,
) {
    let world = World::new(store);
    world.session(
        Uuid::new_v4(),
        AGENT_A,
        None,
        t1(),
        r#"{"s": "ab", "ab": 1}"#,
    );
    let (nul_key, nul_value) = (Uuid::new_v4(), Uuid::new_v4());
    if store == Store::Sqlite {
        world.session(nul_key, AGENT_A, None, t2(), r#"{"a\u0000b": 1}"#);
        world.session(nul_value, AGENT_A, None, t2(), r#"{"s": "a\u0000b"}"#);
    }
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();

    for (meta, stored) in [
        (r#"{"a\u0000b":1}"#, nul_key),
        (r#"{"s":"a\u0000b"}"#, nul_value),
    ] {
        let answer = get(&app, &[("agent_id", &agent), ("meta", meta)]).await;

        assert_eq!(answer.status, StatusCode::OK, "{meta}: {}", answer.body);
        let expected = match store {
            Store::Postgres => vec![],
            Store::Sqlite => vec![stored],
        };
        assert_eq!(answer.ids(), expected, "{meta}");
    }
}

// ------------------------------------------------------- 4. invalid parameters

on_both_stores!(every_malformed_extension_parameter_is_a_json_400_naming_it);
async fn every_malformed_extension_parameter_is_a_json_400_naming_it(store: Store) {
    let world = World::new(store);
    for n in 0..5 {
        world.session(Uuid::new_v4(), AGENT_A, None, at(n, 0), r#"{"a": 1}"#);
    }
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let first = get(&app, &[("agent_id", &agent), ("limit", "2")]).await;
    let cursor = first.page().1.expect("a cursor");
    let mut tampered: Vec<char> = cursor.chars().collect();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let empty_agent = AGENT_A_EMPTY.to_string();

    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("limit", "0")], "invalid_limit"),
        (vec![("limit", "1001")], "invalid_limit"),
        (vec![("limit", "-1")], "invalid_limit"),
        (vec![("limit", "abc")], "invalid_limit"),
        (vec![("limit", "1.5")], "invalid_limit"),
        (vec![("cursor", "garbage")], "invalid_cursor"),
        (vec![("cursor", "not base64 at all!")], "invalid_cursor"),
        (vec![("cursor", &tampered)], "invalid_cursor"),
        (
            vec![("limit", "2"), ("cursor", &tampered)],
            "invalid_cursor",
        ),
        (
            vec![("cursor", &cursor), ("order", "asc")],
            "invalid_cursor",
        ),
        (
            vec![("cursor", &cursor), ("meta", r#"{"a":1}"#)],
            "invalid_cursor",
        ),
        (
            vec![
                ("cursor", &cursor),
                ("created_after", "2026-04-15T00:00:00Z"),
            ],
            "invalid_cursor",
        ),
        (
            vec![
                ("cursor", &cursor),
                ("created_before", "2030-01-01T00:00:00Z"),
            ],
            "invalid_cursor",
        ),
        (vec![("order", "sideways")], "invalid_order"),
        (vec![("order", "DESC")], "invalid_order"),
        (
            vec![("created_after", "yesterday")],
            "invalid_created_after",
        ),
        (
            vec![("created_after", "2026-04-16")],
            "invalid_created_after",
        ),
        (
            vec![("created_before", "yesterday")],
            "invalid_created_before",
        ),
        (
            vec![("created_before", "2026-04-16")],
            "invalid_created_before",
        ),
        (vec![("meta", "[1]")], "invalid_meta"),
        (vec![("meta", r#"{"a":[1]}"#)], "invalid_meta"),
        (vec![("meta", r#"{"a":{"b":1}}"#)], "invalid_meta"),
        (vec![("meta", "not json")], "invalid_meta"),
        (vec![("include_total", "yes")], "invalid_include_total"),
    ];
    assert_ne!(tampered, cursor);

    for (extra, code) in &cases {
        let mut params = vec![("agent_id", agent.as_str())];
        params.extend_from_slice(extra);

        let answer = get(&app, &params).await;

        answer.assert_error(StatusCode::BAD_REQUEST, code, &format!("{extra:?}"));
    }
    // A cursor issued for one agent, reused for another agent Ada may read.
    get(&app, &[("agent_id", &empty_agent), ("cursor", &cursor)])
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "invalid_cursor",
            "a cursor of another agent",
        );
}

on_both_stores!(a_cursor_stays_valid_with_another_limit_and_the_same_filters_written_differently);
async fn a_cursor_stays_valid_with_another_limit_and_the_same_filters_written_differently(
    store: Store,
) {
    let world = World::new(store);
    let mut ids: Vec<Uuid> = (0..6).map(|_| Uuid::new_v4()).collect();
    for (n, id) in ids.iter().enumerate() {
        world.session(
            *id,
            AGENT_A,
            None,
            at(60 + n as i64, 0),
            r#"{"a": 1, "b": "x"}"#,
        );
    }
    ids.reverse();
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let first = get(
        &app,
        &[
            ("agent_id", &agent),
            ("limit", "2"),
            ("meta", r#"{"a":1,"b":"x"}"#),
            ("created_after", "2026-04-16T02:00:00+02:00"),
        ],
    )
    .await;
    let cursor = first.page().1.expect("a cursor");

    let rest = get(
        &app,
        &[
            ("agent_id", &agent),
            ("limit", "10"),
            ("cursor", &cursor),
            ("meta", r#"{"b": "x", "a": 1}"#),
            ("created_after", "2026-04-16T00:00:00Z"),
        ],
    )
    .await;

    assert_eq!(first.ids(), ids[..2]);
    assert_eq!(rest.ids(), ids[2..]);
    assert_eq!(rest.page(), (false, None));
}

on_both_stores!(a_malformed_parameter_is_reported_only_after_the_caller_is_authorized);
async fn a_malformed_parameter_is_reported_only_after_the_caller_is_authorized(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let foreign = AGENT_B.to_string();

    let bad_token = get_as(
        &app,
        UNKNOWN_USER,
        PROJECT_A,
        &[("agent_id", &agent), ("limit", "0")],
        None,
    )
    .await;
    let foreign_project = get_as(
        &app,
        VALID,
        PROJECT_B,
        &[("agent_id", &agent), ("limit", "0")],
        None,
    )
    .await;
    let no_agent = get(&app, &[("limit", "0"), ("order", "sideways")]).await;
    let foreign_agent = get(&app, &[("agent_id", &foreign), ("limit", "0")]).await;
    let foreign_agent_cursor = get(&app, &[("agent_id", &foreign), ("cursor", "garbage")]).await;
    let no_headers = Answer::read(
        app.client
            .get(list_url(&app, &[("agent_id", &agent), ("meta", "[1]")]))
            .send()
            .await
            .expect("an answer"),
    )
    .await;

    bad_token.assert_error(StatusCode::UNAUTHORIZED, "invalid_token", "bad token");
    foreign_project.assert_error(
        StatusCode::FORBIDDEN,
        "user_project_mapping_invalid",
        "foreign project",
    );
    no_agent.assert_error(StatusCode::BAD_REQUEST, "agent_id_required", "no agent");
    foreign_agent.assert_error(
        StatusCode::FORBIDDEN,
        "agent_not_found_or_no_access",
        "foreign agent",
    );
    foreign_agent_cursor.assert_error(
        StatusCode::FORBIDDEN,
        "agent_not_found_or_no_access",
        "foreign agent with a bad cursor",
    );
    no_headers.assert_error(StatusCode::BAD_REQUEST, "missing_headers", "no headers");
}

// -------------------------------------------------------------------- 5. ETag

on_both_stores!(a_matching_if_none_match_answers_304_with_no_body_and_the_same_etag);
async fn a_matching_if_none_match_answers_304_with_no_body_and_the_same_etag(store: Store) {
    let world = World::new(store);
    for n in 0..3 {
        world.session(Uuid::new_v4(), AGENT_A, None, at(n, 0), "{}");
    }
    let app = TestApp::spawn(world.url()).await;
    let plain = [("agent_id", AGENT_A.to_string())];
    let plain: Vec<(&str, &str)> = plain.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let first = get(&app, &plain).await;
    let tag = first.etag();
    let again = get_if_none_match(&app, &plain, &tag).await;
    let star = get_if_none_match(&app, &plain, "*").await;
    let weak = get_if_none_match(&app, &plain, &format!("W/{tag}")).await;
    let in_a_list = get_if_none_match(&app, &plain, &format!("\"other\", {tag}")).await;
    let stale = get_if_none_match(&app, &plain, "\"0000000000000000deadbeefdeadbeef\"").await;

    assert_eq!(first.status, StatusCode::OK);
    assert!(
        tag.starts_with('"') && tag.ends_with('"'),
        "a strong tag: {tag}"
    );
    for (answer, why) in [
        (&again, "same tag"),
        (&star, "*"),
        (&weak, "weak"),
        (&in_a_list, "list"),
    ] {
        assert_eq!(answer.status, StatusCode::NOT_MODIFIED, "{why}");
        assert_eq!(answer.body, "", "{why}");
        assert_eq!(answer.etag.as_deref(), Some(tag.as_str()), "{why}");
    }
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.etag.as_deref(), Some(tag.as_str()));
    assert_eq!(stale.body, first.body);
}

on_both_stores!(the_etag_changes_exactly_when_a_session_the_request_keeps_is_added_or_removed);
async fn the_etag_changes_exactly_when_a_session_the_request_keeps_is_added_or_removed(
    store: Store,
) {
    let world = World::new(store);
    let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    for (n, id) in ids.iter().enumerate() {
        insert(
            &world,
            AGENT_A,
            *id,
            at(100 + n as i64, 0),
            r#"{"kind": "a"}"#,
        );
    }
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let filtered = [("agent_id", agent.as_str()), ("meta", r#"{"kind":"a"}"#)];
    let tag_of = |answer: Answer| {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.etag()
    };

    let initial = tag_of(get(&app, &filtered).await);

    // Another agent's session: nothing this request lists changed.
    insert(
        &world,
        AGENT_A_EMPTY,
        Uuid::new_v4(),
        at(500, 0),
        r#"{"kind": "a"}"#,
    );
    let after_other_agent = get_if_none_match(&app, &filtered, &initial).await;
    // A session of this agent that the filter drops, newest of all.
    insert(
        &world,
        AGENT_A,
        Uuid::new_v4(),
        at(600, 0),
        r#"{"kind": "b"}"#,
    );
    let after_excluded = get_if_none_match(&app, &filtered, &initial).await;
    // A matching session, older than the newest.
    let added = Uuid::new_v4();
    insert(&world, AGENT_A, added, at(50, 0), r#"{"kind": "a"}"#);
    let after_added = get_if_none_match(&app, &filtered, &initial).await;
    let tag_added = after_added.etag();
    // A matching session removed (not the newest), then the newest.
    world.delete_session(ids[1]);
    let after_deleted = get_if_none_match(&app, &filtered, &tag_added).await;
    let tag_deleted = after_deleted.etag();
    world.delete_session(ids[3]);
    let after_newest_deleted = get_if_none_match(&app, &filtered, &tag_deleted).await;
    let tag_newest_deleted = after_newest_deleted.etag();
    let unchanged_since = get_if_none_match(&app, &filtered, &tag_newest_deleted).await;

    assert_eq!(
        after_other_agent.status,
        StatusCode::NOT_MODIFIED,
        "another agent's session"
    );
    assert_eq!(
        after_excluded.status,
        StatusCode::NOT_MODIFIED,
        "an excluded session"
    );
    assert_eq!(
        after_added.status,
        StatusCode::OK,
        "a matching session added"
    );
    assert_ne!(tag_added, initial);
    assert!(after_added.ids().contains(&added));
    assert_eq!(
        after_deleted.status,
        StatusCode::OK,
        "a matching session deleted"
    );
    assert_ne!(tag_deleted, tag_added);
    assert!(!after_deleted.ids().contains(&ids[1]));
    assert_eq!(
        after_newest_deleted.status,
        StatusCode::OK,
        "the newest deleted"
    );
    assert_ne!(tag_newest_deleted, tag_deleted);
    assert_eq!(after_newest_deleted.ids(), [ids[2], ids[0], added]);
    assert_eq!(unchanged_since.status, StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged_since.etag(), tag_newest_deleted);
}

on_both_stores!(
    the_unfiltered_etag_changes_when_any_session_of_the_agent_is_added_but_not_another_agents
);
async fn the_unfiltered_etag_changes_when_any_session_of_the_agent_is_added_but_not_another_agents(
    store: Store,
) {
    let world = World::new(store);
    insert(&world, AGENT_A, Uuid::new_v4(), at(100, 0), "{}");
    let app = TestApp::spawn(world.url()).await;
    let plain = [("agent_id", AGENT_A.to_string())];
    let plain: Vec<(&str, &str)> = plain.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let initial = get(&app, &plain).await.etag();

    insert(&world, AGENT_A_EMPTY, Uuid::new_v4(), at(200, 0), "{}");
    let after_other = get_if_none_match(&app, &plain, &initial).await;
    insert(
        &world,
        AGENT_A,
        Uuid::new_v4(),
        at(10, 0),
        r#"{"old": true}"#,
    );
    let after_older = get_if_none_match(&app, &plain, &initial).await;

    assert_eq!(after_other.status, StatusCode::NOT_MODIFIED);
    assert_eq!(after_older.status, StatusCode::OK);
    assert_ne!(after_older.etag(), initial);
    assert_eq!(after_older.ids().len(), 2);
}

on_both_stores!(a_pages_tag_depends_on_that_page_alone_not_on_sessions_elsewhere);
async fn a_pages_tag_depends_on_that_page_alone_not_on_sessions_elsewhere(store: Store) {
    let world = World::new(store);
    for n in 0..6 {
        insert(&world, AGENT_A, Uuid::new_v4(), at(100 + n, 0), "{}");
    }
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let first_params = [("agent_id", agent.as_str()), ("limit", "2")];
    let first = get(&app, &first_params).await;
    let (_, cursor) = first.page();
    let cursor = cursor.expect("a second page");
    let second_params = [
        ("agent_id", agent.as_str()),
        ("limit", "2"),
        ("cursor", cursor.as_str()),
    ];
    let second = get(&app, &second_params).await;
    let mut totalled = second_params.to_vec();
    totalled.push(("include_total", "true"));
    let second_totalled = get(&app, &totalled).await;

    // A newer session: the first page shows it, the second page is as it was
    // (unless it also shows the total, which changed).
    insert(&world, AGENT_A, Uuid::new_v4(), at(900, 0), "{}");
    let first_after_newer = get_if_none_match(&app, &first_params, &first.etag()).await;
    let second_after_newer = get_if_none_match(&app, &second_params, &second.etag()).await;
    let totalled_after_newer = get_if_none_match(&app, &totalled, &second_totalled.etag()).await;

    assert_eq!(first_after_newer.status, StatusCode::OK);
    assert_ne!(first_after_newer.etag(), first.etag());
    assert_eq!(second_after_newer.status, StatusCode::NOT_MODIFIED);
    assert_eq!(second_after_newer.etag(), second.etag());
    assert_eq!(totalled_after_newer.status, StatusCode::OK);
    assert_eq!(totalled_after_newer.listed()["total"], 7);
    assert_eq!(totalled_after_newer.ids(), second.ids());
}

on_both_stores!(the_last_pages_tag_changes_when_an_older_session_makes_it_no_longer_last);
async fn the_last_pages_tag_changes_when_an_older_session_makes_it_no_longer_last(store: Store) {
    let world = World::new(store);
    for n in 0..2 {
        insert(&world, AGENT_A, Uuid::new_v4(), at(100 + n, 0), "{}");
    }
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let params = [("agent_id", agent.as_str()), ("limit", "2")];
    let last = get(&app, &params).await;
    assert_eq!(last.page(), (false, None));

    insert(&world, AGENT_A, Uuid::new_v4(), at(10, 0), "{}");
    let again = get_if_none_match(&app, &params, &last.etag()).await;

    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.ids(), last.ids());
    assert!(again.page().0, "more follow now");
    assert_ne!(again.etag(), last.etag());
}

on_both_stores!(the_etag_differs_between_limits_filters_orders_and_totals);
async fn the_etag_differs_between_limits_filters_orders_and_totals(store: Store) {
    let world = World::new(store);
    for n in 0..30 {
        world.session(Uuid::new_v4(), AGENT_A, None, at(n, 0), r#"{"k": 1}"#);
    }
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    let base = ("agent_id", agent.as_str());
    let variants: Vec<Vec<(&str, &str)>> = vec![
        vec![base],
        vec![base, ("limit", "10")],
        vec![base, ("limit", "20")],
        vec![base, ("limit", "1000")],
        vec![base, ("order", "asc")],
        vec![base, ("include_total", "true")],
        vec![base, ("limit", "10"), ("include_total", "true")],
        vec![base, ("meta", r#"{"k":1}"#)],
        vec![base, ("created_after", "2026-04-15T00:00:00Z")],
        vec![base, ("created_before", "2030-04-15T00:00:00Z")],
    ];

    let mut tags = Vec::new();
    for params in &variants {
        let answer = get(&app, params).await;
        assert_eq!(answer.status, StatusCode::OK, "{params:?}");
        tags.push((answer.etag(), params.clone()));
    }
    let first_page = get(&app, &[base, ("limit", "10")]).await;
    let cursor = first_page.page().1.expect("a cursor");
    let second_page = get(&app, &[base, ("limit", "10"), ("cursor", &cursor)]).await;
    tags.push((second_page.etag(), vec![("cursor", "page 2")]));

    let distinct: HashSet<&String> = tags.iter().map(|(tag, _)| tag).collect();
    assert_eq!(distinct.len(), tags.len(), "{tags:#?}");
    // The same request, the same tag.
    assert_eq!(first_page.etag(), tags[1].0);
    let page_2_again = get_if_none_match(
        &app,
        &[base, ("limit", "10"), ("cursor", &cursor)],
        &second_page.etag(),
    )
    .await;
    assert_eq!(page_2_again.status, StatusCode::NOT_MODIFIED);
}

on_both_stores!(the_whole_list_of_thirty_thousand_sessions_is_complete_json_in_order);
async fn the_whole_list_of_thirty_thousand_sessions_is_complete_json_in_order(store: Store) {
    let world = World::new(store);
    insert_many(&world, AGENT_A, 30_000);
    insert_many(&world, AGENT_A_EMPTY, 10);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();

    let whole = get(&app, &[("agent_id", &agent)]).await;
    let with_total = get(&app, &[("agent_id", &agent), ("include_total", "true")]).await;

    assert_eq!(
        sorted(listed_numbers(&whole, false)),
        (1..=30_000).collect::<Vec<_>>(),
        "every session exactly once"
    );
    whole.assert_tail(false, None);
    let listed = listed_numbers(&with_total, false).len();
    assert_eq!(listed, 30_000);
    assert_eq!(with_total.listed()["total"], listed);
    with_total.assert_tail(false, Some(30_000));
}

on_both_stores!(the_whole_list_streams_filtered_and_oldest_first_on_thirty_thousand_sessions);
async fn the_whole_list_streams_filtered_and_oldest_first_on_thirty_thousand_sessions(
    store: Store,
) {
    let world = World::new(store);
    insert_many(&world, AGENT_A, 30_000);
    let app = TestApp::spawn(world.url()).await;
    let agent = AGENT_A.to_string();
    // 00:20:00Z: sessions from 1201 seconds on.
    let expected: Vec<i64> = (1..=30_000).filter(|i| i % 3000 > 1200).collect();

    let filtered = get(
        &app,
        &[
            ("agent_id", &agent),
            ("created_after", "2026-01-01T01:20:00+01:00"),
            ("order", "asc"),
            ("include_total", "true"),
        ],
    )
    .await;

    let numbers = listed_numbers(&filtered, true);
    assert_eq!(numbers.len(), expected.len());
    assert_eq!(sorted(numbers), expected);
    assert_eq!(filtered.listed()["total"], expected.len());
    filtered.assert_tail(false, Some(expected.len()));
}

// ------------------------------------------------------- the whole list

/// Inserts `count` sessions of `agent` in one statement: session `i` has
/// `meta` `{"n": i}` and is created `i % 3000` seconds after
/// 2026-01-01T00:00:00Z, so that many sessions share each time.
fn insert_many(world: &World, agent: Uuid, count: i64) {
    world.many_sessions(
        agent,
        count,
        Spread {
            meta_key: "n",
            period_seconds: 3000,
        },
    );
}

/// The `n` of every listed session, after checking that the sessions come in
/// strictly ascending or descending (`created_at`, `id`) order.
fn listed_numbers(answer: &Answer, ascending: bool) -> Vec<i64> {
    let response = answer.listed();
    let sessions = response["sessions"].as_array().expect("a sessions array");
    let keys: Vec<(String, String)> = sessions
        .iter()
        .map(|s| {
            (
                s["created_at"].as_str().expect("a time").to_owned(),
                s["id"].as_str().expect("an id").to_owned(),
            )
        })
        .collect();
    let ordered = keys
        .windows(2)
        .all(|w| if ascending { w[0] < w[1] } else { w[0] > w[1] });
    assert!(ordered, "sessions out of order (ascending: {ascending})");
    sessions
        .iter()
        .map(|s| s["meta"]["n"].as_i64().expect("n"))
        .collect()
}

fn sorted(mut numbers: Vec<i64>) -> Vec<i64> {
    numbers.sort_unstable();
    numbers
}
