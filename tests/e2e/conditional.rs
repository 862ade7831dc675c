//! Conditional requests: `ETag` and `304`, what changes a tag and what does
//! not, for pages and whole lists.

use std::collections::HashSet;

use reqwest::StatusCode;
use uuid::Uuid;

use crate::support::answer::*;
use crate::support::socket;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{on_both_stores, Store, TestApp, World};

on_both_stores!(a_matching_if_none_match_answers_304_with_no_body_and_the_same_etag);
async fn a_matching_if_none_match_answers_304_with_no_body_and_the_same_etag(store: Store) {
    let world = World::new(store);
    for n in 0..3 {
        world.session(Uuid::new_v4(), AGENT_A, None, at(n, 0), "{}");
    }
    let app = TestApp::start(world.url()).await;
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
        assert_eq!(answer.etag.as_deref(), Some(tag.as_str()), "{why}");
    }
    // What the server put on the wire after the 304's head: nothing.
    let project = PROJECT_A.to_string();
    let on_the_wire = socket::exchange(
        &app.address,
        "GET",
        &format!("/api/agent/v1/sessions/list/?agent_id={AGENT_A}"),
        &[
            ("X-OTAS-USER-TOKEN", VALID),
            ("X-OTAS-PROJECT-ID", &project),
            ("If-None-Match", &tag),
        ],
    )
    .await;
    assert_eq!(on_the_wire.status_line, "HTTP/1.1 304 Not Modified");
    assert!(
        on_the_wire.after_head.is_empty(),
        "no byte of a body on the wire: {} bytes",
        on_the_wire.after_head.len()
    );
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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
