//! Why an operation is refused: the reasons every operation shares (an
//! access denial, a store's failure) and each operation's own.

/// Why a caller may not act on an agent: the first access check that
/// failed, in the contract's order. Every operation a user makes on an
/// agent (listing its sessions, the authenticate call, and the agent and
/// key management to come) is refused for these reasons, and carries them
/// as one variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    /// The user token or the project id was not given, or was empty.
    #[error("the user token or the project id is missing")]
    MissingCredentials,
    /// The user token does not verify, has expired, or names no existing user.
    #[error("the user token is invalid")]
    InvalidToken,
    /// The project is unknown or inactive, or the user is not an active member of it.
    #[error("the user has no active membership of an active project with that id")]
    NoProjectAccess,
    /// No agent id was given.
    #[error("an agent id is required")]
    MissingAgentId,
    /// The agent is unknown, inactive, or belongs to another project.
    #[error("no active agent with that id in this project")]
    AgentNotFound,
    /// The user is a member of the project but not an admin, and the
    /// operation is an admin's (creating agents, issuing and revoking keys).
    #[error("the operation is a project admin's")]
    NotAdmin,
}

/// A store's failure, as every operation answers it: reduced to its kind,
/// with no detail that a caller could leak (what went wrong inside the
/// store is logged where it happened, tied to the request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StoreFailure {
    /// The store cannot be reached or did not answer in time.
    #[error("the store is unavailable")]
    Unavailable,
    /// Anything else; the cause was logged where it happened.
    #[error("unexpected failure")]
    Internal,
}

/// Every way listing an agent's sessions can fail, in the order the checks run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListSessionsError {
    /// The caller may not read the agent.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// An extension parameter (or the cursor) is malformed.
    #[error("the parameter {} is malformed", .0.name())]
    InvalidParameter(crate::params::InvalidParam),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// Why a session cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateSessionError {
    /// The agent key is missing, malformed, unknown, wrong, inactive,
    /// revoked or expired, or its agent is inactive.
    #[error("the agent key is invalid")]
    InvalidAgentKey,
    /// The body is not a JSON object (checked once the key is).
    #[error("the body is not a JSON object")]
    InvalidJson,
    /// Too many keys are being verified at once: try again shortly.
    #[error("too many agent keys are being verified")]
    Busy,
    /// Too many wrong secrets under this key's prefix lately: refused
    /// without checking until the budget's window ends.
    #[error("too many wrong attempts with this key; retry in {retry_after_seconds} s")]
    TooManyAttempts {
        /// Seconds until the key may be tried again (`Retry-After`).
        retry_after_seconds: u64,
    },
    /// The store (or the token issuer) failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

/// Why a presented key (an agent key, an SDK key) is refused, whichever
/// operation checks it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefused {
    /// Missing, malformed, unknown, wrong, inactive, revoked or expired, or
    /// its agent is inactive.
    #[error("the key is invalid")]
    Invalid,
    /// Too many keys are being verified at once: try again shortly.
    #[error("too many keys are being verified")]
    Busy,
    /// Too many wrong secrets under this key's prefix lately: refused
    /// without checking until the budget's window ends.
    #[error("too many wrong attempts with this key; retry in {retry_after_seconds} s")]
    TooManyAttempts {
        /// Seconds until the key may be tried again (`Retry-After`).
        retry_after_seconds: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}

impl From<KeyRefused> for CreateSessionError {
    fn from(refused: KeyRefused) -> Self {
        match refused {
            KeyRefused::Invalid => Self::InvalidAgentKey,
            KeyRefused::Busy => Self::Busy,
            KeyRefused::TooManyAttempts {
                retry_after_seconds,
            } => Self::TooManyAttempts {
                retry_after_seconds,
            },
            KeyRefused::Store(failure) => Self::Store(failure),
        }
    }
}

/// Why a backend's SDK key is refused
/// (`POST /api/project/v1/sdk/backend/key/authenticate/`), in UASAM's order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdkAuthenticateError {
    /// No `X-OTAS-SDK-KEY`, or an empty one.
    #[error("SDK Key missing")]
    MissingKey,
    /// Not three `_`-separated parts.
    #[error("Invalid Key Format")]
    InvalidFormat,
    /// No usable key matches (or it was refused for the budgets' reasons).
    #[error(transparent)]
    Refused(#[from] KeyRefused),
}

/// Why another backend may not see an agent
/// (`POST /api/agent/v1/user/authenticate/`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthenticateError {
    /// The user may not see the agent.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
}
