//! `SessionStore::keys_after` and `SessionStore::sessions_and_summary`: the
//! reads behind a page's tag and a whole list's first batch answer exactly
//! what `sessions_after` and `summarize` answer.

use std::sync::{Arc, Mutex};

use chrono::Duration;
use otas_domain::{AgentId, MetaFilter, Order, SessionFilter, SessionKey, SessionQuery, Timestamp};
use serde_json::json;
use uuid::Uuid;

use crate::reference::{describe, keys, read, summarize};
use crate::support::{at, TwoAgents};
use crate::Fixture;

/// An agent with sessions of several metas and times (ties included), and
/// the other agent with look-alikes.
fn seeded<F: Fixture>() -> TwoAgents<F> {
    let mut stores = TwoAgents::<F>::new();
    let base = at("2026-04-16T14:30:00Z");
    let metas = [
        r#"{"task": "summarize", "n": 1}"#,
        r#"{"task": "translate"}"#,
        r#"[1, 2]"#,
        r#"{}"#,
    ];
    for n in 0..14_i64 {
        let created_at = base + Duration::seconds(n / 2);
        let meta = metas[usize::try_from(n).unwrap_or(0) % metas.len()];
        let (agent, other) = (stores.agent, stores.other_agent);
        stores
            .fixture
            .insert_session(Uuid::new_v4(), agent, None, created_at, meta);
        stores
            .fixture
            .insert_session(Uuid::new_v4(), other, None, created_at, meta);
    }
    stores
}

/// Newest and oldest first, unfiltered, by meta and by time.
fn queries(agent: Uuid) -> Vec<SessionQuery> {
    let filters = [
        SessionFilter::default(),
        SessionFilter {
            meta: MetaFilter::from_object(json!({"task": "summarize"})).expect("scalars"),
            ..SessionFilter::default()
        },
        SessionFilter {
            created_before: Some(Timestamp::new(at("2026-04-16T14:30:05Z"))),
            ..SessionFilter::default()
        },
    ];
    let mut queries = Vec::new();
    for order in [Order::Desc, Order::Asc] {
        for filter in &filters {
            queries.push(SessionQuery {
                agent: AgentId::from_uuid(agent),
                order,
                filter: filter.clone(),
            });
        }
    }
    queries
}

/// Every starting point of a listing: the start, and after each session.
fn starts(store: &dyn otas_ports::SessionStore, query: &SessionQuery) -> Vec<Option<SessionKey>> {
    let mut starts = vec![None];
    starts.extend(keys(&read(store, query, None, 1_000)).into_iter().map(Some));
    starts
}

/// From any key, with any limit, the keys are those of the sessions read.
pub fn keys_after_are_the_keys_of_exactly_the_sessions_read<F: Fixture>() {
    let stores = seeded::<F>();
    let store = stores.fixture.session_store();

    for query in queries(stores.agent) {
        for after in starts(store, &query) {
            for limit in [1, 3, 100] {
                let expected = keys(&read(store, &query, after, limit));

                let listed = store
                    .keys_after(&query, after, limit)
                    .unwrap_or_else(|e| panic!("keys of {}: {e}", describe(&query)));

                assert_eq!(listed, expected, "{} after {after:?}", describe(&query));
            }
        }
    }
}

/// Read together, the sessions and the summary are what each read alone
/// gives (while nothing is written in between).
pub fn sessions_and_summary_read_what_sessions_after_and_summarize_read<F: Fixture>() {
    let stores = seeded::<F>();
    let store = stores.fixture.session_store();

    for query in queries(stores.agent) {
        for after in starts(store, &query) {
            let read_alone = read(store, &query, after, 3);

            let together = store
                .sessions_and_summary(&query, after, otas_ports::ReadBound::rows(3))
                .unwrap_or_else(|e| panic!("sessions and summary of {}: {e}", describe(&query)));

            assert_eq!(
                together.sessions,
                read_alone,
                "{} after {after:?}",
                describe(&query)
            );
            assert_eq!(
                together.summary,
                summarize(store, &query),
                "{}",
                describe(&query)
            );
        }
    }
}

/// The race a whole list's tag must not lose: a session committed after the
/// sessions are read and before the summary is read counts in neither, so
/// the summary (the tag) vouches for no session the body lacks. The session
/// is there for the next read.
pub fn a_session_committed_between_the_reads_of_sessions_and_summary_is_in_neither<F: Fixture>() {
    let stores = seeded::<F>();
    let agent = stores.agent;
    let newcomer = Uuid::new_v4();
    let write = stores.fixture.concurrent_writer();
    let commits = Arc::new(Mutex::new(0_u32));
    let counted = commits.clone();
    let store = stores.fixture.session_store_pausing(Arc::new(move || {
        write(newcomer, agent, at("2026-04-17T00:00:00Z"));
        *counted.lock().expect("not poisoned") += 1;
    }));
    let query = SessionQuery::all_of(AgentId::from_uuid(agent));

    let read_together = store
        .sessions_and_summary(&query, None, otas_ports::ReadBound::rows(1_000))
        .expect("the store answers");

    assert_eq!(
        *commits.lock().expect("not poisoned"),
        1,
        "the hook ran once"
    );
    let listed = keys(&read_together.sessions);
    assert_eq!(read_together.summary.count, listed.len() as u64);
    assert_eq!(read_together.summary.newest, listed.first().copied());
    assert!(listed.iter().all(|key| *key.id.as_uuid() != newcomer));
    let read_after = read(store.as_ref(), &query, None, 1_000);
    assert_eq!(read_after.len(), listed.len() + 1);
    assert_eq!(*read_after[0].id.as_uuid(), newcomer);
}

/// A read bounded in bytes stops after the session that takes the answer
/// past the bound (the reader learns more follow), in both reads that take
/// a bound, and keeps a first session larger than the bound with one more.
pub fn a_read_stops_after_the_session_that_passes_its_byte_bound<F: Fixture>() {
    use otas_domain::session::SESSION_OVERHEAD_BYTES;
    use otas_ports::ReadBound;

    let mut stores = TwoAgents::<F>::new();
    let base = at("2026-04-16T14:30:00Z");
    // A JSON string of 1,000 bytes, as every store prints it back.
    let meta = format!("\"{}\"", "x".repeat(998));
    let mut newest_first = Vec::new();
    for n in 0..6_i64 {
        let id = Uuid::new_v4();
        let agent = stores.agent;
        stores
            .fixture
            .insert_session(id, agent, None, base + Duration::seconds(n), &meta);
        newest_first.insert(0, id);
    }
    let query = SessionQuery {
        agent: AgentId::from_uuid(stores.agent),
        order: Order::Desc,
        filter: SessionFilter::default(),
    };
    let row = 1000 + SESSION_OVERHEAD_BYTES;
    let store = stores.fixture.session_store();
    let ids = |sessions: &[otas_domain::Session]| -> Vec<Uuid> {
        sessions.iter().map(|s| *s.id.as_uuid()).collect()
    };

    let two_rows = ReadBound {
        rows: 10,
        bytes: 2 * row,
    };
    let read = store
        .sessions_after(&query, None, two_rows)
        .expect("the store answers");
    let with_summary = store
        .sessions_and_summary(&query, None, two_rows)
        .expect("the store answers");
    let tiny = store
        .sessions_after(&query, None, ReadBound { rows: 10, bytes: 1 })
        .expect("the store answers");
    let by_rows = store
        .sessions_after(&query, None, ReadBound::rows(4))
        .expect("the store answers");

    assert_eq!(ids(&read), newest_first[..3], "two fit, the third passes");
    assert_eq!(ids(&with_summary.sessions), newest_first[..3]);
    assert_eq!(with_summary.summary.count, 6);
    assert_eq!(
        ids(&tiny),
        newest_first[..2],
        "the first alone, and one more"
    );
    assert_eq!(ids(&by_rows), newest_first[..4]);
}
