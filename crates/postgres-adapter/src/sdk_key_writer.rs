//! Issuing (and revoking) the dashboard's SDK keys, on the primary.

use otas_ports::{NewSdkKey, Row, SdkKeyWriter, StoreError};

use crate::pool::{with_connection, PgPool};
use crate::rows::insert;

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
}
