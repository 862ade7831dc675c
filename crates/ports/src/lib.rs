#![doc = include_str!("../README.md")]

pub mod access;
pub mod agent_keys;
pub mod agents;
pub mod clock;
pub mod cursor;
pub mod health;
pub mod key_issuing;
pub mod rows;
pub mod sdk_keys;
pub mod session_writer;
pub mod sessions;
pub mod store;
pub mod token;
pub mod users;

pub use access::{AccessFacts, AccessQuery, AccessStore};
pub use agent_keys::{
    AgentKeyHasher, AgentKeyStore, AgentKeyWriter, AgentProfile, NewAgentKey, StoredAgentKey,
};
pub use agents::{
    AgentCatalog, AgentDirectory, AgentInfo, AgentListBound, AgentWriter, ListedAgentKey, NewAgent,
    ProjectAgent,
};
pub use clock::Clock;
pub use cursor::CursorCodec;
pub use health::HealthCheck;
pub use key_issuing::{IssuedKey, KeyIssuer, KeyIssuingError, KeyKind, RawKey};
pub use rows::{
    AgentKeyRow, AgentRow, MembershipRow, ProjectRow, Row, RowWriter, SdkKeyRow, UserRow,
};
pub use sdk_keys::{
    ListedSdkKey, NewSdkKey, SdkKeyCatalog, SdkKeyStore, SdkKeyWriter, StoredSdkKey,
};
pub use session_writer::{SessionRow, SessionWriter};
pub use sessions::{ReadBound, SessionStore, SessionsAndSummary};
pub use store::StoreError;
pub use token::{InvalidToken, SessionTokenIssuer, TokenVerifier};
pub use users::UserDirectory;

#[cfg(any(test, feature = "mock"))]
pub use access::MockAccessStore;
#[cfg(any(test, feature = "mock"))]
pub use agent_keys::{MockAgentKeyHasher, MockAgentKeyStore, MockAgentKeyWriter};
#[cfg(any(test, feature = "mock"))]
pub use agents::{MockAgentCatalog, MockAgentDirectory, MockAgentWriter};
#[cfg(any(test, feature = "mock"))]
pub use clock::MockClock;
#[cfg(any(test, feature = "mock"))]
pub use cursor::MockCursorCodec;
#[cfg(any(test, feature = "mock"))]
pub use health::MockHealthCheck;
#[cfg(any(test, feature = "mock"))]
pub use key_issuing::MockKeyIssuer;
#[cfg(any(test, feature = "mock"))]
pub use rows::MockRowWriter;
#[cfg(any(test, feature = "mock"))]
pub use sdk_keys::{MockSdkKeyCatalog, MockSdkKeyStore, MockSdkKeyWriter};
#[cfg(any(test, feature = "mock"))]
pub use session_writer::MockSessionWriter;
#[cfg(any(test, feature = "mock"))]
pub use sessions::MockSessionStore;
#[cfg(any(test, feature = "mock"))]
pub use token::{MockSessionTokenIssuer, MockTokenVerifier};
#[cfg(any(test, feature = "mock"))]
pub use users::MockUserDirectory;
