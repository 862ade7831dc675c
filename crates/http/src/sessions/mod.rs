//! The session endpoints.

pub(crate) mod list;
mod write;
