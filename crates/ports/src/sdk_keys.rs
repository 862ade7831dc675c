//! SDK keys (`X-OTAS-SDK-KEY`, UASAM's `backend_api_keys`), as the SDK
//! authenticate call reads them.

use otas_domain::{ProjectId, SdkKeyId, Timestamp};

use crate::rows::SdkKeyRow;
use crate::store::StoreError;

/// An SDK key as stored, with its project as the authenticate call answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSdkKey {
    pub id: SdkKeyId,
    pub project: ProjectId,
    /// The key's prefix, in clear.
    pub prefix: String,
    /// Django's hash of the whole key: `pbkdf2_sha256$<iterations>$<salt>$<hash>`.
    pub hashed_key: String,
    pub active: bool,
    pub revoked_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// The project's name and description.
    pub project_name: String,
    pub project_description: String,
}

impl StoredSdkKey {
    /// Whether the key may be used at `now`: active, not revoked, not
    /// expired (UASAM's `verify_key`; the project's own state is not
    /// looked at, as UASAM does not). Its secret is checked apart.
    pub fn usable_at(&self, now: Timestamp) -> bool {
        self.active && self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

/// Reads and marks UASAM's `backend_api_keys` rows.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SdkKeyStore: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return every SDK key whose `prefix` is one of
    /// `prefixes` (with its project's name and description), and nothing
    /// else. Cost: an indexed lookup per prefix (UASAM's index on
    /// `backend_api_keys (prefix)`); callers pass at most
    /// `otas_domain::agent_key::MAX_PREFIX_CHARS` (a key has one or two).
    // The lifetime is named for mockall, which cannot mock an elided one.
    #[allow(clippy::needless_lifetimes)]
    fn sdk_keys_with_prefixes<'a>(
        &self,
        prefixes: &[&'a str],
    ) -> Result<Vec<StoredSdkKey>, StoreError>;

    /// Implementations MUST set the key's `last_used_at` to `at` unless it is
    /// already within the minute before `at`. They MAY skip the write (and
    /// return `Ok`) while their primary is known to be away.
    fn mark_sdk_key_used(&self, key: SdkKeyId, at: Timestamp) -> Result<(), StoreError>;
}

/// A new row of `backend_api_keys`, as the dashboard issues it: active,
/// never used, with no name (as UASAM's view writes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSdkKey {
    pub id: SdkKeyId,
    pub project: ProjectId,
    /// The key's prefix, in clear.
    pub prefix: String,
    /// Django's hash of the whole key; the key itself is never stored.
    pub hashed_key: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl NewSdkKey {
    /// The `backend_api_keys` row it is: active, unnamed, never revoked.
    pub fn to_row(&self) -> SdkKeyRow {
        SdkKeyRow {
            id: self.id,
            project: self.project,
            prefix: self.prefix.clone(),
            hashed_key: self.hashed_key.clone(),
            name: None,
            active: true,
            created_at: self.created_at,
            revoked_at: None,
            expires_at: Some(self.expires_at),
        }
    }
}

/// Issues and revokes a project's SDK keys (the dashboard's).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SdkKeyWriter: std::fmt::Debug + Send + Sync {
    /// Implementations MUST insert `key` on the primary. A key the schema
    /// refuses (its id taken, its project unknown) MUST be
    /// `StoreError::Failure`. Cost: one insert.
    fn create_sdk_key(&self, key: &NewSdkKey) -> Result<(), StoreError>;

    /// Implementations MUST, on the primary, set `active` false and
    /// `revoked_at` to `at` on the key `key` when its `active` is true and
    /// it belongs to `project` (UASAM's `get(id=…, project=…,
    /// active=True)`), and return whether they did. Cost: one update by
    /// primary key.
    fn revoke_sdk_key(
        &self,
        project: ProjectId,
        key: SdkKeyId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// An SDK key as the dashboard lists it (no hash, no key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSdkKey {
    pub id: SdkKeyId,
    pub prefix: String,
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub active: bool,
    pub revoked_at: Option<Timestamp>,
}

/// Lists a project's SDK keys.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SdkKeyCatalog: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return the project's SDK keys, active or not,
    /// newest first (`created_at`, then `id`, both descending), at most
    /// `limit` of them. Cost: one indexed read (UASAM's index on
    /// `backend_api_keys (project_id)`), capped by `limit`.
    fn project_sdk_keys(
        &self,
        project: ProjectId,
        limit: usize,
    ) -> Result<Vec<ListedSdkKey>, StoreError>;
}
