//! Keyset reads of `agent_session`, served by the index on
//! (`agent_id`, `created_at` DESC, `id` DESC).
//!
//! Times are compared as microseconds since the Unix epoch and ids as their
//! lower-case hyphenated text, whose byte order is the UUIDs' order, so the
//! order is PostgreSQL's (`created_at`, `id`) order.

use std::fmt::Write;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Text};
use diesel::sqlite::Sqlite;
use otas_domain::{
    AgentKeyId, Meta, Order, Session, SessionId, SessionKey, SessionQuery, SessionSummary,
    Timestamp,
};
use std::sync::Arc;

use otas_ports::{SessionStore, SessionsAndSummary, StoreError};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{from_pool, from_query};
use crate::pool::SqlitePool;
use crate::schema::agent_session;

/// Reads sessions from the `agent_session` table of the SQLite database.
#[derive(Clone)]
pub struct SqliteSessionStore {
    pool: SqlitePool,
    /// Runs between the two reads of `sessions_and_summary`: tests commit a
    /// session there to prove both reads see one snapshot.
    between_reads: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl std::fmt::Debug for SqliteSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSessionStore").finish_non_exhaustive()
    }
}

impl SqliteSessionStore {
    /// A store over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            between_reads: None,
        }
    }

    /// The same store, running `hook` between the sessions and the summary
    /// that `sessions_and_summary` reads.
    #[cfg(feature = "test-support")]
    pub fn with_hook_between_reads(mut self, hook: Arc<dyn Fn() + Send + Sync>) -> Self {
        self.between_reads = Some(hook);
        self
    }
}

/// One row as read: id, key id, microseconds, and `meta` as the text written.
type SessionRow = (String, Option<String>, i64, String);

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
    if !filter.meta.is_empty() {
        // A filter matches object metas only (an array's members have
        // integer keys, a scalar has none: never let them near a match).
        statement = statement.filter(sql::<Bool>("json_type(agent_session.meta) = 'object'"));
    }
    for (key, value) in filter.meta.pairs() {
        statement = statement.filter(member_equals(key, value));
    }
    statement
}

/// The largest u64, as text: the longest integer that JSON parsers (serde_json
/// among them) still read as an integer rather than a double.
const U64_MAX: &str = "18446744073709551615";

/// Whether the session's `meta` has the top-level member `key` equal to the
/// scalar `value`, as `SessionQuery::keeps` compares them: strings and
/// literals exactly, a string never equal to a number, numbers by value
/// (`512` = `512.0`) with two integers compared exactly whatever their size,
/// an absent key never equal to anything (not even null). When a key occurs
/// more than once, its last value counts, as for serde_json and jsonb.
///
/// `json_each` yields each member's `type` and its SQL value (`atom`); the key
/// and value are bound parameters, never spliced into the SQL.
fn member_equals(key: &str, value: &Value) -> MetaTest {
    // `m` is the member named `key`, the last one of that name.
    let member = || {
        sql::<Bool>("EXISTS (SELECT 1 FROM json_each(agent_session.meta) AS m WHERE m.key = ")
            .bind::<Text, _>(key.to_owned())
            .sql(
                " AND NOT EXISTS (SELECT 1 FROM json_each(agent_session.meta) AS later \
                 WHERE later.key = m.key AND later.id > m.id) AND ",
            )
    };
    match value {
        Value::String(text) => Box::new(
            member()
                .sql("m.type = 'text' AND m.atom = ")
                .bind::<Text, _>(text.clone())
                .sql(")"),
        ),
        Value::Bool(true) => Box::new(member().sql("m.type = 'true')")),
        Value::Bool(false) => Box::new(member().sql("m.type = 'false')")),
        Value::Null => Box::new(member().sql("m.type = 'null')")),
        Value::Number(number) => {
            if let Some(integer) = number.as_i64() {
                // Equal to an integer SQLite holds as one when exactly equal;
                // to a double when equal as doubles. Never to a positive
                // integer beyond i64 (SQLite holds its double; JSON parsers an
                // unsigned integer); a negative one they read as a double.
                Box::new(
                    member()
                        .sql(
                            "m.type IN ('integer', 'real') AND CASE \
                             WHEN typeof(m.atom) = 'integer' THEN m.atom = ",
                        )
                        .bind::<BigInt, _>(integer)
                        .sql(" WHEN m.type = 'integer' AND m.atom > 0 THEN 0 ELSE m.atom = CAST(")
                        .bind::<BigInt, _>(integer)
                        .sql(" AS REAL) END)"),
                )
            } else if let Some(integer) = number.as_u64() {
                // Beyond i64: never equal to an integer SQLite holds as one;
                // to an integer up to u64::MAX when exactly equal, which only
                // its text (`->`) tells, as SQLite holds a double for it; to
                // any other number when equal as doubles.
                let double = integer as f64;
                Box::new(
                    member()
                        .sql(
                            "m.type IN ('integer', 'real') AND CASE \
                             WHEN typeof(m.atom) = 'integer' THEN 0 \
                             WHEN m.type = 'integer' AND m.atom > 0 THEN (SELECT CASE \
                             WHEN length(raw) < 20 OR (length(raw) = 20 AND raw <= ",
                        )
                        .bind::<Text, _>(U64_MAX)
                        .sql(") THEN raw = ")
                        .bind::<Text, _>(integer.to_string())
                        .sql(" ELSE m.atom = ")
                        .bind::<Double, _>(double)
                        .sql(" END FROM (SELECT agent_session.meta -> ")
                        .bind::<Text, _>(member_path(key))
                        .sql(" AS raw)) ELSE m.atom = ")
                        .bind::<Double, _>(double)
                        .sql(" END)"),
                )
            } else if let Some(double) = number.as_f64() {
                // A fraction or an exponent: equal to any number equal as doubles.
                Box::new(
                    member()
                        .sql("m.type IN ('integer', 'real') AND CAST(m.atom AS REAL) = ")
                        .bind::<Double, _>(double)
                        .sql(")"),
                )
            } else {
                Box::new(sql::<Bool>("0"))
            }
        }
        // A meta filter holds scalars only; a composite matches nothing.
        Value::Array(_) | Value::Object(_) => Box::new(sql::<Bool>("0")),
    }
}

/// One member test of a meta filter, as a boxed SQL condition.
type MetaTest = Box<dyn BoxableExpression<agent_session::table, Sqlite, SqlType = Bool>>;

/// The JSON path SQLite's `->` reads the top-level member `key` with:
/// `$."key"`, with `"`, `\` and control characters as `\uXXXX` escapes (SQLite
/// decodes them when it compares the label with the keys).
fn member_path(key: &str) -> String {
    let mut path = String::with_capacity(key.len() + 4);
    path.push_str("$.\"");
    for ch in key.chars() {
        match ch {
            '"' | '\\' | '\u{0}'..='\u{1f}' => {
                let _ = write!(path, "\\u{:04x}", u32::from(ch));
            }
            _ => path.push(ch),
        }
    }
    path.push('"');
    path
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
) -> agent_session::BoxedQuery<
    'static,
    Sqlite,
    (Text, diesel::sql_types::Nullable<Text>, BigInt, Text),
> {
    ordered(query, after)
        .select((
            agent_session::id,
            agent_session::agent_key_id,
            agent_session::created_at,
            agent_session::meta,
        ))
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
}

/// Counts the query's sessions and finds the newest, both from the listing
/// index (without a meta filter, no row is read).
fn read_summary(
    conn: &mut SqliteConnection,
    query: &SessionQuery,
) -> QueryResult<(i64, Option<(i64, String)>)> {
    let count: i64 = matching(query).count().get_result(conn)?;
    let newest: Option<(i64, String)> = matching(query)
        .order((agent_session::created_at.desc(), agent_session::id.desc()))
        .select((agent_session::created_at, agent_session::id))
        .first(conn)
        .optional()?;
    Ok((count, newest))
}

fn into_summary(
    (count, newest): (i64, Option<(i64, String)>),
) -> Result<SessionSummary, StoreError> {
    let newest = match newest {
        None => None,
        Some((created_at, id)) => Some(into_key(created_at, &id)?),
    };
    Ok(SessionSummary {
        count: u64::try_from(count).unwrap_or(0),
        newest,
    })
}

fn into_key(created_at: i64, id: &str) -> Result<SessionKey, StoreError> {
    Ok(SessionKey {
        created_at: timestamp(created_at, id)?,
        id: SessionId::from_uuid(uuid(id)?),
    })
}

impl SessionStore for SqliteSessionStore {
    fn sessions_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<Session>, StoreError> {
        let mut conn = self.pool.get().map_err(|e| from_pool(&e))?;
        let rows: Vec<SessionRow> = page(query, after, limit)
            .load(&mut conn)
            .map_err(from_query)?;
        rows.into_iter().map(into_session).collect()
    }

    fn keys_after(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<Vec<SessionKey>, StoreError> {
        let mut conn = self.pool.get().map_err(|e| from_pool(&e))?;
        // A covering-index read when no meta filter asks for the rows.
        let keys: Vec<(i64, String)> = ordered(query, after)
            .select((agent_session::created_at, agent_session::id))
            .limit(i64::try_from(limit).unwrap_or(i64::MAX))
            .load(&mut conn)
            .map_err(from_query)?;
        keys.iter().map(|(at, id)| into_key(*at, id)).collect()
    }

    fn summarize(&self, query: &SessionQuery) -> Result<SessionSummary, StoreError> {
        let mut conn = self.pool.get().map_err(|e| from_pool(&e))?;
        into_summary(read_summary(&mut conn, query).map_err(from_query)?)
    }

    fn sessions_and_summary(
        &self,
        query: &SessionQuery,
        after: Option<SessionKey>,
        limit: usize,
    ) -> Result<SessionsAndSummary, StoreError> {
        let mut conn = self.pool.get().map_err(|e| from_pool(&e))?;
        // One read transaction: in WAL mode it sees the snapshot its first
        // read took, whatever other connections commit meanwhile.
        let (rows, summary) = conn
            .transaction::<_, diesel::result::Error, _>(|conn| {
                let rows: Vec<SessionRow> = page(query, after, limit).load(conn)?;
                if let Some(hook) = &self.between_reads {
                    hook();
                }
                Ok((rows, read_summary(conn, query)?))
            })
            .map_err(from_query)?;
        Ok(SessionsAndSummary {
            sessions: rows
                .into_iter()
                .map(into_session)
                .collect::<Result<_, _>>()?,
            summary: into_summary(summary)?,
        })
    }
}

fn into_session((id, agent_key_id, created_at, meta): SessionRow) -> Result<Session, StoreError> {
    let meta =
        Meta::from_json(meta).map_err(|e| StoreError::Failure(format!("session {id}: {e}")))?;
    Ok(Session {
        id: SessionId::from_uuid(uuid(&id)?),
        agent_key_id: agent_key_id
            .map(|key| uuid(&key).map(AgentKeyId::from_uuid))
            .transpose()?,
        created_at: timestamp(created_at, &id)?,
        meta,
    })
}

/// A stored id, which the schema keeps a lower-case hyphenated UUID.
fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(text).map_err(|_| StoreError::Failure(format!("{text:?} is not a UUID")))
}

/// A stored time in microseconds since the Unix epoch.
fn timestamp(micros: i64, id: &str) -> Result<Timestamp, StoreError> {
    Timestamp::from_micros(micros).ok_or_else(|| {
        StoreError::Failure(format!(
            "session {id}: created_at {micros} µs is out of range"
        ))
    })
}

#[cfg(test)]
mod tests {
    use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
    use diesel::sql_types::Integer;
    use otas_domain::{AgentId, MetaFilter, SessionFilter};

    use super::*;
    use crate::migrations::run_migrations_on;

    /// `EXPLAIN QUERY PLAN` of a statement, with its parameters bound.
    struct ExplainQueryPlan<Q>(Q);

    impl<Q: QueryFragment<Sqlite>> QueryFragment<Sqlite> for ExplainQueryPlan<Q> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
            out.push_sql("EXPLAIN QUERY PLAN ");
            self.0.walk_ast(out.reborrow())
        }
    }

    impl<Q> QueryId for ExplainQueryPlan<Q> {
        type QueryId = ();
        const HAS_STATIC_QUERY_ID: bool = false;
    }

    impl<Q> Query for ExplainQueryPlan<Q> {
        type SqlType = (Integer, Integer, Integer, Text);
    }

    impl<Q> RunQueryDsl<SqliteConnection> for ExplainQueryPlan<Q> {}

    fn plan<Q: QueryFragment<Sqlite>>(conn: &mut SqliteConnection, statement: Q) -> String {
        ExplainQueryPlan(statement)
            .load::<(i32, i32, i32, String)>(conn)
            .expect("EXPLAIN QUERY PLAN")
            .into_iter()
            .map(|(_, _, _, detail)| detail)
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn migrated() -> SqliteConnection {
        let mut conn = SqliteConnection::establish(":memory:").expect("an in-memory database");
        run_migrations_on(&mut conn).expect("the migrations apply");
        conn
    }

    fn queries() -> Vec<SessionQuery> {
        let agent = AgentId::parse("d1e2f3a4-b5c6-7890-abcd-ef1234567890").expect("a UUID");
        let day_before = Timestamp::from_micros(1_776_263_400_000_000).expect("in range");
        let day_after = Timestamp::from_micros(1_776_436_200_000_000).expect("in range");
        let mut queries = Vec::new();
        for order in [Order::Desc, Order::Asc] {
            for filter in [
                SessionFilter::default(),
                SessionFilter {
                    created_after: Some(day_before),
                    created_before: Some(day_after),
                    meta: MetaFilter::from_object(serde_json::json!({"n": 512, "s": "x"}))
                        .expect("scalars"),
                },
            ] {
                queries.push(SessionQuery {
                    agent,
                    order,
                    filter,
                });
            }
        }
        queries
    }

    #[test]
    fn a_page_is_read_from_the_listing_index_in_its_order_without_sorting() {
        let mut conn = migrated();
        for query in queries() {
            let key = SessionKey {
                created_at: Timestamp::from_micros(1_776_349_800_000_000).expect("in range"),
                id: SessionId::parse("a1e2f3a4-b5c6-7890-abcd-ef1234567890").expect("a UUID"),
            };
            for after in [None, Some(key)] {
                let plan = plan(&mut conn, page(&query, after, 10));

                assert!(
                    plan.contains("USING INDEX agent_session_agent_created_id_idx"),
                    "{:?} {after:?}: {plan}",
                    query.order
                );
                assert!(!plan.contains("TEMP B-TREE"), "{:?}: {plan}", query.order);
                if after.is_some() {
                    // The seek starts at the key, whatever the time bounds.
                    let seek = match query.order {
                        Order::Desc => "(created_at,id)<(?,?)",
                        Order::Asc => "(created_at,id)>(?,?)",
                    };
                    assert!(plan.contains(seek), "{:?}: {plan}", query.order);
                }
            }
        }
    }

    #[test]
    fn a_summary_without_a_meta_filter_reads_the_listing_index_only() {
        let mut conn = migrated();
        let query = SessionQuery::all_of(
            AgentId::parse("d1e2f3a4-b5c6-7890-abcd-ef1234567890").expect("a UUID"),
        );

        let count = plan(&mut conn, matching(&query).count());
        let newest = plan(
            &mut conn,
            matching(&query)
                .order((agent_session::created_at.desc(), agent_session::id.desc()))
                .select((agent_session::created_at, agent_session::id))
                .limit(1),
        );

        assert!(count.contains("COVERING INDEX"), "{count}");
        assert!(
            newest.contains("COVERING INDEX agent_session_agent_created_id_idx"),
            "{newest}"
        );
        assert!(!newest.contains("TEMP B-TREE"), "{newest}");
    }
}
