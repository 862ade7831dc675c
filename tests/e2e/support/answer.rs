//! Reading answers of the list: encoded requests, the answer's parts, page
//! walks, and a deterministic generator of sessions.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};
use uuid::Uuid;

use super::app::LIST_PATH;
use super::tokens::VALID;
use super::world::*;
use super::{error_body, TestApp, World};
/// A small deterministic PRNG (xorshift64), so that every run walks the same pages.
pub struct XorShift(u64);

impl XorShift {
    pub fn seeded(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    pub fn uuid(&mut self) -> Uuid {
        Uuid::from_u128(u128::from(self.next()) << 64 | u128::from(self.next()))
    }
}

/// A session's position in the listing's total order: (`created_at`, `id`),
/// compared as the stores compare them (a `Uuid` orders as PostgreSQL's
/// `uuid` and as SQLite's lower-case hyphenated text).
pub type Key = (DateTime<Utc>, Uuid);

/// A seeded session, as the test knows it.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub meta: Value,
}

impl Seeded {
    pub fn key(&self) -> Key {
        (self.created_at, self.id)
    }
}

pub fn insert(world: &World, agent: Uuid, id: Uuid, created_at: DateTime<Utc>, meta: &str) {
    world.session(id, agent, None, created_at, meta);
}

/// Inserts `count` sessions of `agent` spread over `times` distinct creation
/// times (so most times are shared), with random ids; returns them.
pub fn seed_ties(
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
pub fn in_order(keys: impl IntoIterator<Item = Key>, asc: bool) -> Vec<Uuid> {
    let mut keys: Vec<Key> = keys.into_iter().collect();
    keys.sort();
    if !asc {
        keys.reverse();
    }
    keys.into_iter().map(|(_, id)| id).collect()
}

pub fn list_url(app: &TestApp, params: &[(&str, &str)]) -> Url {
    Url::parse_with_params(&format!("{}{LIST_PATH}", app.address), params).expect("a list URL")
}

/// `GET` the list with properly encoded parameters, as `token` in `project`.
pub async fn get_as(
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
pub async fn get(app: &TestApp, params: &[(&str, &str)]) -> Answer {
    get_as(app, VALID, PROJECT_A, params, None).await
}

/// `GET` the list as Ada with `If-None-Match`.
pub async fn get_if_none_match(app: &TestApp, params: &[(&str, &str)], tag: &str) -> Answer {
    get_as(app, VALID, PROJECT_A, params, Some(tag)).await
}

/// A whole answer: status, the headers that matter here, the raw body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub etag: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
}

impl Answer {
    pub async fn read(response: reqwest::Response) -> Self {
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
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a 200 listing and returns its `response` object.
    pub fn listed(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        let json = self.json();
        assert_eq!(json["status"], 1);
        assert_eq!(json["status_description"], "agent_sessions_listed");
        json["response"].clone()
    }

    /// The listed sessions' ids, in the answer's order.
    pub fn ids(&self) -> Vec<Uuid> {
        self.listed()["sessions"]
            .as_array()
            .expect("a sessions array")
            .iter()
            .map(|s| Uuid::parse_str(s["id"].as_str().expect("an id")).expect("a UUID"))
            .collect()
    }

    pub fn etag(&self) -> String {
        self.etag
            .clone()
            .unwrap_or_else(|| panic!("no ETag on a {} answer", self.status))
    }

    /// `(has_more, next_cursor)` of a page, checking both keys are there.
    pub fn page(&self) -> (bool, Option<String>) {
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
    pub fn assert_error(&self, status: StatusCode, code: &str, why: &str) {
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
    pub fn assert_tail(&self, paged: bool, total: Option<usize>) {
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
pub async fn walk(
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
            ids.len() <= limit.parse::<usize>().expect("a number"),
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

/// 01:00:00Z and 02:00:00Z on 2026-04-16: the bounds the filters use.
pub fn t1() -> DateTime<Utc> {
    at(3_600, 0)
}

pub fn t2() -> DateTime<Utc> {
    at(7_200, 0)
}
