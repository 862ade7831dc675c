//! Test support (feature `test-support`): a throw-away database per test and
//! UASAM-shaped rows written with plain SQL, as UASAM itself would write them.
//!
//! Panics instead of returning errors: it only runs inside tests, where a
//! panic with a clear message is the right answer to a broken fixture.
#![allow(clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::migrations::run_migrations;

/// The server that test databases are created on. `OTAS_TEST_DATABASE_URL`
/// overrides it; its database part is only used to connect for CREATE/DROP.
pub fn admin_url() -> String {
    std::env::var("OTAS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database of its own for one test, migrated, dropped when it goes out of scope.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database with a unique name and applies the migrations.
    pub fn migrated() -> Self {
        let db = Self::empty();
        run_migrations(db.url()).expect("the migrations apply to an empty database");
        db
    }

    /// Creates an empty database with a unique name, without any table.
    pub fn empty() -> Self {
        let admin = admin_url();
        let name = format!("otas_test_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin).unwrap_or_else(|e| {
            panic!(
                "cannot reach the test PostgreSQL at {}: {e}",
                redact(&admin)
            )
        });
        conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .expect("CREATE DATABASE");
        let mut url = url::Url::parse(&admin).expect("OTAS_TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Self {
            name,
            url: url.to_string(),
        }
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to the database.
    pub fn connect(&self) -> PgConnection {
        connect_to(&self.url)
    }
}

/// A new connection to the database at `url`.
pub fn connect_to(url: &str) -> PgConnection {
    PgConnection::establish(url).expect("connect to the test database")
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&admin_url()) {
            // FORCE: a server under test may still hold connections.
            let _ = conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

/// A fixed creation time for rows whose time does not matter.
fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_000_000, 0).expect("in range")
}

/// Inserts a user.
pub fn insert_user(conn: &mut PgConnection, id: Uuid, email: &str) {
    diesel::sql_query(
        "INSERT INTO users (id, first_name, middle_name, last_name, email, password, created_at, updated_at) \
         VALUES ($1, 'Test', NULL, 'User', $2, 'pbkdf2_sha256$720000$salt$hash', $3, $3)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(email)
    .bind::<Timestamptz, _>(epoch())
    .execute(conn)
    .expect("insert user");
}

/// Inserts a project created by `owner`.
pub fn insert_project(conn: &mut PgConnection, id: Uuid, owner: Uuid, is_active: bool) {
    diesel::sql_query(
        "INSERT INTO project (id, name, description, created_at, updated_at, is_active, created_by_id, domain) \
         VALUES ($1, 'Project', '', $2, $2, $3, $4, NULL)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(epoch())
    .bind::<Bool, _>(is_active)
    .bind::<SqlUuid, _>(owner)
    .execute(conn)
    .expect("insert project");
}

/// Maps `user` to `project` as a member.
pub fn insert_membership(conn: &mut PgConnection, user: Uuid, project: Uuid, is_active: bool) {
    diesel::sql_query(
        "INSERT INTO user_project_mapping (privilege, created_at, updated_at, is_active, project_id, user_id) \
         VALUES (2, $1, $1, $2, $3, $4)",
    )
    .bind::<Timestamptz, _>(epoch())
    .bind::<Bool, _>(is_active)
    .bind::<SqlUuid, _>(project)
    .bind::<SqlUuid, _>(user)
    .execute(conn)
    .expect("insert membership");
}

/// Inserts an agent of `project`.
pub fn insert_agent(
    conn: &mut PgConnection,
    id: Uuid,
    project: Uuid,
    owner: Uuid,
    is_active: bool,
) {
    diesel::sql_query(
        "INSERT INTO agent (id, name, description, provider, created_at, updated_at, is_active, created_by_id, project_id) \
         VALUES ($1, 'Agent', '', 'anthropic', $2, $2, $3, $4, $5)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(epoch())
    .bind::<Bool, _>(is_active)
    .bind::<SqlUuid, _>(owner)
    .bind::<SqlUuid, _>(project)
    .execute(conn)
    .expect("insert agent");
}

/// Inserts an active key of `agent`.
pub fn insert_agent_key(conn: &mut PgConnection, id: Uuid, agent: Uuid) {
    diesel::sql_query(
        "INSERT INTO agent_key (id, prefix, hashed_key, name, created_at, active, agent_id) \
         VALUES ($1, $2, 'pbkdf2_sha256$720000$salt$hash', 'key', $3, true, $4)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(id.simple().to_string()[..11].to_owned())
    .bind::<Timestamptz, _>(epoch())
    .bind::<SqlUuid, _>(agent)
    .execute(conn)
    .expect("insert agent key");
}

/// Inserts a session of `agent`; `meta` is JSON text.
pub fn insert_session(
    conn: &mut PgConnection,
    id: Uuid,
    agent: Uuid,
    agent_key: Option<Uuid>,
    created_at: DateTime<Utc>,
    meta: &str,
) {
    diesel::sql_query(
        "INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id) VALUES ($1, $2, $3::jsonb, $4, $5)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(created_at)
    .bind::<Text, _>(meta)
    .bind::<SqlUuid, _>(agent)
    .bind::<Nullable<SqlUuid>, _>(agent_key)
    .execute(conn)
    .expect("insert session");
}

/// Deletes a session.
pub fn delete_session(conn: &mut PgConnection, id: Uuid) {
    diesel::sql_query("DELETE FROM agent_session WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .expect("delete session");
}
