//! Keyset pages: every session once and in order at any page size, both ways;
//! the last page; the extras a page carries; sessions created while a client
//! pages.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::support::answer::*;
use crate::support::world::*;
use crate::support::{on_both_stores, Store, TestApp, World};

on_both_stores!(walking_pages_of_random_sizes_lists_every_session_once_in_order_both_ways);
async fn walking_pages_of_random_sizes_lists_every_session_once_in_order_both_ways(store: Store) {
    let world = World::new(store);
    let mut rng = XorShift::seeded(0x0005_eed0_0001);
    let seeded = seed_ties(&world, &mut rng, AGENT_A, 300, 20);
    let newest_first = in_order(seeded.iter().map(Seeded::key), false);
    let oldest_first = in_order(seeded.iter().map(Seeded::key), true);
    let app = TestApp::start(world.url()).await;

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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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
