//! The one place where this adapter inserts UASAM's rows for the demo data
//! of a first run and every test's fixtures (never for a request: sessions
//! opened by agents go through the session writer, whose insert the
//! session rows here share).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use otas_ports::{Row, RowWriter, StoreError};
use uuid::Uuid;

use crate::pool::{with_connection, PgPool};
use crate::schema::{agent, agent_key, backend_api_keys, project, user_project_mapping, users};

/// Writes UASAM's rows on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgRowWriter {
    pool: PgPool,
}

impl PgRowWriter {
    /// A writer over the pool's database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl RowWriter for PgRowWriter {
    fn write(&self, rows: &[Row]) -> Result<(), StoreError> {
        with_connection(&self.pool, |conn| {
            conn.transaction(|conn| rows.iter().try_for_each(|row| insert(conn, row)))
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
struct NewUser<'a> {
    id: Uuid,
    first_name: &'a str,
    middle_name: Option<&'a str>,
    last_name: &'a str,
    email: &'a str,
    password: &'a str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = project, check_for_backend(diesel::pg::Pg))]
struct NewProject<'a> {
    id: Uuid,
    name: &'a str,
    description: &'a str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    is_active: bool,
    created_by_id: Uuid,
    domain: Option<&'a str>,
}

/// `id` is an identity: PostgreSQL numbers the mapping.
#[derive(Insertable)]
#[diesel(table_name = user_project_mapping, check_for_backend(diesel::pg::Pg))]
struct NewMembership {
    privilege: i16,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    is_active: bool,
    project_id: Uuid,
    user_id: Uuid,
}

#[derive(Insertable)]
#[diesel(table_name = agent, check_for_backend(diesel::pg::Pg))]
struct NewAgent<'a> {
    id: Uuid,
    name: &'a str,
    description: &'a str,
    provider: &'a str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    is_active: bool,
    created_by_id: Uuid,
    project_id: Uuid,
}

#[derive(Insertable)]
#[diesel(table_name = agent_key, check_for_backend(diesel::pg::Pg))]
struct NewAgentKey<'a> {
    id: Uuid,
    prefix: &'a str,
    hashed_key: &'a str,
    name: Option<&'a str>,
    created_at: DateTime<Utc>,
    active: bool,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    agent_id: Uuid,
}

#[derive(Insertable)]
#[diesel(table_name = backend_api_keys, check_for_backend(diesel::pg::Pg))]
struct NewSdkKey<'a> {
    id: Uuid,
    prefix: &'a str,
    hashed_key: &'a str,
    name: Option<&'a str>,
    created_at: DateTime<Utc>,
    active: bool,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    project_id: Uuid,
}

pub(crate) fn insert(conn: &mut PgConnection, row: &Row) -> QueryResult<()> {
    match row {
        Row::User(user) => {
            let at = user.created_at.as_datetime();
            diesel::insert_into(users::table)
                .values(NewUser {
                    id: *user.id.as_uuid(),
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
            let at = p.created_at.as_datetime();
            diesel::insert_into(project::table)
                .values(NewProject {
                    id: *p.id.as_uuid(),
                    name: &p.name,
                    description: &p.description,
                    created_at: at,
                    updated_at: at,
                    is_active: p.is_active,
                    created_by_id: *p.owner.as_uuid(),
                    domain: None,
                })
                .execute(conn)?;
        }
        Row::Membership(m) => {
            let at = m.created_at.as_datetime();
            diesel::insert_into(user_project_mapping::table)
                .values(NewMembership {
                    privilege: m.privilege,
                    created_at: at,
                    updated_at: at,
                    is_active: m.is_active,
                    project_id: *m.project.as_uuid(),
                    user_id: *m.user.as_uuid(),
                })
                .execute(conn)?;
        }
        Row::Agent(a) => {
            let at = a.created_at.as_datetime();
            diesel::insert_into(agent::table)
                .values(NewAgent {
                    id: *a.id.as_uuid(),
                    name: &a.name,
                    description: &a.description,
                    provider: &a.provider,
                    created_at: at,
                    updated_at: at,
                    is_active: a.is_active,
                    created_by_id: *a.owner.as_uuid(),
                    project_id: *a.project.as_uuid(),
                })
                .execute(conn)?;
        }
        Row::AgentKey(k) => {
            diesel::insert_into(agent_key::table)
                .values(NewAgentKey {
                    id: *k.id.as_uuid(),
                    prefix: &k.prefix,
                    hashed_key: &k.hashed_key,
                    name: k.name.as_deref(),
                    created_at: k.created_at.as_datetime(),
                    active: k.active,
                    revoked_at: k.revoked_at.map(|t| t.as_datetime()),
                    expires_at: k.expires_at.map(|t| t.as_datetime()),
                    agent_id: *k.agent.as_uuid(),
                })
                .execute(conn)?;
        }
        Row::SdkKey(k) => {
            diesel::insert_into(backend_api_keys::table)
                .values(NewSdkKey {
                    id: *k.id.as_uuid(),
                    prefix: &k.prefix,
                    hashed_key: &k.hashed_key,
                    name: k.name.as_deref(),
                    created_at: k.created_at.as_datetime(),
                    active: k.active,
                    revoked_at: k.revoked_at.map(|t| t.as_datetime()),
                    expires_at: k.expires_at.map(|t| t.as_datetime()),
                    project_id: *k.project.as_uuid(),
                })
                .execute(conn)?;
        }
        Row::Session(s) => crate::session_writer::insert(conn, s)?,
    }
    Ok(())
}
