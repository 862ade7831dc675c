//! The in-memory store's read for the SDK-key check: SDK keys with their
//! project.

use otas_domain::{SdkKeyId, Timestamp};
use otas_ports::{SdkKeyStore, StoreError, StoredSdkKey};

use super::Memory;

impl SdkKeyStore for Memory {
    fn sdk_keys_with_prefixes(&self, prefixes: &[&str]) -> Result<Vec<StoredSdkKey>, StoreError> {
        let tables = self.tables();
        Ok(tables
            .sdk_keys
            .iter()
            .filter(|(key, _)| prefixes.contains(&key.prefix.as_str()))
            .filter_map(|(key, last_used_at)| {
                let (_, name, description) = tables
                    .project_texts
                    .iter()
                    .find(|(id, ..)| id == key.project.as_uuid())?;
                Some(StoredSdkKey {
                    id: key.id,
                    project: key.project,
                    prefix: key.prefix.clone(),
                    hashed_key: key.hashed_key.clone(),
                    active: key.active,
                    revoked_at: key.revoked_at,
                    expires_at: key.expires_at,
                    last_used_at: *last_used_at,
                    project_name: name.clone(),
                    project_description: description.clone(),
                })
            })
            .collect())
    }

    fn mark_sdk_key_used(&self, key: SdkKeyId, at: Timestamp) -> Result<(), StoreError> {
        let mut tables = self.tables();
        for (row, last_used_at) in tables.sdk_keys.iter_mut() {
            let recent = last_used_at.is_some_and(|t| t.as_micros() >= at.as_micros() - 60_000_000);
            if row.id == key && !recent {
                *last_used_at = Some(at);
            }
        }
        Ok(())
    }
}
