//! A small UASAM world: two users, their projects, agents and sessions.

use chrono::{DateTime, Utc};
use diesel::Connection;
use otas_postgres_adapter::test_support::{
    insert_agent, insert_agent_key, insert_membership, insert_project, insert_session, insert_user,
    TestDatabase,
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

/// A migrated database of the test's own, with the world's rows.
pub struct World {
    pub db: TestDatabase,
}

impl World {
    pub fn new() -> Self {
        let db = TestDatabase::migrated();
        Self::seed(&mut db.connect());
        Self { db }
    }

    /// Writes the world's rows into the (migrated) database at `url`.
    pub fn seed_into(url: &str) {
        let mut conn = diesel::PgConnection::establish(url).expect("connect");
        Self::seed(&mut conn);
    }

    fn seed(conn: &mut diesel::PgConnection) {
        insert_user(conn, ADA, "ada@example.com");
        insert_user(conn, BOB, "bob@example.com");

        insert_project(conn, PROJECT_A, ADA, true);
        insert_membership(conn, ADA, PROJECT_A, true);
        insert_agent(conn, AGENT_A, PROJECT_A, ADA, true);
        insert_agent(conn, AGENT_A_INACTIVE, PROJECT_A, ADA, false);
        insert_agent(conn, AGENT_A_EMPTY, PROJECT_A, ADA, true);
        insert_agent_key(conn, KEY_A, AGENT_A);

        insert_project(conn, PROJECT_B, BOB, true);
        insert_membership(conn, BOB, PROJECT_B, true);
        insert_agent(conn, AGENT_B, PROJECT_B, BOB, true);

        insert_project(conn, PROJECT_LEFT, BOB, true);
        insert_membership(conn, ADA, PROJECT_LEFT, false);
        insert_agent(conn, AGENT_LEFT, PROJECT_LEFT, BOB, true);

        insert_project(conn, PROJECT_CLOSED, ADA, false);
        insert_membership(conn, ADA, PROJECT_CLOSED, true);
        insert_agent(conn, AGENT_CLOSED, PROJECT_CLOSED, ADA, true);

        // Every agent has a session, so that a leak would show.
        for (n, agent) in [AGENT_A_INACTIVE, AGENT_B, AGENT_LEFT, AGENT_CLOSED]
            .into_iter()
            .enumerate()
        {
            insert_session(
                conn,
                Uuid::new_v4(),
                agent,
                None,
                at(n as i64, 0),
                r#"{"owner": "other"}"#,
            );
        }
    }

    /// Adds a session of `agent`.
    pub fn session(
        &self,
        id: Uuid,
        agent: Uuid,
        key: Option<Uuid>,
        created_at: DateTime<Utc>,
        meta: &str,
    ) {
        insert_session(&mut self.db.connect(), id, agent, key, created_at, meta);
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}
