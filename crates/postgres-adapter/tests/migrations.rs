//! The embedded migrations against a real PostgreSQL: on an empty database,
//! on one already migrated, on one UASAM already built, and the schema they
//! leave behind.
#![allow(clippy::expect_used)]

mod common;

use common::uasam::{UASAM_AGENTS, UASAM_REST, UASAM_USERS};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use otas_domain::{AgentId, Order, SessionQuery};
use otas_ports::SessionStore;
use otas_postgres_adapter::test_support::TestDatabase;
use otas_postgres_adapter::{run_migrations, MigrationError, PgSessionStore};
use uuid::Uuid;

/// UASAM's columns, as `information_schema.columns` shows them:
/// table, column, data_type, character_maximum_length (empty when NULL),
/// is_nullable. Copied from the shared UASAM schema spec.
const UASAM_SCHEMA_TSV: &str = "\
table	column	data_type	max_length	is_nullable
agent	created_at	timestamp with time zone		NO
agent	created_by_id	uuid		NO
agent	description	text		NO
agent	id	uuid		NO
agent	is_active	boolean		NO
agent	name	text		NO
agent	project_id	uuid		NO
agent	provider	text		NO
agent	updated_at	timestamp with time zone		NO
agent_key	active	boolean		NO
agent_key	agent_id	uuid		NO
agent_key	created_at	timestamp with time zone		NO
agent_key	expires_at	timestamp with time zone		YES
agent_key	hashed_key	text		NO
agent_key	id	uuid		NO
agent_key	last_used_at	timestamp with time zone		YES
agent_key	name	character varying	255	YES
agent_key	prefix	character varying	255	NO
agent_key	revoked_at	timestamp with time zone		YES
agent_session	agent_id	uuid		NO
agent_session	agent_key_id	uuid		YES
agent_session	created_at	timestamp with time zone		NO
agent_session	id	uuid		NO
agent_session	meta	jsonb		NO
backend_api_keys	active	boolean		NO
backend_api_keys	created_at	timestamp with time zone		NO
backend_api_keys	expires_at	timestamp with time zone		YES
backend_api_keys	hashed_key	text		NO
backend_api_keys	id	uuid		NO
backend_api_keys	last_used_at	timestamp with time zone		YES
backend_api_keys	name	character varying	255	YES
backend_api_keys	prefix	character varying	255	NO
backend_api_keys	project_id	uuid		NO
backend_api_keys	revoked_at	timestamp with time zone		YES
project	created_at	timestamp with time zone		NO
project	created_by_id	uuid		NO
project	description	character varying	300	NO
project	domain	character varying	200	YES
project	id	uuid		NO
project	is_active	boolean		NO
project	name	character varying	255	NO
project	updated_at	timestamp with time zone		NO
user_project_mapping	created_at	timestamp with time zone		NO
user_project_mapping	id	bigint		NO
user_project_mapping	is_active	boolean		NO
user_project_mapping	privilege	smallint		NO
user_project_mapping	project_id	uuid		NO
user_project_mapping	updated_at	timestamp with time zone		NO
user_project_mapping	user_id	uuid		NO
users	created_at	timestamp with time zone		NO
users	email	character varying	254	NO
users	first_name	character varying	100	NO
users	id	uuid		NO
users	last_name	character varying	100	NO
users	middle_name	character varying	100	YES
users	password	character varying	128	NO
users	updated_at	timestamp with time zone		NO
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
const META_INDEX: &str = "agent_session_meta_idx";

/// (table, column, data_type, max_length, is_nullable)
type Column = (String, String, String, String, String);

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    max_length: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    indexdef: String,
    #[diesel(sql_type = Bool)]
    valid: bool,
}

fn expected_columns() -> Vec<Column> {
    let mut columns: Vec<Column> = UASAM_SCHEMA_TSV
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
                fields[3].to_owned(),
                fields[4].to_owned(),
            )
        })
        .collect();
    columns.sort();
    columns
}

fn uasam_columns(conn: &mut PgConnection) -> Vec<Column> {
    let mut columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                data_type::text AS data_type, \
                COALESCE(character_maximum_length::text, '') AS max_length, \
                is_nullable::text AS is_nullable \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = ANY($1)",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(UASAM_TABLES.to_vec())
    .load::<ColumnRow>(conn)
    .expect("read information_schema.columns")
    .into_iter()
    .map(|c| {
        (
            c.table_name,
            c.column_name,
            c.data_type,
            c.max_length,
            c.is_nullable,
        )
    })
    .collect();
    columns.sort();
    columns
}

fn public_tables(conn: &mut PgConnection) -> Vec<String> {
    let mut tables: Vec<String> = diesel::sql_query(
        "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public'",
    )
    .load::<Name>(conn)
    .expect("read pg_tables")
    .into_iter()
    .map(|t| t.name)
    .collect();
    tables.sort();
    tables
}

fn listing_index(conn: &mut PgConnection) -> Option<IndexRow> {
    index_named(conn, LISTING_INDEX)
}

fn index_named(conn: &mut PgConnection, name: &str) -> Option<IndexRow> {
    diesel::sql_query(
        "SELECT i.indexdef::text AS indexdef, x.indisvalid AS valid \
         FROM pg_indexes i \
         JOIN pg_class c ON c.relname = i.indexname \
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname \
         JOIN pg_index x ON x.indexrelid = c.oid \
         WHERE i.schemaname = 'public' AND i.tablename = 'agent_session' AND i.indexname = $1",
    )
    .bind::<Text, _>(name)
    .get_result::<IndexRow>(conn)
    .optional()
    .expect("read pg_indexes")
}

fn emails(conn: &mut PgConnection) -> Vec<String> {
    diesel::sql_query("SELECT email::text AS name FROM users ORDER BY email")
        .load::<Name>(conn)
        .expect("read users")
        .into_iter()
        .map(|u| u.name)
        .collect()
}

#[test]
fn migrating_an_empty_database_applies_both_migrations() {
    let db = TestDatabase::empty();

    let applied = run_migrations(db.url()).expect("the migrations apply");

    assert_eq!(applied.len(), 4, "applied {applied:?}");
    let mut conn = db.connect();
    let tables = public_tables(&mut conn);
    for table in UASAM_TABLES {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing: {tables:?}"
        );
    }
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
fn a_database_with_some_of_uasams_tables_is_refused_naming_them_and_left_as_it_was() {
    for (fixtures, present) in [
        (vec![UASAM_USERS], "users"),
        (
            vec![UASAM_USERS, UASAM_AGENTS],
            "agent, agent_key, agent_session, project, users",
        ),
    ] {
        let db = TestDatabase::empty();
        let mut conn = db.connect();
        for fixture in fixtures {
            conn.batch_execute(fixture).expect("some of UASAM's tables");
        }
        let tables_before = public_tables(&mut conn);

        let refused = run_migrations(db.url());

        let Err(error @ MigrationError::PartialSchema { .. }) = refused else {
            panic!("{present}: expected a refusal, got {refused:?}");
        };
        let message = error.to_string();
        assert!(
            message.contains(&format!("present: {present};")),
            "{message}"
        );
        assert!(message.contains("backend_api_keys"), "{message}");
        assert!(message.contains("user_project_mapping"), "{message}");
        assert_eq!(public_tables(&mut conn), tables_before, "nothing created");
        assert!(listing_index(&mut conn).is_none(), "no index built");
        assert_eq!(emails(&mut conn), ["ada@example.com"]);
    }
}

#[test]
fn migrating_a_database_uasam_already_built_attaches_to_it_keeping_its_rows() {
    let db = TestDatabase::empty();
    let mut conn = db.connect();
    conn.batch_execute(UASAM_USERS)
        .expect("UASAM's users table and a user");
    conn.batch_execute(UASAM_AGENTS)
        .expect("UASAM's project, agent, key and session tables and rows");
    conn.batch_execute(UASAM_REST)
        .expect("UASAM's other two tables");

    let applied = run_migrations(db.url()).expect("the migrations apply over UASAM's tables");
    let applied_again = run_migrations(db.url()).expect("and run again");

    assert_eq!(applied.len(), 4, "applied {applied:?}");
    assert!(applied_again.is_empty(), "applied again {applied_again:?}");
    assert_eq!(emails(&mut conn), ["ada@example.com"]);
    let mut expected: Vec<String> = UASAM_TABLES.iter().map(|t| (*t).to_owned()).collect();
    expected.push("__diesel_schema_migrations".to_owned());
    expected.sort();
    assert_eq!(public_tables(&mut conn), expected);
    assert!(
        index_named(&mut conn, "agent_session_agent_id_idx").is_none(),
        "UASAM's tables are attached to, not created: Django's index names stay"
    );
    let index = listing_index(&mut conn).expect("the listing index on UASAM's agent_session");
    assert!(index.valid, "the index built concurrently is valid");
    let meta_index =
        index_named(&mut conn, META_INDEX).expect("the meta index on UASAM's agent_session");
    assert!(
        meta_index.valid,
        "the meta index built concurrently is valid"
    );
    // UASAM's session is served, unchanged.
    let store = PgSessionStore::new(common::pool(db.url()));
    let agent = Uuid::parse_str("2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60").expect("a UUID");
    let sessions = store
        .sessions_after(
            &SessionQuery {
                agent: AgentId::from_uuid(agent),
                order: Order::Desc,
                filter: Default::default(),
            },
            None,
            otas_ports::ReadBound::rows(10),
        )
        .expect("the store reads UASAM's sessions");
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        sessions[0].id.to_string(),
        "3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b"
    );
    assert_eq!(
        sessions[0].created_at.to_string(),
        "2025-06-07T08:09:10.111213+00:00"
    );
    let meta: serde_json::Value =
        serde_json::from_str(sessions[0].meta.as_str()).expect("meta is JSON");
    assert_eq!(meta, serde_json::json!({"bernoulli": [1, -0.5, 0.1666]}));
}

#[test]
fn the_migrated_schema_has_exactly_uasams_columns() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();

    let columns = uasam_columns(&mut conn);

    assert_eq!(columns, expected_columns());
}

#[test]
fn the_migrations_create_only_uasams_tables_and_their_own_bookkeeping() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();

    let tables = public_tables(&mut conn);

    let mut expected: Vec<String> = UASAM_TABLES.iter().map(|t| (*t).to_owned()).collect();
    expected.push("__diesel_schema_migrations".to_owned());
    expected.sort();
    assert_eq!(tables, expected);
}

#[test]
fn the_listing_index_covers_agent_then_newest_first_then_id_descending() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();

    let index = listing_index(&mut conn).expect("agent_session_agent_created_id_idx exists");

    assert!(
        index
            .indexdef
            .contains("(agent_id, created_at DESC, id DESC)"),
        "the index is {}",
        index.indexdef
    );
    assert!(index.valid, "the index is valid");
}

#[test]
fn the_meta_index_serves_jsonb_containment() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();

    let index = index_named(&mut conn, META_INDEX).expect("agent_session_meta_idx exists");

    assert!(
        index.indexdef.contains("USING gin (meta jsonb_path_ops)"),
        "the index is {}",
        index.indexdef
    );
    assert!(index.valid, "the index is valid");
    // Its pending list is bounded, so that a selective filter does not scan
    // megabytes of entries not yet merged (the 2026-12-05 migration).
    let options: Vec<Name> = diesel::sql_query(
        "SELECT unnest(reloptions)::text AS name FROM pg_class WHERE relname = $1",
    )
    .bind::<Text, _>(META_INDEX)
    .load(&mut conn)
    .expect("read pg_class");
    assert!(
        options
            .iter()
            .any(|o| o.name == "gin_pending_list_limit=256"),
        "the index's options are {:?}",
        options.iter().map(|o| &o.name).collect::<Vec<_>>()
    );
}

#[test]
fn migrating_an_unreachable_database_is_a_connect_error() {
    let result = run_migrations("postgres://postgres@127.0.0.1:1/nothing");

    assert!(
        matches!(result, Err(MigrationError::Connect(_))),
        "got {result:?}"
    );
}

#[test]
fn the_diesel_schema_names_every_column_the_migrations_create_in_order() {
    let db = TestDatabase::migrated();
    let mut conn = db.connect();

    for (table, columns) in otas_postgres_adapter::test_support::schema_columns() {
        let created: Vec<String> = diesel::sql_query(
            "SELECT column_name::text AS name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind::<Text, _>(&table)
        .load::<Name>(&mut conn)
        .expect("read information_schema")
        .into_iter()
        .map(|row| row.name)
        .collect();

        assert!(!columns.is_empty(), "{table}: no column parsed");
        assert_eq!(columns, created, "{table}");
    }
}
