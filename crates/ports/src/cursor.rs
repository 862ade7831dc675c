//! Opaque, tamper-evident page cursors.

use otas_domain::SessionKey;

/// Turns a position in a listing into an opaque text and back.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait CursorCodec: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return URL-safe text that `open` turns back into
    /// `key` when, and only when, it is given the same `binding` (the query the
    /// cursor was issued for).
    fn seal(&self, key: &SessionKey, binding: &str) -> String;

    /// Implementations MUST return `None` for text they did not seal, text
    /// with any byte changed, and a cursor sealed for another `binding`:
    /// never a different position.
    fn open(&self, cursor: &str, binding: &str) -> Option<SessionKey>;
}
