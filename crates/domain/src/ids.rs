//! Validated identifiers.
//!
//! Every id UASAM issues is a UUID. Each kind of id gets its own type so that
//! a project id can never be passed where an agent id is expected.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A text that is not a UUID was given where an id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a UUID")]
pub struct IdError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// Parses an id from its text form (hyphenated, simple, braced or URN).
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                Uuid::try_parse(raw).map(Self).map_err(|_| IdError)
            }

            /// Wraps a UUID that is already known to be of this kind.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(raw: &str) -> Result<Self, IdError> {
                Self::parse(raw)
            }
        }

        /// Lower-case hyphenated, as UASAM writes ids.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    };
}

uuid_id!(
    /// A row of `users`.
    UserId
);
uuid_id!(
    /// A row of `project`.
    ProjectId
);
uuid_id!(
    /// A row of `agent`.
    AgentId
);
uuid_id!(
    /// A row of `agent_key`.
    AgentKeyId
);
uuid_id!(
    /// A row of `agent_session`.
    SessionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_lower_case_hyphenated_whatever_form_they_were_given_in() {
        let id = AgentId::parse("D1E2F3A4B5C67890ABCDEF1234567890").expect("a simple UUID parses");
        assert_eq!(id.to_string(), "d1e2f3a4-b5c6-7890-abcd-ef1234567890");
    }

    #[test]
    fn text_that_is_not_a_uuid_is_refused() {
        assert_eq!(ProjectId::parse("not-a-uuid"), Err(IdError));
        assert_eq!(ProjectId::parse(""), Err(IdError));
        assert_eq!(
            ProjectId::parse("d1e2f3a4-b5c6-7890-abcd-ef123456789"),
            Err(IdError)
        );
    }
}
uuid_id!(
    /// A row of `backend_api_keys` (an SDK key).
    SdkKeyId
);
