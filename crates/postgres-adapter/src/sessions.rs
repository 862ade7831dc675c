//! Keyset reads of `agent_session`, served by the index on
//! (`agent_id`, `created_at` DESC, `id` DESC).

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamptz, Uuid as SqlUuid};
use otas_domain::{
    AgentKeyId, Meta, Order, Session, SessionId, SessionKey, SessionQuery, Timestamp,
};
use otas_ports::{SessionStore, StoreError};
use uuid::Uuid;

use crate::error::{from_pool, from_query};
use crate::pool::PgPool;
use crate::schema::agent_session;

/// Reads sessions from UASAM's `agent_session` table.
#[derive(Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl std::fmt::Debug for PgSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSessionStore").finish_non_exhaustive()
    }
}

impl PgSessionStore {
    /// A store over the pool's database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// One row as read: `meta` comes as the text PostgreSQL prints for the jsonb
/// value, kept as it is.
type SessionRow = (Uuid, Option<Uuid>, DateTime<Utc>, String);

impl SessionStore for PgSessionStore {
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<Session>, StoreError> {
        let mut conn = self.pool.get().map_err(|e| from_pool(&e))?;
        let mut statement = agent_session::table
            .filter(agent_session::agent_id.eq(*query.agent.as_uuid()))
            .select((
                agent_session::id,
                agent_session::agent_key_id,
                agent_session::created_at,
                sql::<Text>("agent_session.meta::text"),
            ))
            .limit(i64::try_from(limit).unwrap_or(i64::MAX))
            .into_boxed::<Pg>();

        // A row comparison, so that PostgreSQL starts the index scan at the
        // key instead of filtering every row before it.
        if let Some(key) = after {
            let comparison = match query.order {
                Order::Desc => "(agent_session.created_at, agent_session.id) < (",
                Order::Asc => "(agent_session.created_at, agent_session.id) > (",
            };
            statement = statement.filter(
                sql::<Bool>(comparison)
                    .bind::<Timestamptz, _>(key.created_at.as_datetime())
                    .sql(", ")
                    .bind::<SqlUuid, _>(*key.id.as_uuid())
                    .sql(")"),
            );
        }
        statement = match query.order {
            Order::Desc => {
                statement.order((agent_session::created_at.desc(), agent_session::id.desc()))
            }
            Order::Asc => {
                statement.order((agent_session::created_at.asc(), agent_session::id.asc()))
            }
        };

        let rows: Vec<SessionRow> = statement.load(&mut conn).map_err(from_query)?;
        rows.into_iter().map(into_session).collect()
    }
}

fn into_session((id, agent_key_id, created_at, meta): SessionRow) -> Result<Session, StoreError> {
    let meta =
        Meta::from_json(meta).map_err(|e| StoreError::Failure(format!("session {id}: {e}")))?;
    Ok(Session {
        id: SessionId::from_uuid(id),
        agent_key_id: agent_key_id.map(AgentKeyId::from_uuid),
        created_at: Timestamp::new(created_at),
        meta,
    })
}
