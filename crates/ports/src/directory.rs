//! What operators' commands need of the store beyond listing: the users, and
//! a place to put demonstration data.

use otas_domain::UserId;

use crate::store::StoreError;
use crate::use_cases::seed_demo::DemoData;

/// Users and demonstration data.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Directory: Send + Sync {
    /// Implementations MUST return the user's email when a row of `users`
    /// has that id, and `None` otherwise.
    fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError>;

    /// Implementations MUST return whether `users` has any row at all.
    fn has_users(&self) -> Result<bool, StoreError>;

    /// Implementations MUST write every row of `demo` (the user, the
    /// project, the membership, the agents, their key and the sessions) in
    /// one transaction: all of them or none.
    fn insert_demo(&self, demo: &DemoData) -> Result<(), StoreError>;
}
