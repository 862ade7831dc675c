//! A project with an admin, for the agent and key management tests: Ada is
//! its admin (privilege 1), Bob a member (privilege 2); it has one active
//! agent, with no key.

use otas_domain::{ProjectId, Timestamp, UserId};
use otas_ports::{MembershipRow, Row};
use otas_store_contract::{agent_row, project_row};
use uuid::Uuid;

use super::world::{ADA, BOB};
use super::World;

/// The project Ada administers.
pub const PROJECT_ADMIN: Uuid = Uuid::from_u128(0xe000_0000_0000_4000_8000_0000_0000_0001);
/// Its agent.
pub const AGENT_ADMIN: Uuid = Uuid::from_u128(0xe000_0000_0000_4000_8000_0000_0000_0e01);

/// `user`'s active mapping to `project` with `privilege`.
fn mapping(user: Uuid, project: Uuid, privilege: i16) -> Row {
    Row::Membership(MembershipRow {
        user: UserId::from_uuid(user),
        project: ProjectId::from_uuid(project),
        privilege,
        is_active: true,
        created_at: Timestamp::new(chrono::Utc::now()),
    })
}

/// Writes the project, its admin, its member and its agent into `world`.
pub fn add_admin_project(world: &World) {
    world.write(&[
        project_row(PROJECT_ADMIN, ADA, true),
        mapping(ADA, PROJECT_ADMIN, 1),
        mapping(BOB, PROJECT_ADMIN, 2),
        agent_row(AGENT_ADMIN, PROJECT_ADMIN, ADA, true),
    ]);
}
