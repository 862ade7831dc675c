//! Issuing (and revoking) the dashboard's SDK keys, on the primary.

use diesel::prelude::*;
use otas_domain::{ProjectId, SdkKeyId, Timestamp};
use otas_ports::{NewSdkKey, Row, SdkKeyWriter, StoreError};

use crate::pool::{with_connection, PgPool};
use crate::rows::insert;
use crate::schema::backend_api_keys;

/// Writes SDK keys on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgSdkKeyWriter {
    pool: PgPool,
}

impl PgSdkKeyWriter {
    /// A writer over the pool's database (the primary's).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl SdkKeyWriter for PgSdkKeyWriter {
    fn create_sdk_key(&self, key: &NewSdkKey) -> Result<(), StoreError> {
        let row = Row::SdkKey(key.to_row());
        with_connection(&self.pool, |conn| insert(conn, &row))
    }

    fn revoke_sdk_key(
        &self,
        project: ProjectId,
        key: SdkKeyId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let revoked = with_connection(&self.pool, |conn| {
            // By primary key.
            diesel::update(
                backend_api_keys::table
                    .filter(backend_api_keys::id.eq(*key.as_uuid()))
                    .filter(backend_api_keys::project_id.eq(*project.as_uuid()))
                    .filter(backend_api_keys::active),
            )
            .set((
                backend_api_keys::active.eq(false),
                backend_api_keys::revoked_at.eq(at.as_datetime()),
            ))
            .execute(conn)
        })?;
        Ok(revoked == 1)
    }
}
