//! The whole list, written as it is read: complete valid JSON in order across
//! read batches, filtered and oldest first, on tens of thousands of sessions.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::support::answer::*;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{agent_query, error_body, json_of, on_both_stores, Store, TestApp, World};

on_both_stores!(the_whole_list_of_thirty_thousand_sessions_is_complete_json_in_order);
async fn the_whole_list_of_thirty_thousand_sessions_is_complete_json_in_order(store: Store) {
    let world = World::new(store);
    insert_many(&world, AGENT_A, 30_000);
    insert_many(&world, AGENT_A_EMPTY, 10);
    let app = TestApp::start(world.url()).await;
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
    let app = TestApp::start(world.url()).await;
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

on_both_stores!(a_list_longer_than_one_read_batch_is_complete_valid_json);
async fn a_list_longer_than_one_read_batch_is_complete_valid_json(store: Store) {
    let world = World::new(store);
    world.many_sessions(
        AGENT_A,
        2500,
        Spread {
            meta_key: "i",
            period_seconds: 500,
        },
    );
    // Batches of 1000 and of 7: the list crosses many batch boundaries, with ties across them.
    for batch in ["1000", "7"] {
        let app = TestApp::start_with(world.url(), &[("OTAS__HTTP__LIST_BATCH_SIZE", batch)]).await;

        let body = json_of(
            app.list(
                Some(VALID),
                Some(&PROJECT_A.to_string()),
                &agent_query(AGENT_A),
            )
            .await,
        )
        .await;

        let sessions = body["response"]["sessions"].as_array().expect("sessions");
        assert_eq!(sessions.len(), 2500, "batch {batch}");
        let mut seen: Vec<i64> = sessions
            .iter()
            .map(|s| s["meta"]["i"].as_i64().expect("i"))
            .collect();
        let keys: Vec<(String, String)> = sessions
            .iter()
            .map(|s| {
                (
                    s["created_at"].as_str().expect("t").to_owned(),
                    s["id"].as_str().expect("id").to_owned(),
                )
            })
            .collect();
        assert!(
            keys.windows(2).all(|w| w[0] > w[1]),
            "strictly descending (created_at, id), batch {batch}"
        );
        seen.sort_unstable();
        assert_eq!(
            seen,
            (1..=2500).collect::<Vec<_>>(),
            "each session exactly once, batch {batch}"
        );
    }
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

#[tokio::test]
async fn beyond_the_cap_of_streamed_lists_a_new_whole_list_is_503_and_pages_are_served() {
    let world = World::with_a_list_too_big_to_buffer();
    let app = TestApp::start_with(
        world.url(),
        &[
            ("OTAS__HTTP__MAX_STREAMS", "1"),
            ("OTAS__HTTP__LIST_BATCH_SIZE", "500"),
        ],
    )
    .await;
    let project = PROJECT_A.to_string();
    let stalled = crate::support::socket::stalled_whole_list(&app.address).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let refused = app
        .list(Some(VALID), Some(&project), &agent_query(AGENT_A))
        .await;
    let page = app
        .list(
            Some(VALID),
            Some(&project),
            &format!("agent_id={AGENT_A}&limit=10"),
        )
        .await;
    drop(stalled);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut again = StatusCode::SERVICE_UNAVAILABLE;
    while std::time::Instant::now() < deadline && again != StatusCode::OK {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let response = app
            .list(
                Some(VALID),
                Some(&project),
                &format!("agent_id={AGENT_A}&created_after=2026-01-01T00:00:00Z&order=asc"),
            )
            .await;
        again = response.status();
    }

    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        refused.json::<serde_json::Value>().await.expect("JSON"),
        error_body("service_unavailable")
    );
    assert_eq!(page.status(), StatusCode::OK, "pages are not streams");
    assert_eq!(
        again,
        StatusCode::OK,
        "the stalled reader's place is free once it is gone"
    );
}
