//! A project's agents and their active keys, as the dashboard lists them
//! (`GET /api/agent/v1/list/`): two bounded reads in one snapshot.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sqlite::Sqlite;
use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp, UserId};
use otas_ports::{AgentCatalog, AgentListBound, ListedAgentKey, ProjectAgent, StoreError};

use crate::agents::uuid;
use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::{agent, agent_key};

/// Lists a project's agents from the `agent` and `agent_key` tables.
#[derive(Clone, Debug)]
pub struct SqliteAgentCatalog {
    pool: SqlitePool,
}

impl SqliteAgentCatalog {
    /// A catalog over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

/// An agent as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent, check_for_backend(Sqlite))]
struct AgentRecord {
    id: String,
    name: String,
    description: String,
    provider: String,
    created_at: i64,
    created_by_id: String,
    is_active: bool,
}

/// A key as listed.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent_key, check_for_backend(Sqlite))]
struct KeyRecord {
    id: String,
    agent_id: String,
    prefix: String,
    name: Option<String>,
    created_at: i64,
    expires_at: Option<i64>,
    active: bool,
}

/// A stored time, which the schema keeps in microseconds.
fn time(micros: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_micros(micros)
        .ok_or_else(|| StoreError::Failure(format!("{micros} µs is out of range")))
}

impl AgentCatalog for SqliteAgentCatalog {
    fn project_agents(
        &self,
        project: ProjectId,
        bound: AgentListBound,
    ) -> Result<Vec<ProjectAgent>, StoreError> {
        let limit = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let mut conn = checkout(&self.pool)?;
        // One read transaction: in WAL mode both reads see one snapshot.
        let (agents, keys) = conn
            .transaction::<_, diesel::result::Error, _>(|conn| {
                let agents: Vec<AgentRecord> = agent::table
                    .filter(agent::project_id.eq(project.to_string()))
                    .filter(agent::is_active)
                    .order((agent::created_at, agent::id))
                    .limit(limit(bound.agents))
                    .select(AgentRecord::as_select())
                    .load(conn)?;
                let ids: Vec<&str> = agents.iter().map(|a| a.id.as_str()).collect();
                let keys: Vec<KeyRecord> = agent_key::table
                    .filter(agent_key::agent_id.eq_any(&ids))
                    .filter(agent_key::active)
                    .order((agent_key::created_at, agent_key::id))
                    .limit(limit(bound.keys))
                    .select(KeyRecord::as_select())
                    .load(conn)?;
                Ok((agents, keys))
            })
            .map_err(from_query)?;
        let mut keys_of: HashMap<String, Vec<ListedAgentKey>> = HashMap::new();
        for k in keys {
            let listed = ListedAgentKey {
                id: AgentKeyId::from_uuid(uuid(&k.id)?),
                prefix: k.prefix,
                name: k.name,
                created_at: time(k.created_at)?,
                expires_at: k.expires_at.map(time).transpose()?,
                active: k.active,
            };
            keys_of.entry(k.agent_id).or_default().push(listed);
        }
        agents
            .into_iter()
            .map(|a| {
                Ok(ProjectAgent {
                    id: AgentId::from_uuid(uuid(&a.id)?),
                    keys: keys_of.remove(&a.id).unwrap_or_default(),
                    created_at: time(a.created_at)?,
                    created_by: UserId::from_uuid(uuid(&a.created_by_id)?),
                    name: a.name,
                    description: a.description,
                    provider: a.provider,
                    is_active: a.is_active,
                })
            })
            .collect()
    }
}
