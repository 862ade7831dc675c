//! The OTAS session domain.
//!
//! Identifiers, sessions, listing queries and the errors of the session use
//! cases, shared by every OTAS backend that reads agent sessions. This crate
//! is pure: it knows nothing of HTTP, SQL or JWT, so it can be reused without
//! pulling any of those stacks in (CI checks it with `make layers`).

pub mod error;
pub mod etag;
pub mod ids;
pub mod meta_filter;
pub mod params;
pub mod query;
pub mod session;

pub use error::ListSessionsError;
pub use ids::{AgentId, AgentKeyId, IdError, ProjectId, SessionId, UserId};
pub use params::{InvalidParam, ListParams, RawListParams, MAX_LIMIT};
pub use query::{MetaFilter, Order, SessionFilter, SessionKey, SessionQuery, SessionSummary};
pub use session::{Meta, MetaError, Session, Timestamp};
