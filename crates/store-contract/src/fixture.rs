//! The one fixture abstraction: a migrated database of a test's own, the
//! ports built over it the way the server builds them, and UASAM's rows
//! written through the adapter's own [`RowWriter`] (the very code that
//! writes the demo data). Each adapter implements it once, in its
//! `test_support`; the contract suite, the adapters' own tests and the
//! end-to-end tests all use it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use otas_domain::{AgentId, AgentKeyId, ProjectId, SessionId, Timestamp, UserId};
use otas_ports::{
    AccessStore, AgentCatalog, AgentDirectory, AgentKeyRow, AgentKeyStore, AgentKeyWriter,
    AgentRow, AgentWriter, MembershipRow, ProjectRow, Row, RowWriter, SdkKeyCatalog, SdkKeyStore,
    SdkKeyWriter, SessionRow, SessionStore, SessionWriter, UserRow,
};
use uuid::Uuid;

/// A fixed creation time for rows whose time does not matter.
fn created() -> Timestamp {
    Timestamp::from_micros(1_764_000_000_000_000).unwrap_or_else(|| unreachable!("in range"))
}

/// What a store under test offers: a fresh migrated database of its own, the
/// ports over it, and a way to write UASAM-shaped rows behind the stores'
/// back (as UASAM does).
///
/// Rows are written in plain terms: ids, flags, times and the JSON text of a
/// session's `meta`, which the store keeps as it keeps JSON. The insert and
/// delete functions panic when the row cannot be written: a broken fixture
/// is a failed test.
pub trait Fixture {
    /// A database of the fixture's own with the migrations applied and no
    /// row, removed when the fixture is dropped.
    fn migrated() -> Self
    where
        Self: Sized;

    /// The URL the server reaches the fixture's database with
    /// (`postgres://…` or `sqlite://…`).
    fn database_url(&self) -> String;

    /// The access store over the fixture's database.
    fn access_store(&self) -> &dyn AccessStore;

    /// The session store over the fixture's database.
    fn session_store(&self) -> &dyn SessionStore;

    /// The session writer over the fixture's database (what session
    /// creation writes through).
    fn session_writer(&self) -> &dyn SessionWriter;

    /// The agent key store over the fixture's database.
    fn agent_key_store(&self) -> &dyn AgentKeyStore;

    /// The agent directory over the fixture's database.
    fn agent_directory(&self) -> &dyn AgentDirectory;

    /// The SDK key store over the fixture's database.
    fn sdk_key_store(&self) -> &dyn SdkKeyStore;
    /// The catalog of a project's agents over the fixture's database.
    fn agent_catalog(&self) -> &dyn AgentCatalog;

    /// The writer of new agents over the fixture's database.
    fn agent_writer(&self) -> &dyn AgentWriter;

    /// The writer of agent keys over the fixture's database.
    fn agent_key_writer(&self) -> &dyn AgentKeyWriter;

    /// The writer of SDK keys over the fixture's database.
    fn sdk_key_writer(&self) -> &dyn SdkKeyWriter;

    /// The catalog of a project's SDK keys over the fixture's database.
    fn sdk_key_catalog(&self) -> &dyn SdkKeyCatalog;

    /// The adapter's row writer over the fixture's database, on connections
    /// of its own.
    fn row_writer(&self) -> Arc<dyn RowWriter>;

    /// Deletes a session (OTAS never does; tests of what a removal changes do).
    fn delete_session(&mut self, id: Uuid);

    /// Revokes an agent key now, as UASAM's key management does.
    fn revoke_agent_key(&mut self, id: Uuid);

    /// Revokes an SDK key now, as UASAM's key management does.
    fn revoke_sdk_key(&mut self, id: Uuid);

    /// A session store over the fixture's database that calls `between`
    /// after reading the sessions and before reading the summary of
    /// `sessions_and_summary`.
    fn session_store_pausing(&self, between: Arc<dyn Fn() + Send + Sync>) -> Box<dyn SessionStore>;

    /// Writes `rows` in one transaction; panics when the store refuses them.
    fn write(&mut self, rows: &[Row]) {
        self.row_writer()
            .write(rows)
            .unwrap_or_else(|e| panic!("the fixture rows are written: {e}"));
    }

    /// Inserts a user.
    fn insert_user(&mut self, id: Uuid, email: &str) {
        self.write(&[user_row(id, email)]);
    }

    /// Inserts a project created by `owner`.
    fn insert_project(&mut self, id: Uuid, owner: Uuid, is_active: bool) {
        self.write(&[project_row(id, owner, is_active)]);
    }

    /// Maps `user` to `project` as a member.
    fn insert_membership(&mut self, user: Uuid, project: Uuid, is_active: bool) {
        self.write(&[membership_row(user, project, is_active)]);
    }

    /// Inserts an agent of `project`, created by `owner`.
    fn insert_agent(&mut self, id: Uuid, project: Uuid, owner: Uuid, is_active: bool) {
        self.write(&[agent_row(id, project, owner, is_active)]);
    }

    /// Inserts an active key of `agent`.
    fn insert_agent_key(&mut self, id: Uuid, agent: Uuid) {
        self.write(&[agent_key_row(id, agent)]);
    }

    /// Inserts a session of `agent`, opened with `agent_key` (or none), whose
    /// `meta` is the JSON text `meta`.
    fn insert_session(
        &mut self,
        id: Uuid,
        agent: Uuid,
        agent_key: Option<Uuid>,
        created_at: DateTime<Utc>,
        meta: &str,
    ) {
        self.write(&[session_row(id, agent, agent_key, created_at, meta)]);
    }

    /// Commits a session of `agent` (no key, `meta` `{}`) through a
    /// connection of its own, as another writer would, from any thread.
    fn concurrent_writer(&self) -> Arc<dyn Fn(Uuid, Uuid, DateTime<Utc>) + Send + Sync> {
        let rows = self.row_writer();
        Arc::new(move |id, agent, created_at| {
            rows.write(&[session_row(id, agent, None, created_at, "{}")])
                .unwrap_or_else(|e| panic!("the concurrent session is written: {e}"));
        })
    }
}

/// The row of a user.
pub fn user_row(id: Uuid, email: &str) -> Row {
    Row::User(UserRow {
        id: UserId::from_uuid(id),
        first_name: "Test".to_owned(),
        last_name: "User".to_owned(),
        email: email.to_owned(),
        password: "pbkdf2_sha256$720000$salt$hash".to_owned(),
        created_at: created(),
    })
}

/// The row of a project created by `owner`.
pub fn project_row(id: Uuid, owner: Uuid, is_active: bool) -> Row {
    Row::Project(ProjectRow {
        id: ProjectId::from_uuid(id),
        name: "Project".to_owned(),
        description: String::new(),
        owner: UserId::from_uuid(owner),
        is_active,
        created_at: created(),
    })
}

/// The row mapping `user` to `project` as a member.
pub fn membership_row(user: Uuid, project: Uuid, is_active: bool) -> Row {
    Row::Membership(MembershipRow {
        user: UserId::from_uuid(user),
        project: ProjectId::from_uuid(project),
        privilege: 2,
        is_active,
        created_at: created(),
    })
}

/// The row of an agent of `project`, created by `owner`.
pub fn agent_row(id: Uuid, project: Uuid, owner: Uuid, is_active: bool) -> Row {
    Row::Agent(AgentRow {
        id: AgentId::from_uuid(id),
        project: ProjectId::from_uuid(project),
        owner: UserId::from_uuid(owner),
        name: "Agent".to_owned(),
        description: String::new(),
        provider: "anthropic".to_owned(),
        is_active,
        created_at: created(),
    })
}

/// The row of an active key of `agent`.
pub fn agent_key_row(id: Uuid, agent: Uuid) -> Row {
    Row::AgentKey(AgentKeyRow {
        id: AgentKeyId::from_uuid(id),
        agent: AgentId::from_uuid(agent),
        prefix: id.simple().to_string()[..11].to_owned(),
        hashed_key: "pbkdf2_sha256$720000$salt$hash".to_owned(),
        name: Some("key".to_owned()),
        active: true,
        created_at: created(),
        revoked_at: None,
        expires_at: None,
    })
}

/// The row of a session of `agent`.
pub fn session_row(
    id: Uuid,
    agent: Uuid,
    agent_key: Option<Uuid>,
    created_at: DateTime<Utc>,
    meta: &str,
) -> Row {
    Row::Session(SessionRow {
        id: SessionId::from_uuid(id),
        agent: AgentId::from_uuid(agent),
        agent_key: agent_key.map(AgentKeyId::from_uuid),
        created_at: Timestamp::new(created_at),
        meta: meta.to_owned(),
    })
}
