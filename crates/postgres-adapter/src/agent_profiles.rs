//! UASAM's agents as `auth/verify` names them.

use diesel::prelude::*;
use otas_domain::{AgentId, ProjectId};
use otas_ports::{AgentProfile, AgentProfiles, StoreError};
use uuid::Uuid;

use crate::routing::ReadRouter;
use crate::schema::agent;

/// UASAM's `agent` rows on PostgreSQL, read where `reads` sends them.
#[derive(Clone, Debug)]
pub struct PgAgentProfiles {
    reads: ReadRouter,
}

impl PgAgentProfiles {
    /// Profiles whose reads go where `reads` sends them (replicas).
    pub fn routed(reads: ReadRouter) -> Self {
        Self { reads }
    }
}

impl AgentProfiles for PgAgentProfiles {
    fn profile(&self, id: AgentId) -> Result<Option<AgentProfile>, StoreError> {
        // One primary-key lookup.
        let row: Option<(Uuid, String, String, Uuid, bool)> =
            self.reads.read(id.as_uuid(), |conn| {
                agent::table
                    .find(*id.as_uuid())
                    .select((
                        agent::id,
                        agent::name,
                        agent::provider,
                        agent::project_id,
                        agent::is_active,
                    ))
                    .first(conn)
                    .optional()
            })?;
        Ok(
            row.map(|(id, name, provider, project, active)| AgentProfile {
                id: AgentId::from_uuid(id),
                name,
                provider,
                project: ProjectId::from_uuid(project),
                active,
            }),
        )
    }
}
