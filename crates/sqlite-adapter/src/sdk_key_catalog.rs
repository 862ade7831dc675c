//! A project's SDK keys, as the dashboard lists them
//! (`GET /api/project/v1/sdk/backend/key/list/`): one bounded read.

use diesel::prelude::*;
use diesel::sqlite::Sqlite;
use otas_domain::{ProjectId, SdkKeyId, Timestamp};
use otas_ports::{ListedSdkKey, SdkKeyCatalog, StoreError};

use crate::agents::uuid;
use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::backend_api_keys;

/// Lists a project's SDK keys from UASAM's `backend_api_keys`.
#[derive(Clone, Debug)]
pub struct SqliteSdkKeyCatalog {
    pool: SqlitePool,
}

impl SqliteSdkKeyCatalog {
    /// A catalog over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

/// A key as listed; times in microseconds, as the schema keeps them.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = backend_api_keys, check_for_backend(Sqlite))]
struct SdkKeyRecord {
    id: String,
    prefix: String,
    name: Option<String>,
    created_at: i64,
    expires_at: Option<i64>,
    active: bool,
    revoked_at: Option<i64>,
}

/// A stored time, which the schema keeps in microseconds.
fn time(micros: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_micros(micros)
        .ok_or_else(|| StoreError::Failure(format!("{micros} µs is out of range")))
}

impl SdkKeyCatalog for SqliteSdkKeyCatalog {
    fn project_sdk_keys(
        &self,
        project: ProjectId,
        limit: usize,
    ) -> Result<Vec<ListedSdkKey>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut conn = checkout(&self.pool)?;
        // Served by the index on backend_api_keys (project_id): the
        // project's keys, the newest `limit` kept.
        let keys: Vec<SdkKeyRecord> = backend_api_keys::table
            .filter(backend_api_keys::project_id.eq(project.to_string()))
            .order((
                backend_api_keys::created_at.desc(),
                backend_api_keys::id.desc(),
            ))
            .limit(limit)
            .select(SdkKeyRecord::as_select())
            .load(&mut conn)
            .map_err(from_query)?;
        keys.into_iter()
            .map(|k| {
                Ok(ListedSdkKey {
                    id: SdkKeyId::from_uuid(uuid(&k.id)?),
                    created_at: time(k.created_at)?,
                    expires_at: k.expires_at.map(time).transpose()?,
                    revoked_at: k.revoked_at.map(time).transpose()?,
                    prefix: k.prefix,
                    name: k.name,
                    active: k.active,
                })
            })
            .collect()
    }
}
