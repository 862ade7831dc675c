#![doc = include_str!("../README.md")]

pub mod list_sessions;
mod store_failure;

pub use list_sessions::{
    ListOutcome, ListSessions, ListSessionsRequest, ListSessionsUseCase, NextBatch, RestOfList,
    SessionPage, WholeList,
};

#[cfg(any(test, feature = "mock"))]
pub use list_sessions::MockListSessionsUseCase;
