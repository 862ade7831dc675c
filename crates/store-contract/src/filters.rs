//! `SessionStore` with filters: for every filter, `sessions_after` keeps
//! exactly the sessions the reference (`reference::keeps`) accepts, in
//! order, page after page and after any key, and `summarize` counts them and
//! names the newest.

use chrono::{DateTime, Duration, Utc};
use otas_domain::{
    AgentId, MetaFilter, Order, Session, SessionFilter, SessionId, SessionKey, SessionQuery,
    SessionSummary, Timestamp,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::reference::{self, describe, expected, keys, read, summarize, walk};
use crate::support::{at, TwoAgents};
use crate::Fixture;

/// Two agents of one project, the first with a varied set of sessions, and
/// the same sessions as the domain sees them (the reference's input).
struct Seeded<F> {
    stores: TwoAgents<F>,
    agent: Uuid,
    other_agent: Uuid,
    sessions: Vec<Session>,
}

/// The time most sessions are created around.
fn base() -> DateTime<Utc> {
    at("2026-04-16T14:30:00.500000Z")
}

/// Metas covering every scalar kind, keys a SQL builder or a JSON path could
/// trip on, absent keys, nested values, numbers spelled differently, and
/// integers around 2^53, i64 and u64.
///
/// Left to each adapter's own tests, as the stores differ there: U+0000
/// (PostgreSQL cannot store it), and a number beyond 2^53 spelled as a double
/// (a fraction, an exponent, or beyond 64 bits) compared with a different
/// number that has the same double (PostgreSQL compares the decimals
/// exactly; the reference and SQLite compare the doubles). No filter below
/// meets such a pair.
const METAS: &[&str] = &[
    r#"{}"#,
    r#"{"task": "summarize", "n": 512}"#,
    r#"{"task": "summarize", "n": 512.0}"#,
    r#"{"task": "summarize", "n": "512"}"#,
    r#"{"task": "translate", "n": 5.12e2}"#,
    r#"{"task": "translate", "n": 513}"#,
    r#"{"task": "Summarize"}"#,
    r#"{"ratio": 0.25, "neg": -3}"#,
    r#"{"ratio": 0.250, "neg": -3.0}"#,
    r#"{"ratio": "0.25", "neg": "-3"}"#,
    r#"{"ok": true}"#,
    r#"{"ok": false}"#,
    r#"{"ok": "true"}"#,
    r#"{"ok": 1}"#,
    r#"{"x": null}"#,
    r#"{"x": "null"}"#,
    r#"{"x": 0}"#,
    r#"{"x": false}"#,
    r#"{"x": {}}"#,
    r#"{"clé 日本語 🚀": "valeur"}"#,
    r#"{"clé 日本語 🚀": "autre"}"#,
    r#"{"say \"hi\"": "quoted"}"#,
    r#"{"it's": "apostrophe"}"#,
    r#"{"a->b": 1}"#,
    r#"{"a": {"b": 1}}"#,
    r#"{"a": "b", "b": 1}"#,
    r#"{"'; DROP TABLE agent_session; --": 1}"#,
    r#"{"": "empty key"}"#,
    r#"{"s": "line\nbreak \\ \"q\" é"}"#,
    r#"{"s": "line\\nbreak"}"#,
    r#"{"big": 12345678901234}"#,
    r#"{"big": 12345678901235}"#,
    r#"{"list": [1, 2], "n": 512}"#,
    r#"{"a.b": 1}"#,
    r#"{"$": "dollar", "[0]": "bracket"}"#,
    r#"{"$.a": 1, "a[0]": 1}"#,
    r#"{"huge": 12345678901234567890}"#,
    r#"{"huge": 12345678901234567000}"#,
    r#"{"huge": 99999999999999999999}"#,
    r#"{"nul": "a"}"#,
    r#"{"esc\u00e9": "\u00e9t\u00e9"}"#,
    r#"{"edge": 9223372036854775807}"#,
    r#"{"edge": 9223372036854775808}"#,
    r#"{"edge": 18446744073709551615}"#,
    r#"{"neg_huge": -9223372036854775808}"#,
    r#"{"neg_huge": -9223372036854775807}"#,
    r#"{"id53": 9007199254740993}"#,
    r#"{"id53": 9007199254740992.0}"#,
    // Metas UASAM stores though they are no object: no filter matches them.
    r#"[{"task": "summarize"}]"#,
    r#"["task", "summarize"]"#,
    r#""summarize""#,
    "512",
    "null",
    "true",
];

impl<F: Fixture> Seeded<F> {
    /// The seeded world.
    fn new() -> Self {
        let mut world = Self::empty();
        world.seed();
        world
    }

    /// The two agents, without a session.
    fn empty() -> Self {
        let stores = TwoAgents::new();
        Self {
            agent: stores.agent,
            other_agent: stores.other_agent,
            stores,
            sessions: Vec::new(),
        }
    }

    /// Each meta at several times, most of them shared (ties broken by id),
    /// some a single microsecond apart; the other agent gets look-alikes.
    fn seed(&mut self) {
        let offsets = [
            Duration::zero(),
            Duration::microseconds(1),
            -Duration::microseconds(1),
            Duration::hours(1),
            -Duration::days(1),
        ];
        for (n, meta) in METAS.iter().enumerate() {
            for (k, offset) in offsets.iter().enumerate() {
                // Not every meta at every time, so that times and metas mix.
                if (n + k) % 3 == 0 && k != 0 {
                    continue;
                }
                self.insert(self.agent, base() + *offset, meta);
            }
            self.insert(self.other_agent, base() + Duration::hours(2), meta);
        }
    }

    /// Inserts a session without a key; the reference learns of it when it
    /// is one of `self.agent`'s.
    fn insert(&mut self, agent: Uuid, created_at: DateTime<Utc>, meta: &str) -> Session {
        let id = Uuid::new_v4();
        self.stores
            .fixture
            .insert_session(id, agent, None, created_at, meta);
        let session = reference::session(id, created_at, meta);
        if agent == self.agent {
            self.sessions.push(session.clone());
        }
        session
    }

    /// What the reference keeps, in the query's order.
    fn expected(&self, query: &SessionQuery) -> Vec<SessionKey> {
        expected(&self.sessions, query)
    }

    fn read(&self, query: &SessionQuery, after: Option<SessionKey>, limit: usize) -> Vec<Session> {
        read(self.stores.fixture.session_store(), query, after, limit)
    }

    /// Every page of `size` from the start, each after the previous page's last key.
    fn walk(&self, query: &SessionQuery, size: usize) -> Vec<SessionKey> {
        walk(
            self.stores.fixture.session_store(),
            query,
            size,
            self.sessions.len(),
        )
    }

    fn summarize(&self, query: &SessionQuery) -> SessionSummary {
        summarize(self.stores.fixture.session_store(), query)
    }
}

fn meta(value: Value) -> MetaFilter {
    MetaFilter::from_object(value).expect("an object of scalars")
}

fn query(agent: Uuid, order: Order, filter: SessionFilter) -> SessionQuery {
    SessionQuery {
        agent: AgentId::from_uuid(agent),
        order,
        filter,
    }
}

fn after(t: DateTime<Utc>) -> SessionFilter {
    SessionFilter {
        created_after: Some(Timestamp::new(t)),
        ..SessionFilter::default()
    }
}

fn before(t: DateTime<Utc>) -> SessionFilter {
    SessionFilter {
        created_before: Some(Timestamp::new(t)),
        ..SessionFilter::default()
    }
}

fn with_meta(value: Value) -> SessionFilter {
    SessionFilter {
        meta: meta(value),
        ..SessionFilter::default()
    }
}

const NOTHING: SessionSummary = SessionSummary {
    count: 0,
    newest: None,
};

/// The filters every test runs through: time bounds (on and around the
/// sessions' exact times), every scalar kind, keys a SQL builder or a JSON
/// path could get wrong, numbers around 2^53, i64 and u64, several keys, and
/// filters mixed with time bounds.
fn filters() -> Vec<SessionFilter> {
    let b = base();
    vec![
        SessionFilter::default(),
        after(b),
        after(b - Duration::microseconds(1)),
        before(b),
        before(b + Duration::microseconds(1)),
        SessionFilter {
            created_after: Some(Timestamp::new(b - Duration::microseconds(1))),
            created_before: Some(Timestamp::new(b + Duration::microseconds(1))),
            ..SessionFilter::default()
        },
        SessionFilter {
            created_after: Some(Timestamp::new(b)),
            created_before: Some(Timestamp::new(b)),
            ..SessionFilter::default()
        },
        SessionFilter {
            created_after: Some(Timestamp::new(b + Duration::hours(1))),
            created_before: Some(Timestamp::new(b - Duration::days(1))),
            ..SessionFilter::default()
        },
        with_meta(json!({})),
        with_meta(json!({"task": "summarize"})),
        with_meta(json!({"n": 512})),
        with_meta(json!({"n": 512.0})),
        with_meta(json!({"n": "512"})),
        with_meta(json!({"n": 513})),
        with_meta(json!({"ratio": 0.25})),
        with_meta(json!({"ratio": "0.25"})),
        with_meta(json!({"neg": -3})),
        with_meta(json!({"ok": true})),
        with_meta(json!({"ok": false})),
        with_meta(json!({"ok": "true"})),
        with_meta(json!({"x": null})),
        with_meta(json!({"x": false})),
        with_meta(json!({"x": 0})),
        with_meta(json!({"clé 日本語 🚀": "valeur"})),
        with_meta(json!({"say \"hi\"": "quoted"})),
        with_meta(json!({"it's": "apostrophe"})),
        with_meta(json!({"a->b": 1})),
        with_meta(json!({"a": "b"})),
        with_meta(json!({"'; DROP TABLE agent_session; --": 1})),
        with_meta(json!({"": "empty key"})),
        with_meta(json!({"s": "line\nbreak \\ \"q\" é"})),
        with_meta(json!({"s": "line\\nbreak"})),
        with_meta(json!({"big": 12345678901234_i64})),
        with_meta(json!({"task": "summarize", "n": 512})),
        with_meta(json!({"n": 512, "task": "translate"})),
        with_meta(json!({"missing": 1})),
        with_meta(json!({"a.b": 1})),
        with_meta(json!({"$": "dollar"})),
        with_meta(json!({"[0]": "bracket"})),
        with_meta(json!({"$.a": 1})),
        with_meta(json!({"a[0]": 1})),
        with_meta(json!({"nul": "a"})),
        with_meta(json!({"esc\u{e9}": "été"})),
        with_meta(json!({"huge": 12_345_678_901_234_567_890_u64})),
        with_meta(json!({"edge": 9_223_372_036_854_775_807_i64})),
        with_meta(json!({"edge": 9_223_372_036_854_775_808_u64})),
        with_meta(json!({"edge": 18_446_744_073_709_551_615_u64})),
        with_meta(json!({"neg_huge": i64::MIN})),
        with_meta(json!({"id53": 9_007_199_254_740_992_i64})),
        SessionFilter {
            created_after: Some(Timestamp::new(b - Duration::microseconds(1))),
            created_before: Some(Timestamp::new(b + Duration::hours(1))),
            meta: meta(json!({"n": 512})),
        },
        SessionFilter {
            created_before: Some(Timestamp::new(b)),
            meta: meta(json!({"ok": true})),
            ..SessionFilter::default()
        },
    ]
}

/// Every filter, both orders, one page: exactly the reference's sessions.
pub fn the_store_keeps_exactly_the_sessions_the_reference_keeps_in_order<F: Fixture>() {
    let world = Seeded::<F>::new();

    for order in [Order::Desc, Order::Asc] {
        for filter in filters() {
            let query = query(world.agent, order, filter);
            let expected = world.expected(&query);

            let listed = keys(&world.read(&query, None, 1_000));

            assert_eq!(listed, expected, "{}", describe(&query));
        }
    }
}

/// Guards the other tests: a filter that keeps all or nothing proves little.
pub fn every_filter_but_the_trivial_ones_keeps_some_sessions_and_drops_others<F: Fixture>() {
    let world = Seeded::<F>::new();
    let total = world.sessions.len();

    let kept: Vec<(usize, String)> = filters()
        .into_iter()
        .map(|filter| query(world.agent, Order::Desc, filter))
        .map(|q| (world.expected(&q).len(), describe(&q)))
        .collect();

    let keeping_all: Vec<&String> = kept
        .iter()
        .filter(|(n, _)| *n == total)
        .map(|(_, d)| d)
        .collect();
    let keeping_none: Vec<&String> = kept
        .iter()
        .filter(|(n, _)| *n == 0)
        .map(|(_, d)| d)
        .collect();
    // No filter (`{}` drops the metas that are no object); the two empty
    // time windows and the missing key.
    assert_eq!(keeping_all.len(), 1, "{keeping_all:#?}");
    assert_eq!(keeping_none.len(), 3, "{keeping_none:#?}");
}

/// Every filter, both orders, pages of 1, 3 and 7: the reference's
/// sessions, each once, in order.
pub fn walking_filtered_pages_returns_the_reference_sessions_once_each_in_order<F: Fixture>() {
    let world = Seeded::<F>::new();

    for order in [Order::Desc, Order::Asc] {
        for filter in filters() {
            let query = query(world.agent, order, filter);
            let expected = world.expected(&query);

            for size in reference::WALK_PAGE_SIZES {
                let walked = world.walk(&query, size);

                assert_eq!(walked, expected, "pages of {size}, {}", describe(&query));
            }
        }
    }
}

/// After any key (a listed session's, or one no session has, inside or
/// outside the time bounds), a page is the reference's sessions beyond it.
pub fn a_page_after_any_key_even_one_outside_the_time_bounds_is_the_reference_after_that_key<
    F: Fixture,
>() {
    let world = Seeded::<F>::new();
    let b = base();
    let far = |t: DateTime<Utc>| SessionKey {
        created_at: Timestamp::new(t),
        id: SessionId::from_uuid(Uuid::nil()),
    };
    let mut keys_to_start_after: Vec<SessionKey> = world
        .sessions
        .iter()
        .map(SessionKey::of)
        .step_by(7)
        .collect();
    keys_to_start_after.extend([
        far(b - Duration::days(30)),
        far(b + Duration::days(30)),
        far(b),
        far(b + Duration::microseconds(1)),
        far(b - Duration::microseconds(1)),
    ]);

    for order in [Order::Desc, Order::Asc] {
        for filter in filters() {
            let query = query(world.agent, order, filter);
            let expected = world.expected(&query);
            for key in &keys_to_start_after {
                let beyond: Vec<SessionKey> = expected
                    .iter()
                    .copied()
                    .filter(|k| match order {
                        Order::Desc => k < key,
                        Order::Asc => k > key,
                    })
                    .collect();

                let listed = keys(&world.read(&query, Some(*key), 1_000));

                assert_eq!(listed, beyond, "after {key:?}, {}", describe(&query));
            }
        }
    }
}

/// Every filter, both orders: the count of the reference's sessions and the
/// newest of them.
pub fn summarize_counts_the_reference_sessions_and_names_the_newest<F: Fixture>() {
    let world = Seeded::<F>::new();

    for order in [Order::Desc, Order::Asc] {
        for filter in filters() {
            let query = query(world.agent, order, filter);

            let summary = world.summarize(&query);

            assert_eq!(
                summary,
                reference::expected_summary(&world.sessions, &query),
                "{}",
                describe(&query)
            );
        }
    }
}

/// No session kept: a count of 0, no newest, an empty page.
pub fn an_agent_without_a_matching_session_summarizes_to_zero_and_no_newest<F: Fixture>() {
    let world = Seeded::<F>::new();

    // No sessions at all, whatever the filter.
    let empty_agent = Uuid::new_v4();
    for filter in filters() {
        let query = query(empty_agent, Order::Desc, filter);
        assert_eq!(world.summarize(&query), NOTHING, "{}", describe(&query));
        assert!(world.read(&query, None, 10).is_empty());
    }
    // Sessions, but none the filter keeps (the other agent has matching ones).
    for filter in [
        with_meta(json!({"missing": 1})),
        with_meta(json!({"n": 512, "task": "Summarize"})),
        after(base() + Duration::hours(1)),
        before(base() - Duration::days(1)),
    ] {
        let query = query(world.agent, Order::Asc, filter);
        assert_eq!(world.summarize(&query), NOTHING, "{}", describe(&query));
        assert!(world.read(&query, None, 10).is_empty());
    }
}

/// A filter never reaches another agent's sessions.
pub fn another_agents_matching_sessions_are_never_listed_or_counted<F: Fixture>() {
    let world = Seeded::<F>::new();
    let filter = with_meta(json!({"task": "summarize"}));
    let theirs = query(world.other_agent, Order::Desc, filter.clone());
    let mine = query(world.agent, Order::Desc, filter);

    let their_summary = world.summarize(&theirs);
    let my_summary = world.summarize(&mine);
    let listed = world.read(&mine, None, 1_000);

    // The other agent has one session per meta, three of them summarizing.
    assert_eq!(their_summary.count, 3);
    assert_eq!(my_summary.count, world.expected(&mine).len() as u64);
    assert!(listed
        .iter()
        .all(|s| world.sessions.iter().any(|mine| mine.id == s.id)));
    assert_ne!(their_summary.newest, my_summary.newest);
}

/// A new matching session is counted, named newest and listed first.
pub fn a_session_added_later_joins_the_filtered_listing_and_its_summary<F: Fixture>() {
    let mut world = Seeded::<F>::new();
    let query = query(world.agent, Order::Desc, with_meta(json!({"n": 512})));
    let before_adding = world.summarize(&query);

    let added = world.insert(
        world.agent,
        base() + Duration::days(3),
        r#"{"n": 512.00, "later": true}"#,
    );
    let after_adding = world.summarize(&query);
    let listed = world.read(&query, None, 1);

    assert_eq!(after_adding.count, before_adding.count + 1);
    assert_eq!(after_adding.newest, Some(SessionKey::of(&added)));
    assert_eq!(listed.first().map(|s| s.id), Some(added.id));
}

/// Two sessions whose ids are 2^53 + 1 and 2^53: distinct JSON numbers, the
/// same f64; and a query for the first.
fn integers_beyond_double_precision<F: Fixture>() -> (Seeded<F>, SessionQuery, Session) {
    let mut world = Seeded::<F>::empty();
    let exact = world.insert(world.agent, base(), r#"{"id": 9007199254740993}"#);
    world.insert(world.agent, base(), r#"{"id": 9007199254740992}"#);
    let query = query(
        world.agent,
        Order::Desc,
        with_meta(json!({"id": 9_007_199_254_740_993_u64})),
    );
    (world, query, exact)
}

/// 2^53 + 1 matches 2^53 + 1 only, never 2^53 (the same double).
pub fn the_store_matches_integers_beyond_double_precision_only_when_exactly_equal<F: Fixture>() {
    let (world, query, exact) = integers_beyond_double_precision::<F>();

    let listed = world.read(&query, None, 10);
    let summary = world.summarize(&query);

    assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), [exact.id]);
    assert_eq!(summary.count, 1);
}

/// The reference the other tests trust tells 2^53 + 1 from 2^53 too.
pub fn the_reference_matches_integers_beyond_double_precision_only_when_exactly_equal<
    F: Fixture,
>() {
    let (world, query, exact) = integers_beyond_double_precision::<F>();

    let kept = world.expected(&query);

    assert_eq!(kept, [SessionKey::of(&exact)]);
}

/// An integer beyond i64 is compared exactly whatever its key's spelling
/// (quotes, backslashes, JSON path syntax, unicode, the empty key).
pub fn an_integer_beyond_i64_is_read_exactly_under_any_key<F: Fixture>() {
    let mut world = Seeded::<F>::new();
    let keys_to_try = [
        "say \"hi\"",
        "back\\slash",
        "a.b",
        "$.x",
        "tab\tnewline\n",
        "clé 日本語 🚀",
        "",
    ];
    let mut exact = Vec::new();
    for key in keys_to_try {
        let spelled = |n: &str| format!("{{{}: {n}}}", Value::String(key.to_owned()));
        exact.push(world.insert(world.agent, base(), &spelled("12345678901234567890")));
        world.insert(world.agent, base(), &spelled("12345678901234567000"));
    }

    for (key, exact) in keys_to_try.iter().zip(&exact) {
        let mut filter = serde_json::Map::new();
        filter.insert((*key).to_owned(), json!(12_345_678_901_234_567_890_u64));
        let query = query(world.agent, Order::Desc, with_meta(Value::Object(filter)));

        let listed = keys(&world.read(&query, None, 1_000));

        assert_eq!(listed, [SessionKey::of(exact)], "{key:?}");
        assert_eq!(listed, world.expected(&query), "{key:?}");
    }
}

/// A filter whose key or string value holds U+0000 matches no stored meta
/// here (none holds the character): the store answers, with nothing.
pub fn a_meta_filter_holding_a_nul_character_keeps_nothing_rather_than_failing<F: Fixture>() {
    let world = Seeded::<F>::new();

    for filter in [
        json!({"a\u{0}b": 1}),
        json!({"s": "a\u{0}b"}),
        json!({"nul": "a\u{0}"}),
        json!({"task": "summarize", "k\u{0}": 1}),
    ] {
        for order in [Order::Desc, Order::Asc] {
            let query = query(world.agent, order, with_meta(filter.clone()));

            let listed = world.stores.fixture.session_store().sessions_after(
                &query,
                None,
                otas_ports::ReadBound::rows(10),
            );
            let summary = world.stores.fixture.session_store().summarize(&query);

            assert_eq!(listed, Ok(Vec::new()), "{}", describe(&query));
            assert_eq!(summary, Ok(NOTHING), "{}", describe(&query));
            assert!(world.expected(&query).is_empty(), "{}", describe(&query));
        }
    }
}

/// `a.b` names the member "a.b", never `a` then `b`; `$.a` likewise.
pub fn a_meta_filter_key_is_a_member_name_never_a_json_path<F: Fixture>() {
    let world = Seeded::<F>::new();
    let flat = query(world.agent, Order::Asc, with_meta(json!({"a.b": 1})));
    let dollar = query(world.agent, Order::Asc, with_meta(json!({"$.a": 1})));

    let flat_listed = world.read(&flat, None, 1_000);
    let dollar_listed = world.read(&dollar, None, 1_000);

    // `{"a": {"b": 1}}` has no member "a.b", and no session has "a" = 1.
    let value = |s: &Session| -> Value { serde_json::from_str(s.meta.as_str()).expect("JSON") };
    assert!(!flat_listed.is_empty());
    assert!(flat_listed.iter().all(|s| value(s) == json!({"a.b": 1})));
    assert!(!dollar_listed.is_empty());
    assert!(dollar_listed
        .iter()
        .all(|s| value(s) == json!({"$.a": 1, "a[0]": 1})));
    assert_eq!(keys(&flat_listed), world.expected(&flat));
    assert_eq!(keys(&dollar_listed), world.expected(&dollar));
}

/// `{"dup": 1, "dup": 2}` is `{"dup": 2}` for the store as for the reference.
pub fn a_key_written_twice_counts_with_its_last_value_as_the_reference_does<F: Fixture>() {
    let mut world = Seeded::<F>::new();
    let numbers = world.insert(world.agent, base(), r#"{"dup": 1, "dup": 2}"#);
    let mixed = world.insert(world.agent, base(), r#"{"dup": "x", "dup": null}"#);

    for (filter, kept) in [
        (json!({"dup": 1}), vec![]),
        (json!({"dup": 2}), vec![SessionKey::of(&numbers)]),
        (json!({"dup": "x"}), vec![]),
        (json!({"dup": null}), vec![SessionKey::of(&mixed)]),
    ] {
        let query = query(world.agent, Order::Desc, with_meta(filter));

        let listed = keys(&world.read(&query, None, 1_000));

        assert_eq!(listed, kept, "{}", describe(&query));
        assert_eq!(listed, world.expected(&query), "{}", describe(&query));
    }
}

/// A session whose `meta` is an array, a string or a number is listed, but
/// no `meta` filter matches it, not even `{}` or one its members would.
pub fn a_meta_filter_matches_object_metas_only<F: Fixture>() {
    let mut world = Seeded::<F>::empty();
    let object = world.insert(world.agent, base(), r#"{"task": "summarize", "n": 1}"#);
    for odd in [
        r#"[{"task": "summarize", "n": 1}]"#,
        r#"["task", "summarize"]"#,
        r#"{"task": ["summarize"], "n": [1]}"#,
        r#""summarize""#,
        "1",
        "null",
    ] {
        world.insert(world.agent, base(), odd);
    }

    for filter in [
        json!({"task": "summarize"}),
        json!({"n": 1}),
        json!({"0": "task"}),
    ] {
        let query = query(world.agent, Order::Desc, with_meta(filter));

        let listed = keys(&world.read(&query, None, 1_000));

        let expected = match query.filter.meta.pairs()[0].0.as_str() {
            "0" => vec![],
            _ => vec![SessionKey::of(&object)],
        };
        assert_eq!(listed, expected, "{}", describe(&query));
        assert_eq!(listed, world.expected(&query), "{}", describe(&query));
        assert_eq!(world.summarize(&query).count, expected.len() as u64);
    }
    let everything = query(world.agent, Order::Desc, SessionFilter::default());
    assert_eq!(world.read(&everything, None, 1_000).len(), 7);
}
