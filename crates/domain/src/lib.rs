//! The OTAS session domain.
//!
//! Identifiers, sessions, listing queries and the errors of the session use
//! cases, shared by every OTAS backend that reads agent sessions. This crate
//! is pure: it knows nothing of HTTP, SQL or JWT, so it can be reused without
//! pulling any of those stacks in (CI checks it with `make layers`).

pub mod error;
pub mod ids;
pub mod query;
pub mod session;

pub use error::ListSessionsError;
pub use ids::{AgentId, AgentKeyId, IdError, ProjectId, SessionId, UserId};
pub use query::{Order, SessionKey, SessionQuery};
pub use session::{Meta, MetaError, Session, Timestamp};
