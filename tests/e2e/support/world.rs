//! A small UASAM world: two users, their projects, agents and sessions, in a
//! database of the test's own on either store.

use std::cell::RefCell;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use otas_ports::{Row, RowWriter};
use otas_postgres_adapter::test_support::{self as pg, PgFixture};
use otas_postgres_adapter::PgRowWriter;
use otas_sqlite_adapter::test_support::{self as sqlite, SqliteFixture};
use otas_sqlite_adapter::SqliteRowWriter;
use otas_store_contract::{
    agent_key_row, agent_row, membership_row, project_row, session_row, user_row, Fixture,
};
use uuid::Uuid;

/// The fixture tokens' users.
pub const ADA: Uuid = Uuid::from_u128(0x1111_1111_1111_1111_1111_1111_1111_1111);
pub const BOB: Uuid = Uuid::from_u128(0x2222_2222_2222_2222_2222_2222_2222_2222);

/// Ada's project (active membership) and its agents.
pub const PROJECT_A: Uuid = Uuid::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0001);
pub const AGENT_A: Uuid = Uuid::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0a01);
pub const AGENT_A_INACTIVE: Uuid = Uuid::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0a02);
pub const AGENT_A_EMPTY: Uuid = Uuid::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0a03);
pub const KEY_A: Uuid = Uuid::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0c01);

/// Bob's project, of which Ada is not a member, and its agent.
pub const PROJECT_B: Uuid = Uuid::from_u128(0xb000_0000_0000_4000_8000_0000_0000_0001);
pub const AGENT_B: Uuid = Uuid::from_u128(0xb000_0000_0000_4000_8000_0000_0000_0b01);

/// A project Ada was removed from (her mapping is inactive), with an agent.
pub const PROJECT_LEFT: Uuid = Uuid::from_u128(0xc000_0000_0000_4000_8000_0000_0000_0001);
pub const AGENT_LEFT: Uuid = Uuid::from_u128(0xc000_0000_0000_4000_8000_0000_0000_0c01);

/// An inactive project Ada is still an active member of, with an agent.
pub const PROJECT_CLOSED: Uuid = Uuid::from_u128(0xd000_0000_0000_4000_8000_0000_0000_0001);
pub const AGENT_CLOSED: Uuid = Uuid::from_u128(0xd000_0000_0000_4000_8000_0000_0000_0d01);

/// A session time, from seconds and microseconds after 2026-04-16T00:00:00Z.
pub fn at(seconds: i64, micros: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(1_776_297_600 + seconds, micros * 1000).expect("in range")
}

/// 2026-01-01T00:00:00Z, where [`World::many_sessions`] starts, in seconds.
const MANY_SESSIONS_EPOCH: i64 = 1_767_225_600;

/// The store a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Postgres,
    Sqlite,
}

impl Store {
    /// `postgres` or `sqlite`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Sqlite => "sqlite",
        }
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How [`World::many_sessions`] spreads its sessions: session `i` (from 1)
/// has `meta` `{"<meta_key>": i}` and is created `i % period_seconds` seconds
/// after 2026-01-01T00:00:00Z, so that many sessions share each time.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub meta_key: &'static str,
    pub period_seconds: i64,
}

/// A migrated database of the test's own, on one store, with the world's
/// rows, written through the store's own fixture.
pub struct World {
    fixture: RefCell<Box<dyn Fixture>>,
    store: Store,
    url: String,
}

impl World {
    /// A new migrated database on `store`, seeded with the world's rows.
    pub fn new(store: Store) -> Self {
        let mut fixture: Box<dyn Fixture> = match store {
            Store::Postgres => Box::new(PgFixture::migrated()),
            Store::Sqlite => Box::new(SqliteFixture::migrated()),
        };
        fixture.write(&world_rows());
        let url = fixture.database_url();
        Self {
            fixture: RefCell::new(fixture),
            store,
            url,
        }
    }

    /// The store the world is on.
    pub fn store(&self) -> Store {
        self.store
    }

    /// The `DATABASE_URL` the server reaches the world's database with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Writes the world's rows into the migrated database at `url`: a
    /// `postgres://` URL, or a SQLite file as `sqlite://…`, `file:…` or a path.
    pub fn seed_into(url: &str) {
        Self::write_into(url, &world_rows());
    }

    /// Writes `rows` into the migrated database at `url` (as [`World::seed_into`]).
    pub fn write_into(url: &str, rows: &[Row]) {
        let writer: Box<dyn RowWriter> =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                Box::new(PgRowWriter::new(pg::pool(url)))
            } else {
                Box::new(SqliteRowWriter::new(sqlite::pool(url)))
            };
        writer.write(rows).expect("the rows are written");
    }

    /// Adds a session of `agent`; `meta` is JSON text, stored as the store stores it.
    pub fn session(
        &self,
        id: Uuid,
        agent: Uuid,
        key: Option<Uuid>,
        created_at: DateTime<Utc>,
        meta: &str,
    ) {
        self.fixture
            .borrow_mut()
            .insert_session(id, agent, key, created_at, meta);
    }

    /// Writes `rows` in one transaction.
    pub fn write(&self, rows: &[Row]) {
        self.fixture.borrow_mut().write(rows);
    }

    /// Revokes an agent key now.
    pub fn revoke_agent_key(&self, id: Uuid) {
        self.fixture.borrow_mut().revoke_agent_key(id);
    }

    /// Revokes an SDK key now.
    pub fn revoke_sdk_key(&self, id: Uuid) {
        self.fixture.borrow_mut().revoke_sdk_key(id);
    }

    /// The stored agent key with that prefix.
    pub fn agent_key(&self, prefix: &str) -> otas_ports::StoredAgentKey {
        self.fixture
            .borrow()
            .agent_key_store()
            .keys_with_prefixes(&[prefix])
            .expect("the store answers")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no key with prefix {prefix}"))
    }

    /// Deletes a session.
    pub fn delete_session(&self, id: Uuid) {
        self.fixture.borrow_mut().delete_session(id);
    }

    /// A SQLite world whose agent A has 60,000 sessions: far more than the
    /// socket buffers hold, so that a reader that reads nothing stalls its
    /// whole list.
    pub fn with_a_list_too_big_to_buffer() -> Self {
        let world = Self::new(Store::Sqlite);
        world.many_sessions(
            AGENT_A,
            60_000,
            Spread {
                meta_key: "i",
                period_seconds: 6_000,
            },
        );
        world
    }

    /// Adds `count` sessions of `agent` with random ids, spread over times
    /// and numbered in `meta` as `spread` says, a few thousand per transaction.
    pub fn many_sessions(&self, agent: Uuid, count: i64, spread: Spread) {
        let start = DateTime::from_timestamp(MANY_SESSIONS_EPOCH, 0).expect("in range");
        let rows: Vec<Row> = (1..=count)
            .map(|i| {
                let created_at = start + Duration::seconds(i % spread.period_seconds);
                let meta = serde_json::json!({ spread.meta_key: i }).to_string();
                session_row(Uuid::new_v4(), agent, None, created_at, &meta)
            })
            .collect();
        let mut fixture = self.fixture.borrow_mut();
        for chunk in rows.chunks(5_000) {
            fixture.write(chunk);
        }
    }
}

/// The world's rows.
fn world_rows() -> Vec<Row> {
    let mut rows = vec![
        user_row(ADA, "ada@example.com"),
        user_row(BOB, "bob@example.com"),
        project_row(PROJECT_A, ADA, true),
        membership_row(ADA, PROJECT_A, true),
        agent_row(AGENT_A, PROJECT_A, ADA, true),
        agent_row(AGENT_A_INACTIVE, PROJECT_A, ADA, false),
        agent_row(AGENT_A_EMPTY, PROJECT_A, ADA, true),
        agent_key_row(KEY_A, AGENT_A),
        project_row(PROJECT_B, BOB, true),
        membership_row(BOB, PROJECT_B, true),
        agent_row(AGENT_B, PROJECT_B, BOB, true),
        project_row(PROJECT_LEFT, BOB, true),
        membership_row(ADA, PROJECT_LEFT, false),
        agent_row(AGENT_LEFT, PROJECT_LEFT, BOB, true),
        project_row(PROJECT_CLOSED, ADA, false),
        membership_row(ADA, PROJECT_CLOSED, true),
        agent_row(AGENT_CLOSED, PROJECT_CLOSED, ADA, true),
    ];
    // Every agent has a session, so that a leak would show.
    for (n, agent) in [AGENT_A_INACTIVE, AGENT_B, AGENT_LEFT, AGENT_CLOSED]
        .into_iter()
        .enumerate()
    {
        rows.push(session_row(
            Uuid::new_v4(),
            agent,
            None,
            at(n as i64, 0),
            r#"{"owner": "other"}"#,
        ));
    }
    rows
}
