//! `SqliteAccessStore::access_facts` against a real SQLite file: who exists, who
//! is an active member of which active project, which agent is active in it.
#![allow(clippy::expect_used)]

mod common;

use common::Stores;
use otas_domain::{AgentId, ProjectId, UserId};
use otas_ports::{AccessFacts, AccessQuery, AccessStore};
use otas_sqlite_adapter::test_support::{
    insert_agent, insert_membership, insert_project, insert_user,
};
use uuid::Uuid;

/// A user, active member of an active project, which has an active agent.
struct World {
    stores: Stores,
    owner: Uuid,
    user: Uuid,
    project: Uuid,
    agent: Uuid,
}

impl World {
    /// Everything active, unless `build` changes it before the rows are written.
    fn new(build: impl FnOnce(&mut Shape)) -> Self {
        let mut shape = Shape {
            member: Some(true),
            project_active: true,
            agent_active: true,
        };
        build(&mut shape);

        let mut stores = Stores::new();
        let owner = Uuid::new_v4();
        let user = Uuid::new_v4();
        let project = Uuid::new_v4();
        let agent = Uuid::new_v4();
        let conn = &mut stores.conn;
        insert_user(conn, owner, "owner@example.com");
        insert_user(conn, user, "member@example.com");
        insert_project(conn, project, owner, shape.project_active);
        if let Some(active) = shape.member {
            insert_membership(conn, user, project, active);
        }
        insert_agent(conn, agent, project, owner, shape.agent_active);
        Self {
            stores,
            owner,
            user,
            project,
            agent,
        }
    }

    fn facts(&self, user: Uuid, project: Option<Uuid>, agent: Option<Uuid>) -> AccessFacts {
        self.stores
            .access
            .access_facts(&AccessQuery {
                user: UserId::from_uuid(user),
                project: project.map(ProjectId::from_uuid),
                agent: agent.map(AgentId::from_uuid),
            })
            .expect("the access store answers")
    }

    /// The facts of the member, the project and the agent.
    fn member_facts(&self) -> AccessFacts {
        self.facts(self.user, Some(self.project), Some(self.agent))
    }
}

struct Shape {
    /// The member's mapping to the project: `None` for no mapping at all.
    member: Option<bool>,
    project_active: bool,
    agent_active: bool,
}

#[test]
fn a_user_with_a_row_in_users_exists() {
    let world = World::new(|_| {});

    let facts = world.facts(world.user, None, None);

    assert!(facts.user_exists);
}

#[test]
fn a_user_without_a_row_in_users_does_not_exist_and_is_a_member_of_nothing() {
    let world = World::new(|_| {});

    let facts = world.facts(Uuid::new_v4(), Some(world.project), Some(world.agent));

    assert_eq!(
        facts,
        AccessFacts {
            user_exists: false,
            project_member: false,
            // The agent is in the project whoever asks; the use case refuses
            // the unknown user before it looks at this fact.
            agent_in_project: true,
        }
    );
}

#[test]
fn an_active_member_of_an_active_project_with_an_active_agent_gets_every_fact_true() {
    let world = World::new(|_| {});

    let facts = world.member_facts();

    assert_eq!(
        facts,
        AccessFacts {
            user_exists: true,
            project_member: true,
            agent_in_project: true,
        }
    );
}

#[test]
fn a_member_whose_mapping_is_inactive_is_not_a_project_member() {
    let world = World::new(|shape| shape.member = Some(false));

    let facts = world.member_facts();

    assert!(facts.user_exists);
    assert!(!facts.project_member);
}

#[test]
fn a_member_of_an_inactive_project_is_not_a_project_member() {
    let world = World::new(|shape| shape.project_active = false);

    let facts = world.member_facts();

    assert!(facts.user_exists);
    assert!(!facts.project_member);
}

#[test]
fn a_user_without_a_mapping_to_the_project_is_not_a_project_member() {
    let world = World::new(|shape| shape.member = None);

    let facts = world.member_facts();

    assert!(facts.user_exists);
    assert!(!facts.project_member);
}

#[test]
fn the_creator_of_a_project_is_not_a_member_without_a_mapping() {
    let world = World::new(|_| {});

    let facts = world.facts(world.owner, Some(world.project), None);

    assert!(facts.user_exists);
    assert!(!facts.project_member);
}

#[test]
fn a_membership_of_another_project_does_not_make_a_member_of_this_one() {
    let mut world = World::new(|shape| shape.member = None);
    let other_project = Uuid::new_v4();
    insert_project(&mut world.stores.conn, other_project, world.owner, true);
    insert_membership(&mut world.stores.conn, world.user, other_project, true);

    let facts = world.member_facts();
    let other_facts = world.facts(world.user, Some(other_project), None);

    assert!(!facts.project_member);
    assert!(other_facts.project_member);
}

#[test]
fn an_unknown_project_has_no_members() {
    let world = World::new(|_| {});

    let facts = world.facts(world.user, Some(Uuid::new_v4()), Some(world.agent));

    assert!(facts.user_exists);
    assert!(!facts.project_member);
    assert!(!facts.agent_in_project);
}

#[test]
fn no_project_means_no_membership_and_no_agent_in_project() {
    let world = World::new(|_| {});

    let facts = world.facts(world.user, None, Some(world.agent));

    assert_eq!(
        facts,
        AccessFacts {
            user_exists: true,
            project_member: false,
            agent_in_project: false,
        }
    );
}

#[test]
fn an_active_agent_of_the_project_is_in_the_project() {
    let world = World::new(|_| {});

    let facts = world.member_facts();

    assert!(facts.agent_in_project);
}

#[test]
fn an_inactive_agent_is_not_in_the_project() {
    let world = World::new(|shape| shape.agent_active = false);

    let facts = world.member_facts();

    assert!(facts.project_member);
    assert!(!facts.agent_in_project);
}

#[test]
fn an_agent_of_another_project_is_not_in_the_project() {
    let mut world = World::new(|_| {});
    let other_project = Uuid::new_v4();
    let other_agent = Uuid::new_v4();
    insert_project(&mut world.stores.conn, other_project, world.owner, true);
    insert_agent(
        &mut world.stores.conn,
        other_agent,
        other_project,
        world.owner,
        true,
    );

    let facts = world.facts(world.user, Some(world.project), Some(other_agent));

    assert!(facts.project_member);
    assert!(!facts.agent_in_project);
}

#[test]
fn no_agent_means_no_agent_in_project() {
    let world = World::new(|_| {});

    let facts = world.facts(world.user, Some(world.project), None);

    assert!(facts.project_member);
    assert!(!facts.agent_in_project);
}

#[test]
fn an_unknown_agent_is_not_in_the_project() {
    let world = World::new(|_| {});

    let facts = world.facts(world.user, Some(world.project), Some(Uuid::new_v4()));

    assert!(facts.project_member);
    assert!(!facts.agent_in_project);
}
