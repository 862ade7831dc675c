//! The access facts, read in one statement.

use diesel::dsl::{exists, select};
use diesel::prelude::*;
use otas_ports::{AccessFacts, AccessQuery, AccessStore, StoreError};

use crate::routing::ReadRouter;
use crate::schema::{agent, project, user_project_mapping, users};

/// `user_project_mapping.privilege` of an admin (2 is a member's).
const ADMIN: i16 = 1;

/// Answers access questions from UASAM's `users`, `project`,
/// `user_project_mapping` and `agent` tables.
#[derive(Clone, Debug)]
pub struct PgAccessStore {
    reads: ReadRouter,
}

impl PgAccessStore {
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
        let project_admin = exists(
            user_project_mapping::table
                .inner_join(project::table)
                .filter(user_project_mapping::user_id.eq(user))
                .filter(user_project_mapping::project_id.nullable().eq(project))
                .filter(user_project_mapping::is_active)
                .filter(user_project_mapping::privilege.eq(ADMIN))
                .filter(project::is_active),
        );
        let agent_in_project = exists(
            agent::table
                .filter(agent::id.nullable().eq(agent))
                .filter(agent::project_id.nullable().eq(project))
                .filter(agent::is_active),
        );

        let (user_exists, project_member, project_admin, agent_in_project) =
            self.reads.read(agent.unwrap_or(user), |conn| {
                select((user_exists, project_member, project_admin, agent_in_project))
                    .get_result::<(bool, bool, bool, bool)>(conn)
            })?;
        Ok(AccessFacts {
            user_exists,
            project_member,
            project_admin,
            agent_in_project,
        })
    }
}
