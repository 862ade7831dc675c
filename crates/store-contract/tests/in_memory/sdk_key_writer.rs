//! The in-memory store's SDK keys as the dashboard manages them: new keys,
//! revocation, the list.

use otas_domain::{ProjectId, SdkKeyId, Timestamp};
use otas_ports::{ListedSdkKey, NewSdkKey, SdkKeyCatalog, SdkKeyWriter, StoreError};

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

impl SdkKeyCatalog for Memory {
    fn project_sdk_keys(
        &self,
        project: ProjectId,
        limit: usize,
    ) -> Result<Vec<ListedSdkKey>, StoreError> {
        let tables = self.tables();
        let mut keys: Vec<ListedSdkKey> = tables
            .sdk_keys
            .iter()
            .filter(|(k, _)| k.project == project)
            .map(|(k, _)| ListedSdkKey {
                id: k.id,
                prefix: k.prefix.clone(),
                name: k.name.clone(),
                created_at: k.created_at,
                expires_at: k.expires_at,
                active: k.active,
                revoked_at: k.revoked_at,
            })
            .collect();
        keys.sort_by(|a, b| (b.created_at, b.id.as_uuid()).cmp(&(a.created_at, a.id.as_uuid())));
        keys.truncate(limit);
        Ok(keys)
    }
}
