//! The embedded migrations against a real SQLite file: on an empty database,
//! on one already migrated, the schema they leave behind (UASAM's tables and
//! columns in SQLite types, the listing index, foreign keys), and the
//! connections the pool hands out.
#![allow(clippy::expect_used)]

mod common;

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use otas_sqlite_adapter::test_support::{Fixture, SqliteFixture, TestDatabase};
use otas_sqlite_adapter::{connect, run_migrations, MigrationError, SqliteSettings};
use uuid::Uuid;

/// UASAM's columns in SQLite, as `pragma_table_info` shows them:
/// table, column, declared type, NOT NULL (1/0), primary key position.
const SQLITE_SCHEMA_TSV: &str = "\
table	column	type	notnull	pk
agent	created_at	INTEGER	1	0
agent	created_by_id	TEXT	1	0
agent	description	TEXT	1	0
agent	id	TEXT	1	1
agent	is_active	INTEGER	1	0
agent	name	TEXT	1	0
agent	project_id	TEXT	1	0
agent	provider	TEXT	1	0
agent	updated_at	INTEGER	1	0
agent_key	active	INTEGER	1	0
agent_key	agent_id	TEXT	1	0
agent_key	created_at	INTEGER	1	0
agent_key	expires_at	INTEGER	0	0
agent_key	hashed_key	TEXT	1	0
agent_key	id	TEXT	1	1
agent_key	last_used_at	INTEGER	0	0
agent_key	name	TEXT	0	0
agent_key	prefix	TEXT	1	0
agent_key	revoked_at	INTEGER	0	0
agent_session	agent_id	TEXT	1	0
agent_session	agent_key_id	TEXT	0	0
agent_session	created_at	INTEGER	1	0
agent_session	id	TEXT	1	1
agent_session	meta	TEXT	1	0
backend_api_keys	active	INTEGER	1	0
backend_api_keys	created_at	INTEGER	1	0
backend_api_keys	expires_at	INTEGER	0	0
backend_api_keys	hashed_key	TEXT	1	0
backend_api_keys	id	TEXT	1	1
backend_api_keys	last_used_at	INTEGER	0	0
backend_api_keys	name	TEXT	0	0
backend_api_keys	prefix	TEXT	1	0
backend_api_keys	project_id	TEXT	1	0
backend_api_keys	revoked_at	INTEGER	0	0
project	created_at	INTEGER	1	0
project	created_by_id	TEXT	1	0
project	description	TEXT	1	0
project	domain	TEXT	0	0
project	id	TEXT	1	1
project	is_active	INTEGER	1	0
project	name	TEXT	1	0
project	updated_at	INTEGER	1	0
user_project_mapping	created_at	INTEGER	1	0
user_project_mapping	id	INTEGER	1	1
user_project_mapping	is_active	INTEGER	1	0
user_project_mapping	privilege	INTEGER	1	0
user_project_mapping	project_id	TEXT	1	0
user_project_mapping	updated_at	INTEGER	1	0
user_project_mapping	user_id	TEXT	1	0
users	created_at	INTEGER	1	0
users	email	TEXT	1	0
users	first_name	TEXT	1	0
users	id	TEXT	1	1
users	last_name	TEXT	1	0
users	middle_name	TEXT	0	0
users	password	TEXT	1	0
users	updated_at	INTEGER	1	0
";

const UASAM_TABLES: [&str; 7] = [
    "agent",
    "agent_key",
    "agent_session",
    "backend_api_keys",
    "project",
    "user_project_mapping",
    "users",
];

const LISTING_INDEX: &str = "agent_session_agent_created_id_idx";

/// (table, column, type, notnull, pk)
type Column = (String, String, String, i64, i64);

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName, Debug, PartialEq)]
struct IndexColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    descending: i64,
}

#[derive(QueryableByName, Debug, PartialEq, PartialOrd, Ord, Eq)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    from_column: String,
    #[diesel(sql_type = Text)]
    to_table: String,
    #[diesel(sql_type = Text)]
    to_column: String,
}

fn expected_columns() -> Vec<Column> {
    let mut columns: Vec<Column> = SQLITE_SCHEMA_TSV
        .lines()
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "a TSV line has 5 fields: {line:?}");
            (
                fields[0].to_owned(),
                fields[1].to_owned(),
                fields[2].to_owned(),
                fields[3].parse().expect("0 or 1"),
                fields[4].parse().expect("a position"),
            )
        })
        .collect();
    columns.sort();
    columns
}

fn uasam_columns(conn: &mut SqliteConnection) -> Vec<Column> {
    let mut columns: Vec<Column> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
                p.\"notnull\" AS not_null, p.pk AS pk \
         FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
           AND m.name <> '__diesel_schema_migrations'",
    )
    .load::<ColumnRow>(conn)
    .expect("read pragma_table_info")
    .into_iter()
    .map(|c| (c.table_name, c.column_name, c.data_type, c.not_null, c.pk))
    .collect();
    columns.sort();
    columns
}

fn tables(conn: &mut SqliteConnection) -> Vec<String> {
    let mut tables: Vec<String> = diesel::sql_query(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .load::<Name>(conn)
    .expect("read sqlite_schema")
    .into_iter()
    .map(|t| t.name)
    .collect();
    tables.sort();
    tables
}

fn foreign_keys(conn: &mut SqliteConnection, table: &str) -> Vec<ForeignKey> {
    let mut keys: Vec<ForeignKey> = diesel::sql_query(
        "SELECT \"from\" AS from_column, \"table\" AS to_table, \"to\" AS to_column \
         FROM pragma_foreign_key_list(?)",
    )
    .bind::<Text, _>(table)
    .load(conn)
    .expect("read pragma_foreign_key_list");
    keys.sort();
    keys
}

fn fk(from: &str, table: &str, to: &str) -> ForeignKey {
    ForeignKey {
        from_column: from.to_owned(),
        to_table: table.to_owned(),
        to_column: to.to_owned(),
    }
}

#[test]
fn migrating_an_empty_database_applies_the_migration_and_creates_uasams_tables() {
    let db = TestDatabase::empty();

    let applied = run_migrations(db.url()).expect("the migrations apply");

    assert_eq!(applied.len(), 1, "applied {applied:?}");
    let mut expected: Vec<String> = UASAM_TABLES.iter().map(|t| (*t).to_owned()).collect();
    expected.push("__diesel_schema_migrations".to_owned());
    expected.sort();
    assert_eq!(tables(&mut db.connect()), expected);
}

#[test]
fn migrating_an_already_migrated_database_applies_nothing() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();
    let columns_before = uasam_columns(&mut conn);

    let applied = run_migrations(db.url()).expect("the migrations run again");
    let applied_again = run_migrations(db.url()).expect("and again");

    assert!(applied.is_empty(), "applied {applied:?}");
    assert!(applied_again.is_empty(), "applied {applied_again:?}");
    assert_eq!(uasam_columns(&mut conn), columns_before);
}

#[test]
fn the_migrated_schema_has_uasams_columns_in_sqlite_types() {
    let db = TestDatabase::migrated();

    let columns = uasam_columns(&mut db.connect());

    assert_eq!(columns, expected_columns());
}

#[test]
fn every_uasam_table_is_strict() {
    #[derive(QueryableByName)]
    struct Strict {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = BigInt)]
        strict: i64,
    }
    let db = TestDatabase::migrated();

    let strict: Vec<Strict> = diesel::sql_query(
        "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table'",
    )
    .load(&mut db.connect())
    .expect("read pragma_table_list");

    for table in UASAM_TABLES {
        let row = strict
            .iter()
            .find(|t| t.name == table)
            .unwrap_or_else(|| panic!("{table} missing"));
        assert_eq!(row.strict, 1, "{table} is STRICT");
    }
}

#[test]
fn the_listing_index_covers_agent_then_newest_first_then_id_descending() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();

    let on_sessions: Vec<Name> =
        diesel::sql_query("SELECT name FROM pragma_index_list('agent_session')")
            .load(&mut conn)
            .expect("read pragma_index_list");
    let columns: Vec<IndexColumn> = diesel::sql_query(
        "SELECT name, \"desc\" AS descending FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno",
    )
    .bind::<Text, _>(LISTING_INDEX)
    .load(&mut conn)
    .expect("read pragma_index_xinfo");

    assert!(
        on_sessions.iter().any(|i| i.name == LISTING_INDEX),
        "{LISTING_INDEX} is an index of agent_session"
    );
    let column = |name: &str, descending| IndexColumn {
        name: name.to_owned(),
        descending,
    };
    assert_eq!(
        columns,
        [
            column("agent_id", 0),
            column("created_at", 1),
            column("id", 1)
        ]
    );
}

#[test]
fn the_foreign_keys_are_uasams() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();

    assert_eq!(
        foreign_keys(&mut conn, "agent_session"),
        [
            fk("agent_id", "agent", "id"),
            fk("agent_key_id", "agent_key", "id")
        ]
    );
    assert_eq!(
        foreign_keys(&mut conn, "agent"),
        [
            fk("created_by_id", "users", "id"),
            fk("project_id", "project", "id")
        ]
    );
    assert_eq!(
        foreign_keys(&mut conn, "user_project_mapping"),
        [
            fk("project_id", "project", "id"),
            fk("user_id", "users", "id")
        ]
    );
    assert_eq!(
        foreign_keys(&mut conn, "project"),
        [fk("created_by_id", "users", "id")]
    );
    assert_eq!(
        foreign_keys(&mut conn, "agent_key"),
        [fk("agent_id", "agent", "id")]
    );
    assert_eq!(
        foreign_keys(&mut conn, "backend_api_keys"),
        [fk("project_id", "project", "id")]
    );
}

#[test]
fn the_schema_refuses_rows_the_stores_could_not_read_or_order() {
    let mut fixture = SqliteFixture::migrated();
    let mut conn = fixture.db.connect();
    let owner = Uuid::new_v4();
    let project = Uuid::new_v4();
    let agent = Uuid::new_v4();
    fixture.insert_user(owner, "owner@example.com");
    fixture.insert_project(project, owner, true);
    fixture.insert_agent(agent, project, owner, true);
    let insert = |conn: &mut SqliteConnection,
                  id: &str,
                  created_at: &str,
                  meta: &str,
                  agent: &str| {
        diesel::sql_query(format!(
            "INSERT INTO agent_session (id, created_at, meta, agent_id) VALUES ('{id}', {created_at}, '{meta}', '{agent}')"
        ))
        .execute(conn)
    };
    let agent = agent.to_string();

    let fine = insert(&mut conn, &Uuid::new_v4().to_string(), "1", "{}", &agent);
    let upper_case_id = insert(
        &mut conn,
        &Uuid::new_v4().to_string().to_uppercase(),
        "1",
        "{}",
        &agent,
    );
    let simple_id = insert(
        &mut conn,
        &Uuid::new_v4().simple().to_string(),
        "1",
        "{}",
        &agent,
    );
    let braced_id = insert(
        &mut conn,
        &format!("{{{}}}", &Uuid::new_v4().to_string()[..34]),
        "1",
        "{}",
        &agent,
    );
    let text_time = insert(
        &mut conn,
        &Uuid::new_v4().to_string(),
        "'2026-04-16T14:30:00Z'",
        "{}",
        &agent,
    );
    let real_time = insert(&mut conn, &Uuid::new_v4().to_string(), "1.5", "{}", &agent);
    let not_json = insert(&mut conn, &Uuid::new_v4().to_string(), "1", "{oops", &agent);
    let unknown_agent = insert(
        &mut conn,
        &Uuid::new_v4().to_string(),
        "1",
        "{}",
        &Uuid::new_v4().to_string(),
    );
    let not_a_boolean = diesel::sql_query(format!(
        "UPDATE agent SET is_active = 2 WHERE id = '{agent}'"
    ))
    .execute(&mut conn);

    assert_eq!(fine, Ok(1));
    for (what, result) in [
        ("an upper-case id", upper_case_id),
        ("an id without hyphens", simple_id),
        ("a braced id", braced_id),
        ("a time as text", text_time),
        ("a time as a real", real_time),
        ("meta that is not JSON", not_json),
        ("a session of an unknown agent", unknown_agent),
        ("a boolean that is 2", not_a_boolean),
    ] {
        assert!(result.is_err(), "{what} was accepted");
    }
}

#[test]
fn migrating_creates_the_database_file_and_its_missing_directories() {
    let db = TestDatabase::empty();
    let nested = db
        .path()
        .with_extension("d")
        .join("a")
        .join("b")
        .join("otas.sqlite3");
    let path = nested.to_str().expect("UTF-8");

    let applied = run_migrations(path).expect("the migrations apply to a new file");

    assert_eq!(applied.len(), 1);
    assert!(nested.is_file(), "{} exists", nested.display());
}

#[test]
fn migrating_understands_file_and_sqlite_urls() {
    let db = TestDatabase::empty();
    let file_url = format!("file:{}?cache=private", db.url());
    let sqlite_url = format!("sqlite://{}", db.url());

    let applied = run_migrations(&file_url).expect("a file: URI");
    let applied_again = run_migrations(&sqlite_url).expect("a sqlite:// URL");

    assert_eq!(applied.len(), 1);
    assert!(applied_again.is_empty(), "the same file: {applied_again:?}");
    assert!(tables(&mut db.connect())
        .iter()
        .any(|t| t == "agent_session"));
}

#[test]
fn migrating_a_file_that_cannot_be_opened_is_a_connect_error() {
    let db = TestDatabase::empty();
    let directory = db.path().with_extension("d");
    std::fs::create_dir_all(&directory).expect("a directory");

    let result = run_migrations(directory.to_str().expect("UTF-8"));

    assert!(
        matches!(result, Err(MigrationError::Connect(_))),
        "got {result:?}"
    );
}

#[test]
fn migrating_an_in_memory_database_is_refused() {
    let result = run_migrations(":memory:");

    assert!(
        matches!(result, Err(MigrationError::Create(_))),
        "got {result:?}"
    );
}

#[test]
fn pooled_connections_enforce_foreign_keys_use_wal_and_wait_the_busy_timeout() {
    #[derive(QueryableByName)]
    struct Pragmas {
        #[diesel(sql_type = BigInt)]
        foreign_keys: i64,
        #[diesel(sql_type = Text)]
        journal_mode: String,
        #[diesel(sql_type = BigInt)]
        busy_timeout: i64,
    }
    let db = TestDatabase::migrated();
    let pool = connect(&SqliteSettings {
        busy_timeout: Duration::from_millis(1_234),
        ..common::settings(db.url())
    })
    .expect("a pool");
    let mut conn = pool.get().expect("a connection");

    let pragmas: Pragmas = diesel::sql_query(
        "SELECT (SELECT foreign_keys FROM pragma_foreign_keys) AS foreign_keys, \
                (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode, \
                (SELECT timeout FROM pragma_busy_timeout) AS busy_timeout",
    )
    .get_result(&mut *conn)
    .expect("read the pragmas");

    assert_eq!(pragmas.foreign_keys, 1);
    assert_eq!(pragmas.journal_mode, "wal");
    assert_eq!(pragmas.busy_timeout, 1_234);
}

#[test]
fn the_test_database_file_is_removed_with_it() {
    let db = TestDatabase::migrated();
    let path = db.path().to_owned();
    assert!(path.is_file());

    drop(db);

    assert!(!path.exists(), "{} is gone", path.display());
    assert!(
        !path.parent().expect("a directory").exists(),
        "its directory is gone"
    );
}

#[test]
fn the_diesel_schema_names_every_column_the_migrations_create_in_order() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();

    for (table, columns) in otas_sqlite_adapter::test_support::schema_columns() {
        let created: Vec<String> =
            diesel::sql_query("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind::<Text, _>(&table)
                .load::<Name>(&mut conn)
                .expect("read the table's columns")
                .into_iter()
                .map(|row| row.name)
                .collect();

        assert!(!columns.is_empty(), "{table}: no column parsed");
        assert_eq!(columns, created, "{table}");
    }
}
