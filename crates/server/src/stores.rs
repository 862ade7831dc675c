//! The one place that knows which storage adapter runs: it builds the ports
//! from the configured store.

use std::sync::Arc;

use otas_ports::{
    AccessStore, AgentCatalog, AgentDirectory, AgentKeyStore, AgentKeyWriter, AgentWriter,
    HealthCheck, RowWriter, SdkKeyCatalog, SdkKeyStore, SdkKeyWriter, SessionStore, SessionWriter,
    UserDirectory,
};
use otas_postgres_adapter::{
    PgAccessStore, PgAgentCatalog, PgAgentDirectory, PgAgentKeyStore, PgAgentKeyWriter,
    PgAgentWriter, PgHealthCheck, PgRowWriter, PgSdkKeyCatalog, PgSdkKeyStore, PgSdkKeyWriter,
    PgSessionStore, PgSessionWriter, PgUserDirectory, PoolSettings, ReadRouter,
};
use otas_sqlite_adapter::{
    SqliteAccessStore, SqliteAgentCatalog, SqliteAgentDirectory, SqliteAgentKeyStore,
    SqliteAgentKeyWriter, SqliteAgentWriter, SqliteHealthCheck, SqliteRowWriter,
    SqliteSdkKeyCatalog, SqliteSdkKeyStore, SqliteSdkKeyWriter, SqliteSessionStore,
    SqliteSessionWriter, SqliteUserDirectory,
};

use crate::settings::StoreChoice;

/// The ports, over whichever store is configured.
#[derive(Debug)]
pub struct Stores {
    pub access: Arc<dyn AccessStore>,
    pub sessions: Arc<dyn SessionStore>,
    /// Where the sessions agents open are written (the primary).
    pub session_writer: Arc<dyn SessionWriter>,
    pub users: Arc<dyn UserDirectory>,
    /// The demo data's rows.
    pub rows: Arc<dyn RowWriter>,
    pub health: Arc<dyn HealthCheck>,
    pub agent_keys: Arc<dyn AgentKeyStore>,
    pub agents: Arc<dyn AgentDirectory>,
    /// The SDK keys (read on the primary while it answers: a revocation is
    /// seen at once; on a replica while it does not).
    pub sdk_keys: Arc<dyn SdkKeyStore>,
    /// The dashboard's list of a project's agents.
    pub agent_catalog: Arc<dyn AgentCatalog>,
    /// Where the dashboard's new agents are written (the primary).
    pub agent_writer: Arc<dyn AgentWriter>,
    /// Where the dashboard's agent keys are issued and revoked (the primary).
    pub agent_key_writer: Arc<dyn AgentKeyWriter>,
    /// The dashboard's writes of SDK keys, on the primary.
    pub sdk_key_writer: Arc<dyn SdkKeyWriter>,
    /// The dashboard's list of a project's SDK keys.
    pub sdk_key_catalog: Arc<dyn SdkKeyCatalog>,
}

impl Stores {
    /// Builds the pool without connecting: `serve` starts even while the
    /// database is down.
    pub fn open(choice: &StoreChoice) -> anyhow::Result<Self> {
        Ok(match choice {
            StoreChoice::Postgres(settings, replicas) => {
                let pool = otas_postgres_adapter::connect(settings)?;
                let reads = if replicas.pools.is_empty() {
                    ReadRouter::primary_only(pool.clone())
                } else {
                    let pools = replicas
                        .pools
                        .iter()
                        .map(otas_postgres_adapter::connect)
                        .collect::<Result<Vec<_>, _>>()?;
                    // The watcher asks the primary on a connection of its own:
                    // a busy request pool must not read as a primary gone.
                    let watch = otas_postgres_adapter::connect(&PoolSettings {
                        max_connections: 1,
                        min_idle: 0,
                        ..settings.clone()
                    })?;
                    ReadRouter::new(pool.clone(), watch, pools, replicas.routing)
                };
                Self {
                    access: Arc::new(PgAccessStore::routed(reads.clone())),
                    sessions: Arc::new(PgSessionStore::routed(reads.clone())),
                    session_writer: Arc::new(PgSessionWriter::new(pool.clone())),
                    users: Arc::new(PgUserDirectory::new(pool.clone())),
                    rows: Arc::new(PgRowWriter::new(pool.clone())),
                    health: Arc::new(PgHealthCheck::routed(reads.clone())),
                    agent_keys: Arc::new(PgAgentKeyStore::routed(reads.clone())),
                    sdk_keys: Arc::new(PgSdkKeyStore::routed(reads.clone())),
                    agent_catalog: Arc::new(PgAgentCatalog::routed(reads.clone())),
                    agent_writer: Arc::new(PgAgentWriter::new(pool.clone())),
                    agent_key_writer: Arc::new(PgAgentKeyWriter::new(pool.clone())),
                    sdk_key_writer: Arc::new(PgSdkKeyWriter::new(pool.clone())),
                    sdk_key_catalog: Arc::new(PgSdkKeyCatalog::routed(reads.clone())),
                    agents: Arc::new(PgAgentDirectory::routed(reads)),
                }
            }
            StoreChoice::Sqlite(settings) => {
                let pool = otas_sqlite_adapter::connect(settings)?;
                Self {
                    access: Arc::new(SqliteAccessStore::new(pool.clone())),
                    sessions: Arc::new(SqliteSessionStore::new(pool.clone())),
                    session_writer: Arc::new(SqliteSessionWriter::new(pool.clone())),
                    users: Arc::new(SqliteUserDirectory::new(pool.clone())),
                    rows: Arc::new(SqliteRowWriter::new(pool.clone())),
                    health: Arc::new(SqliteHealthCheck::new(pool.clone())),
                    agent_keys: Arc::new(SqliteAgentKeyStore::new(pool.clone())),
                    sdk_keys: Arc::new(SqliteSdkKeyStore::new(pool.clone())),
                    agent_catalog: Arc::new(SqliteAgentCatalog::new(pool.clone())),
                    agent_writer: Arc::new(SqliteAgentWriter::new(pool.clone())),
                    agent_key_writer: Arc::new(SqliteAgentKeyWriter::new(pool.clone())),
                    sdk_key_writer: Arc::new(SqliteSdkKeyWriter::new(pool.clone())),
                    sdk_key_catalog: Arc::new(SqliteSdkKeyCatalog::new(pool.clone())),
                    agents: Arc::new(SqliteAgentDirectory::new(pool)),
                }
            }
        })
    }
}

/// Applies the pending migrations of the configured store; returns their names.
pub fn migrate(choice: &StoreChoice, create_database: bool) -> anyhow::Result<Vec<String>> {
    Ok(match choice {
        StoreChoice::Postgres(settings, _) => {
            if create_database && otas_postgres_adapter::create_database_if_missing(&settings.url)?
            {
                tracing::info!("database created");
            }
            otas_postgres_adapter::run_migrations(&settings.url).map_err(|error| match &error {
                otas_postgres_adapter::MigrationError::Connect(reason)
                    if !create_database && reason.contains("does not exist") =>
                {
                    anyhow::anyhow!(
                        "{}: `otas-server migrate --create-database` creates it",
                        error.to_string().trim_end()
                    )
                }
                _ => error.into(),
            })?
        }
        // The SQLite file and its directory are created when missing.
        StoreChoice::Sqlite(settings) => {
            otas_sqlite_adapter::run_migrations(&settings.path_or_url)?
        }
    })
}

/// Warns about INVALID indexes of ours (an interrupted `CREATE INDEX
/// CONCURRENTLY`; `migrate` rebuilds them) and sets the gauge
/// `otas_db_invalid_indexes`, on a thread and a one-connection pool of its
/// own: `serve` starts while the database is down, and this check must not
/// hold it up (nor fail it: it is only told). SQLite builds its indexes
/// inside its migrations' transaction: it has none such.
pub fn check_indexes_in_background(choice: &StoreChoice) {
    let StoreChoice::Postgres(primary, _) = choice else {
        return;
    };
    let settings = PoolSettings {
        max_connections: 1,
        min_idle: 0,
        ..primary.clone()
    };
    let check = move || -> anyhow::Result<Vec<String>> {
        let pool = otas_postgres_adapter::connect(&settings)?;
        Ok(otas_postgres_adapter::invalid_indexes(&pool)?)
    };
    let spawned = std::thread::Builder::new()
        .name("index-check".to_owned())
        .spawn(move || match check() {
            Ok(invalid) if invalid.is_empty() => {}
            Ok(invalid) => tracing::warn!(
                indexes = %invalid.join(", "),
                "INVALID indexes (an interrupted CREATE INDEX CONCURRENTLY): the planner ignores them, so lists sort an agent's whole history; `otas-server migrate` rebuilds them"
            ),
            Err(error) => tracing::info!(error = %format!("{error:#}"), "indexes not checked"),
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "the index check did not start");
    }
}
