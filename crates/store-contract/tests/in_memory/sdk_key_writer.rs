//! The in-memory store's writes of SDK keys (the dashboard's): new keys
//! and revocation.

use otas_domain::{ProjectId, SdkKeyId, Timestamp};
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

    fn revoke_sdk_key(
        &self,
        project: ProjectId,
        key: SdkKeyId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tables = self.tables();
        let found = tables
            .sdk_keys
            .iter_mut()
            .find(|(k, _)| k.id == key && k.project == project && k.active);
        Ok(found
            .map(|(k, _)| {
                k.active = false;
                k.revoked_at = Some(at);
            })
            .is_some())
    }
}
