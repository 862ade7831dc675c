//! A project's SDK keys, as the dashboard lists them
//! (`GET /api/project/v1/sdk/backend/key/list/`): one bounded read.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use otas_domain::{ProjectId, SdkKeyId, Timestamp};
use otas_ports::{ListedSdkKey, SdkKeyCatalog, StoreError};
use uuid::Uuid;

use crate::routing::ReadRouter;
use crate::schema::backend_api_keys;

/// Lists a project's SDK keys from UASAM's `backend_api_keys`.
#[derive(Clone, Debug)]
pub struct PgSdkKeyCatalog {
    reads: ReadRouter,
}

impl PgSdkKeyCatalog {
    /// A catalog whose reads go where `reads` sends them (replicas).
    pub fn routed(reads: ReadRouter) -> Self {
        Self { reads }
    }

    /// A catalog reading the pool's database alone, for tests (the server
    /// routes its reads).
    #[cfg(feature = "test-support")]
    pub fn new(pool: crate::pool::PgPool) -> Self {
        Self::routed(ReadRouter::primary_only(pool))
    }
}

/// A key as listed.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = backend_api_keys, check_for_backend(Pg))]
struct SdkKeyRecord {
    id: Uuid,
    prefix: String,
    name: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    active: bool,
    revoked_at: Option<DateTime<Utc>>,
}

impl SdkKeyCatalog for PgSdkKeyCatalog {
    fn project_sdk_keys(
        &self,
        project: ProjectId,
        limit: usize,
    ) -> Result<Vec<ListedSdkKey>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let keys = self.reads.read(project.as_uuid(), |conn| {
            // Served by UASAM's index on backend_api_keys (project_id): the
            // project's keys, the newest `limit` kept (a top-N sort).
            backend_api_keys::table
                .filter(backend_api_keys::project_id.eq(project.as_uuid()))
                .order((
                    backend_api_keys::created_at.desc(),
                    backend_api_keys::id.desc(),
                ))
                .limit(limit)
                .select(SdkKeyRecord::as_select())
                .load(conn)
        })?;
        Ok(keys
            .into_iter()
            .map(|k| ListedSdkKey {
                id: SdkKeyId::from_uuid(k.id),
                prefix: k.prefix,
                name: k.name,
                created_at: Timestamp::new(k.created_at),
                expires_at: k.expires_at.map(Timestamp::new),
                active: k.active,
                revoked_at: k.revoked_at.map(Timestamp::new),
            })
            .collect())
    }
}
