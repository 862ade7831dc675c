//! Ports and use cases of the OTAS session service.
//!
//! The traits here are what the core needs from the outside world; adapters
//! implement them (PostgreSQL, JWT) and tests replace them with mockall mocks
//! (feature `mock`). The use cases are written against the traits only.

pub mod access;
pub mod cursor;
pub mod directory;
pub mod sessions;
pub mod store;
pub mod token;
pub mod use_cases;

pub use access::{AccessFacts, AccessQuery, AccessStore};
pub use cursor::CursorCodec;
pub use directory::Directory;
pub use sessions::{SessionStore, SessionsAndSummary};
pub use store::StoreError;
pub use token::{InvalidToken, TokenVerifier};
pub use use_cases::list_sessions::{
    ListOutcome, ListSessions, ListSessionsRequest, ListSessionsUseCase, NextBatch, RestOfList,
    SessionPage, WholeList,
};

#[cfg(any(test, feature = "mock"))]
pub use access::MockAccessStore;
#[cfg(any(test, feature = "mock"))]
pub use cursor::MockCursorCodec;
#[cfg(any(test, feature = "mock"))]
pub use directory::MockDirectory;
#[cfg(any(test, feature = "mock"))]
pub use sessions::MockSessionStore;
#[cfg(any(test, feature = "mock"))]
pub use token::MockTokenVerifier;
#[cfg(any(test, feature = "mock"))]
pub use use_cases::list_sessions::MockListSessionsUseCase;
