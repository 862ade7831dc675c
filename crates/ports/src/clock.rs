//! The time, for the use cases: the one source of "now", so that tests
//! set it.

use otas_domain::Timestamp;

/// The time, for the use cases.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Clock: std::fmt::Debug + Send + Sync {
    /// Now, to the microsecond.
    fn now(&self) -> Timestamp;
}
