//! A database that cannot answer makes the stores "unavailable" (the service
//! answers 503 and may serve again later), and says so quickly.
#![allow(clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{at, settings, Fixture, Stores};
use diesel::connection::SimpleConnection;
use otas_domain::{AgentId, Order, SessionQuery, UserId};
use otas_ports::{AccessQuery, AccessStore, SessionStore, StoreError};
use otas_postgres_adapter::{connect, PgAccessStore, PgSessionStore, PoolError, PoolSettings};
use uuid::Uuid;

/// Nothing listens on port 1.
const UNREACHABLE: &str = "postgres://postgres@127.0.0.1:1/nothing";

/// A generous bound: the pool gives up after 300 ms.
const QUICKLY: Duration = Duration::from_secs(5);

fn unreachable_settings() -> PoolSettings {
    PoolSettings {
        connection_timeout: Duration::from_millis(300),
        ..settings(UNREACHABLE)
    }
}

fn access_query() -> AccessQuery {
    AccessQuery {
        user: UserId::from_uuid(Uuid::new_v4()),
        project: None,
        agent: None,
    }
}

fn session_query(agent: Uuid) -> SessionQuery {
    SessionQuery {
        agent: AgentId::from_uuid(agent),
        order: Order::Desc,
        filter: Default::default(),
    }
}

#[test]
fn access_facts_are_unavailable_quickly_when_the_database_cannot_be_reached() {
    let pool = connect(&unreachable_settings()).expect("a pool is built without connecting");
    let store = PgAccessStore::new(pool);

    let started = Instant::now();
    let facts = store.access_facts(&access_query());
    let elapsed = started.elapsed();

    assert!(
        matches!(facts, Err(StoreError::Unavailable(_))),
        "got {facts:?}"
    );
    assert!(elapsed < QUICKLY, "took {elapsed:?}");
}

#[test]
fn listing_sessions_is_unavailable_quickly_when_the_database_cannot_be_reached() {
    let pool = connect(&unreachable_settings()).expect("a pool is built without connecting");
    let store = PgSessionStore::new(pool);

    let started = Instant::now();
    let sessions = store.sessions_after(
        &session_query(Uuid::new_v4()),
        None,
        otas_ports::ReadBound::rows(10),
    );
    let elapsed = started.elapsed();

    assert!(
        matches!(sessions, Err(StoreError::Unavailable(_))),
        "got {sessions:?}"
    );
    assert!(elapsed < QUICKLY, "took {elapsed:?}");
}

#[test]
fn the_stores_are_unavailable_when_the_database_does_not_exist() {
    let missing = format!(
        "postgres://postgres@127.0.0.1:5432/otas_missing_{}",
        Uuid::new_v4().simple()
    );
    let pool = connect(&PoolSettings {
        connection_timeout: Duration::from_millis(300),
        ..settings(&missing)
    })
    .expect("a pool is built without connecting");

    let facts = PgAccessStore::new(pool.clone()).access_facts(&access_query());
    let sessions = PgSessionStore::new(pool).sessions_after(
        &session_query(Uuid::new_v4()),
        None,
        otas_ports::ReadBound::rows(10),
    );

    assert!(
        matches!(facts, Err(StoreError::Unavailable(_))),
        "got {facts:?}"
    );
    assert!(
        matches!(sessions, Err(StoreError::Unavailable(_))),
        "got {sessions:?}"
    );
}

#[test]
fn a_listing_that_runs_past_the_statement_timeout_is_unavailable() {
    let mut stores = Stores::migrated();
    let owner = Uuid::new_v4();
    let project = Uuid::new_v4();
    let agent = Uuid::new_v4();
    stores.insert_user(owner, "owner@example.com");
    stores.insert_project(project, owner, true);
    stores.insert_agent(agent, project, owner, true);
    stores.insert_session(
        Uuid::new_v4(),
        agent,
        None,
        at("2026-04-16T14:30:00Z"),
        "{}",
    );
    let pool = connect(&PoolSettings {
        statement_timeout: Duration::from_millis(200),
        ..settings(stores.db.url())
    })
    .expect("a pool");
    let store = PgSessionStore::new(pool);
    // Another client holds the table, so the listing waits on its lock.
    let mut locker = stores.db.connect();
    locker
        .batch_execute("BEGIN; LOCK TABLE agent_session IN ACCESS EXCLUSIVE MODE")
        .expect("lock agent_session");

    let started = Instant::now();
    let sessions =
        store.sessions_after(&session_query(agent), None, otas_ports::ReadBound::rows(10));
    let elapsed = started.elapsed();

    assert!(
        matches!(sessions, Err(StoreError::Unavailable(_))),
        "got {sessions:?}"
    );
    assert!(elapsed < QUICKLY, "took {elapsed:?}");
    locker.batch_execute("ROLLBACK").expect("unlock");
    let after_unlock = store
        .sessions_after(&session_query(agent), None, otas_ports::ReadBound::rows(10))
        .expect("the store serves again once the lock is gone");
    assert_eq!(after_unlock.len(), 1);
}

#[test]
fn a_timeout_under_a_millisecond_is_refused_rather_than_meaning_never() {
    for (connection, statement) in [
        (Duration::ZERO, Duration::from_secs(1)),
        (Duration::from_secs(1), Duration::from_micros(500)),
    ] {
        let settings = PoolSettings {
            url: "postgres://postgres@127.0.0.1:5432/postgres".to_owned(),
            max_connections: 1,
            min_idle: 0,
            connection_timeout: connection,
            statement_timeout: statement,
        };

        let result = otas_postgres_adapter::connect(&settings);

        assert!(
            matches!(result, Err(PoolError::TimeoutTooShort(_))),
            "{connection:?} / {statement:?}"
        );
    }
}
