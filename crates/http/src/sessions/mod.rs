//! The session endpoints.

mod body;
pub(crate) mod list;
mod request;
