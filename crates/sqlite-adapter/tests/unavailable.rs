//! A database that cannot answer makes the stores "unavailable" (the service
//! answers 503 and may serve again later), and says so quickly: no connection
//! in time, a file that cannot be opened, or a database another connection
//! keeps locked past the busy timeout.
#![allow(clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{at, settings};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use otas_domain::{AgentId, Order, SessionQuery, UserId};
use otas_ports::{AccessQuery, AccessStore, SessionStore, StoreError};
use otas_sqlite_adapter::test_support::{Fixture, SqliteFixture, TestDatabase};
use otas_sqlite_adapter::{
    connect, PoolError, SqliteAccessStore, SqliteSessionStore, SqliteSettings,
};
use uuid::Uuid;

/// A generous bound: the pool gives up after 300 ms, SQLite after 200 ms.
const QUICKLY: Duration = Duration::from_secs(5);

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

/// Settings that give up quickly.
fn impatient(path_or_url: &str) -> SqliteSettings {
    SqliteSettings {
        max_connections: 1,
        connection_timeout: Duration::from_millis(300),
        busy_timeout: Duration::from_millis(200),
        ..settings(path_or_url)
    }
}

/// A migrated database with one agent and one session of it, and no
/// connection left open to it.
fn one_session() -> (TestDatabase, Uuid) {
    let mut fixture = SqliteFixture::migrated();
    let owner = Uuid::new_v4();
    let project = Uuid::new_v4();
    let agent = Uuid::new_v4();
    fixture.insert_user(owner, "owner@example.com");
    fixture.insert_project(project, owner, true);
    fixture.insert_agent(agent, project, owner, true);
    fixture.insert_session(
        Uuid::new_v4(),
        agent,
        None,
        at("2026-04-16T14:30:00Z"),
        "{}",
    );
    // The stores and their pool go, and every connection they opened is
    // closed (also one the pool was still opening in the background); the
    // database stays.
    (fixture.close(), agent)
}

#[test]
fn the_stores_are_unavailable_quickly_when_every_connection_is_taken() {
    let db = TestDatabase::migrated();
    let pool = connect(&impatient(db.url())).expect("a pool");
    let access = SqliteAccessStore::new(pool.clone());
    let sessions = SqliteSessionStore::new(pool.clone());
    let _taken = pool.get().expect("the only connection");

    let started = Instant::now();
    let facts = access.access_facts(&access_query());
    let listed = sessions.sessions_after(
        &session_query(Uuid::new_v4()),
        None,
        otas_ports::ReadBound::rows(10),
    );
    let summary = sessions.summarize(&session_query(Uuid::new_v4()));
    let elapsed = started.elapsed();

    assert!(
        matches!(facts, Err(StoreError::Unavailable(_))),
        "got {facts:?}"
    );
    assert!(
        matches!(listed, Err(StoreError::Unavailable(_))),
        "got {listed:?}"
    );
    assert!(
        matches!(summary, Err(StoreError::Unavailable(_))),
        "got {summary:?}"
    );
    assert!(elapsed < QUICKLY, "took {elapsed:?}");
}

#[test]
fn the_stores_are_unavailable_quickly_when_the_file_cannot_be_opened() {
    let db = TestDatabase::empty();
    // A directory where the database file should be.
    let directory = db.path().with_extension("d");
    std::fs::create_dir_all(&directory).expect("a directory");
    let pool = connect(&impatient(directory.to_str().expect("UTF-8")))
        .expect("a pool is built without opening the file");

    let started = Instant::now();
    let facts = SqliteAccessStore::new(pool.clone()).access_facts(&access_query());
    let listed = SqliteSessionStore::new(pool).sessions_after(
        &session_query(Uuid::new_v4()),
        None,
        otas_ports::ReadBound::rows(10),
    );
    let elapsed = started.elapsed();

    assert!(
        matches!(facts, Err(StoreError::Unavailable(_))),
        "got {facts:?}"
    );
    assert!(
        matches!(listed, Err(StoreError::Unavailable(_))),
        "got {listed:?}"
    );
    assert!(elapsed < QUICKLY, "took {elapsed:?}");
}

#[test]
fn the_stores_are_unavailable_quickly_while_another_process_holds_the_database_locked() {
    let (db, agent) = one_session();
    // No other connection is open: another process then takes the whole
    // file, and exclusive locking mode keeps even WAL readers out until its
    // connection closes.
    let mut locker = diesel::SqliteConnection::establish(db.url()).expect("a connection");
    locker
        .batch_execute(
            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; DELETE FROM agent_session WHERE 0;",
        )
        .expect("lock the database");
    // Opening a connection runs its set-up, which waits on the lock for the
    // busy timeout and then fails, "database is locked"; the store answers
    // with that reason once its connection timeout runs out. The timeout is
    // ten times the busy timeout, so that even on a loaded machine a
    // connection attempt fails within it (with a timeout barely above the
    // busy timeout, the answer was at times "timed out waiting for
    // connection", before any attempt had ended).
    let pool = connect(&SqliteSettings {
        connection_timeout: Duration::from_millis(1000),
        busy_timeout: Duration::from_millis(100),
        ..impatient(db.url())
    })
    .expect("a pool");
    let access = SqliteAccessStore::new(pool.clone());
    let store = SqliteSessionStore::new(pool);

    let started = Instant::now();
    let facts = access.access_facts(&access_query());
    let listed = store.sessions_after(&session_query(agent), None, otas_ports::ReadBound::rows(10));
    let summary = store.summarize(&session_query(agent));
    let elapsed = started.elapsed();
    drop(locker);
    let mut after_unlock =
        store.sessions_after(&session_query(agent), None, otas_ports::ReadBound::rows(10));
    let deadline = Instant::now() + QUICKLY;
    while after_unlock.is_err() && Instant::now() < deadline {
        // The pool retries its connections in the background, with a backoff.
        std::thread::sleep(Duration::from_millis(100));
        after_unlock =
            store.sessions_after(&session_query(agent), None, otas_ports::ReadBound::rows(10));
    }

    assert!(
        matches!(facts, Err(StoreError::Unavailable(_))),
        "got {facts:?}"
    );
    assert!(
        matches!(&listed, Err(StoreError::Unavailable(why)) if why.contains("database is locked")),
        "got {listed:?}"
    );
    assert!(
        matches!(summary, Err(StoreError::Unavailable(_))),
        "got {summary:?}"
    );
    assert!(elapsed < QUICKLY, "took {elapsed:?}");
    assert_eq!(
        after_unlock
            .expect("the store serves again once the lock is gone")
            .len(),
        1
    );
}

#[test]
fn a_timeout_under_a_millisecond_is_refused_rather_than_meaning_never() {
    let settings = SqliteSettings {
        connection_timeout: Duration::from_micros(500),
        ..settings("otas.sqlite3")
    };

    let result = connect(&settings);

    assert!(
        matches!(result, Err(PoolError::TimeoutTooShort(_))),
        "got {result:?}"
    );
}

#[test]
fn a_database_whose_directory_cannot_be_created_is_refused_up_front() {
    let db = TestDatabase::empty();
    // The database file itself stands where the directory should be.
    let below_a_file = db.path().join("sub").join("otas.sqlite3");

    let result = connect(&settings(below_a_file.to_str().expect("UTF-8")));

    assert!(
        matches!(result, Err(PoolError::CreateDirectory { .. })),
        "got {result:?}"
    );
}
