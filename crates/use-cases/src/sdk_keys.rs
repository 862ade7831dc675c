//! `POST /api/project/v1/sdk/backend/key/create/` and `…/revoke/`: an
//! admin issues the project a new SDK key, valid the days asked (1 to 300),
//! shown once, or revokes one at once.

use std::sync::Arc;

use otas_domain::{
    sdk_key_errors::{MAX_SDK_KEY_VALIDITY_DAYS, MIN_SDK_KEY_VALIDITY_DAYS},
    CreateSdkKeyError, RevokeSdkKeyError, SdkKeyId, SdkKeyPayloadError, Timestamp,
};
use otas_ports::{Clock, KeyIssuer, KeyKind, NewSdkKey, RawKey, SdkKeyWriter, TokenVerifier};
use uuid::Uuid;

use crate::access_check::{AccessCheck, Claim, Need};
use crate::agent_keys::BodyId;
use crate::create_agent::AgentAdminPorts;
use crate::issuing::{IssuingTurns, NotIssued};
use crate::store_failure::store_failed;

/// The `validity` a create body asks, as UASAM's view reads it
/// (`json.loads(request.body or "{}")`, then `payload.get("validity")`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequestedValidity {
    /// The body is not JSON.
    #[default]
    NotJson,
    /// The body is JSON but not an object.
    NotAnObject,
    /// No `validity`, or `null`.
    Missing,
    /// A `validity` that is no integer (a string, a fraction, a list).
    NotInteger,
    /// An integer `validity` (Python's `True` and `False` are 1 and 0), in
    /// range or not; beyond `i64`, `i64::MAX`.
    Days(i64),
}

/// What the admin sent: the headers as raw text, the body's validity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateSdkKeyRequest {
    /// `X-OTAS-USER-TOKEN`.
    pub user_token: Option<String>,
    /// `X-OTAS-PROJECT-ID`.
    pub project_id: Option<String>,
    pub validity: RequestedValidity,
}

/// What the admin sent to revoke a key: the headers as raw text, the
/// body's `sdk_key_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevokeSdkKeyRequest {
    /// `X-OTAS-USER-TOKEN`.
    pub user_token: Option<String>,
    /// `X-OTAS-PROJECT-ID`.
    pub project_id: Option<String>,
    /// `sdk_key_id`.
    pub id: BodyId,
}

/// An SDK key just written: its row, and the key itself, to show once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedSdkKey {
    pub row: NewSdkKey,
    pub raw: RawKey,
}

/// The project's SDK keys, as the HTTP layer manages them.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SdkKeysUseCase: std::fmt::Debug + Send + Sync {
    /// A new SDK key of the project.
    ///
    /// Blocking, and one PBKDF2: call it off the async executor.
    fn create_key(&self, request: CreateSdkKeyRequest) -> Result<CreatedSdkKey, CreateSdkKeyError>;

    /// Revokes the key; answers its id.
    ///
    /// Blocking: call it off the async executor.
    fn revoke_key(&self, request: RevokeSdkKeyRequest) -> Result<SdkKeyId, RevokeSdkKeyError>;
}

/// SDK keys over their ports.
#[derive(Clone, Debug)]
pub struct SdkKeys {
    access: AccessCheck,
    issuer: Arc<dyn KeyIssuer>,
    clock: Arc<dyn Clock>,
    keys: Arc<dyn SdkKeyWriter>,
    turns: IssuingTurns,
}

impl SdkKeys {
    /// Builds the use case over its ports, issuing within `turns` (shared
    /// with the agents' keys).
    pub fn new(ports: AgentAdminPorts, keys: Arc<dyn SdkKeyWriter>, turns: IssuingTurns) -> Self {
        let tokens: Arc<dyn TokenVerifier> = ports.tokens;
        Self {
            access: AccessCheck {
                tokens,
                access: ports.access,
            },
            issuer: ports.issuer,
            clock: ports.clock,
            keys,
            turns,
        }
    }
}

/// The days a valid request asks, or UASAM's reason to refuse it.
fn validity_days(validity: RequestedValidity) -> Result<i64, CreateSdkKeyError> {
    let reason = match validity {
        RequestedValidity::NotJson => return Err(CreateSdkKeyError::InvalidJson),
        RequestedValidity::NotAnObject => SdkKeyPayloadError::NotAnObject,
        RequestedValidity::Missing => SdkKeyPayloadError::ValidityRequired,
        RequestedValidity::NotInteger => SdkKeyPayloadError::ValidityNotInteger,
        RequestedValidity::Days(days)
            if (MIN_SDK_KEY_VALIDITY_DAYS..=MAX_SDK_KEY_VALIDITY_DAYS).contains(&days) =>
        {
            return Ok(days)
        }
        RequestedValidity::Days(_) => SdkKeyPayloadError::ValidityOutOfRange,
    };
    Err(reason.into())
}

/// `days` after `now` (at most 300 days: no overflow).
fn expiry(now: Timestamp, days: i64) -> Timestamp {
    let validity = days.saturating_mul(86_400 * 1_000_000);
    Timestamp::from_micros(now.as_micros().saturating_add(validity)).unwrap_or(now)
}

impl SdkKeysUseCase for SdkKeys {
    /// Cost: the access round trip; for a valid request, one PBKDF2 within
    /// the issuing budget and one insert.
    fn create_key(&self, request: CreateSdkKeyRequest) -> Result<CreatedSdkKey, CreateSdkKeyError> {
        let claim = Claim {
            user_token: request.user_token.as_deref(),
            project_id: request.project_id.as_deref(),
            agent_id: None,
        };
        // An intended difference: UASAM lets a member create SDK keys.
        let member = self
            .access
            .membership::<CreateSdkKeyError>(claim, Need::Admin)?;
        let days = validity_days(request.validity)?;
        let issued = self
            .turns
            .issue(self.issuer.as_ref(), KeyKind::Sdk)
            .map_err(|not| match not {
                NotIssued::Busy => CreateSdkKeyError::Busy,
                NotIssued::Failed(failure) => failure.into(),
            })?;
        let now = self.clock.now();
        let row = NewSdkKey {
            id: SdkKeyId::from_uuid(Uuid::new_v4()),
            project: member.project,
            prefix: issued.prefix,
            hashed_key: issued.hashed_key,
            created_at: now,
            expires_at: expiry(now, days),
        };
        self.keys.create_sdk_key(&row).map_err(store_failed)?;
        Ok(CreatedSdkKey {
            row,
            raw: issued.raw,
        })
    }

    /// Cost: the access round trip, one update by primary key.
    fn revoke_key(&self, request: RevokeSdkKeyRequest) -> Result<SdkKeyId, RevokeSdkKeyError> {
        let claim = Claim {
            user_token: request.user_token.as_deref(),
            project_id: request.project_id.as_deref(),
            agent_id: None,
        };
        let member = self
            .access
            .membership::<RevokeSdkKeyError>(claim, Need::Admin)?;
        let raw = match request.id {
            BodyId::InvalidBody => return Err(RevokeSdkKeyError::InvalidJson),
            BodyId::Missing => return Err(RevokeSdkKeyError::KeyIdRequired),
            BodyId::Given(raw) => raw,
        };
        let key = SdkKeyId::parse(&raw).map_err(|_| RevokeSdkKeyError::KeyNotFound)?;
        let revoked = self
            .keys
            .revoke_sdk_key(member.project, key, self.clock.now())
            .map_err(store_failed)?;
        if revoked {
            Ok(key)
        } else {
            Err(RevokeSdkKeyError::KeyNotFound)
        }
    }
}

#[cfg(test)]
mod tests;
