//! Migrate runs that meet each other or the live database: several at once,
//! an index an interrupted run left INVALID, another session's lock, and
//! another run's migration lock.
#![allow(clippy::expect_used)]

mod common;

use std::sync::{mpsc, Barrier};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text};
use otas_postgres_adapter::test_support::TestDatabase;
use otas_postgres_adapter::{
    invalid_indexes, run_migrations, run_migrations_with, MigrationError, MigrationTimeouts,
    MIGRATION_LOCK_KEY,
};

const LISTING_INDEX: &str = "agent_session_agent_created_id_idx";
const META_INDEX: &str = "agent_session_meta_idx";
const META_MIGRATION: &str = "2026-11-30-000003_agent_session_meta_index";

#[derive(QueryableByName, Debug, PartialEq)]
struct IndexState {
    #[diesel(sql_type = Text)]
    definition: String,
    #[diesel(sql_type = Bool)]
    valid: bool,
    #[diesel(sql_type = BigInt)]
    oid: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    n: i32,
}

fn index(conn: &mut PgConnection, name: &str) -> Option<IndexState> {
    diesel::sql_query(
        "SELECT pg_get_indexdef(x.indexrelid) AS definition, x.indisvalid AS valid, \
                x.indexrelid::bigint AS oid \
         FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid \
         WHERE c.relname = $1",
    )
    .bind::<Text, _>(name)
    .get_result(conn)
    .optional()
    .expect("read pg_index")
}

fn mark_invalid(conn: &mut PgConnection, name: &str) {
    conn.batch_execute(&format!(
        "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.{name}'::regclass"
    ))
    .expect("mark the index INVALID (as superuser)");
}

fn public_table_count(conn: &mut PgConnection) -> i32 {
    diesel::sql_query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")
        .get_result::<Count>(conn)
        .expect("count tables")
        .n
}

/// Short limits, so that a test that waits on a lock ends in seconds.
fn short(lock_retry_for: Duration) -> MigrationTimeouts {
    MigrationTimeouts {
        statement_timeout: Duration::from_secs(10),
        index_build_timeout: Duration::ZERO,
        lock_timeout: Duration::from_millis(200),
        lock_retry_for,
        migration_lock_wait: Duration::from_secs(1),
    }
}

/// Runs `run` on a thread, failing the test if it has not ended within a
/// minute (a migrate that hangs on a lock).
fn within_a_minute<T: Send + 'static>(run: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(run());
    });
    receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("the migrate run ended within a minute instead of hanging")
}

#[test]
fn three_runs_at_once_on_a_fresh_database_all_succeed_and_apply_each_migration_once() {
    for round in 0..3 {
        let db = TestDatabase::empty();
        let start = Barrier::new(3);
        let started = Instant::now();

        let results: Vec<Result<Vec<String>, MigrationError>> = std::thread::scope(|scope| {
            let runs: Vec<_> = (0..3)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        run_migrations(db.url())
                    })
                })
                .collect();
            runs.into_iter()
                .map(|run| run.join().expect("the run did not panic"))
                .collect()
        });

        eprintln!(
            "figure: three migrate runs at once on a fresh database (round {round}): all done in {:?}",
            started.elapsed()
        );
        let mut applied: Vec<String> = Vec::new();
        for result in results {
            applied.extend(result.expect("every concurrent run succeeds"));
        }
        applied.sort();
        assert_eq!(applied.len(), 4, "each migration applied once: {applied:?}");
        applied.dedup();
        assert_eq!(applied.len(), 4, "each migration applied once: {applied:?}");
        let mut conn = db.connect();
        assert_eq!(
            public_table_count(&mut conn),
            8,
            "UASAM's 7 tables and diesel's"
        );
        for name in [LISTING_INDEX, META_INDEX] {
            let state = index(&mut conn, name).expect("the index exists");
            assert!(state.valid, "{name} is valid");
        }
    }
}

#[test]
fn a_run_waits_for_another_runs_migration_lock_and_gives_up_without_changing_anything() {
    let db = TestDatabase::empty();
    let mut holder = db.connect();
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(&mut holder)
        .expect("take the migration lock as another run would");

    let url = db.url().to_owned();
    let started = Instant::now();
    let refused = within_a_minute(move || run_migrations_with(&url, &short(Duration::ZERO)));

    assert!(
        matches!(refused, Err(MigrationError::LockBusy(_))),
        "got {refused:?}"
    );
    assert!(started.elapsed() >= Duration::from_secs(1), "it waited");
    assert_eq!(public_table_count(&mut holder), 0, "nothing created");
    drop(holder);
    let applied = run_migrations(db.url()).expect("the lock released, the run goes on");
    assert_eq!(applied.len(), 4);
}

#[test]
fn an_invalid_index_is_reported_at_start_and_rebuilt_by_the_next_run_with_its_definition() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();
    let before = index(&mut conn, LISTING_INDEX).expect("the listing index");
    mark_invalid(&mut conn, LISTING_INDEX);
    let pool = common::pool(db.url());

    let reported = invalid_indexes(&pool).expect("the start-up check reads the catalog");
    let applied = run_migrations(db.url()).expect("the run repairs the index");

    assert_eq!(reported, [LISTING_INDEX]);
    assert!(applied.is_empty(), "nothing pending: {applied:?}");
    let after = index(&mut conn, LISTING_INDEX).expect("the listing index is there");
    assert!(after.valid, "valid again");
    assert_eq!(after.definition, before.definition, "the same definition");
    assert_ne!(after.oid, before.oid, "built again, not just marked valid");
    assert!(invalid_indexes(&pool).expect("checked again").is_empty());
}

#[test]
fn an_invalid_index_left_before_its_migration_was_recorded_is_rebuilt_not_skipped() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();
    let before = index(&mut conn, META_INDEX).expect("the meta index");
    mark_invalid(&mut conn, META_INDEX);
    conn.batch_execute("DELETE FROM __diesel_schema_migrations WHERE version = '20261130000003'")
        .expect("forget the migration, as after an interrupted build");

    let applied = run_migrations(db.url()).expect("the run builds the index");

    assert_eq!(applied, [META_MIGRATION]);
    let after = index(&mut conn, META_INDEX).expect("the meta index is there");
    assert!(after.valid, "valid");
    assert_eq!(after.definition, before.definition);
    assert_ne!(after.oid, before.oid, "built again");
}

/// A database whose meta index is still to be built, and a session holding
/// `agent_session` in ACCESS EXCLUSIVE mode (its transaction left open).
fn a_build_blocked_by_a_lock() -> (TestDatabase, PgConnection) {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();
    conn.batch_execute(&format!(
        "DROP INDEX {META_INDEX}; \
         DELETE FROM __diesel_schema_migrations WHERE version = '20261130000003'"
    ))
    .expect("the meta index still to be built");
    let mut holder = db.connect();
    holder
        .batch_execute("BEGIN; LOCK TABLE agent_session IN ACCESS EXCLUSIVE MODE")
        .expect("hold agent_session");
    (db, holder)
}

#[test]
fn a_run_blocked_by_another_sessions_lock_fails_in_bounded_time_saying_why() {
    let (db, holder) = a_build_blocked_by_a_lock();

    let url = db.url().to_owned();
    let started = Instant::now();
    let result = within_a_minute(move || run_migrations_with(&url, &short(Duration::from_secs(2))));
    eprintln!(
        "figure: a migrate run blocked by another session's lock gave up after {:?} (retrying for 2 s)",
        started.elapsed()
    );

    let Err(MigrationError::LockWait(message)) = result else {
        panic!("expected a lock wait error, got {result:?}");
    };
    assert!(message.contains(META_MIGRATION), "{message}");
    assert!(message.contains("other sessions held locks"), "{message}");
    drop(holder);
    let mut conn = db.connect();
    assert!(
        index(&mut conn, META_INDEX).is_none(),
        "no index left behind"
    );
}

#[test]
fn a_run_blocked_by_a_lock_for_a_moment_waits_and_succeeds() {
    let (db, mut holder) = a_build_blocked_by_a_lock();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        holder
            .batch_execute("COMMIT")
            .expect("release agent_session");
    });

    let url = db.url().to_owned();
    let started = Instant::now();
    let applied =
        within_a_minute(move || run_migrations_with(&url, &short(Duration::from_secs(30))));
    release.join().expect("the holder released its lock");

    assert_eq!(
        applied.expect("the run waits, then builds"),
        [META_MIGRATION]
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "it waited"
    );
    let mut conn = db.connect();
    assert!(index(&mut conn, META_INDEX).is_some_and(|i| i.valid));
}
