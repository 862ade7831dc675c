//! UASAM's agents and their keys, for session creation and the authenticate
//! call.

use chrono::{DateTime, Duration, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp};
use otas_ports::{
    AgentDirectory, AgentInfo, AgentKeyStore, AgentProfile, StoreError, StoredAgentKey,
};
use uuid::Uuid;

use crate::pool::{with_connection, PgPool};
use crate::routing::ReadRouter;
use crate::schema::{agent, agent_key};

/// UASAM's `agent_key` rows on PostgreSQL: read on the primary while it
/// answers, on a usable replica while it does not; `last_used_at` written
/// on the primary, and skipped while it is away.
#[derive(Clone, Debug)]
pub struct PgAgentKeyStore {
    reads: ReadRouter,
}

/// UASAM's `agent` rows on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgAgentDirectory {
    reads: ReadRouter,
}

impl PgAgentKeyStore {
    /// A store over the pool's database alone.
    pub fn new(pool: PgPool) -> Self {
        Self::routed(ReadRouter::primary_only(pool))
    }

    /// A store whose lookups may go to `reads`' replicas while the primary
    /// is away.
    pub fn routed(reads: ReadRouter) -> Self {
        Self { reads }
    }
}

impl PgAgentDirectory {
    /// A directory whose reads go where `reads` sends them (replicas).
    pub fn routed(reads: ReadRouter) -> Self {
        Self { reads }
    }

    /// A directory reading the pool's database alone, for tests (the server
    /// routes its reads).
    #[cfg(feature = "test-support")]
    pub fn new(pool: PgPool) -> Self {
        Self::routed(ReadRouter::primary_only(pool))
    }
}

/// A key as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent_key, check_for_backend(Pg))]
struct KeyRecord {
    id: Uuid,
    agent_id: Uuid,
    prefix: String,
    hashed_key: String,
    active: bool,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

/// The key's agent, as read with it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent, check_for_backend(Pg))]
struct OwnerRecord {
    name: String,
    provider: String,
    project_id: Uuid,
    is_active: bool,
}

impl KeyRecord {
    fn with_agent(self, owner: OwnerRecord) -> StoredAgentKey {
        StoredAgentKey {
            id: AgentKeyId::from_uuid(self.id),
            agent: AgentProfile {
                id: AgentId::from_uuid(self.agent_id),
                name: owner.name,
                provider: owner.provider,
                project: ProjectId::from_uuid(owner.project_id),
                active: owner.is_active,
            },
            prefix: self.prefix,
            hashed_key: self.hashed_key,
            active: self.active,
            revoked_at: self.revoked_at.map(Timestamp::new),
            expires_at: self.expires_at.map(Timestamp::new),
            last_used_at: self.last_used_at.map(Timestamp::new),
        }
    }
}

impl AgentKeyStore for PgAgentKeyStore {
    fn keys_with_prefixes(&self, prefixes: &[&str]) -> Result<Vec<StoredAgentKey>, StoreError> {
        // Served by UASAM's index on agent_key (prefix), then the agent by
        // its primary key: the whole of a warm key check's reading. A key
        // of one candidate prefix (most keys) is asked with `prefix = $1`,
        // whose prepared statement PostgreSQL plans once; `= ANY($1)` it
        // plans again on every call (its generic plan is estimated dearer
        // than the custom one), which cost it more than the read itself.
        let rows: Vec<(KeyRecord, OwnerRecord)> = self.reads.read_fresh(prefixes, |conn| {
            let keys = agent_key::table
                .inner_join(agent::table)
                .select((KeyRecord::as_select(), OwnerRecord::as_select()));
            match prefixes {
                [only] => keys.filter(agent_key::prefix.eq(*only)).load(conn),
                _ => keys.filter(agent_key::prefix.eq_any(prefixes)).load(conn),
            }
        })?;
        Ok(rows
            .into_iter()
            .map(|(key, owner)| key.with_agent(owner))
            .collect())
    }

    fn mark_used(&self, key: AgentKeyId, at: Timestamp) -> Result<(), StoreError> {
        if self.reads.primary_away() {
            // Bookkeeping only: not worth a request's wait for a timeout.
            tracing::debug!(key = %key, "primary away: last_used_at skipped");
            return Ok(());
        }
        let at = at.as_datetime();
        let a_minute_before = at - Duration::minutes(1);
        with_connection(self.reads.primary(), |conn| {
            diesel::update(
                agent_key::table
                    .filter(agent_key::id.eq(*key.as_uuid()))
                    .filter(
                        agent_key::last_used_at
                            .is_null()
                            .or(agent_key::last_used_at.lt(a_minute_before)),
                    ),
            )
            .set(agent_key::last_used_at.eq(at))
            .execute(conn)
        })?;
        Ok(())
    }
}

impl AgentDirectory for PgAgentDirectory {
    fn agent(&self, id: AgentId) -> Result<Option<AgentInfo>, StoreError> {
        let row: Option<(Uuid, String, Uuid)> = self.reads.read(id.as_uuid(), |conn| {
            agent::table
                .find(*id.as_uuid())
                .select((agent::id, agent::name, agent::project_id))
                .first(conn)
                .optional()
        })?;
        Ok(row.map(|(id, name, project)| AgentInfo {
            id: AgentId::from_uuid(id),
            name,
            project: ProjectId::from_uuid(project),
        }))
    }
}
