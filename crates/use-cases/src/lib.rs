//! The use cases of the OTAS session service, written against the ports of
//! `otas-ports` only: they decide, the adapters behind the ports fetch.

pub mod list_sessions;
mod store_failure;

pub use list_sessions::{
    ListOutcome, ListSessions, ListSessionsRequest, ListSessionsUseCase, NextBatch, RestOfList,
    SessionPage, WholeList,
};

#[cfg(any(test, feature = "mock"))]
pub use list_sessions::MockListSessionsUseCase;
