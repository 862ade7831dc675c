//! The in-memory store's writes of SDK keys (the dashboard's).

use otas_ports::{NewSdkKey, SdkKeyWriter, StoreError};

use super::Memory;

impl SdkKeyWriter for Memory {
    fn create_sdk_key(&self, key: &NewSdkKey) -> Result<(), StoreError> {
        let mut tables = self.tables();
        if tables.sdk_keys.iter().any(|(k, _)| k.id == key.id) {
            return Err(StoreError::Failure("a duplicate id".to_owned()));
        }
        tables.sdk_keys.push((key.to_row(), None));
        Ok(())
    }
}
