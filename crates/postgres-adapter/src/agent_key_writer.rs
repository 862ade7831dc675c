//! Issuing and revoking the dashboard's agent keys, on the primary: a new
//! key replaces the agent's active ones in one transaction.

use diesel::dsl::exists;
use diesel::prelude::*;
use otas_domain::{AgentKeyId, ProjectId, Timestamp};
use otas_ports::{AgentKeyWriter, NewAgentKey, Row, StoreError};

use crate::pool::{with_connection, PgPool};
use crate::rows::insert;
use crate::schema::{agent, agent_key};

/// Writes agent keys on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgAgentKeyWriter {
    pool: PgPool,
}

impl PgAgentKeyWriter {
    /// A writer over the pool's database (the primary's).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl AgentKeyWriter for PgAgentKeyWriter {
    fn replace_keys(&self, project: ProjectId, key: &NewAgentKey) -> Result<bool, StoreError> {
        let row = Row::AgentKey(key.to_row());
        let (agent_id, at) = (*key.agent.as_uuid(), key.created_at.as_datetime());
        with_connection(&self.pool, |conn| {
            conn.transaction(|conn| {
                // The agent row locked: a concurrent replace of its keys
                // waits, so that one active key is left, not two.
                let found: Option<uuid::Uuid> = agent::table
                    .filter(agent::id.eq(agent_id))
                    .filter(agent::project_id.eq(project.as_uuid()))
                    .filter(agent::is_active)
                    .select(agent::id)
                    .for_update()
                    .first(conn)
                    .optional()?;
                if found.is_none() {
                    return Ok(false);
                }
                // Served by UASAM's index on agent_key (agent_id).
                diesel::update(
                    agent_key::table
                        .filter(agent_key::agent_id.eq(agent_id))
                        .filter(agent_key::active),
                )
                .set((agent_key::active.eq(false), agent_key::revoked_at.eq(at)))
                .execute(conn)?;
                insert(conn, &row)?;
                Ok(true)
            })
        })
    }

    fn revoke_key(
        &self,
        project: ProjectId,
        key: AgentKeyId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let of_project = agent::table
            .filter(agent::id.eq(agent_key::agent_id))
            .filter(agent::project_id.eq(*project.as_uuid()));
        let revoked = with_connection(&self.pool, |conn| {
            diesel::update(
                agent_key::table
                    .filter(agent_key::id.eq(*key.as_uuid()))
                    .filter(agent_key::active)
                    .filter(exists(of_project)),
            )
            .set((
                agent_key::active.eq(false),
                agent_key::revoked_at.eq(at.as_datetime()),
            ))
            .execute(conn)
        })?;
        Ok(revoked == 1)
    }
}
