//! The plans SQLite chooses for the listing's reads: a page walks the
//! listing index in order from its key (no sort), and a summary without a
//! `meta` filter reads the index alone.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Test code: a failed expectation is a failed test.

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Integer;
use otas_domain::{AgentId, MetaFilter, SessionFilter, SessionId, Timestamp};

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
