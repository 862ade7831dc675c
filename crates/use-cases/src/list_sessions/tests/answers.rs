//! What a granted request is answered, and which reads it costs.

use std::sync::Mutex;

use otas_domain::etag::{list_tag, IfNoneMatch};
use otas_domain::{RawListParams, SessionSummary, Shape};

use super::*;
use crate::list_sessions::{ListOutcome, ListSessionsUseCase, WholeList};
use otas_ports::{ReadBound, SessionStore, SessionsAndSummary};

fn lister(sessions: impl SessionStore + 'static, cursors: MockCursorCodec) -> ListSessions {
    ListSessions::new(
        Arc::new(accepting_verifier()),
        Arc::new(store_answering(ALL_TRUE, full_query())),
        Arc::new(sessions),
        Arc::new(cursors),
        BATCH,
    )
}

fn paged(limit: &str) -> ListSessionsRequest {
    let mut request = granted();
    request.params.limit = Some(limit.to_owned());
    request
}

fn sealing_any() -> MockCursorCodec {
    let mut cursors = MockCursorCodec::new();
    cursors.expect_seal().returning(|_, _| "next".to_owned());
    cursors
}

fn expect_page(outcome: Result<ListOutcome, ListSessionsError>) -> crate::SessionPage {
    match outcome {
        Ok(ListOutcome::Page(page)) => page,
        other => panic!("expected a page, got {other:?}"),
    }
}

fn expect_whole(outcome: Result<ListOutcome, ListSessionsError>) -> WholeList {
    match outcome {
        Ok(ListOutcome::Whole(whole)) => whole,
        other => panic!("expected a whole list, got {other:?}"),
    }
}

/// Every session of a whole list: its first batch and the rest, read to the end.
fn read_to_the_end(whole: WholeList) -> Vec<Session> {
    let mut sessions = whole.first;
    let mut rest = whole.rest;
    while let Some(next) = rest {
        let batch = next.read_next().expect("the next batch");
        sessions.extend(batch.sessions);
        rest = batch.rest;
    }
    sessions
}

#[test]
fn a_page_reads_one_more_session_than_asked_and_never_counts_the_agent() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_sessions_after()
        .withf(|_, after, limit| after.is_none() && *limit == ReadBound::rows(3))
        .return_once(|_, _, _| Ok(vec![session(5), session(4), session(3)]));
    let mut cursors = MockCursorCodec::new();
    let last = SessionKey::of(&session(4));
    cursors
        .expect_seal()
        .withf(move |key, _| *key == last)
        .return_once(|_, _| "next".to_owned());

    let page = expect_page(lister(sessions, cursors).list(paged("2")));

    assert_eq!(page.sessions, vec![session(5), session(4)]);
    assert!(page.has_more);
    assert_eq!(page.next_cursor.as_deref(), Some("next"));
    assert_eq!(page.total, None);
    assert_eq!(page.agent, agent());
}

#[test]
fn the_last_page_has_no_next_cursor() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_sessions_after()
        .return_once(|_, _, _| Ok(vec![session(5), session(4)]));

    let page = expect_page(lister(sessions, MockCursorCodec::new()).list(paged("2")));

    assert_eq!(page.sessions.len(), 2);
    assert!(!page.has_more);
    assert_eq!(page.next_cursor, None);
}

#[test]
fn a_page_with_its_own_tag_in_if_none_match_is_not_modified_from_its_keys_alone() {
    let mut first = MockSessionStore::new();
    first
        .expect_sessions_after()
        .return_once(|_, _, _| Ok(vec![session(5), session(4), session(3)]));
    let etag = expect_page(lister(first, sealing_any()).list(paged("2"))).etag;

    // Only the keys are read: no session row, no count.
    let mut again = MockSessionStore::new();
    again.expect_keys_after().return_once(|_, _, _| {
        Ok(vec![5, 4, 3]
            .into_iter()
            .map(|n| SessionKey::of(&session(n)))
            .collect())
    });
    let outcome = lister(again, MockCursorCodec::new()).list(ListSessionsRequest {
        if_none_match: Some(IfNoneMatch::Tags(vec![etag.clone()])),
        ..paged("2")
    });

    assert!(
        matches!(&outcome, Ok(ListOutcome::NotModified { etag: tag }) if *tag == etag),
        "{outcome:?}"
    );
}

#[test]
fn a_page_whose_sessions_changed_is_read_again_under_a_new_tag() {
    let mut first = MockSessionStore::new();
    first
        .expect_sessions_after()
        .return_once(|_, _, _| Ok(vec![session(5), session(4)]));
    let old = expect_page(lister(first, MockCursorCodec::new()).list(paged("2"))).etag;

    let mut changed = MockSessionStore::new();
    changed.expect_keys_after().return_once(|_, _, _| {
        Ok(vec![
            SessionKey::of(&session(6)),
            SessionKey::of(&session(5)),
        ])
    });
    changed
        .expect_sessions_after()
        .return_once(|_, _, _| Ok(vec![session(6), session(5), session(4)]));
    let page = expect_page(lister(changed, sealing_any()).list(ListSessionsRequest {
        if_none_match: Some(IfNoneMatch::Tags(vec![old.clone()])),
        ..paged("2")
    }));

    assert_eq!(page.sessions, vec![session(6), session(5)]);
    assert_ne!(page.etag, old);
}

#[test]
fn a_page_with_include_total_reads_its_sessions_and_the_count_in_one_snapshot() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_sessions_and_summary()
        .withf(|_, after, limit| after.is_none() && *limit == ReadBound::rows(3))
        .return_once(|_, _, _| {
            Ok(SessionsAndSummary {
                sessions: vec![session(5), session(4)],
                summary: SessionSummary {
                    count: 2,
                    newest: Some(SessionKey::of(&session(5))),
                },
            })
        });

    let mut request = paged("2");
    request.params.include_total = Some("true".into());
    let page = expect_page(lister(sessions, MockCursorCodec::new()).list(request));

    assert_eq!(page.total, Some(2));
}

#[test]
fn a_whole_list_within_one_batch_is_its_own_summary_and_reads_once() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_sessions_after()
        .times(1)
        .return_once(|_, _, _| Ok(vec![session(5), session(4)]));

    let whole = expect_whole(lister(sessions, MockCursorCodec::new()).list(granted()));

    assert!(whole.rest.is_none());
    assert_eq!(
        whole.etag,
        list_tag(
            &SessionQuery::all_of(agent()),
            &Shape::default(),
            &SessionSummary::of_complete(&[session(5), session(4)])
        )
    );
}

#[test]
fn a_whole_list_with_its_own_tag_in_if_none_match_reads_only_the_summary() {
    let summary = SessionSummary::of_complete(&[session(5), session(4)]);
    let etag = list_tag(&SessionQuery::all_of(agent()), &Shape::default(), &summary);
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_summarize()
        .return_once(move |_| Ok(summary));

    let outcome = lister(sessions, MockCursorCodec::new()).list(ListSessionsRequest {
        if_none_match: Some(IfNoneMatch::Tags(vec![etag])),
        ..granted()
    });

    assert!(
        matches!(outcome, Ok(ListOutcome::NotModified { .. })),
        "{outcome:?}"
    );
}

/// An agent's sessions in memory, with one more created after every read
/// that is not a snapshot: a store under constant writes.
#[derive(Debug)]
struct BusyStore {
    sessions: Mutex<Vec<Session>>,
}

impl BusyStore {
    fn with(n: u128) -> Self {
        Self {
            sessions: Mutex::new((1..=n).map(session).collect()),
        }
    }

    fn read(&self, query: &SessionQuery, after: Option<SessionKey>, limit: usize) -> Vec<Session> {
        let mut all = self.sessions.lock().expect("not poisoned").clone();
        all.sort_by_key(SessionKey::of);
        if query.order == Order::Desc {
            all.reverse();
        }
        all.into_iter()
            .filter(|s| match (after, query.order) {
                (None, _) => true,
                (Some(key), Order::Desc) => SessionKey::of(s) < key,
                (Some(key), Order::Asc) => SessionKey::of(s) > key,
            })
            .take(limit)
            .collect()
    }

    fn summary(&self) -> SessionSummary {
        SessionSummary::of_complete(&self.sessions.lock().expect("not poisoned"))
    }

    /// A session committed by someone else, newer than every other.
    fn commit_one_more(&self) {
        let mut sessions = self.sessions.lock().expect("not poisoned");
        let next = sessions.len() as u128 + 1;
        sessions.push(session(next));
    }
}

impl SessionStore for BusyStore {
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: ReadBound,
    ) -> Result<Vec<Session>, StoreError> {
        let read = self.read(query, after, limit.rows);
        self.commit_one_more();
        Ok(read)
    }

    fn keys_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<SessionKey>, StoreError> {
        let read = self
            .read(query, after, limit)
            .iter()
            .map(SessionKey::of)
            .collect();
        self.commit_one_more();
        Ok(read)
    }

    fn summarize(&self, _query: &SessionQuery) -> Result<SessionSummary, StoreError> {
        let summary = self.summary();
        self.commit_one_more();
        Ok(summary)
    }

    fn sessions_and_summary(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: ReadBound,
    ) -> Result<SessionsAndSummary, StoreError> {
        // One snapshot: nothing is committed between the two reads.
        let read = SessionsAndSummary {
            sessions: self.read(query, after, limit.rows),
            summary: self.summary(),
        };
        self.commit_one_more();
        Ok(read)
    }
}

#[test]
fn a_whole_lists_tag_never_vouches_for_a_session_its_body_lacks_while_sessions_are_committed() {
    for order in ["desc", "asc"] {
        let outcome =
            lister(BusyStore::with(7), MockCursorCodec::new()).list(ListSessionsRequest {
                params: RawListParams {
                    order: Some(order.into()),
                    ..RawListParams::default()
                },
                ..granted()
            });
        let whole = expect_whole(outcome);
        let etag = whole.etag.clone();
        let body = read_to_the_end(whole);

        // The tag is exactly the one of the sessions the body holds.
        let query = SessionQuery {
            order: if order == "asc" {
                Order::Asc
            } else {
                Order::Desc
            },
            ..SessionQuery::all_of(agent())
        };
        assert_eq!(
            etag,
            list_tag(
                &query,
                &Shape::default(),
                &SessionSummary::of_complete(&body)
            ),
            "{order}: {} sessions in the body",
            body.len()
        );
        assert!(body.len() >= 7, "{order}");
    }
}

#[test]
fn a_store_failure_while_reading_a_page_is_reported_by_kind() {
    for (error, expected) in [
        (
            StoreError::Unavailable("connection refused".into()),
            ListSessionsError::Store(StoreFailure::Unavailable),
        ),
        (
            StoreError::Failure("syntax error".into()),
            ListSessionsError::Store(StoreFailure::Internal),
        ),
    ] {
        let mut sessions = MockSessionStore::new();
        sessions
            .expect_sessions_after()
            .return_once(move |_, _, _| Err(error));

        let outcome = lister(sessions, MockCursorCodec::new()).list(paged("10"));

        assert_eq!(outcome.err(), Some(expected));
    }
}
