//! The one place where this adapter inserts UASAM's rows for the demo data
//! of a first run and every test's fixtures (never for a request: sessions
//! opened by agents go through the session writer, whose insert the
//! session rows here share).

//!
//! Ids are written as lower-case hyphenated text, times as microseconds since
//! the Unix epoch, `meta` as the JSON text given (the schema checks it is JSON).

use diesel::prelude::*;
use otas_ports::{Row, RowWriter, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::{agent, agent_key, backend_api_keys, project, user_project_mapping, users};

/// Writes UASAM's rows on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteRowWriter {
    pool: SqlitePool,
}

impl SqliteRowWriter {
    /// A writer over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl RowWriter for SqliteRowWriter {
    fn write(&self, rows: &[Row]) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        conn.immediate_transaction(|conn| rows.iter().try_for_each(|row| insert(conn, row)))
            .map_err(from_query)
    }
}

#[derive(Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite))]
struct NewUser<'a> {
    id: String,
    first_name: &'a str,
    middle_name: Option<&'a str>,
    last_name: &'a str,
    email: &'a str,
    password: &'a str,
    created_at: i64,
    updated_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = project, check_for_backend(diesel::sqlite::Sqlite))]
struct NewProject<'a> {
    id: String,
    name: &'a str,
    description: &'a str,
    created_at: i64,
    updated_at: i64,
    is_active: bool,
    created_by_id: String,
    domain: Option<&'a str>,
}

/// `id` is the rowid: SQLite numbers the mapping.
#[derive(Insertable)]
#[diesel(table_name = user_project_mapping, check_for_backend(diesel::sqlite::Sqlite))]
struct NewMembership {
    privilege: i32,
    created_at: i64,
    updated_at: i64,
    is_active: bool,
    project_id: String,
    user_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = agent, check_for_backend(diesel::sqlite::Sqlite))]
struct NewAgent<'a> {
    id: String,
    name: &'a str,
    description: &'a str,
    provider: &'a str,
    created_at: i64,
    updated_at: i64,
    is_active: bool,
    created_by_id: String,
    project_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = agent_key, check_for_backend(diesel::sqlite::Sqlite))]
struct NewAgentKey<'a> {
    id: String,
    prefix: &'a str,
    hashed_key: &'a str,
    name: Option<&'a str>,
    created_at: i64,
    active: bool,
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
    agent_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = backend_api_keys, check_for_backend(diesel::sqlite::Sqlite))]
struct NewSdkKey<'a> {
    id: String,
    prefix: &'a str,
    hashed_key: &'a str,
    name: Option<&'a str>,
    created_at: i64,
    active: bool,
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
    project_id: String,
}

pub(crate) fn insert(conn: &mut SqliteConnection, row: &Row) -> QueryResult<()> {
    match row {
        Row::User(user) => {
            let at = user.created_at.as_micros();
            diesel::insert_into(users::table)
                .values(NewUser {
                    id: user.id.to_string(),
                    first_name: &user.first_name,
                    middle_name: None,
                    last_name: &user.last_name,
                    email: &user.email,
                    password: &user.password,
                    created_at: at,
                    updated_at: at,
                })
                .execute(conn)?;
        }
        Row::Project(p) => {
            let at = p.created_at.as_micros();
            diesel::insert_into(project::table)
                .values(NewProject {
                    id: p.id.to_string(),
                    name: &p.name,
                    description: &p.description,
                    created_at: at,
                    updated_at: at,
                    is_active: p.is_active,
                    created_by_id: p.owner.to_string(),
                    domain: None,
                })
                .execute(conn)?;
        }
        Row::Membership(m) => {
            let at = m.created_at.as_micros();
            diesel::insert_into(user_project_mapping::table)
                .values(NewMembership {
                    privilege: i32::from(m.privilege),
                    created_at: at,
                    updated_at: at,
                    is_active: m.is_active,
                    project_id: m.project.to_string(),
                    user_id: m.user.to_string(),
                })
                .execute(conn)?;
        }
        Row::Agent(a) => {
            let at = a.created_at.as_micros();
            diesel::insert_into(agent::table)
                .values(NewAgent {
                    id: a.id.to_string(),
                    name: &a.name,
                    description: &a.description,
                    provider: &a.provider,
                    created_at: at,
                    updated_at: at,
                    is_active: a.is_active,
                    created_by_id: a.owner.to_string(),
                    project_id: a.project.to_string(),
                })
                .execute(conn)?;
        }
        Row::AgentKey(k) => {
            diesel::insert_into(agent_key::table)
                .values(NewAgentKey {
                    id: k.id.to_string(),
                    prefix: &k.prefix,
                    hashed_key: &k.hashed_key,
                    name: k.name.as_deref(),
                    created_at: k.created_at.as_micros(),
                    active: k.active,
                    revoked_at: k.revoked_at.map(|t| t.as_micros()),
                    expires_at: k.expires_at.map(|t| t.as_micros()),
                    agent_id: k.agent.to_string(),
                })
                .execute(conn)?;
        }
        Row::SdkKey(k) => {
            diesel::insert_into(backend_api_keys::table)
                .values(NewSdkKey {
                    id: k.id.to_string(),
                    prefix: &k.prefix,
                    hashed_key: &k.hashed_key,
                    name: k.name.as_deref(),
                    created_at: k.created_at.as_micros(),
                    active: k.active,
                    revoked_at: k.revoked_at.map(|t| t.as_micros()),
                    expires_at: k.expires_at.map(|t| t.as_micros()),
                    project_id: k.project.to_string(),
                })
                .execute(conn)?;
        }
        Row::Session(s) => crate::session_writer::insert(conn, s)?,
    }
    Ok(())
}
