//! UASAM's SDK keys (`backend_api_keys`) with their project, for the SDK
//! authenticate call.

use chrono::{DateTime, Duration, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use otas_domain::{ProjectId, SdkKeyId, Timestamp};
use otas_ports::{SdkKeyStore, StoreError, StoredSdkKey};
use uuid::Uuid;

use crate::pool::{with_connection, PgPool};
use crate::routing::ReadRouter;
use crate::schema::{backend_api_keys, project};

/// UASAM's `backend_api_keys` rows on PostgreSQL: read on the primary
/// while it answers (a revocation is seen by the next call), on a usable
/// replica while it does not; `last_used_at` skipped while it is away.
#[derive(Clone, Debug)]
pub struct PgSdkKeyStore {
    reads: ReadRouter,
}

impl PgSdkKeyStore {
    /// A store over the pool's database alone.
    pub fn new(pool: PgPool) -> Self {
        Self::routed(ReadRouter::primary_only(pool))
    }

    /// A store whose lookups may go to `reads`' replicas while the primary
    /// is away.
    pub fn routed(reads: ReadRouter) -> Self {
        Self { reads }
    }
}

/// A key as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = backend_api_keys, check_for_backend(Pg))]
struct SdkKeyRecord {
    id: Uuid,
    project_id: Uuid,
    prefix: String,
    hashed_key: String,
    active: bool,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl SdkKeyStore for PgSdkKeyStore {
    fn sdk_keys_with_prefixes(&self, prefixes: &[&str]) -> Result<Vec<StoredSdkKey>, StoreError> {
        // Served by UASAM's index on backend_api_keys (prefix), then the
        // project by its primary key. One candidate prefix (most keys) is
        // asked with `prefix = $1`, planned once, as the agent keys are
        // (agents.rs says why `= ANY($1)` is not).
        let rows: Vec<(SdkKeyRecord, String, String)> =
            self.reads.read_fresh(prefixes, |conn| {
                let keys = backend_api_keys::table.inner_join(project::table).select((
                    SdkKeyRecord::as_select(),
                    project::name,
                    project::description,
                ));
                match prefixes {
                    [only] => keys.filter(backend_api_keys::prefix.eq(*only)).load(conn),
                    _ => keys
                        .filter(backend_api_keys::prefix.eq_any(prefixes))
                        .load(conn),
                }
            })?;
        Ok(rows
            .into_iter()
            .map(|(key, name, description)| StoredSdkKey {
                id: SdkKeyId::from_uuid(key.id),
                project: ProjectId::from_uuid(key.project_id),
                prefix: key.prefix,
                hashed_key: key.hashed_key,
                active: key.active,
                revoked_at: key.revoked_at.map(Timestamp::new),
                expires_at: key.expires_at.map(Timestamp::new),
                last_used_at: key.last_used_at.map(Timestamp::new),
                project_name: name,
                project_description: description,
            })
            .collect())
    }

    fn mark_sdk_key_used(&self, key: SdkKeyId, at: Timestamp) -> Result<(), StoreError> {
        if self.reads.primary_away() {
            // Bookkeeping only: not worth a request's wait for a timeout.
            tracing::debug!(key = %key, "primary away: last_used_at skipped");
            return Ok(());
        }
        let at = at.as_datetime();
        let a_minute_before = at - Duration::minutes(1);
        with_connection(self.reads.primary(), |conn| {
            diesel::update(
                backend_api_keys::table
                    .filter(backend_api_keys::id.eq(*key.as_uuid()))
                    .filter(
                        backend_api_keys::last_used_at
                            .is_null()
                            .or(backend_api_keys::last_used_at.lt(a_minute_before)),
                    ),
            )
            .set(backend_api_keys::last_used_at.eq(at))
            .execute(conn)
        })?;
        Ok(())
    }
}
