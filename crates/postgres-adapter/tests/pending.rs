//! `pending_migrations` against a real PostgreSQL: what a database lacks,
//! read without changing it (no bookkeeping table created).
#![allow(clippy::expect_used)]

use std::time::Duration;

use diesel::dsl::sql;
use diesel::sql_types::Bool;
use diesel::RunQueryDsl;
use otas_postgres_adapter::test_support::TestDatabase;
use otas_postgres_adapter::{pending_migrations, run_migrations, MigrationError};

const WAIT: Duration = Duration::from_secs(2);

fn has_bookkeeping(db: &TestDatabase) -> bool {
    diesel::select(sql::<Bool>(
        "to_regclass('public.__diesel_schema_migrations') IS NOT NULL",
    ))
    .get_result(&mut db.connect())
    .expect("the catalog")
}

#[test]
fn an_empty_database_lacks_every_migration_and_is_left_empty() {
    let db = TestDatabase::empty();

    let pending = pending_migrations(db.url(), WAIT).expect("an answer");

    assert!(pending.len() >= 2, "{pending:?}");
    assert_eq!(pending[0], "2026-11-29-000001_uasam_schema");
    assert!(!has_bookkeeping(&db), "the bookkeeping table was created");
}

#[test]
fn a_migrated_database_lacks_none_and_one_missing_a_step_names_it() {
    let db = TestDatabase::empty();
    let applied = run_migrations(db.url()).expect("migrated");

    let none = pending_migrations(db.url(), WAIT).expect("an answer");
    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)")
        .execute(&mut db.connect())
        .expect("forget the last migration");
    let one = pending_migrations(db.url(), WAIT).expect("an answer");

    assert!(none.is_empty(), "{none:?}");
    assert_eq!(one.as_slice(), &applied[applied.len() - 1..]);
}

#[test]
fn a_database_the_server_does_not_have_is_a_connection_failure_naming_it() {
    let db = TestDatabase::empty();
    let url = db.url().replace(db.name(), "otas_no_such_database");

    let result = pending_migrations(&url, WAIT);

    assert!(
        matches!(&result, Err(MigrationError::Connect(reason)) if reason.contains("does not exist")),
        "{result:?}"
    );
}
