//! The use cases, written against the ports only.

pub mod list_sessions;
pub mod seed_demo;
