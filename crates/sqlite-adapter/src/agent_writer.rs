//! Writing the agents the dashboard creates: the agent and its first key in
//! one transaction, on the primary.

use diesel::prelude::*;
use otas_ports::{AgentWriter, NewAgent, NewAgentKey, Row, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::rows::insert;

/// Writes new agents on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteAgentWriter {
    pool: SqlitePool,
}

impl SqliteAgentWriter {
    /// A writer over the pool's database (the primary's).
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl AgentWriter for SqliteAgentWriter {
    /// Cost: one transaction of two inserts.
    fn create_agent(&self, agent: &NewAgent, key: &NewAgentKey) -> Result<(), StoreError> {
        let (agent, key) = (Row::Agent(agent.to_row()), Row::AgentKey(key.to_row()));
        let mut conn = checkout(&self.pool)?;
        conn.transaction(|conn| {
            insert(conn, &agent)?;
            insert(conn, &key)
        })
        .map_err(from_query)
    }
}
