//! Test support (feature `test-support`): a throw-away database per test,
//! and [`PgFixture`], this adapter's [`Fixture`] (rows written by the
//! adapter's own row writer).
//!
//! Panics instead of returning errors: it only runs inside tests, where a
//! panic with a clear message is the right answer to a broken fixture.
#![allow(clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use otas_domain::{Session, SessionKey, SessionQuery, SessionSummary};
use otas_ports::{
    AccessStore, AgentCatalog, AgentDirectory, AgentKeyStore, AgentKeyWriter, AgentWriter,
    ReadBound, RowWriter, SdkKeyCatalog, SdkKeyStore, SdkKeyWriter, SessionStore, SessionWriter,
    SessionsAndSummary, StoreError,
};
pub use otas_store_contract::Fixture;
use uuid::Uuid;

use crate::migrations::run_migrations;
use crate::pool::{connect, PgPool, PoolSettings};
use crate::schema::{agent_key, agent_session, backend_api_keys};
use crate::{
    PgAccessStore, PgAgentCatalog, PgAgentDirectory, PgAgentKeyStore, PgAgentKeyWriter,
    PgAgentWriter, PgRowWriter, PgSdkKeyCatalog, PgSdkKeyStore, PgSdkKeyWriter, PgSessionStore,
    PgSessionWriter,
};

/// The server that test databases are created on. `OTAS_TEST_DATABASE_URL`
/// overrides it; its database part is only used to connect for CREATE/DROP.
/// Without TLS on loopback: a test process that exits while a server it
/// started in-process still holds connections must not race OpenSSL's
/// clean-up at exit.
pub fn admin_url() -> String {
    std::env::var("OTAS_TEST_DATABASE_URL").unwrap_or_else(|_| {
        "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".to_owned()
    })
}

/// A database of its own for one test, migrated, dropped when it goes out of scope.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database with a unique name and applies the migrations.
    pub fn migrated() -> Self {
        let db = Self::empty();
        run_migrations(db.url()).expect("the migrations apply to an empty database");
        db
    }

    /// Creates an empty database with a unique name, without any table.
    pub fn empty() -> Self {
        let admin = admin_url();
        let name = format!("otas_test_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin).unwrap_or_else(|e| {
            panic!(
                "cannot reach the test PostgreSQL at {}: {e}",
                redact(&admin)
            )
        });
        conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .expect("CREATE DATABASE");
        let mut url = url::Url::parse(&admin).expect("OTAS_TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Self {
            name,
            url: url.to_string(),
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to the database.
    pub fn connect(&self) -> PgConnection {
        connect_to(&self.url)
    }
}

/// A new connection to the database at `url`.
pub fn connect_to(url: &str) -> PgConnection {
    PgConnection::establish(url).expect("connect to the test database")
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&admin_url()) {
            // FORCE: a server under test may still hold connections.
            let _ = conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

/// The pool settings tests use for a database URL.
pub fn pool_settings(url: &str) -> PoolSettings {
    PoolSettings {
        url: url.to_owned(),
        max_connections: 4,
        min_idle: 0,
        connection_timeout: Duration::from_secs(2),
        statement_timeout: Duration::from_secs(5),
    }
}

/// A pool over `url` with the tests' settings.
pub fn pool(url: &str) -> PgPool {
    connect(&pool_settings(url)).expect("the test database URL is a postgres:// URL")
}

/// A migrated database of the test's own and the stores over it, built as
/// the server builds them. The database is dropped with it.
#[derive(Debug)]
pub struct PgFixture {
    pub access: PgAccessStore,
    pub agent_keys: PgAgentKeyStore,
    pub agents: PgAgentDirectory,
    pub sdk_keys: PgSdkKeyStore,
    pub catalog: PgAgentCatalog,
    pub agent_writer: PgAgentWriter,
    pub agent_key_writer: PgAgentKeyWriter,
    pub sdk_key_writer: PgSdkKeyWriter,
    pub sdk_key_catalog: PgSdkKeyCatalog,
    pub sessions: PgSessionStore,
    pub session_writer: PgSessionWriter,
    pub rows: Arc<PgRowWriter>,
    pub pool: PgPool,
    // Last, so that the stores' pool is dropped first.
    pub db: TestDatabase,
}

impl PgFixture {
    /// The stores over an existing database (which the caller drops).
    pub fn over(db: TestDatabase) -> Self {
        let pool = pool(db.url());
        Self {
            access: PgAccessStore::new(pool.clone()),
            agent_keys: PgAgentKeyStore::new(pool.clone()),
            agents: PgAgentDirectory::new(pool.clone()),
            sdk_keys: PgSdkKeyStore::new(pool.clone()),
            catalog: PgAgentCatalog::new(pool.clone()),
            agent_writer: PgAgentWriter::new(pool.clone()),
            agent_key_writer: PgAgentKeyWriter::new(pool.clone()),
            sdk_key_writer: PgSdkKeyWriter::new(pool.clone()),
            sdk_key_catalog: PgSdkKeyCatalog::new(pool.clone()),
            sessions: PgSessionStore::new(pool.clone()),
            session_writer: PgSessionWriter::new(pool.clone()),
            rows: Arc::new(PgRowWriter::new(pool.clone())),
            pool,
            db,
        }
    }
}

impl Fixture for PgFixture {
    fn migrated() -> Self {
        Self::over(TestDatabase::migrated())
    }

    fn database_url(&self) -> String {
        self.db.url().to_owned()
    }

    fn access_store(&self) -> &dyn AccessStore {
        &self.access
    }

    fn session_store(&self) -> &dyn SessionStore {
        &self.sessions
    }

    fn session_writer(&self) -> &dyn SessionWriter {
        &self.session_writer
    }

    fn agent_key_store(&self) -> &dyn AgentKeyStore {
        &self.agent_keys
    }

    fn agent_directory(&self) -> &dyn AgentDirectory {
        &self.agents
    }

    fn sdk_key_store(&self) -> &dyn SdkKeyStore {
        &self.sdk_keys
    }

    fn agent_catalog(&self) -> &dyn AgentCatalog {
        &self.catalog
    }

    fn agent_writer(&self) -> &dyn AgentWriter {
        &self.agent_writer
    }

    fn agent_key_writer(&self) -> &dyn AgentKeyWriter {
        &self.agent_key_writer
    }

    fn sdk_key_writer(&self) -> &dyn SdkKeyWriter {
        &self.sdk_key_writer
    }

    fn sdk_key_catalog(&self) -> &dyn SdkKeyCatalog {
        &self.sdk_key_catalog
    }

    fn row_writer(&self) -> Arc<dyn RowWriter> {
        self.rows.clone()
    }

    fn delete_session(&mut self, id: Uuid) {
        let mut conn = self.pool.get().expect("a pooled connection");
        let conn: &mut PgConnection = &mut conn;
        diesel::delete(agent_session::table.filter(agent_session::id.eq(id)))
            .execute(conn)
            .expect("delete session");
    }

    fn revoke_agent_key(&mut self, id: Uuid) {
        let mut conn = self.pool.get().expect("a pooled connection");
        let conn: &mut PgConnection = &mut conn;
        diesel::update(agent_key::table.filter(agent_key::id.eq(id)))
            .set(agent_key::revoked_at.eq(chrono::Utc::now()))
            .execute(conn)
            .expect("revoke the agent key");
    }

    fn revoke_sdk_key(&mut self, id: Uuid) {
        let mut conn = self.pool.get().expect("a pooled connection");
        let conn: &mut PgConnection = &mut conn;
        diesel::update(backend_api_keys::table.filter(backend_api_keys::id.eq(id)))
            .set(backend_api_keys::revoked_at.eq(chrono::Utc::now()))
            .execute(conn)
            .expect("revoke the SDK key");
    }

    fn session_store_pausing(&self, between: Arc<dyn Fn() + Send + Sync>) -> Box<dyn SessionStore> {
        Box::new(Pausing {
            store: PgSessionStore::new(pool(self.db.url())),
            between,
        })
    }
}

/// The session store, calling `between` inside `sessions_and_summary`,
/// after the sessions are read and before the summary is.
struct Pausing {
    store: PgSessionStore,
    between: Arc<dyn Fn() + Send + Sync>,
}

/// By hand: a closure has no `Debug`.
impl std::fmt::Debug for Pausing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pausing")
            .field("store", &self.store)
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
        self.store.sessions_after(query, after, bound)
    }

    fn keys_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<SessionKey>, StoreError> {
        self.store.keys_after(query, after, limit)
    }

    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError> {
        self.store.summarize(query)
    }

    fn sessions_and_summary(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> Result<SessionsAndSummary, StoreError> {
        self.store
            .sessions_and_summary_with(query, after, bound, || (self.between)())
    }
}

/// Every table of the hand-written diesel schema with its columns in
/// declaration order, as diesel writes them in a `SELECT`: what a test
/// compares with the tables the migrations create.
pub fn schema_columns() -> Vec<(String, Vec<String>)> {
    use crate::schema::{agent, agent_key, agent_session, project, user_project_mapping, users};
    fn columns<Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>>(
        table: &str,
        query: Q,
    ) -> (String, Vec<String>) {
        let sql = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
        // PostgreSQL quotes names with `"`, SQLite with backticks.
        let sql = sql.replace('`', "\"");
        let prefix = format!("\"{table}\".\"");
        let columns = sql
            .split(&prefix)
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect();
        (table.to_owned(), columns)
    }
    vec![
        columns("agent", agent::table.select(agent::all_columns)),
        columns("agent_key", agent_key::table.select(agent_key::all_columns)),
        columns(
            "agent_session",
            agent_session::table.select(agent_session::all_columns),
        ),
        columns("project", project::table.select(project::all_columns)),
        columns(
            "user_project_mapping",
            user_project_mapping::table.select(user_project_mapping::all_columns),
        ),
        columns("users", users::table.select(users::all_columns)),
    ]
}
