//! What a dashboard call that names a project but no agent sends: the user
//! token and the project id, as raw text. The project-wide listings (agents,
//! SDK keys) take it as their whole request.

use crate::access_check::Claim;

/// The dashboard's credentials, as raw text: `None` when a header was not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectCredentials {
    /// `X-OTAS-USER-TOKEN`.
    pub user_token: Option<String>,
    /// `X-OTAS-PROJECT-ID`.
    pub project_id: Option<String>,
}

impl ProjectCredentials {
    /// The claim the access check reads: these credentials, no agent.
    pub(crate) fn claim(&self) -> Claim<'_> {
        Claim {
            user_token: self.user_token.as_deref(),
            project_id: self.project_id.as_deref(),
            agent_id: None,
        }
    }
}
