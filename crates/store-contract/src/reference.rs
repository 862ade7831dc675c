//! The reference, [`keeps`], and how a store is compared with it: the contract's filter tests use it, and so can an
//! adapter's own tests of what only that adapter can store.

use chrono::{DateTime, Duration, Utc};
use otas_domain::{
    Meta, Order, Session, SessionId, SessionKey, SessionQuery, SessionSummary, Timestamp,
};
use otas_ports::SessionStore;
use serde_json::Value;
use uuid::Uuid;

/// The page sizes a listing is walked with: one at a time, a few, and more.
pub const WALK_PAGE_SIZES: [usize; 3] = [1, 3, 7];

/// Whether `query` keeps `session`: the reference every store is tested
/// against. Time bounds are strict; a `meta` filter (even `{}`) keeps an
/// object meta holding each key at an equal JSON value (numbers by value, integers
/// exactly whatever their size, everything else exactly), so a meta that is
/// no object is never kept.
pub fn keeps(query: &SessionQuery, session: &Session) -> bool {
    let f = &query.filter;
    f.created_after.is_none_or(|t| session.created_at > t)
        && f.created_before.is_none_or(|t| session.created_at < t)
        && (f.meta.is_absent() || {
            let meta: Value = serde_json::from_str(session.meta.as_str()).unwrap_or(Value::Null);
            meta.is_object()
                && f.meta
                    .pairs()
                    .iter()
                    .all(|(key, want)| meta.get(key).is_some_and(|have| json_equal(have, want)))
        })
}

/// JSON equality of scalars: numbers by value (integers exactly, whatever
/// their size; `512` equals `512.0`), everything else exactly.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (
                x.as_i64()
                    .or(x.as_u64().and_then(|u| i64::try_from(u).ok())),
                y.as_i64(),
            ) {
                (Some(i), Some(j)) => i == j,
                _ if x.is_u64() && y.is_u64() => x.as_u64() == y.as_u64(),
                _ => x.as_f64() == y.as_f64(),
            }
        }
        _ => a == b,
    }
}

/// A session as the domain sees the row `insert_session(id, agent, None,
/// created_at, meta)` writes; panics when `meta` is not JSON.
pub fn session(id: Uuid, created_at: DateTime<Utc>, meta: &str) -> Session {
    Session {
        id: SessionId::from_uuid(id),
        agent_key_id: None,
        created_at: Timestamp::new(created_at),
        meta: Meta::from_json(meta.to_owned()).expect("a meta is JSON"),
    }
}

/// The keys of `sessions` (all of them of the query's agent) that the
/// reference keeps, in the query's order.
pub fn expected(sessions: &[Session], query: &SessionQuery) -> Vec<SessionKey> {
    let mut kept: Vec<SessionKey> = sessions
        .iter()
        .filter(|s| keeps(query, s))
        .map(SessionKey::of)
        .collect();
    kept.sort();
    if query.order == Order::Desc {
        kept.reverse();
    }
    kept
}

/// The summary of the reference's sessions.
pub fn expected_summary(sessions: &[Session], query: &SessionQuery) -> SessionSummary {
    let kept = expected(sessions, query);
    SessionSummary {
        count: kept.len() as u64,
        newest: kept.iter().max().copied(),
    }
}

/// The query's order and filter, for assertion messages.
pub fn describe(query: &SessionQuery) -> String {
    format!("{:?} {:?}", query.order, query.filter)
}

/// The keys of a page, in its order.
pub fn keys(page: &[Session]) -> Vec<SessionKey> {
    page.iter().map(SessionKey::of).collect()
}

/// One page of the store; panics, naming the query, when the store fails.
pub fn read(
    store: &dyn SessionStore,
    query: &SessionQuery,
    after: Option<SessionKey>,
    limit: usize,
) -> Vec<Session> {
    store
        .sessions_after(query, after, otas_ports::ReadBound::rows(limit))
        .unwrap_or_else(|e| panic!("the store answers {}: {e}", describe(query)))
}

/// Every page of `size` from the start, each after the previous page's last
/// key, until a page comes back empty; panics when a page is too long or
/// when the walk reads more than `bound` sessions (it would never end).
pub fn walk(
    store: &dyn SessionStore,
    query: &SessionQuery,
    size: usize,
    bound: usize,
) -> Vec<SessionKey> {
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = read(store, query, after, size);
        assert!(
            page.len() <= size,
            "a page of {size} held {}: {}",
            page.len(),
            describe(query)
        );
        let Some(last) = page.last() else {
            return seen;
        };
        after = Some(SessionKey::of(last));
        seen.extend(page.iter().map(SessionKey::of));
        assert!(
            seen.len() <= bound,
            "the walk never ends: {}",
            describe(query)
        );
    }
}

/// The store's summary; panics, naming the query, when the store fails.
pub fn summarize(store: &dyn SessionStore, query: &SessionQuery) -> SessionSummary {
    store
        .summarize(query)
        .unwrap_or_else(|e| panic!("the store summarizes {}: {e}", describe(query)))
}

/// Asserts that the store keeps exactly the sessions the reference keeps
/// among `sessions` (every session of the query's agent): in one page, in
/// pages of each of [`WALK_PAGE_SIZES`], after the key of every third
/// session and after keys before and beyond them all, and in its summary.
pub fn assert_store_agrees(store: &dyn SessionStore, sessions: &[Session], query: &SessionQuery) {
    let expected = expected(sessions, query);
    let all = sessions.len() + 1;

    let listed = keys(&read(store, query, None, all));
    assert_eq!(listed, expected, "one page, {}", describe(query));
    for size in WALK_PAGE_SIZES {
        let walked = walk(store, query, size, sessions.len());
        assert_eq!(walked, expected, "pages of {size}, {}", describe(query));
    }
    let far = |key: Option<SessionKey>, days: i64| {
        key.map(|key| SessionKey {
            created_at: Timestamp::new(key.created_at.as_datetime() + Duration::days(days)),
            id: SessionId::from_uuid(Uuid::nil()),
        })
    };
    let oldest = sessions.iter().map(SessionKey::of).min();
    let newest = sessions.iter().map(SessionKey::of).max();
    let starts = sessions
        .iter()
        .map(SessionKey::of)
        .step_by(3)
        .chain(far(oldest, -1))
        .chain(far(newest, 1));
    for key in starts {
        let beyond: Vec<SessionKey> = expected
            .iter()
            .copied()
            .filter(|k| match query.order {
                Order::Desc => *k < key,
                Order::Asc => *k > key,
            })
            .collect();
        let listed = keys(&read(store, query, Some(key), all));
        assert_eq!(listed, beyond, "after {key:?}, {}", describe(query));
    }
    assert_eq!(
        summarize(store, query),
        expected_summary(sessions, query),
        "summary, {}",
        describe(query)
    );
}
