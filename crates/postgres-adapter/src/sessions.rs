//! Keyset reads of `agent_session`, served by the index on
//! (`agent_id`, `created_at` DESC, `id` DESC).

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamptz, Uuid as SqlUuid};
use otas_domain::{
    AgentKeyId, Meta, Order, Session, SessionId, SessionKey, SessionQuery, SessionSummary,
    Timestamp,
};
use otas_ports::{SessionStore, StoreError};
use uuid::Uuid;

use crate::pool::{with_connection, PgPool};
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

diesel::define_sql_function! {
    /// PostgreSQL's `concat` of one jsonb value: its text, as `meta::text`
    /// prints it, but as a function call rather than SQL text, so that diesel
    /// keeps the statement prepared (an unfiltered read from the start, the
    /// original API's and every dashboard's first request, has no SQL text).
    #[sql_name = "concat"]
    fn jsonb_text(value: diesel::sql_types::Jsonb) -> Text;
}

/// The sessions of the query's agent that its filter keeps, in no order yet.
fn kept(query: &SessionQuery) -> agent_session::BoxedQuery<'static, Pg> {
    let filter = &query.filter;
    let mut statement = agent_session::table
        .filter(agent_session::agent_id.eq(*query.agent.as_uuid()))
        .into_boxed::<Pg>();
    if let Some(after) = filter.created_after {
        statement = statement.filter(agent_session::created_at.gt(after.as_datetime()));
    }
    if let Some(before) = filter.created_before {
        statement = statement.filter(agent_session::created_at.lt(before.as_datetime()));
    }
    if filter.meta.needs_nul() {
        // PostgreSQL cannot even take U+0000 as a parameter; no row holds it.
        return statement.filter(sql::<Bool>("FALSE"));
    }
    // jsonb equality: numbers compare by value, a string never equals a number,
    // and an absent key (SQL NULL) matches nothing, not even JSON null.
    // The value's text as the client wrote it: jsonb compares numbers as
    // exact decimals, digit for digit.
    for (key, text) in filter.meta.written() {
        statement = statement.filter(
            sql::<Bool>("(agent_session.meta -> ")
                .bind::<Text, _>(key.to_owned())
                .sql(") = CAST(")
                .bind::<Text, _>(text.to_owned())
                .sql(" AS jsonb)"),
        );
    }
    statement
}

/// A row comparison, so that PostgreSQL starts the index scan at the key
/// instead of filtering every row before it.
fn beyond(
    key: SessionKey,
    order: Order,
) -> diesel::expression::SqlLiteral<Bool, impl diesel::query_builder::QueryFragment<Pg>> {
    let comparison = match order {
        Order::Desc => "(agent_session.created_at, agent_session.id) < (",
        Order::Asc => "(agent_session.created_at, agent_session.id) > (",
    };
    sql::<Bool>(comparison)
        .bind::<Timestamptz, _>(key.created_at.as_datetime())
        .sql(", ")
        .bind::<SqlUuid, _>(*key.id.as_uuid())
        .sql(")")
}

impl SessionStore for PgSessionStore {
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<Session>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut statement = kept(query);
        if let Some(key) = after {
            statement = statement.filter(beyond(key, query.order));
        }
        statement = match query.order {
            Order::Desc => {
                statement.order((agent_session::created_at.desc(), agent_session::id.desc()))
            }
            Order::Asc => {
                statement.order((agent_session::created_at.asc(), agent_session::id.asc()))
            }
        };
        let statement = statement
            .select((
                agent_session::id,
                agent_session::agent_key_id,
                agent_session::created_at,
                jsonb_text(agent_session::meta),
            ))
            .limit(limit);
        let rows: Vec<SessionRow> = with_connection(&self.pool, |conn| statement.load(conn))?;
        rows.into_iter().map(into_session).collect()
    }

    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError> {
        // Both from the listing index; without a meta filter, no row is read.
        let (count, newest) = with_connection(&self.pool, |conn| {
            let count: i64 = kept(query).count().get_result(conn)?;
            let newest: Option<(DateTime<Utc>, Uuid)> = kept(query)
                .order((agent_session::created_at.desc(), agent_session::id.desc()))
                .select((agent_session::created_at, agent_session::id))
                .first(conn)
                .optional()?;
            Ok((count, newest))
        })?;
        Ok(SessionSummary {
            count: u64::try_from(count).unwrap_or(0),
            newest: newest.map(|(created_at, id)| SessionKey {
                created_at: Timestamp::new(created_at),
                id: SessionId::from_uuid(id),
            }),
        })
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
