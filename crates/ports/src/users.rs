//! What the operators' commands ask of UASAM's users.

use otas_domain::UserId;

use crate::store::StoreError;

/// Looks users up.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait UserDirectory: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return the user's email when a row of `users`
    /// has that id, and `None` otherwise.
    fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError>;

    /// Implementations MUST return whether `users` has any row at all.
    fn has_users(&self) -> Result<bool, StoreError>;
}
