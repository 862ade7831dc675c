//! Pages and batches of a whole list bounded in bytes as well as in rows.

use otas_domain::etag::IfNoneMatch;
use otas_domain::RawListParams;

use super::*;
use crate::list_sessions::{ListOutcome, ListSessionsUseCase, SessionPage, WholeList};
use otas_domain::session::SESSION_OVERHEAD_BYTES;

/// A session whose `meta` takes `bytes` (a JSON string).
fn big(n: u128, bytes: usize) -> Session {
    Session {
        meta: Meta::from_json(format!(r#""{}""#, "x".repeat(bytes - 2))).expect("JSON"),
        ..session(n)
    }
}

/// Sessions `n..=1`, newest first, each with a `meta` of `bytes`.
fn bigs(n: u128, bytes: usize) -> Vec<Session> {
    (1..=n).rev().map(|n| big(n, bytes)).collect()
}

/// A store holding `all` (newest first) that answers keyset reads of them.
fn holding(all: Vec<Session>) -> MockSessionStore {
    let mut store = MockSessionStore::new();
    let keys = all.clone();
    store
        .expect_sessions_after()
        .returning(move |_, after, bound| {
            // As the contract reads: stopped at the bound's rows or bytes.
            bound.take(
                all.iter()
                    .filter(|s| after.is_none_or(|after| SessionKey::of(s) < after))
                    .cloned()
                    .map(Ok),
                |s: &Session| s.meta.as_str().len(),
            )
        });
    store.expect_keys_after().returning(move |_, after, limit| {
        Ok(keys
            .iter()
            .map(SessionKey::of)
            .filter(|key| after.is_none_or(|after| *key < after))
            .take(limit)
            .collect())
    });
    store
}

/// Cursors that carry the key they seal (as text), and open it again.
fn key_cursors() -> MockCursorCodec {
    let mut cursors = MockCursorCodec::new();
    cursors
        .expect_seal()
        .returning(|key, _| format!("{}/{}", key.created_at.as_micros(), key.id.as_uuid()));
    cursors.expect_open().returning(|text, _| {
        let (micros, id) = text.split_once('/')?;
        Some(SessionKey {
            created_at: Timestamp::from_micros(micros.parse().ok()?)?,
            id: SessionId::from_uuid(Uuid::parse_str(id).ok()?),
        })
    });
    cursors
}

fn lister(store: MockSessionStore, max_bytes: usize) -> ListSessions {
    ListSessions::new(
        Arc::new(accepting_verifier()),
        Arc::new(store_answering_any()),
        Arc::new(store),
        Arc::new(key_cursors()),
        BATCH,
    )
    .with_max_page_bytes(max_bytes)
}

fn store_answering_any() -> MockAccessStore {
    let mut access = MockAccessStore::new();
    access.expect_access_facts().returning(|_| Ok(ALL_TRUE));
    access
}

fn page(
    lister: &ListSessions,
    limit: &str,
    cursor: Option<String>,
    held: Option<&str>,
) -> ListOutcome {
    lister
        .list(ListSessionsRequest {
            params: RawListParams {
                limit: Some(limit.to_owned()),
                cursor,
                ..RawListParams::default()
            },
            if_none_match: held.map(|tag| IfNoneMatch::Tags(vec![tag.to_owned()])),
            ..granted()
        })
        .expect("answered")
}

fn expect_page(outcome: ListOutcome) -> SessionPage {
    match outcome {
        ListOutcome::Page(page) => page,
        other => panic!("expected a page, got {other:?}"),
    }
}

const ROW: usize = 1000 + SESSION_OVERHEAD_BYTES;

#[test]
fn a_page_ends_at_the_byte_bound_and_its_cursor_walk_returns_every_session_once() {
    let lister = lister(holding(bigs(7, 1000)), 2 * ROW);

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = expect_page(page(&lister, "5", cursor, None));
        assert!(page.sessions.len() <= 2, "cut at two sessions' bytes");
        seen.extend(page.sessions.iter().cloned());
        if !page.has_more {
            assert_eq!(page.next_cursor, None);
            break;
        }
        cursor = Some(page.next_cursor.expect("a cursor with has_more"));
    }

    assert_eq!(seen, bigs(7, 1000), "every session, once, in order");
}

#[test]
fn a_session_larger_than_the_bound_comes_alone_on_its_page() {
    let mut all = bigs(3, 100);
    all[1] = big(2, 10 * ROW);
    let lister = lister(holding(all.clone()), 2 * ROW);

    let first = expect_page(page(&lister, "10", None, None));
    let second = expect_page(page(&lister, "10", first.next_cursor.clone(), None));
    let third = expect_page(page(&lister, "10", second.next_cursor.clone(), None));

    assert_eq!(first.sessions, vec![all[0].clone()]);
    assert!(first.has_more);
    assert_eq!(second.sessions, vec![all[1].clone()], "alone, but served");
    assert!(second.has_more);
    assert_eq!(third.sessions, vec![all[2].clone()]);
    assert!(!third.has_more);
}

#[test]
fn a_cut_pages_tag_differs_from_the_uncut_page_and_revalidates_to_304() {
    let cut = expect_page(page(
        &lister(holding(bigs(4, 1000)), 2 * ROW),
        "3",
        None,
        None,
    ));
    let uncut = expect_page(page(
        &lister(holding(bigs(4, 1000)), 10 * ROW),
        "3",
        None,
        None,
    ));
    assert_eq!(cut.sessions.len(), 2);
    assert_eq!(uncut.sessions.len(), 3);
    assert_ne!(cut.etag, uncut.etag);

    let again = page(
        &lister(holding(bigs(4, 1000)), 2 * ROW),
        "3",
        None,
        Some(&cut.etag),
    );

    assert!(
        matches!(&again, ListOutcome::NotModified { etag } if *etag == cut.etag),
        "{again:?}"
    );
}

/// Every session of a whole list, batch by batch, and the largest batch.
fn batches(whole: WholeList) -> (Vec<Session>, usize) {
    let mut largest = whole.first.len();
    let mut sessions = whole.first;
    let mut rest = whole.rest;
    while let Some(next) = rest {
        let batch = next.read_next().expect("the next batch");
        largest = largest.max(batch.sessions.len());
        sessions.extend(batch.sessions);
        rest = batch.rest;
    }
    (sessions, largest)
}

#[test]
fn a_whole_lists_batches_are_cut_at_the_byte_bound_and_continue_after_the_last_written() {
    for total in [2, 3, 7] {
        let mut store = holding(bigs(total, 1000));
        store
            .expect_sessions_and_summary()
            .returning(move |_, after, bound| {
                let sessions = bound.take(
                    bigs(total, 1000)
                        .into_iter()
                        .filter(|s| after.is_none_or(|after| SessionKey::of(s) < after))
                        .map(Ok),
                    |s: &Session| s.meta.as_str().len(),
                )?;
                Ok(otas_ports::SessionsAndSummary {
                    summary: otas_domain::SessionSummary::of_complete(&bigs(total, 1000)),
                    sessions,
                })
            });
        let whole = match lister(store, ROW).list(granted()).expect("answered") {
            ListOutcome::Whole(whole) => whole,
            other => panic!("expected a whole list, got {other:?}"),
        };

        let (sessions, largest) = batches(whole);

        assert_eq!(sessions, bigs(total, 1000), "{total}: each once, in order");
        assert_eq!(largest, 1, "{total}: one session's bytes per batch");
    }
}
