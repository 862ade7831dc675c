//! Time and `meta` filters against a reference filter, paged or not, both
//! ways, and the total they count.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::support::answer::*;
use crate::support::world::*;
use crate::support::{on_both_stores, Store, TestApp, World};

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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
