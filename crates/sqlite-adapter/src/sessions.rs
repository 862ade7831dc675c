//! Keyset reads of `agent_session`, served by the index on
//! (`agent_id`, `created_at` DESC, `id` DESC).
//!
//! Times are compared as microseconds since the Unix epoch and ids as their
//! lower-case hyphenated text, whose byte order is the UUIDs' order, so the
//! order is PostgreSQL's (`created_at`, `id`) order.

use diesel::connection::DefaultLoadingMode;
use diesel::dsl::sql;
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::sqlite::Sqlite;
use otas_domain::{Order, Session, SessionKey, SessionQuery, SessionSummary};

use otas_ports::{ReadBound, SessionStore, SessionsAndSummary, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::agent_session;

mod meta;
mod records;

use meta::member_equals;
use records::{KeyRecord, SessionRecord};

/// Reads sessions from the `agent_session` table of the SQLite database.
#[derive(Clone, Debug)]
pub struct SqliteSessionStore {
    pool: SqlitePool,
}

impl SqliteSessionStore {
    /// A store over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
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
        let mut conn = checkout(&self.pool)?;
        // One read transaction: in WAL mode it sees the snapshot its first
        // read took, whatever other connections commit meanwhile.
        let (rows, summary) = conn
            .transaction::<_, diesel::result::Error, _>(|conn| {
                let rows = read_page(conn, query, after, bound)?;
                between();
                Ok((rows, read_summary(conn, query)?))
            })
            .map_err(from_query)?;
        Ok(SessionsAndSummary {
            sessions: rows
                .into_iter()
                .map(Session::try_from)
                .collect::<Result<_, _>>()?,
            summary: into_summary(summary)?,
        })
    }
}

/// The sessions of the query's agent that its filter keeps, in no order yet.
pub(crate) fn matching(query: &SessionQuery) -> agent_session::BoxedQuery<'static, Sqlite> {
    let filter = &query.filter;
    let mut statement = agent_session::table
        .filter(agent_session::agent_id.eq(query.agent.to_string()))
        .into_boxed::<Sqlite>();
    if let Some(after) = filter.created_after {
        statement = statement.filter(agent_session::created_at.gt(after.as_micros()));
    }
    if let Some(before) = filter.created_before {
        statement = statement.filter(agent_session::created_at.lt(before.as_micros()));
    }
    if !filter.meta.is_absent() {
        // A filter matches object metas only (an array's members have
        // integer keys, a scalar has none: never let them near a match).
        statement = statement.filter(sql::<Bool>("json_type(agent_session.meta) = 'object'"));
    }
    for (key, value) in filter.meta.pairs() {
        statement = statement.filter(member_equals(key, value));
    }
    statement
}

/// A row-value comparison, so that SQLite starts the index scan at the key
/// instead of filtering every row before it.
fn past_key(
    key: SessionKey,
    order: Order,
) -> diesel::expression::SqlLiteral<Bool, impl diesel::query_builder::QueryFragment<Sqlite>> {
    let comparison = match order {
        Order::Desc => "(agent_session.created_at, agent_session.id) < (",
        Order::Asc => "(agent_session.created_at, agent_session.id) > (",
    };
    sql::<Bool>(comparison)
        .bind::<BigInt, _>(key.created_at.as_micros())
        .sql(", ")
        .bind::<Text, _>(key.id.to_string())
        .sql(")")
}

/// `query` without the time bound that being beyond `key` already implies
/// (newest first, a session beyond the key has `created_at` <= the key's <
/// `created_before`; oldest first, the same with `created_after`). SQLite
/// seeks the index on one range only: without the bound it is the key's, so
/// a page deep into a time-bounded listing costs what the first page does.
fn without_bound_implied_by(query: &SessionQuery, key: SessionKey) -> SessionQuery {
    let mut query = query.clone();
    match query.order {
        Order::Desc => {
            if query
                .filter
                .created_before
                .is_some_and(|before| key.created_at < before)
            {
                query.filter.created_before = None;
            }
        }
        Order::Asc => {
            if query
                .filter
                .created_after
                .is_some_and(|after| key.created_at > after)
            {
                query.filter.created_after = None;
            }
        }
    }
    query
}

/// The query's sessions after `after`, in its order.
fn ordered(
    query: &SessionQuery,
    after: Option<SessionKey>,
) -> agent_session::BoxedQuery<'static, Sqlite> {
    let statement = match after {
        None => matching(query),
        Some(key) => {
            matching(&without_bound_implied_by(query, key)).filter(past_key(key, query.order))
        }
    };
    match query.order {
        Order::Desc => {
            statement.order((agent_session::created_at.desc(), agent_session::id.desc()))
        }
        Order::Asc => statement.order((agent_session::created_at.asc(), agent_session::id.asc())),
    }
}

/// The page `sessions_after` reads, as one statement.
pub(crate) fn page(
    query: &SessionQuery,
    after: Option<SessionKey>,
    limit: usize,
) -> agent_session::BoxedQuery<'static, Sqlite, SqlTypeOf<AsSelect<SessionRecord, Sqlite>>> {
    ordered(query, after)
        .select(SessionRecord::as_select())
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
}

/// Reads the page within `bound`: SQLite steps the statement one row at a
/// time and the read stops at the bound, so memory holds what is kept and
/// one row; the rest is never read (the statement is reset).
fn read_page(
    conn: &mut SqliteConnection,
    query: &SessionQuery,
    after: Option<SessionKey>,
    bound: ReadBound,
) -> QueryResult<Vec<SessionRecord>> {
    let rows =
        page(query, after, bound.rows).load_iter::<SessionRecord, DefaultLoadingMode>(conn)?;
    bound.take(rows, SessionRecord::meta_len)
}

/// Counts the query's sessions and finds the newest, both from the listing
/// index (without a meta filter, no row is read).
fn read_summary(
    conn: &mut SqliteConnection,
    query: &SessionQuery,
) -> QueryResult<(i64, Option<KeyRecord>)> {
    let count: i64 = matching(query).count().get_result(conn)?;
    let newest: Option<KeyRecord> = matching(query)
        .order((agent_session::created_at.desc(), agent_session::id.desc()))
        .select(KeyRecord::as_select())
        .first(conn)
        .optional()?;
    Ok((count, newest))
}

fn into_summary((count, newest): (i64, Option<KeyRecord>)) -> Result<SessionSummary, StoreError> {
    Ok(SessionSummary {
        count: u64::try_from(count).unwrap_or(0),
        newest: newest.map(SessionKey::try_from).transpose()?,
    })
}

impl SessionStore for SqliteSessionStore {
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        bound: ReadBound,
    ) -> Result<Vec<Session>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let rows = read_page(&mut conn, query, after, bound).map_err(from_query)?;
        rows.into_iter().map(Session::try_from).collect()
    }

    fn keys_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<SessionKey>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        // A covering-index read when no meta filter asks for the rows.
        let keys: Vec<KeyRecord> = ordered(query, after)
            .select(KeyRecord::as_select())
            .limit(i64::try_from(limit).unwrap_or(i64::MAX))
            .load(&mut conn)
            .map_err(from_query)?;
        keys.into_iter().map(SessionKey::try_from).collect()
    }

    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError> {
        let mut conn = checkout(&self.pool)?;
        into_summary(read_summary(&mut conn, query).map_err(from_query)?)
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

#[cfg(test)]
mod plan_tests;
