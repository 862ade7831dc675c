//! `SqliteSessionStore::sessions_after` against a real SQLite file: order, ties,
//! keyset pages, limits, which agent, and every column's round trip.
#![allow(clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{at, Stores};
use otas_domain::{AgentId, AgentKeyId, Order, Session, SessionId, SessionKey, SessionQuery};
use otas_ports::{SessionStore, StoreError};
use otas_sqlite_adapter::test_support::{
    delete_session, insert_agent, insert_agent_key, insert_project, insert_session, insert_user,
};
use uuid::Uuid;

/// An agent of an active project, and a second agent of the same project.
struct World {
    stores: Stores,
    agent: Uuid,
    other_agent: Uuid,
}

impl World {
    fn new() -> Self {
        let mut stores = Stores::new();
        let owner = Uuid::new_v4();
        let project = Uuid::new_v4();
        let agent = Uuid::new_v4();
        let other_agent = Uuid::new_v4();
        let conn = &mut stores.conn;
        insert_user(conn, owner, "owner@example.com");
        insert_project(conn, project, owner, true);
        insert_agent(conn, agent, project, owner, true);
        insert_agent(conn, other_agent, project, owner, true);
        Self {
            stores,
            agent,
            other_agent,
        }
    }

    /// Inserts a session of `agent` with an empty meta and no key.
    fn session(&mut self, agent: Uuid, created_at: DateTime<Utc>) -> Uuid {
        let id = Uuid::new_v4();
        insert_session(&mut self.stores.conn, id, agent, None, created_at, "{}");
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
        self.stores.sessions.sessions_after(&query, after, limit)
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
}

fn ids(sessions: &[Session]) -> Vec<Uuid> {
    sessions.iter().map(|s| *s.id.as_uuid()).collect()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid JSON")
}

#[test]
fn sessions_come_newest_first_with_equal_times_in_descending_id_order() {
    let mut world = World::new();
    let expected = world.sessions_with_ties();

    let listed = world.all(world.agent, Order::Desc);

    let listed: Vec<(DateTime<Utc>, Uuid)> = listed
        .iter()
        .map(|s| (s.created_at.as_datetime(), *s.id.as_uuid()))
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn sessions_created_at_the_exact_same_time_come_in_descending_id_order() {
    let mut world = World::new();
    let time = at("2026-04-16T14:30:00.000001Z");
    let mut expected: Vec<Uuid> = (0..8).map(|_| world.session(world.agent, time)).collect();
    expected.sort_by(|a, b| b.cmp(a));

    let listed = world.all(world.agent, Order::Desc);

    assert_eq!(ids(&listed), expected);
}

#[test]
fn oldest_first_is_the_exact_reverse_of_newest_first() {
    let mut world = World::new();
    world.sessions_with_ties();

    let newest_first = world.all(world.agent, Order::Desc);
    let oldest_first = world.all(world.agent, Order::Asc);

    let mut reversed = ids(&newest_first);
    reversed.reverse();
    assert_eq!(ids(&oldest_first), reversed);
    assert_eq!(oldest_first.len(), 26);
}

#[test]
fn walking_newest_first_pages_returns_every_session_once_in_order() {
    let mut world = World::new();
    let expected: Vec<Uuid> = world
        .sessions_with_ties()
        .into_iter()
        .map(|(_, id)| id)
        .collect();

    for page_size in [1, 2, 3, 7, 25, 26, 27] {
        let walked = world.walk(world.agent, Order::Desc, page_size, expected.len());

        assert_eq!(walked, expected, "pages of {page_size}");
    }
}

#[test]
fn walking_oldest_first_pages_returns_every_session_once_in_order() {
    let mut world = World::new();
    let mut expected: Vec<Uuid> = world
        .sessions_with_ties()
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    expected.reverse();

    for page_size in [1, 2, 3, 7, 25, 26, 27] {
        let walked = world.walk(world.agent, Order::Asc, page_size, expected.len());

        assert_eq!(walked, expected, "pages of {page_size}");
    }
}

#[test]
fn the_page_after_the_last_session_is_empty() {
    let mut world = World::new();
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

#[test]
fn the_next_page_resumes_after_a_session_deleted_since_the_last_page() {
    let mut world = World::new();
    let expected: Vec<Uuid> = world
        .sessions_with_ties()
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let first_page = world.list(world.agent, Order::Desc, None, 3);
    let last = first_page.last().expect("a full first page");
    delete_session(&mut world.stores.conn, *last.id.as_uuid());

    let second_page = world.list(world.agent, Order::Desc, Some(SessionKey::of(last)), 3);

    assert_eq!(ids(&second_page), expected[3..6]);
}

#[test]
fn a_session_created_while_paging_newest_first_does_not_shift_the_next_page() {
    let mut world = World::new();
    let expected: Vec<Uuid> = world
        .sessions_with_ties()
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let first_page = world.list(world.agent, Order::Desc, None, 4);
    let last = SessionKey::of(first_page.last().expect("a full first page"));
    world.session(world.agent, at("2030-01-01T00:00:00Z"));

    let second_page = world.list(world.agent, Order::Desc, Some(last), 4);

    assert_eq!(ids(&second_page), expected[4..8]);
}

#[test]
fn a_page_holds_at_most_limit_sessions_the_first_ones_in_order() {
    let mut world = World::new();
    let expected: Vec<Uuid> = world
        .sessions_with_ties()
        .into_iter()
        .map(|(_, id)| id)
        .collect();

    let five = world.list(world.agent, Order::Desc, None, 5);
    let one = world.list(world.agent, Order::Desc, None, 1);
    let more_than_all = world.list(world.agent, Order::Desc, None, 100);
    let none = world.list(world.agent, Order::Desc, None, 0);
    let no_limit = world.list(world.agent, Order::Desc, None, usize::MAX);

    assert_eq!(ids(&five), expected[..5]);
    assert_eq!(ids(&one), expected[..1]);
    assert_eq!(ids(&more_than_all), expected);
    assert!(none.is_empty());
    assert_eq!(ids(&no_limit), expected);
}

#[test]
fn only_the_requested_agents_sessions_are_listed() {
    let mut world = World::new();
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
    assert!(walked.iter().all(|id| mine.contains(id)));
    assert_eq!(their_listing.len(), 4);
    assert!(their_listing.iter().all(|id| theirs.contains(id)));
}

#[test]
fn an_agent_with_no_sessions_lists_nothing() {
    let mut world = World::new();
    world.session(world.other_agent, at("2026-04-16T14:30:00Z"));

    let newest_first = world.all(world.agent, Order::Desc);
    let oldest_first = world.all(world.agent, Order::Asc);
    let unknown_agent = world.all(Uuid::new_v4(), Order::Desc);

    assert!(newest_first.is_empty());
    assert!(oldest_first.is_empty());
    assert!(unknown_agent.is_empty());
}

#[test]
fn a_session_opened_without_a_key_has_none_and_one_opened_with_a_key_has_that_key() {
    let mut world = World::new();
    let key = Uuid::new_v4();
    insert_agent_key(&mut world.stores.conn, key, world.agent);
    let keyless = Uuid::new_v4();
    let keyed = Uuid::new_v4();
    insert_session(
        &mut world.stores.conn,
        keyless,
        world.agent,
        None,
        at("2026-04-16T14:30:00Z"),
        "{}",
    );
    insert_session(
        &mut world.stores.conn,
        keyed,
        world.agent,
        Some(key),
        at("2026-04-16T14:31:00Z"),
        "{}",
    );

    let listed = world.all(world.agent, Order::Desc);

    assert_eq!(ids(&listed), [keyed, keyless]);
    assert_eq!(listed[0].agent_key_id, Some(AgentKeyId::from_uuid(key)));
    assert_eq!(listed[1].agent_key_id, None);
}

#[test]
fn meta_comes_back_as_the_same_json_value_nested_and_unicode_included() {
    let mut world = World::new();
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
    insert_session(
        &mut world.stores.conn,
        id,
        world.agent,
        None,
        at("2026-04-16T14:30:00Z"),
        text,
    );

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

#[test]
fn an_empty_meta_comes_back_as_an_empty_object() {
    let mut world = World::new();
    world.session(world.agent, at("2026-04-16T14:30:00Z"));

    let listed = world.all(world.agent, Order::Desc);

    assert_eq!(listed.len(), 1);
    assert_eq!(json(listed[0].meta.as_str()), json("{}"));
}

#[test]
fn a_session_whose_meta_is_not_a_json_object_is_a_store_failure() {
    let mut world = World::new();
    insert_session(
        &mut world.stores.conn,
        Uuid::new_v4(),
        world.agent,
        None,
        at("2026-04-16T14:30:00Z"),
        r#"["not", "an", "object"]"#,
    );

    let listed = world.try_list(world.agent, Order::Desc, None, 10);

    assert!(
        matches!(listed, Err(StoreError::Failure(_))),
        "got {listed:?}"
    );
}

#[test]
fn created_at_keeps_its_microseconds_exactly() {
    let mut world = World::new();
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

#[test]
fn created_at_before_the_unix_epoch_keeps_its_microseconds_and_its_place_in_the_order() {
    let mut world = World::new();
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

    let listed: Vec<String> = listed.iter().map(|s| s.created_at.to_string()).collect();
    assert_eq!(
        listed,
        [
            "1900-01-01T00:00:00.000001+00:00",
            "1969-12-31T23:59:59.999999+00:00",
            "1970-01-01T00:00:00.000000+00:00",
            "1970-01-01T00:00:00.000001+00:00",
        ]
    );
}

#[test]
fn created_at_is_stored_as_microseconds_since_the_unix_epoch() {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = BigInt)]
        created_at: i64,
        #[diesel(sql_type = Text)]
        kind: String,
    }
    let mut world = World::new();
    let id = world.session(world.agent, at("2026-04-16T14:30:00.123456Z"));

    let stored: Stored = diesel::sql_query(
        "SELECT created_at, typeof(created_at) AS kind FROM agent_session WHERE id = ?",
    )
    .bind::<Text, _>(id.to_string())
    .get_result(&mut world.stores.conn)
    .expect("the session row");

    assert_eq!(stored.created_at, 1_776_349_800_123_456);
    assert_eq!(stored.kind, "integer");
}

#[test]
fn meta_comes_back_byte_for_byte_as_it_was_written() {
    let mut world = World::new();
    let texts = [
        r#"{}"#,
        r#"{ }"#,
        r#"{"b": 1.50, "a": "é", "n": {"x": [1, {"y": null}]}}"#,
        r#"{"big":12345678901234567890,"small":-0.000,"exp":1E+2,"frac":1.50}"#,
        r#"{"zeta": 1, "alpha": 2, "zeta": 3}"#,
        "{\n  \"title\": \"日本語のセッション\",\n\t\"mood\": \"🦀🚀👍🏽\"\n}",
        r#"{"escaped": "\u00e9 \ud83e\udd80 \"q\" \\ \/ \n", "raw": "é"}"#,
        r#"{"nested": {"deeper": {"deepest": [[], {}, [null, true, false]]}}}"#,
    ];
    let base = at("2026-04-16T14:30:00Z");
    let mut expected = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        let id = Uuid::new_v4();
        let created_at = base + Duration::seconds(i64::try_from(n).expect("a small index"));
        insert_session(
            &mut world.stores.conn,
            id,
            world.agent,
            None,
            created_at,
            text,
        );
        expected.push((id, *text));
    }

    let listed = world.all(world.agent, Order::Asc);

    let listed: Vec<(Uuid, &str)> = listed
        .iter()
        .map(|s| (*s.id.as_uuid(), s.meta.as_str()))
        .collect();
    assert_eq!(listed, expected);
}
