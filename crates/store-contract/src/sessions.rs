//! `SessionStore::sessions_after` without filters: the total order on
//! (`created_at`, `id`) with its ties, both directions, keyset pages of every
//! size (also while sessions come and go), limits, which agent, and every
//! column's round trip.

use chrono::{DateTime, Duration, Utc};
use otas_domain::{AgentId, AgentKeyId, Order, Session, SessionId, SessionKey, SessionQuery};
use otas_ports::StoreError;
use serde_json::Value;
use uuid::Uuid;

use crate::support::{at, TwoAgents};
use crate::Fixture;

/// Two agents of one active project, and a way to list their sessions.
struct Agents<F> {
    stores: TwoAgents<F>,
    agent: Uuid,
    other_agent: Uuid,
}

impl<F: Fixture> Agents<F> {
    fn new() -> Self {
        let stores = TwoAgents::new();
        Self {
            agent: stores.agent,
            other_agent: stores.other_agent,
            stores,
        }
    }

    fn fixture(&mut self) -> &mut F {
        &mut self.stores.fixture
    }

    /// Inserts a session of `agent` with an empty meta and no key.
    fn session(&mut self, agent: Uuid, created_at: DateTime<Utc>) -> Uuid {
        let id = Uuid::new_v4();
        self.fixture()
            .insert_session(id, agent, None, created_at, "{}");
        id
    }

    fn list(
        &self,
        agent: Uuid,
        order: Order,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Vec<Session> {
        self.try_list(agent, order, after, limit)
            .expect("the session store answers")
    }

    fn try_list(
        &self,
        agent: Uuid,
        order: Order,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<Session>, StoreError> {
        let query = SessionQuery {
            agent: AgentId::from_uuid(agent),
            order,
            filter: Default::default(),
        };
        self.stores.fixture.session_store().sessions_after(
            &query,
            after,
            otas_ports::ReadBound::rows(limit),
        )
    }

    /// Every session of `agent` in one page.
    fn all(&self, agent: Uuid, order: Order) -> Vec<Session> {
        self.list(agent, order, None, 1_000)
    }

    /// Walks the listing page by page from the start, each page after the key
    /// of the previous page's last session, until a page comes back empty.
    fn walk(&self, agent: Uuid, order: Order, page_size: usize, total: usize) -> Vec<Uuid> {
        let mut seen = Vec::new();
        let mut after = None;
        for _ in 0..=total + 1 {
            let page = self.list(agent, order, after, page_size);
            assert!(
                page.len() <= page_size,
                "a page of {page_size} held {} sessions",
                page.len()
            );
            let Some(last) = page.last() else {
                return seen;
            };
            if seen.len() + page_size <= total {
                assert_eq!(page.len(), page_size, "a page before the end is full");
            }
            after = Some(SessionKey::of(last));
            seen.extend(page.iter().map(|s| *s.id.as_uuid()));
        }
        panic!("the walk with pages of {page_size} never reached an empty page");
    }

    /// A set of sessions of `self.agent` where most creation times are shared
    /// by several sessions, some apart by a single microsecond, inserted in
    /// neither time nor id order. Returns their (created_at, id), newest first.
    fn sessions_with_ties(&mut self) -> Vec<(DateTime<Utc>, Uuid)> {
        let base = at("2026-04-16T14:30:00.123456Z");
        let times = [
            base,
            base - Duration::days(1),
            base + Duration::microseconds(1),
            base + Duration::seconds(1),
            base - Duration::microseconds(1),
        ];
        let mut expected = Vec::new();
        // 5 times x 5 sessions, interleaved, plus a lone session per time.
        for round in 0..5 {
            for time in times {
                expected.push((time, self.session(self.agent, time)));
            }
            if round == 0 {
                // The other agent has sessions at exactly the same times.
                for time in times {
                    self.session(self.other_agent, time);
                }
            }
        }
        expected.push((
            base + Duration::days(1),
            self.session(self.agent, base + Duration::days(1)),
        ));
        expected.sort_by(|a, b| b.cmp(a));
        expected
    }

    /// The ids of [`Self::sessions_with_ties`], newest first.
    fn ids_with_ties(&mut self) -> Vec<Uuid> {
        self.sessions_with_ties()
            .into_iter()
            .map(|(_, id)| id)
            .collect()
    }
}

fn ids(sessions: &[Session]) -> Vec<Uuid> {
    sessions.iter().map(|s| *s.id.as_uuid()).collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// JSON equality with numbers compared by value, whatever their spelling
/// (`1E+2` equals `100`, `1.50` equals `1.5`, `-0.0` equals `0`), integers
/// exactly whatever their size: a store may print a number its own way.
fn same_json(a: &Value, b: &Value) -> bool {
    fn integer(n: &serde_json::Number) -> Option<i128> {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (integer(x), integer(y)) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| same_json(x, y)))
        }
        _ => a == b,
    }
}

/// Newest first; equal times in descending id order.
pub fn sessions_come_newest_first_with_equal_times_in_descending_id_order<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let expected = world.sessions_with_ties();

    let listed = world.all(world.agent, Order::Desc);

    let listed: Vec<(DateTime<Utc>, Uuid)> = listed
        .iter()
        .map(|s| (s.created_at.as_datetime(), *s.id.as_uuid()))
        .collect();
    assert_eq!(listed, expected);
}

/// Only the id orders sessions created at the very same microsecond.
pub fn sessions_created_at_the_exact_same_time_come_in_descending_id_order<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let time = at("2026-04-16T14:30:00.000001Z");
    let mut expected: Vec<Uuid> = (0..8).map(|_| world.session(world.agent, time)).collect();
    expected.sort_by(|a, b| b.cmp(a));

    let listed = world.all(world.agent, Order::Desc);

    assert_eq!(ids(&listed), expected);
}

/// Oldest first reverses newest first exactly, ties included.
pub fn oldest_first_is_the_exact_reverse_of_newest_first<F: Fixture>() {
    let mut world = Agents::<F>::new();
    world.sessions_with_ties();

    let newest_first = world.all(world.agent, Order::Desc);
    let oldest_first = world.all(world.agent, Order::Asc);

    let mut reversed = ids(&newest_first);
    reversed.reverse();
    assert_eq!(ids(&oldest_first), reversed);
    assert_eq!(oldest_first.len(), 26);
}

/// The page sizes the unfiltered walks use: one, a few, and around the total (26).
const PAGE_SIZES: [usize; 7] = [1, 2, 3, 7, 25, 26, 27];

/// Keyset pages of any size, newest first, return each session once, in order.
pub fn walking_newest_first_pages_returns_every_session_once_in_order<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let expected = world.ids_with_ties();

    for page_size in PAGE_SIZES {
        let walked = world.walk(world.agent, Order::Desc, page_size, expected.len());

        assert_eq!(walked, expected, "pages of {page_size}");
    }
}

/// Keyset pages of any size, oldest first, return each session once, in order.
pub fn walking_oldest_first_pages_returns_every_session_once_in_order<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let mut expected = world.ids_with_ties();
    expected.reverse();

    for page_size in PAGE_SIZES {
        let walked = world.walk(world.agent, Order::Asc, page_size, expected.len());

        assert_eq!(walked, expected, "pages of {page_size}");
    }
}

/// Nothing comes after the last session, in either order.
pub fn the_page_after_the_last_session_is_empty<F: Fixture>() {
    let mut world = Agents::<F>::new();
    world.sessions_with_ties();
    let newest_first = world.all(world.agent, Order::Desc);
    let oldest_first = world.all(world.agent, Order::Asc);

    let after_oldest = world.list(
        world.agent,
        Order::Desc,
        newest_first.last().map(SessionKey::of),
        10,
    );
    let after_newest = world.list(
        world.agent,
        Order::Asc,
        oldest_first.last().map(SessionKey::of),
        10,
    );

    assert!(after_oldest.is_empty());
    assert!(after_newest.is_empty());
}

/// `limit` caps a page, which holds the first sessions in order; 0 gives
/// none and `usize::MAX` all.
pub fn a_page_holds_at_most_limit_sessions_the_first_ones_in_order<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let expected = world.ids_with_ties();
    let mut oldest_first = expected.clone();
    oldest_first.reverse();

    let five = world.list(world.agent, Order::Desc, None, 5);
    let one = world.list(world.agent, Order::Desc, None, 1);
    let more_than_all = world.list(world.agent, Order::Desc, None, 100);
    let none = world.list(world.agent, Order::Desc, None, 0);
    let no_limit = world.list(world.agent, Order::Desc, None, usize::MAX);
    let five_oldest = world.list(world.agent, Order::Asc, None, 5);
    let none_after_a_key = world.list(world.agent, Order::Desc, five.last().map(SessionKey::of), 0);

    assert_eq!(ids(&five), expected[..5]);
    assert_eq!(ids(&one), expected[..1]);
    assert_eq!(ids(&more_than_all), expected);
    assert!(none.is_empty());
    assert_eq!(ids(&no_limit), expected);
    assert_eq!(ids(&five_oldest), oldest_first[..5]);
    assert!(none_after_a_key.is_empty());
}

/// A key stays a position even when its session is gone.
pub fn the_next_page_resumes_after_a_session_deleted_since_the_last_page<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let expected = world.ids_with_ties();
    let first_page = world.list(world.agent, Order::Desc, None, 3);
    let last = first_page.last().expect("a full first page");
    world.fixture().delete_session(*last.id.as_uuid());

    let second_page = world.list(world.agent, Order::Desc, Some(SessionKey::of(last)), 3);

    assert_eq!(ids(&second_page), expected[3..6]);
}

/// A new session lands before the pages already read, newest first.
pub fn a_session_created_while_paging_newest_first_does_not_shift_the_next_page<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let expected = world.ids_with_ties();
    let first_page = world.list(world.agent, Order::Desc, None, 4);
    let last = SessionKey::of(first_page.last().expect("a full first page"));
    world.session(world.agent, at("2030-01-01T00:00:00Z"));

    let second_page = world.list(world.agent, Order::Desc, Some(last), 4);

    assert_eq!(ids(&second_page), expected[4..8]);
}

/// Oldest first, a new session (newest of all) lands after the pages still
/// to read, and one backdated before the key is not read at all.
pub fn a_session_created_while_paging_oldest_first_does_not_shift_the_next_page<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let mut expected = world.ids_with_ties();
    expected.reverse();
    let first_page = world.list(world.agent, Order::Asc, None, 4);
    let last = SessionKey::of(first_page.last().expect("a full first page"));
    let newest = world.session(world.agent, at("2030-01-01T00:00:00Z"));
    world.session(world.agent, at("2000-01-01T00:00:00Z"));

    let second_page = world.list(world.agent, Order::Asc, Some(last), 4);
    let rest = world.list(world.agent, Order::Asc, Some(last), 1_000);

    assert_eq!(ids(&second_page), expected[4..8]);
    let mut rest_expected = expected[4..].to_vec();
    rest_expected.push(newest);
    assert_eq!(ids(&rest), rest_expected);
}

/// Another agent's sessions, even at the same times, are never listed.
pub fn only_the_requested_agents_sessions_are_listed<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let time = at("2026-04-16T14:30:00Z");
    let mine: Vec<Uuid> = (0..3).map(|_| world.session(world.agent, time)).collect();
    let theirs: Vec<Uuid> = (0..4)
        .map(|_| world.session(world.other_agent, time))
        .collect();

    let listed = ids(&world.all(world.agent, Order::Desc));
    let their_listing = ids(&world.all(world.other_agent, Order::Asc));
    let walked = world.walk(world.agent, Order::Desc, 1, 3);

    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|id| mine.contains(id)));
    assert_eq!(walked.len(), 3);
    assert!(walked.iter().all(|id| mine.contains(id)));
    assert_eq!(their_listing.len(), 4);
    assert!(their_listing.iter().all(|id| theirs.contains(id)));
}

/// An agent without sessions, or an unknown one, lists nothing, in either order.
pub fn an_agent_with_no_sessions_lists_nothing<F: Fixture>() {
    let mut world = Agents::<F>::new();
    world.session(world.other_agent, at("2026-04-16T14:30:00Z"));

    let newest_first = world.all(world.agent, Order::Desc);
    let oldest_first = world.all(world.agent, Order::Asc);
    let unknown_agent = world.all(Uuid::new_v4(), Order::Desc);

    assert!(newest_first.is_empty());
    assert!(oldest_first.is_empty());
    assert!(unknown_agent.is_empty());
}

/// `agent_key_id` is `None` without a key and the key's id with one.
pub fn a_session_opened_without_a_key_has_none_and_one_opened_with_a_key_has_that_key<
    F: Fixture,
>() {
    let mut world = Agents::<F>::new();
    let key = Uuid::new_v4();
    let agent = world.agent;
    world.fixture().insert_agent_key(key, agent);
    let keyless = Uuid::new_v4();
    let keyed = Uuid::new_v4();
    world
        .fixture()
        .insert_session(keyless, agent, None, at("2026-04-16T14:30:00Z"), "{}");
    world
        .fixture()
        .insert_session(keyed, agent, Some(key), at("2026-04-16T14:31:00Z"), "{}");

    let listed = world.all(world.agent, Order::Desc);

    assert_eq!(ids(&listed), [keyed, keyless]);
    assert_eq!(listed[0].agent_key_id, Some(AgentKeyId::from_uuid(key)));
    assert_eq!(listed[1].agent_key_id, None);
}

/// `meta` comes back as the JSON value written: every kind of value,
/// nesting, escapes and unicode beyond the basic plane.
pub fn meta_comes_back_as_the_same_json_value_nested_and_unicode_included<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let text = r#"{
        "zeta": "last key first",
        "model":   "claude",
        "max_tokens": 512,
        "temperature": 1.5,
        "negative": -42,
        "big": 12345678901234,
        "stream": true,
        "cached": false,
        "parent": null,
        "name": "é à ç ß",
        "title": "日本語のセッション",
        "mood": "🦀🚀👍🏽",
        "escaped": "quote \" backslash \\ newline \n tab \t nul-free",
        "nested": {"messages": [{"role": "user", "content": ["héllo", 1, 2.25, [true, null, {}]]}],
                   "empty_array": [], "empty_object": {}},
        "matrix": [[1, 2], [3, 4], []]
    }"#;
    let id = Uuid::new_v4();
    let agent = world.agent;
    world
        .fixture()
        .insert_session(id, agent, None, at("2026-04-16T14:30:00Z"), text);

    let listed = world.all(world.agent, Order::Desc);

    assert_eq!(ids(&listed), [id]);
    let meta = json(listed[0].meta.as_str());
    assert_eq!(meta, json(text));
    assert_eq!(meta["title"], "日本語のセッション");
    assert_eq!(meta["mood"], "🦀🚀👍🏽");
    assert_eq!(meta["max_tokens"], 512);
    assert_eq!(meta["temperature"], 1.5);
    assert_eq!(meta["nested"]["messages"][0]["content"][0], "héllo");
}

/// Whatever the spacing, escapes, number spelling or repeated keys (the
/// last one counts), `meta` comes back as an equal JSON value; numbers are
/// equal by value, integers beyond 64 bits exactly. (Whether the text itself
/// survives is for each adapter to say.)
pub fn meta_in_any_spelling_comes_back_as_an_equal_json_value<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let texts = [
        r#"{}"#,
        r#"{ }"#,
        r#"{"b": 1.50, "a": "é", "n": {"x": [1, {"y": null}]}}"#,
        r#"{"big":12345678901234567890,"small":-0.000,"exp":1E+2,"frac":1.50}"#,
        r#"{"zeta": 1, "alpha": 2, "zeta": 3}"#,
        "{\n  \"title\": \"日本語のセッション\",\n\t\"mood\": \"🦀🚀👍🏽\"\n}",
        r#"{"escaped": "\u00e9 \ud83e\udd80 \"q\" \\ \/ \n", "raw": "é"}"#,
        r#"{"nested": {"deeper": {"deepest": [[], {}, [null, true, false]]}}}"#,
        r#"{"neg": -9223372036854775809, "max": 18446744073709551615}"#,
    ];
    let base = at("2026-04-16T14:30:00Z");
    let mut expected = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        let id = Uuid::new_v4();
        let created_at = base + Duration::seconds(i64::try_from(n).expect("a small index"));
        let agent = world.agent;
        world
            .fixture()
            .insert_session(id, agent, None, created_at, text);
        expected.push((id, *text));
    }

    let listed = world.all(world.agent, Order::Asc);

    assert_eq!(
        ids(&listed),
        expected.iter().map(|(id, _)| *id).collect::<Vec<_>>()
    );
    for (session, (_, text)) in listed.iter().zip(&expected) {
        assert!(
            same_json(&json(session.meta.as_str()), &json(text)),
            "{text} came back as {}",
            session.meta.as_str()
        );
    }
    let repeated = json(listed[4].meta.as_str());
    assert_eq!(repeated["zeta"], 3, "{repeated}");
    assert_eq!(
        json(listed[3].meta.as_str())["big"],
        12_345_678_901_234_567_890_u64
    );
}

/// `{}` comes back as `{}`.
pub fn an_empty_meta_comes_back_as_an_empty_object<F: Fixture>() {
    let mut world = Agents::<F>::new();
    world.session(world.agent, at("2026-04-16T14:30:00Z"));

    let listed = world.all(world.agent, Order::Desc);

    assert_eq!(listed.len(), 1);
    assert_eq!(json(listed[0].meta.as_str()), json("{}"));
}

/// UASAM's session creation stores any JSON value as `meta`: each is
/// listed as stored, and none fails the listing of its neighbours.
pub fn a_session_whose_meta_is_any_json_value_is_listed_as_stored<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let agent = world.agent;
    let metas = [
        r#"["not", "an", "object"]"#,
        r#""text""#,
        "5",
        "-0.5",
        "null",
        "true",
        r#"[{"task": "summarize"}]"#,
        r#"{"task": "summarize"}"#,
    ];
    let start = at("2026-04-16T14:30:00Z");
    for (n, meta) in metas.iter().enumerate() {
        let created_at = start + Duration::seconds(n as i64);
        world
            .fixture()
            .insert_session(Uuid::new_v4(), agent, None, created_at, meta);
    }

    let listed = world.all(agent, Order::Asc);

    let listed: Vec<Value> = listed.iter().map(|s| json(s.meta.as_str())).collect();
    let expected: Vec<Value> = metas.iter().map(|m| json(m)).collect();
    assert_eq!(listed, expected);
}

/// Times keep their microseconds and order by them.
pub fn created_at_keeps_its_microseconds_exactly<F: Fixture>() {
    let mut world = Agents::<F>::new();
    let id = world.session(world.agent, at("2026-04-16T14:30:00.123456Z"));
    world.session(world.agent, at("2026-04-16T14:30:00.000001Z"));
    world.session(world.agent, at("2026-04-16T14:30:00Z"));

    let listed = world.all(world.agent, Order::Desc);

    assert_eq!(listed[0].id, SessionId::from_uuid(id));
    let times: Vec<String> = listed.iter().map(|s| s.created_at.to_string()).collect();
    assert_eq!(
        times,
        [
            "2026-04-16T14:30:00.123456+00:00",
            "2026-04-16T14:30:00.000001+00:00",
            "2026-04-16T14:30:00.000000+00:00",
        ]
    );
}

/// Times before 1970 keep their microseconds and their place, also as keys.
pub fn created_at_before_the_unix_epoch_keeps_its_microseconds_and_its_place_in_the_order<
    F: Fixture,
>() {
    let mut world = Agents::<F>::new();
    let times = [
        "1969-12-31T23:59:59.999999Z",
        "1970-01-01T00:00:00Z",
        "1900-01-01T00:00:00.000001Z",
        "1970-01-01T00:00:00.000001Z",
    ];
    for time in times {
        world.session(world.agent, at(time));
    }

    let listed = world.all(world.agent, Order::Asc);
    let after_the_oldest = world.list(
        world.agent,
        Order::Asc,
        listed.first().map(SessionKey::of),
        1,
    );
    let before_the_newest = world.list(
        world.agent,
        Order::Desc,
        listed.last().map(SessionKey::of),
        1,
    );

    let times: Vec<String> = listed.iter().map(|s| s.created_at.to_string()).collect();
    assert_eq!(
        times,
        [
            "1900-01-01T00:00:00.000001+00:00",
            "1969-12-31T23:59:59.999999+00:00",
            "1970-01-01T00:00:00.000000+00:00",
            "1970-01-01T00:00:00.000001+00:00",
        ]
    );
    assert_eq!(ids(&after_the_oldest), ids(&listed[1..2]));
    assert_eq!(ids(&before_the_newest), ids(&listed[2..3]));
}
