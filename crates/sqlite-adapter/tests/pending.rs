//! `pending_migrations` on a real SQLite file: what it lacks, read without
//! creating or changing anything.
#![allow(clippy::expect_used)]

use otas_sqlite_adapter::test_support::TestDatabase;
use otas_sqlite_adapter::{pending_migrations, run_migrations, MigrationError};

#[test]
fn a_missing_file_is_said_missing_and_not_created() {
    let dir = std::env::temp_dir().join(format!("otas-pending-{}", uuid::Uuid::new_v4()));
    let file = dir.join("otas.db");

    let result = pending_migrations(&format!("sqlite://{}", file.display()));

    assert!(
        matches!(&result, Err(MigrationError::Missing(missing)) if *missing == file),
        "{result:?}"
    );
    assert!(!dir.exists(), "{} was created", dir.display());
}

#[test]
fn an_empty_file_lacks_every_migration_and_a_migrated_one_none() {
    let empty = TestDatabase::empty();
    let migrated = TestDatabase::empty();
    let applied = run_migrations(migrated.url()).expect("migrated");
    let before = std::fs::metadata(empty.path()).expect("the file").len();

    let all = pending_migrations(empty.url()).expect("an answer");
    let none = pending_migrations(migrated.url()).expect("an answer");

    assert_eq!(all.len(), applied.len());
    assert_eq!(all[0], "2026-11-29-000001_uasam_schema");
    assert!(none.is_empty(), "{none:?}");
    assert_eq!(
        std::fs::metadata(empty.path()).expect("the file").len(),
        before,
        "the empty file was written"
    );
}
