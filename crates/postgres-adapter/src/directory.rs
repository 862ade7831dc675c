//! Users and demonstration data, for the operators' commands.

use diesel::connection::Connection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use otas_domain::UserId;
use otas_ports::use_cases::seed_demo::DemoData;
use otas_ports::{Directory, StoreError};

use crate::pool::{with_connection, PgPool};
use crate::schema::users;

/// UASAM's `users`, and the demo rows, on PostgreSQL.
#[derive(Clone)]
pub struct PgDirectory {
    pool: PgPool,
}

impl std::fmt::Debug for PgDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDirectory").finish_non_exhaustive()
    }
}

impl PgDirectory {
    /// A directory over the pool's database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// A password hash no password verifies: the demo user logs in with tokens only.
const NO_PASSWORD: &str = "!demo-user-without-password";

impl Directory for PgDirectory {
    fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError> {
        with_connection(&self.pool, |conn| {
            users::table
                .filter(users::id.eq(*user.as_uuid()))
                .select(users::email)
                .first::<String>(conn)
                .optional()
        })
    }

    fn has_users(&self) -> Result<bool, StoreError> {
        with_connection(&self.pool, |conn| {
            diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result(conn)
        })
    }

    fn insert_demo(&self, demo: &DemoData) -> Result<(), StoreError> {
        let now = demo.now.as_datetime();
        with_connection(&self.pool, |conn| {
            conn.transaction(|conn| {
                diesel::sql_query(
                    "INSERT INTO users (id, first_name, middle_name, last_name, email, password, created_at, updated_at) \
                     VALUES ($1, 'Demo', NULL, 'User', $2, $3, $4, $4)",
                )
                .bind::<SqlUuid, _>(*demo.user.as_uuid())
                .bind::<Text, _>(demo.email)
                .bind::<Text, _>(NO_PASSWORD)
                .bind::<Timestamptz, _>(now)
                .execute(conn)?;
                diesel::sql_query(
                    "INSERT INTO project (id, name, description, created_at, updated_at, is_active, created_by_id, domain) \
                     VALUES ($1, 'Demo project', 'Created by otas-server seed-demo', $2, $2, TRUE, $3, NULL)",
                )
                .bind::<SqlUuid, _>(*demo.project.as_uuid())
                .bind::<Timestamptz, _>(now)
                .bind::<SqlUuid, _>(*demo.user.as_uuid())
                .execute(conn)?;
                diesel::sql_query(
                    "INSERT INTO user_project_mapping (privilege, created_at, updated_at, is_active, project_id, user_id) \
                     VALUES (1, $1, $1, TRUE, $2, $3)",
                )
                .bind::<Timestamptz, _>(now)
                .bind::<SqlUuid, _>(*demo.project.as_uuid())
                .bind::<SqlUuid, _>(*demo.user.as_uuid())
                .execute(conn)?;
                for agent in &demo.agents {
                    diesel::sql_query(
                        "INSERT INTO agent (id, name, description, provider, created_at, updated_at, is_active, created_by_id, project_id) \
                         VALUES ($1, $2, 'Demo agent', $3, $4, $4, $5, $6, $7)",
                    )
                    .bind::<SqlUuid, _>(*agent.id.as_uuid())
                    .bind::<Text, _>(agent.name)
                    .bind::<Text, _>(agent.provider)
                    .bind::<Timestamptz, _>(now)
                    .bind::<Bool, _>(true)
                    .bind::<SqlUuid, _>(*demo.user.as_uuid())
                    .bind::<SqlUuid, _>(*demo.project.as_uuid())
                    .execute(conn)?;
                }
                if let Some(first) = demo.agents.first() {
                    diesel::sql_query(
                        "INSERT INTO agent_key (id, prefix, hashed_key, name, created_at, active, agent_id) \
                         VALUES ($1, 'demodemo000', $2, 'demo key', $3, TRUE, $4)",
                    )
                    .bind::<SqlUuid, _>(*demo.key.as_uuid())
                    .bind::<Text, _>(NO_PASSWORD)
                    .bind::<Timestamptz, _>(now)
                    .bind::<SqlUuid, _>(*first.id.as_uuid())
                    .execute(conn)?;
                }
                for session in &demo.sessions {
                    diesel::sql_query(
                        "INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id) \
                         VALUES ($1, $2, CAST($3 AS jsonb), $4, $5)",
                    )
                    .bind::<SqlUuid, _>(*session.id.as_uuid())
                    .bind::<Timestamptz, _>(session.created_at.as_datetime())
                    .bind::<Text, _>(&session.meta)
                    .bind::<SqlUuid, _>(*session.agent.as_uuid())
                    .bind::<Nullable<SqlUuid>, _>(session.agent_key.map(|k| *k.as_uuid()))
                    .execute(conn)?;
                }
                Ok(())
            })
        })
    }
}
