//! The access facts, read in one statement.

use diesel::dsl::{exists, select};
use diesel::prelude::*;
use otas_ports::{AccessFacts, AccessQuery, AccessStore, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::{agent, project, user_project_mapping, users};

/// `user_project_mapping.privilege` of an admin (2 is a member's).
const ADMIN: i32 = 1;

/// Answers access questions from the `users`, `project`,
/// `user_project_mapping` and `agent` tables of the SQLite database.
#[derive(Clone, Debug)]
pub struct SqliteAccessStore {
    pool: SqlitePool,
}

impl SqliteAccessStore {
    /// A store over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl AccessStore for SqliteAccessStore {
    fn access_facts(&self, query: &AccessQuery) -> Result<AccessFacts, StoreError> {
        let mut conn = checkout(&self.pool)?;
        // Ids are stored lower-case hyphenated, as `Display` prints them.
        let user = query.user.to_string();
        let project = query.project.map(|p| p.to_string());
        let agent = query.agent.map(|a| a.to_string());

        // A NULL project or agent compares to nothing, so its facts are false.
        let user_exists = exists(users::table.filter(users::id.eq(user.clone())));
        let project_member = exists(
            user_project_mapping::table
                .inner_join(project::table)
                .filter(user_project_mapping::user_id.eq(user.clone()))
                .filter(
                    user_project_mapping::project_id
                        .nullable()
                        .eq(project.clone()),
                )
                .filter(user_project_mapping::is_active)
                .filter(project::is_active),
        );
        let project_admin = exists(
            user_project_mapping::table
                .inner_join(project::table)
                .filter(user_project_mapping::user_id.eq(user.clone()))
                .filter(
                    user_project_mapping::project_id
                        .nullable()
                        .eq(project.clone()),
                )
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

        // One statement: SQLite answers it from one snapshot.
        let (user_exists, project_member, project_admin, agent_in_project) =
            select((user_exists, project_member, project_admin, agent_in_project))
                .get_result::<(bool, bool, bool, bool)>(&mut conn)
                .map_err(from_query)?;
        Ok(AccessFacts {
            user_exists,
            project_member,
            project_admin,
            agent_in_project,
        })
    }
}
