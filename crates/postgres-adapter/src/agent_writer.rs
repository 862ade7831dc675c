//! Writing the agents the dashboard creates: the agent and its first key in
//! one transaction, on the primary.

use diesel::prelude::*;
use otas_ports::{AgentWriter, NewAgent, NewAgentKey, Row, StoreError};

use crate::pool::{with_connection, PgPool};
use crate::rows::insert;

/// Writes new agents on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgAgentWriter {
    pool: PgPool,
}

impl PgAgentWriter {
    /// A writer over the pool's database (the primary's).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl AgentWriter for PgAgentWriter {
    /// Cost: one transaction of two inserts.
    fn create_agent(&self, agent: &NewAgent, key: &NewAgentKey) -> Result<(), StoreError> {
        let (agent, key) = (Row::Agent(agent.to_row()), Row::AgentKey(key.to_row()));
        with_connection(&self.pool, |conn| {
            conn.transaction(|conn| {
                insert(conn, &agent)?;
                insert(conn, &key)
            })
        })
    }
}
