//! What the session-listing use case is given.

use otas_domain::etag::IfNoneMatch;
use otas_domain::RawListParams;

/// The whole request, as raw text: `None` when a part was not sent at all.
/// The HTTP layer fills it; the use case decides everything from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListSessionsRequest {
    /// The user token (`X-OTAS-USER-TOKEN`); several headers joined by `,`.
    pub user_token: Option<String>,
    /// The project id (`X-OTAS-PROJECT-ID`); several headers joined by `,`.
    pub project_id: Option<String>,
    /// The agent whose sessions are wanted (`agent_id`).
    pub agent_id: Option<String>,
    /// The extension parameters (`limit`, `cursor`, `order`, the filters,
    /// `include_total`), unchecked.
    pub params: RawListParams,
    /// The tags the caller already holds (`If-None-Match`).
    pub if_none_match: Option<IfNoneMatch>,
}
