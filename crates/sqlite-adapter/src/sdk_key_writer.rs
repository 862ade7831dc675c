//! Issuing (and revoking) the dashboard's SDK keys.

use otas_ports::{NewSdkKey, Row, SdkKeyWriter, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::rows::insert;

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
}
