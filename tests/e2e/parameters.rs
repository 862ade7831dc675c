//! Malformed extension parameters: a JSON 400 naming each, reported only after
//! the caller is authorized; cursors and the filters they are bound to.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::support::answer::*;
use crate::support::tokens::{UNKNOWN_USER, VALID};
use crate::support::world::*;
use crate::support::{on_both_stores, Store, TestApp, World};

on_both_stores!(every_malformed_extension_parameter_is_a_json_400_naming_it);
async fn every_malformed_extension_parameter_is_a_json_400_naming_it(store: Store) {
    let world = World::new(store);
    for n in 0..5 {
        world.session(Uuid::new_v4(), AGENT_A, None, at(n, 0), r#"{"a": 1}"#);
    }
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
