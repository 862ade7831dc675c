//! SDK keys (`X-OTAS-SDK-KEY`, UASAM's `backend_api_keys`), as the SDK
//! authenticate call reads them.

use otas_domain::{ProjectId, SdkKeyId, Timestamp};

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
