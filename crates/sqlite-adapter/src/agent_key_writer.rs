//! Issuing and revoking the dashboard's agent keys: a new key replaces the
//! agent's active ones in one transaction.

use diesel::dsl::exists;
use diesel::prelude::*;
use otas_domain::{AgentKeyId, ProjectId, Timestamp};
use otas_ports::{AgentKeyWriter, NewAgentKey, Row, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::rows::insert;
use crate::schema::{agent, agent_key};

/// Writes agent keys on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteAgentKeyWriter {
    pool: SqlitePool,
}

impl SqliteAgentKeyWriter {
    /// A writer over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl AgentKeyWriter for SqliteAgentKeyWriter {
    fn replace_keys(&self, project: ProjectId, key: &NewAgentKey) -> Result<bool, StoreError> {
        let row = Row::AgentKey(key.to_row());
        let (agent_id, at) = (key.agent.to_string(), key.created_at.as_micros());
        let mut conn = checkout(&self.pool)?;
        // SQLite runs one writing transaction at a time: a concurrent
        // replace waits for this one, so one active key is left.
        conn.immediate_transaction(|conn| {
            let found: Option<String> = agent::table
                .filter(agent::id.eq(&agent_id))
                .filter(agent::project_id.eq(project.to_string()))
                .filter(agent::is_active)
                .select(agent::id)
                .first(conn)
                .optional()?;
            if found.is_none() {
                return Ok(false);
            }
            diesel::update(
                agent_key::table
                    .filter(agent_key::agent_id.eq(&agent_id))
                    .filter(agent_key::active),
            )
            .set((agent_key::active.eq(false), agent_key::revoked_at.eq(at)))
            .execute(conn)?;
            insert(conn, &row)?;
            Ok(true)
        })
        .map_err(from_query)
    }

    fn revoke_key(
        &self,
        project: ProjectId,
        key: AgentKeyId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let of_project = agent::table
            .filter(agent::id.eq(agent_key::agent_id))
            .filter(agent::project_id.eq(project.to_string()));
        let mut conn = checkout(&self.pool)?;
        let revoked = diesel::update(
            agent_key::table
                .filter(agent_key::id.eq(key.to_string()))
                .filter(agent_key::active)
                .filter(exists(of_project)),
        )
        .set((
            agent_key::active.eq(false),
            agent_key::revoked_at.eq(at.as_micros()),
        ))
        .execute(&mut conn)
        .map_err(from_query)?;
        Ok(revoked == 1)
    }
}
