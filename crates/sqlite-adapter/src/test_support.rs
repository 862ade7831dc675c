//! Test support (feature `test-support`): a throw-away database file per
//! test, and [`SqliteFixture`], this adapter's [`Fixture`] (rows written by
//! the adapter's own row writer).
//!
//! Panics instead of returning errors: it only runs inside tests, where a
//! panic with a clear message is the right answer to a broken fixture.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use scheduled_thread_pool::ScheduledThreadPool;

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
use crate::pool::{builder, connect, manager, set_up, SqlitePool, SqliteSettings};
use crate::schema::{agent_key, agent_session, backend_api_keys};
use crate::{
    SqliteAccessStore, SqliteAgentCatalog, SqliteAgentDirectory, SqliteAgentKeyStore,
    SqliteAgentKeyWriter, SqliteAgentWriter, SqliteRowWriter, SqliteSdkKeyCatalog,
    SqliteSdkKeyStore, SqliteSdkKeyWriter, SqliteSessionStore, SqliteSessionWriter,
};

/// A database file of its own for one test, in a fresh directory under the
/// system's temporary directory; the directory (database, `-wal` and `-shm`
/// files) is removed when it goes out of scope.
#[derive(Debug)]
pub struct TestDatabase {
    dir: PathBuf,
    path: PathBuf,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database file with a unique name and applies the migrations.
    pub fn migrated() -> Self {
        let db = Self::empty();
        run_migrations(db.url()).expect("the migrations apply to an empty database");
        db
    }

    /// Creates an empty database file with a unique name, without any table.
    pub fn empty() -> Self {
        let dir =
            std::env::temp_dir().join(format!("otas-sqlite-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let path = dir.join("otas.sqlite3");
        let url = path
            .to_str()
            .unwrap_or_else(|| panic!("the temporary path {} is not UTF-8", path.display()))
            .to_owned();
        let db = Self { dir, path, url };
        // Opening creates the file.
        drop(db.connect());
        db
    }

    /// The database's path as text, what `SqliteSettings::path_or_url` takes.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new connection to the database, set up as the pool sets up its own
    /// (foreign keys on, WAL, a busy timeout of 5 s).
    pub fn connect(&self) -> SqliteConnection {
        connect_to(&self.url)
    }
}

/// A new connection to the database at `url`, set up as the pool sets up its
/// own (foreign keys on, WAL, a busy timeout of 5 s).
pub fn connect_to(url: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(url).expect("open the test database file");
    set_up(&mut conn, Duration::from_secs(5)).expect("set up the test connection");
    conn
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The pool settings tests use for a database file.
pub fn pool_settings(path_or_url: &str) -> SqliteSettings {
    SqliteSettings {
        path_or_url: path_or_url.to_owned(),
        max_connections: 4,
        connection_timeout: Duration::from_secs(2),
        busy_timeout: Duration::from_secs(5),
    }
}

/// A pool over `path_or_url` with the tests' settings.
pub fn pool(path_or_url: &str) -> SqlitePool {
    connect(&pool_settings(path_or_url)).expect("the test database path is usable")
}

/// A migrated database file of the test's own and the stores over it, built
/// as the server builds them. The file is removed with it.
pub struct SqliteFixture {
    pub access: SqliteAccessStore,
    pub agent_keys: SqliteAgentKeyStore,
    pub agents: SqliteAgentDirectory,
    pub sdk_keys: SqliteSdkKeyStore,
    pub catalog: SqliteAgentCatalog,
    pub agent_writer: SqliteAgentWriter,
    pub agent_key_writer: SqliteAgentKeyWriter,
    pub sdk_key_writer: SqliteSdkKeyWriter,
    pub sdk_key_catalog: SqliteSdkKeyCatalog,
    pub sessions: SqliteSessionStore,
    pub session_writer: SqliteSessionWriter,
    pub rows: Arc<SqliteRowWriter>,
    pub pool: SqlitePool,
    /// The one thread on which the pool opens connections in the background
    /// (r2d2 keeps one idle connection ready): [`SqliteFixture::close`]
    /// waits for it.
    background: Arc<ScheduledThreadPool>,
    // Last, so that the stores' pool is dropped first.
    pub db: TestDatabase,
}

/// By hand: r2d2's thread pool has no `Debug`.
impl std::fmt::Debug for SqliteFixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteFixture")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl SqliteFixture {
    /// The stores over an existing database file (which the caller removes).
    pub fn over(db: TestDatabase) -> Self {
        let background = Arc::new(ScheduledThreadPool::new(1));
        let pool = builder(&pool_settings(db.url()))
            .expect("the test database path is usable")
            .thread_pool(background.clone())
            .build_unchecked(manager(&pool_settings(db.url())));
        Self {
            access: SqliteAccessStore::new(pool.clone()),
            agent_keys: SqliteAgentKeyStore::new(pool.clone()),
            agents: SqliteAgentDirectory::new(pool.clone()),
            sdk_keys: SqliteSdkKeyStore::new(pool.clone()),
            catalog: SqliteAgentCatalog::new(pool.clone()),
            agent_writer: SqliteAgentWriter::new(pool.clone()),
            agent_key_writer: SqliteAgentKeyWriter::new(pool.clone()),
            sdk_key_writer: SqliteSdkKeyWriter::new(pool.clone()),
            sdk_key_catalog: SqliteSdkKeyCatalog::new(pool.clone()),
            sessions: SqliteSessionStore::new(pool.clone()),
            session_writer: SqliteSessionWriter::new(pool.clone()),
            rows: Arc::new(SqliteRowWriter::new(pool.clone())),
            pool,
            background,
            db,
        }
    }

    /// Drops the stores and their pool, and returns the database once no
    /// connection of theirs is open, not even one the pool was still opening
    /// in the background when its last handle went: a test that then takes
    /// the file for itself (an exclusive lock) finds nobody else on it.
    ///
    /// The pool's background work runs on one thread, one job after another,
    /// and each job holds the pool only while it runs. A job queued after the
    /// handles are dropped runs once every earlier job has ended, so the pool
    /// and its connections are closed by then; a later job finds no pool.
    pub fn close(self) -> TestDatabase {
        let Self {
            access,
            agent_keys,
            agents,
            sdk_keys,
            catalog,
            agent_writer,
            agent_key_writer,
            sdk_key_writer,
            sdk_key_catalog,
            sessions,
            session_writer,
            rows,
            pool,
            background,
            db,
        } = self;
        drop((
            access,
            agent_keys,
            agents,
            sdk_keys,
            catalog,
            agent_writer,
            agent_key_writer,
            sdk_key_writer,
            sdk_key_catalog,
            sessions,
            session_writer,
            rows,
            pool,
        ));
        let (done, finished) = std::sync::mpsc::channel();
        background.execute(move || {
            let _ = done.send(());
        });
        finished
            .recv_timeout(Duration::from_secs(30))
            .expect("the pool's background work ends");
        db
    }
}

impl Fixture for SqliteFixture {
    fn migrated() -> Self {
        Self::over(TestDatabase::migrated())
    }

    fn database_url(&self) -> String {
        // The server tells its stores apart by the URL's scheme.
        format!("sqlite://{}", self.db.url())
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
        diesel::delete(agent_session::table.filter(agent_session::id.eq(id.to_string())))
            .execute(&mut conn)
            .expect("delete session");
    }

    fn revoke_agent_key(&mut self, id: Uuid) {
        let mut conn = self.pool.get().expect("a pooled connection");
        diesel::update(agent_key::table.filter(agent_key::id.eq(id.to_string())))
            .set(agent_key::revoked_at.eq(chrono::Utc::now().timestamp_micros()))
            .execute(&mut conn)
            .expect("revoke the agent key");
    }

    fn revoke_sdk_key(&mut self, id: Uuid) {
        let mut conn = self.pool.get().expect("a pooled connection");
        diesel::update(backend_api_keys::table.filter(backend_api_keys::id.eq(id.to_string())))
            .set(backend_api_keys::revoked_at.eq(chrono::Utc::now().timestamp_micros()))
            .execute(&mut conn)
            .expect("revoke the SDK key");
    }

    fn session_store_pausing(&self, between: Arc<dyn Fn() + Send + Sync>) -> Box<dyn SessionStore> {
        Box::new(Pausing {
            store: SqliteSessionStore::new(pool(self.db.url())),
            between,
        })
    }
}

/// The session store, calling `between` inside `sessions_and_summary`,
/// after the sessions are read and before the summary is.
struct Pausing {
    store: SqliteSessionStore,
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
    fn columns<Q: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>>(
        table: &str,
        query: Q,
    ) -> (String, Vec<String>) {
        let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&query).to_string();
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
