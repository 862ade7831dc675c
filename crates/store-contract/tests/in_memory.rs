//! The contract run against the simplest store that meets it: rows in
//! memory, every question answered by the domain's reference. It checks the
//! contract itself (its expectations are consistent with the ports and the
//! reference) without a database, and shows what an adapter's test file
//! looks like.
#![allow(clippy::expect_used, clippy::unwrap_used)] // Test code: a failed expectation is a failed test.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use otas_domain::{
    AgentId, AgentKeyId, Meta, Order, ProjectId, Session, SessionId, SessionKey, SessionQuery,
    SessionSummary, Timestamp,
};
use otas_ports::{
    AccessFacts, AccessQuery, AccessStore, AgentCatalog, AgentDirectory, AgentInfo, AgentKeyRow,
    AgentKeyStore, AgentKeyWriter, AgentListBound, AgentRow, AgentWriter, ListedAgentKey, NewAgent,
    NewAgentKey, ProjectAgent, ReadBound, Row, RowWriter, SdkKeyRow, SessionRow, SessionStore,
    SessionWriter, SessionsAndSummary, StoreError, StoredAgentKey,
};
use otas_ports::{AgentProfile, SdkKeyStore};
use otas_store_contract::Fixture;
use uuid::Uuid;

/// The rows, as UASAM would write them; `meta` is kept as the text given.
#[derive(Debug, Default)]
struct Tables {
    users: Vec<Uuid>,
    /// (id, is_active)
    projects: Vec<(Uuid, bool)>,
    /// (user, project, is_active, privilege)
    memberships: Vec<(Uuid, Uuid, bool, i16)>,
    /// (id, name, description) of each project
    project_texts: Vec<(Uuid, String, String)>,
    agents: Vec<AgentRow>,
    /// Each key with its `last_used_at`.
    agent_keys: Vec<(AgentKeyRow, Option<Timestamp>)>,
    /// Each SDK key with its `last_used_at`.
    sdk_keys: Vec<(SdkKeyRow, Option<Timestamp>)>,
    sessions: Vec<StoredSession>,
}

/// One `agent_session` row.
#[derive(Debug)]
struct StoredSession {
    id: Uuid,
    agent: Uuid,
    agent_key: Option<Uuid>,
    created_at: DateTime<Utc>,
    meta: String,
}

/// Both stores over the same tables.
#[derive(Debug, Clone, Default)]
struct Memory(Arc<Mutex<Tables>>);

impl Memory {
    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.0
            .lock()
            .expect("no test panicked while holding the tables")
    }

    /// The sessions of the query's agent that it keeps, sorted in its order.
    fn kept(&self, query: &SessionQuery) -> Result<Vec<Session>, StoreError> {
        let mut kept = Vec::new();
        for row in &self.tables().sessions {
            if row.agent != *query.agent.as_uuid() {
                continue;
            }
            let session = Session {
                id: SessionId::from_uuid(row.id),
                agent_key_id: row.agent_key.map(AgentKeyId::from_uuid),
                created_at: Timestamp::new(row.created_at),
                meta: Meta::from_json(row.meta.clone())
                    .map_err(|e| StoreError::Failure(format!("session {}: {e}", row.id)))?,
            };
            if otas_store_contract::reference::keeps(query, &session) {
                kept.push(session);
            }
        }
        kept.sort_by_key(SessionKey::of);
        if query.order == Order::Desc {
            kept.reverse();
        }
        Ok(kept)
    }
}

impl Memory {
    /// The sessions after `after` and the summary, from one copy.
    /// `kept`'s sessions after `after` in the query's order, read as the
    /// contract reads them (stopped at the bound's rows or bytes).
    fn within(
        kept: impl Iterator<Item = Session>,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> Vec<Session> {
        let after_key = kept.filter(|s| {
            after.is_none_or(|key| match query.order {
                Order::Desc => SessionKey::of(s) < key,
                Order::Asc => SessionKey::of(s) > key,
            })
        });
        bound
            .take(after_key.map(Ok::<_, ()>), |s| s.meta.as_str().len())
            .unwrap_or_default()
    }

    fn snapshot_of(
        kept: Vec<Session>,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> SessionsAndSummary {
        let sessions = Self::within(kept.iter().cloned(), query, after, bound);
        SessionsAndSummary {
            sessions,
            summary: SessionSummary::of_complete(&kept),
        }
    }
}

impl AccessStore for Memory {
    fn access_facts(&self, query: &AccessQuery) -> Result<AccessFacts, StoreError> {
        let tables = self.tables();
        let user = *query.user.as_uuid();
        let project = query.project.map(|p| *p.as_uuid());
        let agent = query.agent.map(|a| *a.as_uuid());
        let project_active = |id: Uuid| tables.projects.contains(&(id, true));
        // The privilege of the user's active mapping to the project.
        let mapping = |user: Uuid, project: Uuid| {
            tables
                .memberships
                .iter()
                .find(|(u, p, active, _)| (*u, *p, *active) == (user, project, true))
                .map(|(.., privilege)| *privilege)
        };
        Ok(AccessFacts {
            user_exists: tables.users.contains(&user),
            project_member: project
                .is_some_and(|project| project_active(project) && mapping(user, project).is_some()),
            project_admin: project.is_some_and(|project| {
                project_active(project) && mapping(user, project) == Some(1)
            }),
            agent_in_project: match (project, agent) {
                (Some(project), Some(agent)) => tables.agents.iter().any(|a| {
                    (*a.id.as_uuid(), *a.project.as_uuid(), a.is_active) == (agent, project, true)
                }),
                _ => false,
            },
        })
    }
}

impl SessionStore for Memory {
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> Result<Vec<Session>, StoreError> {
        Ok(Self::within(
            self.kept(query)?.into_iter(),
            query,
            after,
            bound,
        ))
    }

    fn keys_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<SessionKey>, StoreError> {
        let sessions = self.sessions_after(query, after, ReadBound::rows(limit))?;
        Ok(sessions.iter().map(SessionKey::of).collect())
    }

    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError> {
        Ok(SessionSummary::of_complete(&self.kept(query)?))
    }

    fn sessions_and_summary(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> Result<SessionsAndSummary, StoreError> {
        // The tables' lock is taken per read: one copy is one snapshot.
        Ok(Self::snapshot_of(self.kept(query)?, query, after, bound))
    }
}

impl RowWriter for Memory {
    fn write(&self, rows: &[Row]) -> Result<(), StoreError> {
        // All or nothing: every row is checked before any is kept.
        for row in rows {
            if let Row::Session(session) = row {
                serde_json::from_str::<serde_json::Value>(&session.meta)
                    .map_err(|e| StoreError::Failure(format!("meta is not JSON: {e}")))?;
            }
        }
        let mut tables = self.tables();
        for row in rows {
            match row {
                Row::User(user) => tables.users.push(*user.id.as_uuid()),
                Row::Project(p) => {
                    tables.projects.push((*p.id.as_uuid(), p.is_active));
                    let texts = (*p.id.as_uuid(), p.name.clone(), p.description.clone());
                    tables.project_texts.push(texts);
                }
                Row::Membership(m) => {
                    let (user, project) = (*m.user.as_uuid(), *m.project.as_uuid());
                    tables
                        .memberships
                        .push((user, project, m.is_active, m.privilege));
                }
                Row::Agent(a) => tables.agents.push(a.clone()),
                Row::AgentKey(k) => tables.agent_keys.push((k.clone(), None)),
                Row::SdkKey(k) => tables.sdk_keys.push((k.clone(), None)),
                Row::Session(session) => tables.sessions.push(StoredSession {
                    id: *session.id.as_uuid(),
                    agent: *session.agent.as_uuid(),
                    agent_key: session.agent_key.map(|k| *k.as_uuid()),
                    created_at: session.created_at.as_datetime(),
                    meta: session.meta.clone(),
                }),
            }
        }
        Ok(())
    }
}

impl SessionWriter for Memory {
    fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        serde_json::from_str::<serde_json::Value>(&session.meta)
            .map_err(|e| StoreError::Failure(format!("meta is not JSON: {e}")))?;
        let mut tables = self.tables();
        let (id, agent) = (*session.id.as_uuid(), *session.agent.as_uuid());
        if tables.sessions.iter().any(|row| row.id == id) {
            return Err(StoreError::Failure(format!("session {id} exists")));
        }
        if !tables.agents.iter().any(|a| *a.id.as_uuid() == agent) {
            return Err(StoreError::Failure(format!("no agent {agent}")));
        }
        tables.sessions.push(StoredSession {
            id,
            agent,
            agent_key: session.agent_key.map(|k| *k.as_uuid()),
            created_at: session.created_at.as_datetime(),
            meta: session.meta.clone(),
        });
        Ok(())
    }
}

impl AgentKeyStore for Memory {
    fn keys_with_prefixes(&self, prefixes: &[&str]) -> Result<Vec<StoredAgentKey>, StoreError> {
        let tables = self.tables();
        Ok(tables
            .agent_keys
            .iter()
            .filter(|(key, _)| prefixes.contains(&key.prefix.as_str()))
            .filter_map(|(key, last_used_at)| {
                // An inner join, as the stores': a key comes with its agent.
                let agent = tables.agents.iter().find(|a| a.id == key.agent)?;
                Some(StoredAgentKey {
                    id: key.id,
                    agent: AgentProfile {
                        id: agent.id,
                        name: agent.name.clone(),
                        provider: agent.provider.clone(),
                        project: agent.project,
                        active: agent.is_active,
                    },
                    prefix: key.prefix.clone(),
                    hashed_key: key.hashed_key.clone(),
                    active: key.active,
                    revoked_at: key.revoked_at,
                    expires_at: key.expires_at,
                    last_used_at: *last_used_at,
                })
            })
            .collect())
    }

    fn mark_used(&self, key: AgentKeyId, at: Timestamp) -> Result<(), StoreError> {
        let mut tables = self.tables();
        for (row, last_used_at) in tables.agent_keys.iter_mut() {
            let recent = last_used_at.is_some_and(|t| t.as_micros() >= at.as_micros() - 60_000_000);
            if row.id == key && !recent {
                *last_used_at = Some(at);
            }
        }
        Ok(())
    }
}

impl AgentDirectory for Memory {
    fn agent(&self, id: AgentId) -> Result<Option<AgentInfo>, StoreError> {
        Ok(self
            .tables()
            .agents
            .iter()
            .find(|agent| agent.id == id)
            .map(|agent| AgentInfo {
                id: agent.id,
                name: agent.name.clone(),
                project: agent.project,
            }))
    }
}

// The SDK-key check's read (`SdkKeyStore`), in a file of its own.
#[path = "in_memory/keys.rs"]
mod keys;

// The dashboard's writes of SDK keys (`SdkKeyWriter`).
#[path = "in_memory/sdk_key_writer.rs"]
mod sdk_key_writer;

impl AgentWriter for Memory {
    fn create_agent(&self, agent: &NewAgent, key: &NewAgentKey) -> Result<(), StoreError> {
        let mut tables = self.tables();
        if tables.agents.iter().any(|a| a.id == agent.id)
            || tables.agent_keys.iter().any(|(k, _)| k.id == key.id)
        {
            return Err(StoreError::Failure("a duplicate id".to_owned()));
        }
        tables.agents.push(agent.to_row());
        tables.agent_keys.push((key.to_row(), None));
        Ok(())
    }
}

impl AgentKeyWriter for Memory {
    fn replace_keys(&self, project: ProjectId, key: &NewAgentKey) -> Result<bool, StoreError> {
        let mut tables = self.tables();
        if !tables
            .agents
            .iter()
            .any(|a| a.id == key.agent && a.project == project && a.is_active)
        {
            return Ok(false);
        }
        if tables.agent_keys.iter().any(|(k, _)| k.id == key.id) {
            return Err(StoreError::Failure("a duplicate id".to_owned()));
        }
        for (row, _) in tables.agent_keys.iter_mut() {
            if row.agent == key.agent && row.active {
                row.active = false;
                row.revoked_at = Some(key.created_at);
            }
        }
        tables.agent_keys.push((key.to_row(), None));
        Ok(true)
    }

    fn revoke_key(
        &self,
        project: ProjectId,
        key: AgentKeyId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tables = self.tables();
        let of_project: Vec<AgentId> = tables
            .agents
            .iter()
            .filter(|a| a.project == project)
            .map(|a| a.id)
            .collect();
        for (row, _) in tables.agent_keys.iter_mut() {
            if row.id == key && row.active && of_project.contains(&row.agent) {
                row.active = false;
                row.revoked_at = Some(at);
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl AgentCatalog for Memory {
    fn project_agents(
        &self,
        project: ProjectId,
        bound: AgentListBound,
    ) -> Result<Vec<ProjectAgent>, StoreError> {
        let tables = self.tables();
        let mut agents: Vec<&AgentRow> = tables
            .agents
            .iter()
            .filter(|a| a.project == project && a.is_active)
            .collect();
        agents.sort_by_key(|a| (a.created_at, *a.id.as_uuid()));
        agents.truncate(bound.agents);
        let mut keys: Vec<&AgentKeyRow> = tables
            .agent_keys
            .iter()
            .map(|(key, _)| key)
            .filter(|key| key.active && agents.iter().any(|a| a.id == key.agent))
            .collect();
        keys.sort_by_key(|k| (k.created_at, *k.id.as_uuid()));
        keys.truncate(bound.keys);
        Ok(agents
            .into_iter()
            .map(|a| ProjectAgent {
                id: a.id,
                name: a.name.clone(),
                description: a.description.clone(),
                provider: a.provider.clone(),
                created_at: a.created_at,
                created_by: a.owner,
                is_active: a.is_active,
                keys: keys
                    .iter()
                    .filter(|k| k.agent == a.id)
                    .map(|k| ListedAgentKey {
                        id: k.id,
                        prefix: k.prefix.clone(),
                        name: k.name.clone(),
                        created_at: k.created_at,
                        expires_at: k.expires_at,
                        active: k.active,
                    })
                    .collect(),
            })
            .collect())
    }
}

impl Fixture for Memory {
    fn migrated() -> Self {
        Self::default()
    }

    fn access_store(&self) -> &dyn AccessStore {
        self
    }

    fn session_store(&self) -> &dyn SessionStore {
        self
    }

    fn session_writer(&self) -> &dyn SessionWriter {
        self
    }

    fn agent_key_store(&self) -> &dyn AgentKeyStore {
        self
    }

    fn agent_directory(&self) -> &dyn AgentDirectory {
        self
    }

    fn sdk_key_store(&self) -> &dyn SdkKeyStore {
        self
    }

    fn agent_catalog(&self) -> &dyn AgentCatalog {
        self
    }

    fn agent_writer(&self) -> &dyn AgentWriter {
        self
    }

    fn agent_key_writer(&self) -> &dyn AgentKeyWriter {
        self
    }

    fn sdk_key_writer(&self) -> &dyn otas_ports::SdkKeyWriter {
        self
    }

    fn sdk_key_catalog(&self) -> &dyn otas_ports::SdkKeyCatalog {
        self
    }

    fn database_url(&self) -> String {
        "memory:".to_owned()
    }

    fn row_writer(&self) -> Arc<dyn RowWriter> {
        Arc::new(self.clone())
    }

    fn delete_session(&mut self, id: Uuid) {
        self.tables().sessions.retain(|row| row.id != id);
    }

    fn revoke_agent_key(&mut self, id: Uuid) {
        let now = Timestamp::new(chrono::Utc::now());
        for (key, _) in self.tables().agent_keys.iter_mut() {
            if *key.id.as_uuid() == id {
                key.revoked_at = Some(now);
            }
        }
    }

    fn revoke_sdk_key(&mut self, id: Uuid) {
        let now = Timestamp::new(chrono::Utc::now());
        for (key, _) in self.tables().sdk_keys.iter_mut() {
            if *key.id.as_uuid() == id {
                key.revoked_at = Some(now);
            }
        }
    }

    fn session_store_pausing(&self, between: Arc<dyn Fn() + Send + Sync>) -> Box<dyn SessionStore> {
        Box::new(Pausing {
            memory: self.clone(),
            between,
        })
    }
}

/// The memory store, calling `between` inside `sessions_and_summary`.
struct Pausing {
    memory: Memory,
    between: Arc<dyn Fn() + Send + Sync>,
}

/// By hand: a closure has no `Debug`.
impl std::fmt::Debug for Pausing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pausing")
            .field("memory", &self.memory)
            .finish_non_exhaustive()
    }
}

impl SessionStore for Pausing {
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> Result<Vec<Session>, StoreError> {
        self.memory.sessions_after(query, after, bound)
    }

    fn keys_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<SessionKey>, StoreError> {
        self.memory.keys_after(query, after, limit)
    }

    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError> {
        self.memory.summarize(query)
    }

    fn sessions_and_summary(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> Result<SessionsAndSummary, StoreError> {
        let kept = self.memory.kept(query)?;
        (self.between)();
        Ok(Memory::snapshot_of(kept, query, after, bound))
    }
}

otas_store_contract::store_contract_tests!(Memory);
