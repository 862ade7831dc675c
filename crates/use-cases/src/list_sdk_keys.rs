//! `GET /api/project/v1/sdk/backend/key/list/`: the dashboard's list of a
//! project's SDK keys, revoked ones included, newest first. Admins only.

use std::sync::Arc;

use otas_domain::{ListSdkKeysError, ProjectId};
use otas_ports::{AccessStore, ListedSdkKey, SdkKeyCatalog, TokenVerifier};

use crate::access_check::{AccessCheck, Need};
use crate::credentials::ProjectCredentials;
use crate::store_failure::store_failed;

/// The most SDK keys one listing reads. UASAM answers every key the
/// project ever had: revoked keys are kept (`active` false), so each
/// rotation adds a row for good, and an unbounded list grows with the
/// project's age. A bound keeps one request from holding them all in
/// memory; the newest come first, so the keys in use are always in it.
/// Beyond it the oldest are left out and the cut is logged.
pub const MAX_SDK_KEYS_LISTED: usize = 1_000;

/// A project's SDK keys, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkKeyList {
    pub project: ProjectId,
    pub keys: Vec<ListedSdkKey>,
}

/// The listing of a project's SDK keys, as the HTTP layer calls it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ListSdkKeysUseCase: std::fmt::Debug + Send + Sync {
    /// The project's SDK keys, newest first, or why not.
    ///
    /// Blocking: call it off the async executor.
    fn list(&self, request: ProjectCredentials) -> Result<SdkKeyList, ListSdkKeysError>;
}

/// The listing over its ports.
#[derive(Clone, Debug)]
pub struct ListSdkKeys {
    access: AccessCheck,
    catalog: Arc<dyn SdkKeyCatalog>,
}

impl ListSdkKeys {
    /// Builds the use case over its ports.
    pub fn new(
        tokens: Arc<dyn TokenVerifier>,
        access: Arc<dyn AccessStore>,
        catalog: Arc<dyn SdkKeyCatalog>,
    ) -> Self {
        Self {
            access: AccessCheck { tokens, access },
            catalog,
        }
    }
}

impl ListSdkKeysUseCase for ListSdkKeys {
    /// Cost: the access round trip, then one read of at most
    /// [`MAX_SDK_KEYS_LISTED`] keys.
    fn list(&self, request: ProjectCredentials) -> Result<SdkKeyList, ListSdkKeysError> {
        let claim = request.claim();
        let project = self
            .access
            .membership::<ListSdkKeysError>(claim, Need::Admin)?
            .project;
        let keys = self
            .catalog
            .project_sdk_keys(project, MAX_SDK_KEYS_LISTED)
            .map_err(store_failed)?;
        if keys.len() >= MAX_SDK_KEYS_LISTED {
            tracing::warn!(
                %project,
                keys = keys.len(),
                "the SDK key list reached its bound: the newest keys are answered"
            );
        }
        Ok(SdkKeyList { project, keys })
    }
}

#[cfg(test)]
mod tests {
    use otas_domain::{AccessDenied, SdkKeyId, StoreFailure, Timestamp, UserId};
    use otas_ports::{
        AccessFacts, InvalidToken, MockAccessStore, MockSdkKeyCatalog, MockTokenVerifier,
        StoreError,
    };
    use uuid::Uuid;

    use super::*;

    const PROJECT: &str = "5c3e1f0a-4b2d-4e6f-8a9b-0c1d2e3f4a5b";

    const ADMIN: AccessFacts = AccessFacts {
        user_exists: true,
        project_member: true,
        project_admin: true,
        agent_in_project: false,
    };

    fn use_case(facts: AccessFacts, catalog: MockSdkKeyCatalog) -> ListSdkKeys {
        let mut tokens = MockTokenVerifier::new();
        tokens.expect_verify_user_token().returning(|t| {
            if t == "token" {
                Ok(UserId::from_uuid(Uuid::from_u128(1)))
            } else {
                Err(InvalidToken)
            }
        });
        let mut access = MockAccessStore::new();
        access.expect_access_facts().returning(move |_| Ok(facts));
        ListSdkKeys::new(Arc::new(tokens), Arc::new(access), Arc::new(catalog))
    }

    fn request(token: &str) -> ProjectCredentials {
        ProjectCredentials {
            user_token: Some(token.into()),
            project_id: Some(PROJECT.into()),
        }
    }

    #[test]
    fn an_admin_lists_the_projects_keys_within_the_bound() {
        let project = ProjectId::parse(PROJECT).expect("a UUID");
        let key = ListedSdkKey {
            id: SdkKeyId::from_uuid(Uuid::from_u128(7)),
            prefix: "Q2xhdWRlLXR".into(),
            name: None,
            created_at: Timestamp::from_micros(1_776_297_600_123_456).expect("in range"),
            expires_at: None,
            active: false,
            revoked_at: None,
        };
        let answered = key.clone();
        let mut catalog = MockSdkKeyCatalog::new();
        catalog
            .expect_project_sdk_keys()
            .withf(move |asked, limit| *asked == project && *limit == MAX_SDK_KEYS_LISTED)
            .times(1)
            .returning(move |_, _| Ok(vec![answered.clone()]));

        let list = use_case(ADMIN, catalog).list(request("token"));

        assert_eq!(
            list,
            Ok(SdkKeyList {
                project,
                keys: vec![key]
            })
        );
    }

    #[test]
    fn a_member_a_bad_token_or_a_failed_store_is_refused() {
        let member = AccessFacts {
            project_admin: false,
            ..ADMIN
        };
        // The catalog mock panics if asked.
        assert_eq!(
            use_case(member, MockSdkKeyCatalog::new()).list(request("token")),
            Err(ListSdkKeysError::Denied(AccessDenied::NotAdmin))
        );
        assert_eq!(
            use_case(ADMIN, MockSdkKeyCatalog::new()).list(request("forged")),
            Err(ListSdkKeysError::Denied(AccessDenied::InvalidToken))
        );
        let mut down = MockSdkKeyCatalog::new();
        down.expect_project_sdk_keys()
            .returning(|_, _| Err(StoreError::Unavailable("down".into())));
        assert_eq!(
            use_case(ADMIN, down).list(request("token")),
            Err(ListSdkKeysError::Store(StoreFailure::Unavailable))
        );
    }
}
