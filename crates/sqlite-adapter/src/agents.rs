//! UASAM's agents and their keys, for session creation and the authenticate
//! call.

use diesel::prelude::*;
use diesel::sqlite::Sqlite;
use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp};
use otas_ports::{
    AgentDirectory, AgentInfo, AgentKeyStore, AgentProfile, StoreError, StoredAgentKey,
};
use uuid::Uuid;

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::{agent, agent_key};

/// UASAM's `agent_key` rows on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteAgentKeyStore {
    pool: SqlitePool,
}

/// UASAM's `agent` rows on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteAgentDirectory {
    pool: SqlitePool,
}

impl SqliteAgentKeyStore {
    /// A store over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl SqliteAgentDirectory {
    /// A directory over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

/// A key as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent_key, check_for_backend(Sqlite))]
struct KeyRecord {
    id: String,
    agent_id: String,
    prefix: String,
    hashed_key: String,
    active: bool,
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
}

/// The key's agent, as read with it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent, check_for_backend(Sqlite))]
struct OwnerRecord {
    name: String,
    provider: String,
    project_id: String,
    is_active: bool,
}

impl KeyRecord {
    fn with_agent(self, owner: OwnerRecord) -> Result<StoredAgentKey, StoreError> {
        let time = |micros: Option<i64>| -> Result<Option<Timestamp>, StoreError> {
            micros
                .map(|m| {
                    Timestamp::from_micros(m).ok_or_else(|| {
                        StoreError::Failure(format!(
                            "agent key {}: a time is out of range",
                            self.id
                        ))
                    })
                })
                .transpose()
        };
        Ok(StoredAgentKey {
            id: AgentKeyId::from_uuid(uuid(&self.id)?),
            agent: AgentProfile {
                id: AgentId::from_uuid(uuid(&self.agent_id)?),
                name: owner.name,
                provider: owner.provider,
                project: ProjectId::from_uuid(uuid(&owner.project_id)?),
                active: owner.is_active,
            },
            revoked_at: time(self.revoked_at)?,
            expires_at: time(self.expires_at)?,
            last_used_at: time(self.last_used_at)?,
            prefix: self.prefix,
            hashed_key: self.hashed_key,
            active: self.active,
        })
    }
}

impl AgentKeyStore for SqliteAgentKeyStore {
    fn keys_with_prefixes(&self, prefixes: &[&str]) -> Result<Vec<StoredAgentKey>, StoreError> {
        // Served by UASAM's index on agent_key (prefix), then the agent by
        // its primary key.
        let mut conn = checkout(&self.pool)?;
        let rows: Vec<(KeyRecord, OwnerRecord)> = agent_key::table
            .inner_join(agent::table)
            .filter(agent_key::prefix.eq_any(prefixes))
            .select((KeyRecord::as_select(), OwnerRecord::as_select()))
            .load(&mut conn)
            .map_err(from_query)?;
        rows.into_iter()
            .map(|(key, owner)| key.with_agent(owner))
            .collect()
    }

    fn mark_used(&self, key: AgentKeyId, at: Timestamp) -> Result<(), StoreError> {
        let at = at.as_micros();
        let a_minute_before = at - 60_000_000;
        let mut conn = checkout(&self.pool)?;
        diesel::update(
            agent_key::table
                .filter(agent_key::id.eq(key.to_string()))
                .filter(
                    agent_key::last_used_at
                        .is_null()
                        .or(agent_key::last_used_at.lt(a_minute_before)),
                ),
        )
        .set(agent_key::last_used_at.eq(at))
        .execute(&mut conn)
        .map_err(from_query)?;
        Ok(())
    }
}

impl AgentDirectory for SqliteAgentDirectory {
    fn agent(&self, id: AgentId) -> Result<Option<AgentInfo>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let row: Option<(String, String, String)> = agent::table
            .find(id.to_string())
            .select((agent::id, agent::name, agent::project_id))
            .first(&mut conn)
            .optional()
            .map_err(from_query)?;
        row.map(|(id, name, project)| {
            Ok(AgentInfo {
                id: AgentId::from_uuid(uuid(&id)?),
                name,
                project: ProjectId::from_uuid(uuid(&project)?),
            })
        })
        .transpose()
    }
}

/// A stored id, which the schema keeps a lower-case hyphenated UUID.
pub(crate) fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(text).map_err(|_| StoreError::Failure(format!("{text:?} is not a UUID")))
}
