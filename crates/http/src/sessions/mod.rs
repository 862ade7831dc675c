//! The session endpoints.

mod body;
pub(crate) mod create;
pub(crate) mod list;
pub(crate) mod request;
pub(crate) mod timed_body;
