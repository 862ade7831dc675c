//! The access facts, read in one statement.

use chrono::{DateTime, Utc};
use diesel::dsl::{exists, select};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use otas_domain::{Order, Session, SessionFilter, SessionQuery};
use otas_ports::{AccessFacts, AccessQuery, AccessStore, StoreError};
use uuid::Uuid;

use crate::pool::{with_connection, PgPool};
use crate::schema::{agent, project, user_project_mapping, users};
use crate::sessions::into_session;

/// Answers access questions from UASAM's `users`, `project`,
/// `user_project_mapping` and `agent` tables.
#[derive(Clone)]
pub struct PgAccessStore {
    pool: PgPool,
}

impl std::fmt::Debug for PgAccessStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgAccessStore").finish_non_exhaustive()
    }
}

impl PgAccessStore {
    /// A store over the pool's database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl AccessStore for PgAccessStore {
    fn access_facts(&self, query: &AccessQuery) -> Result<AccessFacts, StoreError> {
        let user = *query.user.as_uuid();
        let project = query.project.map(|p| *p.as_uuid());
        let agent = query.agent.map(|a| *a.as_uuid());

        // A NULL project or agent compares to nothing, so its facts are false.
        let user_exists = exists(users::table.filter(users::id.eq(user)));
        let project_member = exists(
            user_project_mapping::table
                .inner_join(project::table)
                .filter(user_project_mapping::user_id.eq(user))
                .filter(user_project_mapping::project_id.nullable().eq(project))
                .filter(user_project_mapping::is_active)
                .filter(project::is_active),
        );
        let agent_in_project = exists(
            agent::table
                .filter(agent::id.nullable().eq(agent))
                .filter(agent::project_id.nullable().eq(project))
                .filter(agent::is_active),
        );

        let (user_exists, project_member, agent_in_project) =
            with_connection(&self.pool, |conn| {
                select((user_exists, project_member, agent_in_project))
                    .get_result::<(bool, bool, bool)>(conn)
            })?;
        Ok(AccessFacts {
            user_exists,
            project_member,
            agent_in_project,
        })
    }

    fn access_facts_and_first_sessions(
        &self,
        query: &AccessQuery,
        listing: &SessionQuery,
        limit: usize,
    ) -> Result<(AccessFacts, Option<Vec<Session>>), StoreError> {
        // One statement for the common first read: an unfiltered listing of
        // the agent the request names. Anything else reads in two.
        match query.agent {
            Some(agent) if listing.agent == agent && listing.filter == SessionFilter::default() => {
                self.facts_and_first_sessions(query, *agent.as_uuid(), listing.order, limit)
            }
            _ => Ok((self.access_facts(query)?, None)),
        }
    }
}

/// The access facts and an unfiltered listing's first sessions, in one
/// statement: the sessions are read only when every fact holds.
const FACTS_AND_FIRST_SESSIONS: &str = "\
WITH facts AS (
  SELECT EXISTS (SELECT 1 FROM users WHERE id = $1) AS user_exists,
         EXISTS (SELECT 1 FROM user_project_mapping m JOIN project p ON p.id = m.project_id
                 WHERE m.user_id = $1 AND m.project_id = $2 AND m.is_active AND p.is_active) AS project_member,
         EXISTS (SELECT 1 FROM agent a
                 WHERE a.id = $3 AND a.project_id = $2 AND a.is_active) AS agent_in_project
)
SELECT facts.user_exists, facts.project_member, facts.agent_in_project,
       s.id, s.agent_key_id, s.created_at, s.meta
FROM facts LEFT JOIN LATERAL (
  SELECT id, agent_key_id, created_at, concat(meta) AS meta FROM agent_session
  WHERE agent_id = $3 AND facts.user_exists AND facts.project_member AND facts.agent_in_project
  ORDER BY created_at {order}, id {order} LIMIT $4
) s ON TRUE
ORDER BY s.created_at {order}, s.id {order}";

/// One row of [`FACTS_AND_FIRST_SESSIONS`]: the facts, and a session or NULLs.
#[derive(QueryableByName)]
struct FactsAndSession {
    #[diesel(sql_type = Bool)]
    user_exists: bool,
    #[diesel(sql_type = Bool)]
    project_member: bool,
    #[diesel(sql_type = Bool)]
    agent_in_project: bool,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    agent_key_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    meta: Option<String>,
}

impl PgAccessStore {
    fn facts_and_first_sessions(
        &self,
        query: &AccessQuery,
        agent: Uuid,
        order: Order,
        limit: usize,
    ) -> Result<(AccessFacts, Option<Vec<Session>>), StoreError> {
        let sql = FACTS_AND_FIRST_SESSIONS.replace(
            "{order}",
            match order {
                Order::Desc => "DESC",
                Order::Asc => "ASC",
            },
        );
        let rows: Vec<FactsAndSession> = with_connection(&self.pool, |conn| {
            diesel::sql_query(sql)
                .bind::<SqlUuid, _>(*query.user.as_uuid())
                .bind::<Nullable<SqlUuid>, _>(query.project.map(|p| *p.as_uuid()))
                .bind::<SqlUuid, _>(agent)
                .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
                .load(conn)
        })?;
        let facts = rows
            .first()
            .map_or_else(AccessFacts::default, |row| AccessFacts {
                user_exists: row.user_exists,
                project_member: row.project_member,
                agent_in_project: row.agent_in_project,
            });
        if !(facts.user_exists && facts.project_member && facts.agent_in_project) {
            return Ok((facts, None));
        }
        let sessions = rows
            .into_iter()
            .filter_map(|row| match (row.id, row.created_at, row.meta) {
                (Some(id), Some(created_at), Some(meta)) => {
                    Some((id, row.agent_key_id, created_at, meta))
                }
                _ => None,
            })
            .map(into_session)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((facts, Some(sessions)))
    }
}
