//! Keyset reads of `agent_session`, served by the index on
//! (`agent_id`, `created_at` DESC, `id` DESC); a `meta` filter by jsonb
//! containment, which the GIN index on `meta` serves when it is selective.

use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel::PgConnection;

use otas_domain::{MetaFilter, Order, Session, SessionKey, SessionQuery, SessionSummary};
use otas_ports::{ReadBound, SessionStore, SessionsAndSummary, StoreError};
use serde_json::Value;

use crate::routing::ReadRouter;
use crate::schema::agent_session;
pub(crate) use records::{KeyRecord, SessionRecord};

/// Reads sessions from UASAM's `agent_session` table.
#[derive(Clone, Debug)]
pub struct PgSessionStore {
    reads: ReadRouter,
}

impl PgSessionStore {
    /// A store whose reads go where `reads` sends them (replicas).
    pub fn routed(reads: ReadRouter) -> Self {
        Self { reads }
    }

    /// A store reading the pool's database alone, for tests (the server
    /// routes its reads).
    #[cfg(feature = "test-support")]
    pub fn new(pool: crate::pool::PgPool) -> Self {
        Self::routed(ReadRouter::primary_only(pool))
    }

    /// Reads the sessions, then the summary, in one snapshot; `between` runs
    /// after the first read. The server runs nothing there; the contract's
    /// test commits a session there (see `test_support`) to prove that the
    /// second read does not see it.
    pub(crate) fn sessions_and_summary_with(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
        between: impl Fn(),
    ) -> Result<SessionsAndSummary, StoreError> {
        let (rows, summary) = self.reads.read(query.agent.as_uuid(), |conn| {
            // REPEATABLE READ: every statement of the transaction sees the
            // snapshot its first one took.
            conn.build_transaction()
                .read_only()
                .repeatable_read()
                .run(|conn| {
                    let rows = read_sessions(conn, query, after, bound)?;
                    between();
                    Ok((rows, read_summary(conn, query)?))
                })
        })?;
        Ok(SessionsAndSummary {
            sessions: rows
                .into_iter()
                .map(Session::try_from)
                .collect::<Result<_, _>>()?,
            summary: into_summary(summary),
        })
    }
}

/// The sessions of the query's agent that its filter keeps, in no order yet.
fn matching(query: &SessionQuery) -> agent_session::BoxedQuery<'static, Pg> {
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
    if holds_nul(&filter.meta) {
        // PostgreSQL cannot even take U+0000 as a parameter; no row holds it.
        return statement.filter(sql::<Bool>("FALSE"));
    }
    if !filter.meta.is_absent() {
        // jsonb containment of an object of scalars (`{}` too): `meta` is
        // an object holding each key with an equal value (numbers by value, digit for
        // digit; a string never equals a number; an absent key matches
        // nothing, not even null). The GIN index on `meta` serves it.
        statement = statement.filter(
            sql::<Bool>("agent_session.meta @> CAST(")
                .bind::<Text, _>(containment(&filter.meta))
                .sql(" AS jsonb)"),
        );
    }
    statement
}

/// Whether a key or a string value of the filter holds U+0000, which jsonb
/// cannot hold (nor PostgreSQL take as a parameter): such a filter keeps
/// nothing.
fn holds_nul(meta: &MetaFilter) -> bool {
    meta.pairs()
        .iter()
        .any(|(key, value)| key.contains('\0') || value.as_str().is_some_and(|s| s.contains('\0')))
}

/// The filter as one JSON object, each value's text as the client wrote it.
fn containment(meta: &MetaFilter) -> String {
    let members: Vec<String> = meta
        .written()
        .map(|(key, text)| format!("{}:{text}", Value::String(key.to_owned())))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// The query's sessions after `after`, in its order.
fn ordered(
    query: &SessionQuery,
    after: Option<SessionKey>,
) -> agent_session::BoxedQuery<'static, Pg> {
    let mut statement = matching(query);
    if let Some(key) = after {
        statement = statement.filter(past_key(key, query.order));
    }
    match query.order {
        Order::Desc => {
            statement.order((agent_session::created_at.desc(), agent_session::id.desc()))
        }
        Order::Asc => statement.order((agent_session::created_at.asc(), agent_session::id.asc())),
    }
}

/// Reads the sessions of the query after `after` within `bound`. Rows come
/// one at a time (libpq's single-row mode) and the read stops at the bound,
/// so memory holds what is kept and one row, not `bound.rows` of them;
/// the rows past the stop (at most `bound.rows` in all, by the `LIMIT`)
/// are drained from the connection one by one and dropped.
fn read_sessions(
    conn: &mut PgConnection,
    query: &SessionQuery,
    after: Option<SessionKey>,
    bound: ReadBound,
) -> QueryResult<Vec<SessionRecord>> {
    let rows = ordered(query, after)
        .select(SessionRecord::as_select())
        .limit(i64::try_from(bound.rows).unwrap_or(i64::MAX))
        .load_iter::<SessionRecord, PgRowByRowLoadingMode>(conn)?;
    bound.take(rows, SessionRecord::meta_len)
}

/// Counts the query's sessions and finds the newest, both from the listing
/// index (without a meta filter, no row is read).
fn read_summary(conn: &mut PgConnection, query: &SessionQuery) -> QueryResult<SummaryRow> {
    let count: i64 = matching(query).count().get_result(conn)?;
    let newest: Option<KeyRecord> = matching(query)
        .order((agent_session::created_at.desc(), agent_session::id.desc()))
        .select(KeyRecord::as_select())
        .first(conn)
        .optional()?;
    Ok((count, newest))
}

/// A count and the newest key, as read.
type SummaryRow = (i64, Option<KeyRecord>);

fn into_summary((count, newest): SummaryRow) -> SessionSummary {
    SessionSummary {
        count: u64::try_from(count).unwrap_or(0),
        newest: newest.map(SessionKey::from),
    }
}

/// A row comparison, so that PostgreSQL starts the index scan at the key
/// instead of filtering every row before it.
fn past_key(
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
        bound: ReadBound,
    ) -> Result<Vec<Session>, StoreError> {
        let rows = self.reads.read(query.agent.as_uuid(), |conn| {
            read_sessions(conn, query, after, bound)
        })?;
        rows.into_iter().map(Session::try_from).collect()
    }

    fn keys_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<SessionKey>, StoreError> {
        // An index-only scan of the listing index when no meta filter asks
        // for the rows.
        let keys: Vec<KeyRecord> = self.reads.read(query.agent.as_uuid(), |conn| {
            ordered(query, after)
                .select(KeyRecord::as_select())
                .limit(i64::try_from(limit).unwrap_or(i64::MAX))
                .load(conn)
        })?;
        Ok(keys.into_iter().map(SessionKey::from).collect())
    }

    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError> {
        // Two statements, no transaction: a session committed between them
        // makes a summary that matches no answer's tag (a 304 missed, never
        // one given wrongly); the list's body reads its own in one snapshot.
        let read = self
            .reads
            .read(query.agent.as_uuid(), |conn| read_summary(conn, query))?;
        Ok(into_summary(read))
    }

    fn sessions_and_summary(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> Result<SessionsAndSummary, StoreError> {
        self.sessions_and_summary_with(query, after, bound, || {})
    }
}

#[cfg(all(test, feature = "test-support"))]
mod plan_tests;
mod records;
