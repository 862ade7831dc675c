//! What only the SQLite adapter is tested for, beyond the store contract
//! (tests/contract.rs): how it stores times and `meta`, and the cases where
//! the databases differ, which SQLite answers as the domain's reference does:
//! U+0000 in `meta` (SQLite text holds it, PostgreSQL's jsonb cannot), and
//! numbers beyond 2^53 spelled as doubles (SQLite compares them as doubles,
//! as the reference does; PostgreSQL compares the decimals exactly).
#![allow(clippy::expect_used, clippy::unwrap_used)] // Test code: a failed expectation is a failed test.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{at, Fixture, Stores};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use otas_domain::{AgentId, MetaFilter, Order, Session, SessionFilter, SessionKey, SessionQuery};
use otas_store_contract::reference::{self, assert_store_agrees, describe, keys, read};
use serde_json::{json, Value};
use uuid::Uuid;

/// An agent of an active project with the given metas, each at a few times
/// (two of them equal), another agent with the same metas, and the first
/// agent's sessions as the domain sees them.
struct OneAgent {
    stores: Stores,
    agent: Uuid,
    sessions: Vec<Session>,
}

impl OneAgent {
    fn new(metas: &[&str]) -> Self {
        let mut stores = Stores::migrated();
        let owner = Uuid::new_v4();
        let project = Uuid::new_v4();
        let agent = Uuid::new_v4();
        let other_agent = Uuid::new_v4();
        stores.insert_user(owner, "owner@example.com");
        stores.insert_project(project, owner, true);
        stores.insert_agent(agent, project, owner, true);
        stores.insert_agent(other_agent, project, owner, true);
        let mut world = Self {
            stores,
            agent,
            sessions: Vec::new(),
        };
        let base = base();
        for meta in metas {
            for created_at in [
                base,
                base,
                base + Duration::microseconds(1),
                base - Duration::days(1),
            ] {
                world.insert(agent, created_at, meta);
            }
            world.insert(other_agent, base + Duration::hours(2), meta);
        }
        world
    }

    fn insert(&mut self, agent: Uuid, created_at: DateTime<Utc>, meta: &str) -> Session {
        let id = Uuid::new_v4();
        self.stores
            .insert_session(id, agent, None, created_at, meta);
        let session = reference::session(id, created_at, meta);
        if agent == self.agent {
            self.sessions.push(session.clone());
        }
        session
    }

    fn query(&self, order: Order, filter: Value) -> SessionQuery {
        SessionQuery {
            agent: AgentId::from_uuid(self.agent),
            order,
            filter: SessionFilter {
                meta: MetaFilter::from_object(filter).expect("an object of scalars"),
                ..SessionFilter::default()
            },
        }
    }

    /// The metas (as written) of the sessions the reference keeps.
    fn reference_metas(&self, query: &SessionQuery) -> Vec<&str> {
        let mut metas: Vec<&str> = self
            .sessions
            .iter()
            .filter(|s| reference::keeps(query, s))
            .map(|s| s.meta.as_str())
            .collect();
        metas.sort_unstable();
        metas.dedup();
        metas
    }
}

fn base() -> DateTime<Utc> {
    at("2026-04-16T14:30:00.500000Z")
}

#[test]
fn created_at_is_stored_as_microseconds_since_the_unix_epoch() {
    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = BigInt)]
        created_at: i64,
        #[diesel(sql_type = Text)]
        kind: String,
    }
    let mut world = OneAgent::new(&[]);
    let id = world
        .insert(world.agent, at("2026-04-16T14:30:00.123456Z"), "{}")
        .id;

    let stored: Stored = diesel::sql_query(
        "SELECT created_at, typeof(created_at) AS kind FROM agent_session WHERE id = ?",
    )
    .bind::<Text, _>(id.to_string())
    .get_result(&mut world.stores.db.connect())
    .expect("the session row");

    assert_eq!(stored.created_at, 1_776_349_800_123_456);
    assert_eq!(stored.kind, "integer");
}

#[test]
fn meta_comes_back_byte_for_byte_as_it_was_written() {
    // PostgreSQL's jsonb gives back its own spelling; the contract compares values.
    let mut world = OneAgent::new(&[]);
    let texts = [
        r#"{}"#,
        r#"{ }"#,
        r#"{"b": 1.50, "a": "é", "n": {"x": [1, {"y": null}]}}"#,
        r#"{"big":12345678901234567890,"small":-0.000,"exp":1E+2,"frac":1.50}"#,
        r#"{"zeta": 1, "alpha": 2, "zeta": 3}"#,
        "{\n  \"title\": \"日本語のセッション\",\n\t\"mood\": \"🦀🚀👍🏽\"\n}",
        r#"{"escaped": "\u00e9 \ud83e\udd80 \"q\" \\ \/ \n", "raw": "é"}"#,
        r#"{"nested": {"deeper": {"deepest": [[], {}, [null, true, false]]}}}"#,
        r#"{"nul": "a\u0000b", "k\u0000": 1}"#,
    ];
    let mut expected = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        let created_at = base() + Duration::seconds(i64::try_from(n).expect("a small index"));
        let session = world.insert(world.agent, created_at, text);
        expected.push((*session.id.as_uuid(), *text));
    }

    let listed = read(
        &world.stores.sessions,
        &world.query(Order::Asc, json!({})),
        None,
        1_000,
    );

    let listed: Vec<(Uuid, &str)> = listed
        .iter()
        .map(|s| (*s.id.as_uuid(), s.meta.as_str()))
        .collect();
    assert_eq!(listed, expected);
}

/// Metas holding U+0000 in a key or a string value, and look-alikes without it.
const NUL_METAS: &[&str] = &[
    r#"{"nul": "a\u0000b", "k\u0000": 1}"#,
    r#"{"nul": "a"}"#,
    r#"{"nul": "ab", "k": 1}"#,
    r#"{"s": "a\u0000b"}"#,
    r#"{"s": "a"}"#,
    r#"{"a\u0000b": 1}"#,
    r#"{"ab": 1}"#,
];

#[test]
fn a_meta_filter_holding_a_nul_character_keeps_the_reference_sessions_rather_than_failing() {
    // The contract only checks that such a filter keeps nothing where no meta
    // holds the character; SQLite stores it, and matches it like any other.
    let world = OneAgent::new(NUL_METAS);

    for filter in [
        json!({"a\u{0}b": 1}),
        json!({"s": "a\u{0}b"}),
        json!({"nul": "a\u{0}b"}),
        json!({"nul": "a"}),
        json!({"k\u{0}": 1}),
        json!({"k": 1}),
        json!({"nul": "a\u{0}b", "k\u{0}": 1}),
        json!({"nul": "a\u{0}"}),
        json!({"nul": "ab"}),
        json!({"s": "a"}),
        json!({"ab": 1}),
        json!({"missing": 1}),
        json!({}),
    ] {
        for order in [Order::Desc, Order::Asc] {
            let query = world.query(order, filter.clone());

            assert_store_agrees(&world.stores.sessions, &world.sessions, &query);
        }
    }
    // Guards the loop above: the filters with U+0000 do keep sessions.
    let kept = world.reference_metas(&world.query(Order::Desc, json!({"k\u{0}": 1})));
    assert_eq!(kept, [r#"{"nul": "a\u0000b", "k\u0000": 1}"#]);
    let kept = world.reference_metas(&world.query(Order::Desc, json!({"s": "a\u{0}b"})));
    assert_eq!(kept, [r#"{"s": "a\u0000b"}"#]);
}

#[test]
fn an_integer_beyond_i64_is_read_exactly_under_a_key_holding_a_nul_character() {
    // The contract tries every other kind of key.
    let mut world = OneAgent::new(NUL_METAS);
    let key = "tab\tnul\u{0}";
    let spelled = |n: &str| format!("{{{}: {n}}}", Value::String(key.to_owned()));
    let exact = world.insert(world.agent, base(), &spelled("12345678901234567890"));
    world.insert(world.agent, base(), &spelled("12345678901234567000"));
    let mut filter = serde_json::Map::new();
    filter.insert(key.to_owned(), json!(12_345_678_901_234_567_890_u64));
    let query = world.query(Order::Desc, Value::Object(filter));

    let listed = keys(&read(&world.stores.sessions, &query, None, 1_000));

    assert_eq!(listed, [SessionKey::of(&exact)]);
    assert_eq!(listed, reference::expected(&world.sessions, &query));
}

/// Numbers beyond 2^53, each next to a different number with the same
/// double: one spelled as an integer, the other as a double (a fraction, an
/// exponent, or an integer beyond 64 bits, which JSON parsers read as one).
const DOUBLE_METAS: &[&str] = &[
    r#"{"huge": 12345678901234567890}"#,
    r#"{"huge": 1.2345678901234567e19}"#,
    r#"{"huge": 12345678901234567000}"#,
    r#"{"edge": 18446744073709551615}"#,
    r#"{"edge": 18446744073709551616}"#,
    r#"{"edge": 9223372036854775807}"#,
    r#"{"edge": 9.223372036854776e18}"#,
    r#"{"neg_huge": -9223372036854775808}"#,
    r#"{"neg_huge": -9223372036854775809}"#,
    r#"{"id53": 9007199254740993}"#,
    r#"{"id53": 9007199254740992.0}"#,
];

/// Filters meeting those pairs, and the metas the reference keeps for each.
fn double_cases() -> Vec<(Value, Vec<&'static str>)> {
    vec![
        (
            json!({"huge": 12_345_678_901_234_567_890_u64}),
            vec![
                r#"{"huge": 1.2345678901234567e19}"#,
                r#"{"huge": 12345678901234567890}"#,
            ],
        ),
        (
            json!({"huge": 1.234_567_890_123_456_7e19}),
            vec![
                r#"{"huge": 1.2345678901234567e19}"#,
                r#"{"huge": 12345678901234567000}"#,
                r#"{"huge": 12345678901234567890}"#,
            ],
        ),
        (
            json!({"edge": u64::MAX}),
            vec![
                r#"{"edge": 18446744073709551615}"#,
                r#"{"edge": 18446744073709551616}"#,
            ],
        ),
        (
            json!({"edge": i64::MAX}),
            vec![
                r#"{"edge": 9.223372036854776e18}"#,
                r#"{"edge": 9223372036854775807}"#,
            ],
        ),
        (
            json!({"edge": 9.223_372_036_854_776e18}),
            vec![
                r#"{"edge": 9.223372036854776e18}"#,
                r#"{"edge": 9223372036854775807}"#,
            ],
        ),
        (
            json!({"neg_huge": i64::MIN}),
            vec![
                r#"{"neg_huge": -9223372036854775808}"#,
                r#"{"neg_huge": -9223372036854775809}"#,
            ],
        ),
        (
            json!({"id53": 9_007_199_254_740_993_i64}),
            vec![
                r#"{"id53": 9007199254740992.0}"#,
                r#"{"id53": 9007199254740993}"#,
            ],
        ),
        (
            json!({"id53": 9_007_199_254_740_992.0}),
            vec![
                r#"{"id53": 9007199254740992.0}"#,
                r#"{"id53": 9007199254740993}"#,
            ],
        ),
    ]
}

#[test]
fn a_number_beyond_2_53_spelled_as_a_double_matches_by_double_as_the_reference_does() {
    // PostgreSQL differs here: it compares the decimals exactly.
    let world = OneAgent::new(DOUBLE_METAS);

    for (filter, reference_keeps) in double_cases() {
        for order in [Order::Desc, Order::Asc] {
            let query = world.query(order, filter.clone());

            assert_eq!(
                world.reference_metas(&query),
                reference_keeps,
                "{}",
                describe(&query)
            );
            assert_store_agrees(&world.stores.sessions, &world.sessions, &query);
        }
    }
}

#[test]
fn integers_beyond_i64_match_exactly_and_doubles_by_value_as_the_reference_does() {
    // SQLite holds a double for an integer beyond i64: the store reads the
    // member's text to tell 12345678901234567890 from 12345678901234567000
    // (the same double), and 1.2345678901234567e19 equals it as a double.
    let world = OneAgent::new(DOUBLE_METAS);
    let query = world.query(Order::Desc, json!({"huge": 12_345_678_901_234_567_890_u64}));

    let listed = read(&world.stores.sessions, &query, None, 1_000);

    let metas: std::collections::BTreeSet<&str> = listed.iter().map(|s| s.meta.as_str()).collect();
    assert_eq!(
        metas.into_iter().collect::<Vec<_>>(),
        [
            r#"{"huge": 1.2345678901234567e19}"#,
            r#"{"huge": 12345678901234567890}"#,
        ]
    );
    assert_eq!(keys(&listed), reference::expected(&world.sessions, &query));
}
