//! UASAM's SDK keys (`backend_api_keys`) with their project, for the SDK
//! authenticate call.

use diesel::prelude::*;
use diesel::sqlite::Sqlite;
use otas_domain::{ProjectId, SdkKeyId, Timestamp};
use otas_ports::{SdkKeyStore, StoreError, StoredSdkKey};

use crate::agents::uuid;
use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::{backend_api_keys, project};

/// UASAM's `backend_api_keys` rows on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteSdkKeyStore {
    pool: SqlitePool,
}

impl SqliteSdkKeyStore {
    /// A store over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

/// A key as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = backend_api_keys, check_for_backend(Sqlite))]
struct SdkKeyRecord {
    id: String,
    project_id: String,
    prefix: String,
    hashed_key: String,
    active: bool,
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
}

impl SdkKeyRecord {
    fn with_project(self, name: String, description: String) -> Result<StoredSdkKey, StoreError> {
        let time = |micros: Option<i64>| -> Result<Option<Timestamp>, StoreError> {
            micros
                .map(|m| {
                    Timestamp::from_micros(m).ok_or_else(|| {
                        StoreError::Failure(format!("SDK key {}: a time is out of range", self.id))
                    })
                })
                .transpose()
        };
        Ok(StoredSdkKey {
            id: SdkKeyId::from_uuid(uuid(&self.id)?),
            project: ProjectId::from_uuid(uuid(&self.project_id)?),
            revoked_at: time(self.revoked_at)?,
            expires_at: time(self.expires_at)?,
            last_used_at: time(self.last_used_at)?,
            prefix: self.prefix,
            hashed_key: self.hashed_key,
            active: self.active,
            project_name: name,
            project_description: description,
        })
    }
}

impl SdkKeyStore for SqliteSdkKeyStore {
    fn sdk_keys_with_prefixes(&self, prefixes: &[&str]) -> Result<Vec<StoredSdkKey>, StoreError> {
        // Served by the index on backend_api_keys (prefix), then the
        // project by its primary key.
        let mut conn = checkout(&self.pool)?;
        let rows: Vec<(SdkKeyRecord, String, String)> = backend_api_keys::table
            .inner_join(project::table)
            .filter(backend_api_keys::prefix.eq_any(prefixes))
            .select((
                SdkKeyRecord::as_select(),
                project::name,
                project::description,
            ))
            .load(&mut conn)
            .map_err(from_query)?;
        rows.into_iter()
            .map(|(key, name, description)| key.with_project(name, description))
            .collect()
    }

    fn mark_sdk_key_used(&self, key: SdkKeyId, at: Timestamp) -> Result<(), StoreError> {
        let at = at.as_micros();
        let a_minute_before = at - 60_000_000;
        let mut conn = checkout(&self.pool)?;
        diesel::update(
            backend_api_keys::table
                .filter(backend_api_keys::id.eq(key.to_string()))
                .filter(
                    backend_api_keys::last_used_at
                        .is_null()
                        .or(backend_api_keys::last_used_at.lt(a_minute_before)),
                ),
        )
        .set(backend_api_keys::last_used_at.eq(at))
        .execute(&mut conn)
        .map_err(from_query)?;
        Ok(())
    }
}
