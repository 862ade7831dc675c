//! UASAM's rows, written as UASAM writes them, for the demo data of a first
//! run and the fixtures of every test only: they go through [`RowWriter`],
//! so that each adapter has one place where such rows are inserted. The
//! service itself writes sessions through [`crate::SessionWriter`].

use otas_domain::{AgentId, AgentKeyId, ProjectId, SdkKeyId, Timestamp, UserId};

use crate::session_writer::SessionRow;
use crate::store::StoreError;

/// A row of `users`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Django's password hash; one no password verifies is `!…`.
    pub password: String,
    pub created_at: Timestamp,
}

/// A row of `project`, created by `owner`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub id: ProjectId,
    pub name: String,
    pub description: String,
    pub owner: UserId,
    pub is_active: bool,
    pub created_at: Timestamp,
}

/// A row of `user_project_mapping`: `user` is a member of `project`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRow {
    pub user: UserId,
    pub project: ProjectId,
    pub privilege: i16,
    pub is_active: bool,
    pub created_at: Timestamp,
}

/// A row of `agent`, of `project`, created by `owner`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    pub id: AgentId,
    pub project: ProjectId,
    pub owner: UserId,
    pub name: String,
    pub description: String,
    pub provider: String,
    pub is_active: bool,
    pub created_at: Timestamp,
}

/// A row of `agent_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentKeyRow {
    pub id: AgentKeyId,
    pub agent: AgentId,
    /// The key's first characters, as UASAM looks keys up.
    pub prefix: String,
    /// Django's hash of the whole key.
    pub hashed_key: String,
    pub name: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
}

/// A row of `backend_api_keys` (an SDK key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkKeyRow {
    pub id: SdkKeyId,
    pub project: ProjectId,
    /// The key's first characters, as keys are looked up.
    pub prefix: String,
    /// Django's hash of the whole key.
    pub hashed_key: String,
    pub name: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
}

/// One row of any of UASAM's tables this service writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    User(UserRow),
    Project(ProjectRow),
    Membership(MembershipRow),
    Agent(AgentRow),
    AgentKey(AgentKeyRow),
    SdkKey(SdkKeyRow),
    Session(SessionRow),
}

/// Writes UASAM's rows: the demo data and the tests' fixtures, never a
/// request's.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait RowWriter: std::fmt::Debug + Send + Sync {
    /// Implementations MUST write every row, in the order given, in one
    /// transaction: all of them or none. A row the schema refuses (a
    /// duplicate id, a missing referenced row, `meta` that is not JSON) MUST
    /// be `StoreError::Failure`; an unreachable store
    /// `StoreError::Unavailable`.
    fn write(&self, rows: &[Row]) -> Result<(), StoreError>;
}
