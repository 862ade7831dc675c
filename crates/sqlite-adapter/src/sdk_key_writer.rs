//! Issuing (and revoking) the dashboard's SDK keys.

use diesel::prelude::*;
use otas_domain::{ProjectId, SdkKeyId, Timestamp};
use otas_ports::{NewSdkKey, Row, SdkKeyWriter, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::rows::insert;
use crate::schema::backend_api_keys;

/// Writes SDK keys on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteSdkKeyWriter {
    pool: SqlitePool,
}

impl SqliteSdkKeyWriter {
    /// A writer over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl SdkKeyWriter for SqliteSdkKeyWriter {
    fn create_sdk_key(&self, key: &NewSdkKey) -> Result<(), StoreError> {
        let row = Row::SdkKey(key.to_row());
        let mut conn = checkout(&self.pool)?;
        insert(&mut conn, &row).map_err(from_query)
    }

    fn revoke_sdk_key(
        &self,
        project: ProjectId,
        key: SdkKeyId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool)?;
        // By primary key.
        let revoked = diesel::update(
            backend_api_keys::table
                .filter(backend_api_keys::id.eq(key.to_string()))
                .filter(backend_api_keys::project_id.eq(project.to_string()))
                .filter(backend_api_keys::active),
        )
        .set((
            backend_api_keys::active.eq(false),
            backend_api_keys::revoked_at.eq(at.as_micros()),
        ))
        .execute(&mut conn)
        .map_err(from_query)?;
        Ok(revoked == 1)
    }
}
