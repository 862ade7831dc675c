//! A small UASAM world: two users, their projects, agents and sessions, in a
//! database of the test's own on either store.

use std::cell::RefCell;
use std::fmt;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use otas_postgres_adapter::test_support as pg;
use otas_sqlite_adapter::test_support as sqlite;
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

/// The rows a test writes, in either store's SQL.
trait Rows {
    fn user(&mut self, id: Uuid, email: &str);
    fn project(&mut self, id: Uuid, owner: Uuid, is_active: bool);
    fn membership(&mut self, user: Uuid, project: Uuid, is_active: bool);
    fn agent(&mut self, id: Uuid, project: Uuid, owner: Uuid, is_active: bool);
    fn agent_key(&mut self, id: Uuid, agent: Uuid);
    fn session(
        &mut self,
        id: Uuid,
        agent: Uuid,
        key: Option<Uuid>,
        created_at: DateTime<Utc>,
        meta: &str,
    );
    fn delete_session(&mut self, id: Uuid);
    fn many_sessions(&mut self, agent: Uuid, count: i64, spread: Spread);
}

impl Rows for PgConnection {
    fn user(&mut self, id: Uuid, email: &str) {
        pg::insert_user(self, id, email);
    }
    fn project(&mut self, id: Uuid, owner: Uuid, is_active: bool) {
        pg::insert_project(self, id, owner, is_active);
    }
    fn membership(&mut self, user: Uuid, project: Uuid, is_active: bool) {
        pg::insert_membership(self, user, project, is_active);
    }
    fn agent(&mut self, id: Uuid, project: Uuid, owner: Uuid, is_active: bool) {
        pg::insert_agent(self, id, project, owner, is_active);
    }
    fn agent_key(&mut self, id: Uuid, agent: Uuid) {
        pg::insert_agent_key(self, id, agent);
    }
    fn session(
        &mut self,
        id: Uuid,
        agent: Uuid,
        key: Option<Uuid>,
        created_at: DateTime<Utc>,
        meta: &str,
    ) {
        pg::insert_session(self, id, agent, key, created_at, meta);
    }
    fn delete_session(&mut self, id: Uuid) {
        pg::delete_session(self, id);
    }
    fn many_sessions(&mut self, agent: Uuid, count: i64, spread: Spread) {
        let Spread {
            meta_key,
            period_seconds,
        } = spread;
        assert!(meta_key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'));
        diesel::sql_query(format!(
            "INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id) \
             SELECT gen_random_uuid(), \
                    to_timestamp({MANY_SESSIONS_EPOCH}) + (i % {period_seconds}) * interval '1 second', \
                    jsonb_build_object('{meta_key}', i), '{agent}', NULL \
             FROM generate_series(1, {count}) AS i"
        ))
        .execute(self)
        .expect("insert sessions");
    }
}

impl Rows for SqliteConnection {
    fn user(&mut self, id: Uuid, email: &str) {
        sqlite::insert_user(self, id, email);
    }
    fn project(&mut self, id: Uuid, owner: Uuid, is_active: bool) {
        sqlite::insert_project(self, id, owner, is_active);
    }
    fn membership(&mut self, user: Uuid, project: Uuid, is_active: bool) {
        sqlite::insert_membership(self, user, project, is_active);
    }
    fn agent(&mut self, id: Uuid, project: Uuid, owner: Uuid, is_active: bool) {
        sqlite::insert_agent(self, id, project, owner, is_active);
    }
    fn agent_key(&mut self, id: Uuid, agent: Uuid) {
        sqlite::insert_agent_key(self, id, agent);
    }
    fn session(
        &mut self,
        id: Uuid,
        agent: Uuid,
        key: Option<Uuid>,
        created_at: DateTime<Utc>,
        meta: &str,
    ) {
        sqlite::insert_session(self, id, agent, key, created_at, meta);
    }
    fn delete_session(&mut self, id: Uuid) {
        sqlite::delete_session(self, id);
    }
    fn many_sessions(&mut self, agent: Uuid, count: i64, spread: Spread) {
        let Spread {
            meta_key,
            period_seconds,
        } = spread;
        assert!(meta_key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'));
        // Ids as the schema wants them (lower-case, hyphenated): scattered by
        // a multiplicative hash of `i`, unique by `i` in the last group and by
        // a salt of this call's own in the middle ones.
        let salt = Uuid::new_v4().as_u128();
        let (salt_a, salt_b, salt_c) = (
            (salt & 0xffff) as i64,
            ((salt >> 16) & 0xfff) as i64,
            ((salt >> 28) & 0xfff) as i64,
        );
        let micros = MANY_SESSIONS_EPOCH * 1_000_000;
        diesel::sql_query(format!(
            "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {count}) \
             INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id) \
             SELECT printf('%08x-%04x-4%03x-8%03x-%012x', \
                           (i * 2654435761) % 4294967296, {salt_a}, {salt_b}, {salt_c}, i), \
                    {micros} + (i % {period_seconds}) * 1000000, \
                    json_object('{meta_key}', i), '{agent}', NULL \
             FROM seq"
        ))
        .execute(self)
        .expect("insert sessions");
    }
}

/// The test's database, on its store.
enum Database {
    Postgres(pg::TestDatabase),
    Sqlite(sqlite::TestDatabase),
}

/// The test's own connection to its database, kept for the world's life.
enum Conn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl Conn {
    fn rows(&mut self) -> &mut dyn Rows {
        match self {
            Self::Postgres(conn) => conn,
            Self::Sqlite(conn) => conn,
        }
    }
}

/// A SQLite connection for fixtures: waits for the server's locks, checks
/// foreign keys, and does not wait for the disk on each commit.
fn sqlite_fixture_connection(url: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(url).expect("open the SQLite database");
    conn.batch_execute(
        "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF;",
    )
    .expect("set up the SQLite connection");
    conn
}

/// A migrated database of the test's own, on one store, with the world's rows.
pub struct World {
    // Dropped before the database it connects to.
    conn: RefCell<Conn>,
    db: Database,
    url: String,
}

impl World {
    /// A new migrated database on `store`, seeded with the world's rows.
    pub fn new(store: Store) -> Self {
        let (db, mut conn, url) = match store {
            Store::Postgres => {
                let db = pg::TestDatabase::migrated();
                let conn = Conn::Postgres(db.connect());
                let url = db.url().to_owned();
                (Database::Postgres(db), conn, url)
            }
            Store::Sqlite => {
                let db = sqlite::TestDatabase::migrated();
                // The test support names the file by its path; the server
                // tells its stores apart by the URL's scheme.
                let url = format!("sqlite://{}", db.url());
                let conn = Conn::Sqlite(sqlite_fixture_connection(db.url()));
                (Database::Sqlite(db), conn, url)
            }
        };
        seed(conn.rows());
        Self {
            conn: RefCell::new(conn),
            db,
            url,
        }
    }

    /// The store the world is on.
    pub fn store(&self) -> Store {
        match self.db {
            Database::Postgres(_) => Store::Postgres,
            Database::Sqlite(_) => Store::Sqlite,
        }
    }

    /// The `DATABASE_URL` the server reaches the world's database with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Writes the world's rows into the migrated database at `url`: a
    /// `postgres://` URL, or a SQLite file as `sqlite://…`, `file:…` or a path.
    pub fn seed_into(url: &str) {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            seed(&mut PgConnection::establish(url).expect("connect"));
        } else {
            seed(&mut sqlite_fixture_connection(url));
        }
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
        self.conn
            .borrow_mut()
            .rows()
            .session(id, agent, key, created_at, meta);
    }

    /// Deletes a session.
    pub fn delete_session(&self, id: Uuid) {
        self.conn.borrow_mut().rows().delete_session(id);
    }

    /// Adds `count` sessions of `agent` with random ids in one statement,
    /// spread over times and numbered in `meta` as `spread` says.
    pub fn many_sessions(&self, agent: Uuid, count: i64, spread: Spread) {
        self.conn
            .borrow_mut()
            .rows()
            .many_sessions(agent, count, spread);
    }
}

/// The world's rows.
fn seed(conn: &mut dyn Rows) {
    conn.user(ADA, "ada@example.com");
    conn.user(BOB, "bob@example.com");

    conn.project(PROJECT_A, ADA, true);
    conn.membership(ADA, PROJECT_A, true);
    conn.agent(AGENT_A, PROJECT_A, ADA, true);
    conn.agent(AGENT_A_INACTIVE, PROJECT_A, ADA, false);
    conn.agent(AGENT_A_EMPTY, PROJECT_A, ADA, true);
    conn.agent_key(KEY_A, AGENT_A);

    conn.project(PROJECT_B, BOB, true);
    conn.membership(BOB, PROJECT_B, true);
    conn.agent(AGENT_B, PROJECT_B, BOB, true);

    conn.project(PROJECT_LEFT, BOB, true);
    conn.membership(ADA, PROJECT_LEFT, false);
    conn.agent(AGENT_LEFT, PROJECT_LEFT, BOB, true);

    conn.project(PROJECT_CLOSED, ADA, false);
    conn.membership(ADA, PROJECT_CLOSED, true);
    conn.agent(AGENT_CLOSED, PROJECT_CLOSED, ADA, true);

    // Every agent has a session, so that a leak would show.
    for (n, agent) in [AGENT_A_INACTIVE, AGENT_B, AGENT_LEFT, AGENT_CLOSED]
        .into_iter()
        .enumerate()
    {
        conn.session(
            Uuid::new_v4(),
            agent,
            None,
            at(n as i64, 0),
            r#"{"owner": "other"}"#,
        );
    }
}
