//! A project's agents and their active keys, as the dashboard lists them
//! (`GET /api/agent/v1/list/`): two bounded reads in one snapshot.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp, UserId};
use otas_ports::{AgentCatalog, AgentListBound, ListedAgentKey, ProjectAgent, StoreError};
use uuid::Uuid;

use crate::routing::ReadRouter;
use crate::schema::{agent, agent_key};

/// Lists a project's agents from UASAM's `agent` and `agent_key` tables.
#[derive(Clone, Debug)]
pub struct PgAgentCatalog {
    reads: ReadRouter,
}

impl PgAgentCatalog {
    /// A catalog whose reads go where `reads` sends them (replicas).
    pub fn routed(reads: ReadRouter) -> Self {
        Self { reads }
    }

    /// A catalog reading the pool's database alone, for tests (the server
    /// routes its reads).
    #[cfg(feature = "test-support")]
    pub fn new(pool: crate::pool::PgPool) -> Self {
        Self::routed(ReadRouter::primary_only(pool))
    }
}

/// An agent as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent, check_for_backend(Pg))]
struct AgentRecord {
    id: Uuid,
    name: String,
    description: String,
    provider: String,
    created_at: DateTime<Utc>,
    created_by_id: Uuid,
    is_active: bool,
}

/// A key as listed.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent_key, check_for_backend(Pg))]
struct KeyRecord {
    id: Uuid,
    agent_id: Uuid,
    prefix: String,
    name: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    active: bool,
}

impl AgentCatalog for PgAgentCatalog {
    fn project_agents(
        &self,
        project: ProjectId,
        bound: AgentListBound,
    ) -> Result<Vec<ProjectAgent>, StoreError> {
        let limit = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let (agents, keys) = self.reads.read(project.as_uuid(), |conn| {
            // REPEATABLE READ: the keys read are those of the agents read.
            conn.build_transaction()
                .read_only()
                .repeatable_read()
                .run(|conn| {
                    // Served by UASAM's index on agent (project_id).
                    let agents: Vec<AgentRecord> = agent::table
                        .filter(agent::project_id.eq(project.as_uuid()))
                        .filter(agent::is_active)
                        .order((agent::created_at, agent::id))
                        .limit(limit(bound.agents))
                        .select(AgentRecord::as_select())
                        .load(conn)?;
                    let ids: Vec<Uuid> = agents.iter().map(|a| a.id).collect();
                    // Served by UASAM's index on agent_key (agent_id).
                    let keys: Vec<KeyRecord> = agent_key::table
                        .filter(agent_key::agent_id.eq_any(&ids))
                        .filter(agent_key::active)
                        .order((agent_key::created_at, agent_key::id))
                        .limit(limit(bound.keys))
                        .select(KeyRecord::as_select())
                        .load(conn)?;
                    Ok((agents, keys))
                })
        })?;
        let mut keys_of: HashMap<Uuid, Vec<ListedAgentKey>> = HashMap::new();
        for k in keys {
            keys_of.entry(k.agent_id).or_default().push(ListedAgentKey {
                id: AgentKeyId::from_uuid(k.id),
                prefix: k.prefix,
                name: k.name,
                created_at: Timestamp::new(k.created_at),
                expires_at: k.expires_at.map(Timestamp::new),
                active: k.active,
            });
        }
        Ok(agents
            .into_iter()
            .map(|a| ProjectAgent {
                id: AgentId::from_uuid(a.id),
                keys: keys_of.remove(&a.id).unwrap_or_default(),
                name: a.name,
                description: a.description,
                provider: a.provider,
                created_at: Timestamp::new(a.created_at),
                created_by: UserId::from_uuid(a.created_by_id),
                is_active: a.is_active,
            })
            .collect())
    }
}
