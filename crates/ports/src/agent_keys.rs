//! Agent keys (`X-OTAS-AGENT-KEY`) as UASAM stores them, and what checks them.

use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp};

use crate::rows::AgentKeyRow;
use crate::store::StoreError;

/// An agent as `POST /api/agent/v1/auth/verify/` names it to OTAS's events
/// service: its id, name, provider and project, and whether it is active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProfile {
    pub id: AgentId,
    pub name: String,
    pub provider: String,
    pub project: ProjectId,
    pub active: bool,
}

/// An agent key as stored, with what decides whether it may open sessions:
/// read with its agent in one indexed read, so that a warm key check is that
/// read and nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAgentKey {
    pub id: AgentKeyId,
    /// The key's agent, as read with the key.
    pub agent: AgentProfile,
    /// The key's prefix, in clear.
    pub prefix: String,
    /// Django's hash of the whole key: `pbkdf2_sha256$<iterations>$<salt>$<hash>`.
    pub hashed_key: String,
    pub active: bool,
    pub revoked_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

impl StoredAgentKey {
    /// Whether the key may open a session at `now`: active, not revoked, not
    /// expired, its agent active. Its secret is checked apart.
    pub fn usable_at(&self, now: Timestamp) -> bool {
        self.active
            && self.revoked_at.is_none()
            && self.expires_at.is_none_or(|at| at > now)
            && self.agent.active
    }
}

/// Reads and marks UASAM's `agent_key` rows.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AgentKeyStore: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return every key whose `prefix` is one of
    /// `prefixes` (with its agent's profile, read in the same statement), and
    /// nothing else. Cost: an indexed lookup per prefix, and the agent by its
    /// primary key; callers pass at most
    /// `otas_domain::agent_key::MAX_PREFIX_CHARS` (a key has one or two).
    // The lifetime is named for mockall, which cannot mock an elided one.
    #[allow(clippy::needless_lifetimes)]
    fn keys_with_prefixes<'a>(
        &self,
        prefixes: &[&'a str],
    ) -> Result<Vec<StoredAgentKey>, StoreError>;

    /// Implementations MUST set the key's `last_used_at` to `at` unless it is
    /// already within the minute before `at`, so that a busy key is written
    /// at most once a minute. They MAY skip the write (and return `Ok`)
    /// while their primary is known to be away: it is bookkeeping, and the
    /// key checks go on from a replica.
    fn mark_used(&self, key: AgentKeyId, at: Timestamp) -> Result<(), StoreError>;
}

/// Checks a presented agent key against a stored hash.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AgentKeyHasher: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return a keyed hash of `presented` (a key of
    /// their own, never published), so that a cache can hold what was
    /// verified without holding a key. Cheap.
    fn fingerprint(&self, presented: &str) -> [u8; 32];

    /// Implementations MUST return whether `stored_hash` (Django's
    /// `pbkdf2_sha256$…`, its iterations and salt read from it) is the hash
    /// of `presented`, comparing in constant time; `false` for a hash they
    /// cannot read. Expensive: PBKDF2 at the stored iteration count.
    fn verify(&self, presented: &str, stored_hash: &str) -> bool;
}

/// A new row of `agent_key`, as the dashboard issues it: active, never used,
/// with no name (as UASAM's views write it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgentKey {
    pub id: AgentKeyId,
    pub agent: AgentId,
    /// The key's prefix, in clear.
    pub prefix: String,
    /// Django's hash of the whole key; the key itself is never stored.
    pub hashed_key: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl NewAgentKey {
    /// The `agent_key` row it is: active, unnamed, never revoked.
    pub fn to_row(&self) -> AgentKeyRow {
        AgentKeyRow {
            id: self.id,
            agent: self.agent,
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

/// Issues and revokes the dashboard's agent keys.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AgentKeyWriter: std::fmt::Debug + Send + Sync {
    /// Implementations MUST, in one transaction on the primary: when
    /// `key.agent` is an active agent of `project`, set `active` false and
    /// `revoked_at` to `key.created_at` on every key of it whose `active` is
    /// true, insert `key`, and return `true`; otherwise write nothing and
    /// return `false`. A key the schema refuses MUST be
    /// `StoreError::Failure`, with nothing revoked. Cost: one indexed
    /// update (`agent_key.agent_id`) and one insert.
    fn replace_keys(&self, project: ProjectId, key: &NewAgentKey) -> Result<bool, StoreError>;

    /// Implementations MUST set `active` false and `revoked_at` to `at` on
    /// the key `key` when its `active` is true and its agent (active or not,
    /// as UASAM) belongs to `project`, and return whether they did. Cost:
    /// one update by primary key.
    fn revoke_key(
        &self,
        project: ProjectId,
        key: AgentKeyId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}
