//! The edges of the filters: numbers however written, null, offsets whose `+`
//! arrived as a space, bounds finer than a microsecond, U+0000; sessions whose
//! `meta` is no object (listed as stored, matched by no filter); a `meta`
//! filter beyond its bounds.

use chrono::Duration;
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::answer::*;
use crate::support::app::LIST_PATH;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{error_body, on_both_stores, Store, TestApp, World};

on_both_stores!(a_meta_number_matches_the_same_number_however_written_but_never_a_string);
async fn a_meta_number_matches_the_same_number_however_written_but_never_a_string(store: Store) {
    let world = World::new(store);
    let (int, float, text) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    world.session(int, AGENT_A, None, at(1, 0), r#"{"n": 512}"#);
    world.session(float, AGENT_A, None, at(2, 0), r#"{"n": 512.0}"#);
    world.session(text, AGENT_A, None, at(3, 0), r#"{"n": "512"}"#);
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;

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
    let app = TestApp::start(world.url()).await;

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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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

async fn get_json(app: &TestApp, params: &[(&str, &str)]) -> (StatusCode, Value) {
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
    let app = TestApp::start(world.url()).await;
    let agent = AGENT_A.to_string();
    let agent = agent.as_str();

    let (whole_status, whole) = get_json(&app, &[("agent_id", agent), ("order", "asc")]).await;
    let (page_status, page) = get_json(&app, &[("agent_id", agent), ("limit", "2")]).await;
    let (filtered_status, filtered) = get_json(
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
    let app = TestApp::start(world.url()).await;
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
        let (status, body) = get_json(&app, &[("agent_id", &agent), ("meta", &meta)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert_eq!(body, error_body("invalid_meta"), "{why}");
    }
    for (meta, why) in accepted {
        let (status, body) = get_json(&app, &[("agent_id", &agent), ("meta", &meta)]).await;
        assert_eq!(status, StatusCode::OK, "{why}: {body}");
        assert_eq!(metas(&body), Vec::<Value>::new(), "{why}");
    }
}
