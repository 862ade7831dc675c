//! The plans PostgreSQL chooses for the listing's reads, on an agent large
//! enough for the choice to matter: a page walks the listing index in order
//! (no sort, no count), a keys read touches the index alone, and a `meta`
//! filter that keeps few sessions goes through the GIN index on `meta`
//! instead of walking the agent's sessions.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Test code: a failed expectation is a failed test.

use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Text;
use otas_domain::{AgentId, MetaFilter, SessionFilter};
use serde_json::json;

use super::*;
use crate::test_support::{Fixture, PgFixture};

/// `EXPLAIN` of a statement, with its parameters bound.
struct Explain<Q>(Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("EXPLAIN ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Text;
}

impl<Q> RunQueryDsl<PgConnection> for Explain<Q> {}

fn plan<Q: QueryFragment<Pg>>(conn: &mut PgConnection, statement: Q) -> String {
    Explain(statement)
        .load::<String>(conn)
        .expect("EXPLAIN")
        .join("\n")
}

const AGENT: &str = "a0000000-0000-4000-8000-000000050000";
const NEIGHBOUR: &str = "a0000000-0000-4000-8000-000000000007";

/// 50,000 sessions of one agent and 5,000 of another, each with a task
/// (one of five) and a sequence number, then fresh statistics.
fn big_agent() -> (PgFixture, PgConnection) {
    let mut fixture = PgFixture::migrated();
    let mut conn = fixture.db.connect();
    let (owner, project) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    fixture.insert_user(owner, "owner@example.com");
    fixture.insert_project(project, owner, true);
    for agent in [AGENT, NEIGHBOUR] {
        let agent = uuid::Uuid::parse_str(agent).expect("a UUID");
        fixture.insert_agent(agent, project, owner, true);
    }
    conn.batch_execute(&format!(
        "INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id)
         SELECT gen_random_uuid(),
                timestamptz '2026-01-01' + i * interval '31 seconds',
                jsonb_build_object('task', (ARRAY['summarize', 'classify', 'translate', 'extract', 'answer'])[1 + i % 5],
                                   'seq', i, 'tags', jsonb_build_array('nightly')),
                agent.id, NULL
         FROM (VALUES ('{AGENT}'::uuid, 50000), ('{NEIGHBOUR}'::uuid, 5000)) AS agent(id, n),
              LATERAL generate_series(1, agent.n) AS i"
    ))
    .expect("fill the agent's sessions");
    conn.batch_execute("VACUUM ANALYZE agent_session")
        .expect("fresh statistics");
    (fixture, conn)
}

fn query(meta: Option<serde_json::Value>) -> SessionQuery {
    SessionQuery {
        agent: AgentId::parse(AGENT).expect("a UUID"),
        order: Order::Desc,
        filter: SessionFilter {
            meta: meta.map_or_else(MetaFilter::default, |meta| {
                MetaFilter::from_object(meta).expect("scalars")
            }),
            ..SessionFilter::default()
        },
    }
}

fn page_plan(conn: &mut PgConnection, query: &SessionQuery) -> String {
    plan(
        conn,
        ordered(query, None)
            .select(SessionRecord::as_select())
            .limit(101),
    )
}

#[test]
fn pages_of_a_big_agent_walk_the_listing_index_or_find_rare_matches_through_the_meta_index() {
    let (_db, mut conn) = big_agent();

    let unfiltered = page_plan(&mut conn, &query(None));
    let common = page_plan(&mut conn, &query(Some(json!({"task": "summarize"}))));
    let rare = page_plan(&mut conn, &query(Some(json!({"seq": 777}))));
    let keys = plan(
        &mut conn,
        ordered(&query(None), None)
            .select(KeyRecord::as_select())
            .limit(101),
    );

    for (name, plan) in [("unfiltered", &unfiltered), ("common", &common)] {
        assert!(
            plan.contains("Index Scan using agent_session_agent_created_id_idx"),
            "{name}: {plan}"
        );
        assert!(!plan.contains("Sort"), "{name}: {plan}");
    }
    assert!(rare.contains("agent_session_meta_idx"), "{rare}");
    assert!(
        keys.contains("Index Only Scan using agent_session_agent_created_id_idx"),
        "{keys}"
    );
}
