//! UASAM's agents as `auth/verify` names them.

use diesel::prelude::*;
use otas_domain::{AgentId, ProjectId};
use otas_ports::{AgentProfile, AgentProfiles, StoreError};

use crate::agents::uuid;
use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::agent;

/// UASAM's `agent` rows on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteAgentProfiles {
    pool: SqlitePool,
}

impl SqliteAgentProfiles {
    /// Profiles over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl AgentProfiles for SqliteAgentProfiles {
    fn profile(&self, id: AgentId) -> Result<Option<AgentProfile>, StoreError> {
        // One primary-key lookup.
        let mut conn = checkout(&self.pool)?;
        let row: Option<(String, String, String, String, bool)> = agent::table
            .find(id.to_string())
            .select((
                agent::id,
                agent::name,
                agent::provider,
                agent::project_id,
                agent::is_active,
            ))
            .first(&mut conn)
            .optional()
            .map_err(from_query)?;
        row.map(|(id, name, provider, project, active)| {
            Ok(AgentProfile {
                id: AgentId::from_uuid(uuid(&id)?),
                name,
                provider,
                project: ProjectId::from_uuid(uuid(&project)?),
                active,
            })
        })
        .transpose()
    }
}
