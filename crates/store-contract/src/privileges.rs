//! `AccessFacts::project_admin`: an active mapping of privilege 1 to an
//! active project makes an admin; a member (privilege 2), an inactive
//! mapping or an inactive project does not.

use otas_domain::{AgentId, ProjectId, Timestamp, UserId};
use otas_ports::{AccessFacts, AccessQuery, MembershipRow, Row};
use uuid::Uuid;

use crate::Fixture;

/// The facts of a user mapped to a project with `privilege`, the mapping
/// and the project active or not.
fn facts_of<F: Fixture>(privilege: i16, mapping_active: bool, project_active: bool) -> AccessFacts {
    let mut fixture = F::migrated();
    let (user, project) = (Uuid::new_v4(), Uuid::new_v4());
    fixture.insert_user(user, "admin@example.com");
    fixture.insert_project(project, user, project_active);
    fixture.write(&[Row::Membership(MembershipRow {
        user: UserId::from_uuid(user),
        project: ProjectId::from_uuid(project),
        privilege,
        is_active: mapping_active,
        created_at: Timestamp::from_micros(0).expect("in range"),
    })]);
    fixture
        .access_store()
        .access_facts(&AccessQuery {
            user: UserId::from_uuid(user),
            project: Some(ProjectId::from_uuid(project)),
            agent: None::<AgentId>,
        })
        .expect("the access store answers")
}

/// Privilege 1 on an active mapping to an active project: an admin.
pub fn an_active_mapping_of_privilege_1_makes_a_project_admin<F: Fixture>() {
    let facts = facts_of::<F>(1, true, true);

    assert!(facts.project_member && facts.project_admin, "{facts:?}");
}

/// Privilege 2: a member, not an admin.
pub fn an_active_mapping_of_privilege_2_makes_a_member_not_an_admin<F: Fixture>() {
    let facts = facts_of::<F>(2, true, true);

    assert!(facts.project_member && !facts.project_admin, "{facts:?}");
}

/// An admin whose mapping is inactive, or whose project is, is neither.
pub fn an_inactive_admin_mapping_or_project_makes_no_admin<F: Fixture>() {
    for (mapping_active, project_active) in [(false, true), (true, false)] {
        let facts = facts_of::<F>(1, mapping_active, project_active);

        assert!(
            !facts.project_member && !facts.project_admin,
            "mapping {mapping_active}, project {project_active}: {facts:?}"
        );
    }
}
