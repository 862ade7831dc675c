//! Users and demonstration data, for the operators' commands.

use diesel::connection::Connection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use otas_domain::UserId;
use otas_ports::use_cases::seed_demo::DemoData;
use otas_ports::{Directory, StoreError};

use crate::error::{from_pool, from_query};
use crate::pool::SqlitePool;
use crate::schema::users;

/// UASAM's `users`, and the demo rows, on SQLite.
#[derive(Clone)]
pub struct SqliteDirectory {
    pool: SqlitePool,
}

impl std::fmt::Debug for SqliteDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDirectory").finish_non_exhaustive()
    }
}

impl SqliteDirectory {
    /// A directory over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

/// A password hash no password verifies: the demo user logs in with tokens only.
const NO_PASSWORD: &str = "!demo-user-without-password";

impl Directory for SqliteDirectory {
    fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let mut conn = self.pool.get().map_err(|e| from_pool(&e))?;
        users::table
            .filter(users::id.eq(user.to_string()))
            .select(users::email)
            .first::<String>(&mut conn)
            .optional()
            .map_err(from_query)
    }

    fn has_users(&self) -> Result<bool, StoreError> {
        let mut conn = self.pool.get().map_err(|e| from_pool(&e))?;
        diesel::select(diesel::dsl::exists(users::table.select(users::id)))
            .get_result(&mut conn)
            .map_err(from_query)
    }

    fn insert_demo(&self, demo: &DemoData) -> Result<(), StoreError> {
        let mut conn = self.pool.get().map_err(|e| from_pool(&e))?;
        let now = demo.now.as_micros();
        let user = demo.user.to_string();
        let project = demo.project.to_string();
        conn.transaction(|conn| {
            diesel::sql_query(
                "INSERT INTO users (id, first_name, middle_name, last_name, email, password, created_at, updated_at) \
                 VALUES (?1, 'Demo', NULL, 'User', ?2, ?3, ?4, ?4)",
            )
            .bind::<Text, _>(&user)
            .bind::<Text, _>(demo.email)
            .bind::<Text, _>(NO_PASSWORD)
            .bind::<BigInt, _>(now)
            .execute(conn)?;
            diesel::sql_query(
                "INSERT INTO project (id, name, description, created_at, updated_at, is_active, created_by_id, domain) \
                 VALUES (?1, 'Demo project', 'Created by otas-server seed-demo', ?2, ?2, 1, ?3, NULL)",
            )
            .bind::<Text, _>(&project)
            .bind::<BigInt, _>(now)
            .bind::<Text, _>(&user)
            .execute(conn)?;
            diesel::sql_query(
                "INSERT INTO user_project_mapping (privilege, created_at, updated_at, is_active, project_id, user_id) \
                 VALUES (1, ?1, ?1, 1, ?2, ?3)",
            )
            .bind::<BigInt, _>(now)
            .bind::<Text, _>(&project)
            .bind::<Text, _>(&user)
            .execute(conn)?;
            for agent in &demo.agents {
                diesel::sql_query(
                    "INSERT INTO agent (id, name, description, provider, created_at, updated_at, is_active, created_by_id, project_id) \
                     VALUES (?1, ?2, 'Demo agent', ?3, ?4, ?4, ?5, ?6, ?7)",
                )
                .bind::<Text, _>(agent.id.to_string())
                .bind::<Text, _>(agent.name)
                .bind::<Text, _>(agent.provider)
                .bind::<BigInt, _>(now)
                .bind::<Bool, _>(true)
                .bind::<Text, _>(&user)
                .bind::<Text, _>(&project)
                .execute(conn)?;
            }
            if let Some(first) = demo.agents.first() {
                diesel::sql_query(
                    "INSERT INTO agent_key (id, prefix, hashed_key, name, created_at, active, agent_id) \
                     VALUES (?1, 'demodemo000', ?2, 'demo key', ?3, 1, ?4)",
                )
                .bind::<Text, _>(demo.key.to_string())
                .bind::<Text, _>(NO_PASSWORD)
                .bind::<BigInt, _>(now)
                .bind::<Text, _>(first.id.to_string())
                .execute(conn)?;
            }
            for session in &demo.sessions {
                diesel::sql_query(
                    "INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .bind::<Text, _>(session.id.to_string())
                .bind::<BigInt, _>(session.created_at.as_micros())
                .bind::<Text, _>(&session.meta)
                .bind::<Text, _>(session.agent.to_string())
                .bind::<Nullable<Text>, _>(session.agent_key.map(|k| k.to_string()))
                .execute(conn)?;
            }
            Ok(())
        })
        .map_err(from_query)
    }
}
