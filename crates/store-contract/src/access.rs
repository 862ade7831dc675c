//! `AccessStore::access_facts`: who exists, who is an active member of which
//! active project, which agent is active in it, and that a fact about an
//! absent or unknown project or agent is `false`.

use otas_domain::{AgentId, ProjectId, UserId};
use otas_ports::{AccessFacts, AccessQuery};
use uuid::Uuid;

use crate::Fixture;

/// A user, active member of an active project, which has an active agent
/// (unless the shape says otherwise), and the project's creator, who is no
/// member of it.
struct Memberships<F> {
    fixture: F,
    owner: Uuid,
    user: Uuid,
    project: Uuid,
    agent: Uuid,
}

/// What of the world is active, and whether the user is mapped at all.
struct Shape {
    /// The member's mapping to the project: `None` for no mapping at all.
    member: Option<bool>,
    project_active: bool,
    agent_active: bool,
}

impl<F: Fixture> Memberships<F> {
    /// Everything active, unless `build` changes it before the rows are written.
    fn new(build: impl FnOnce(&mut Shape)) -> Self {
        let mut shape = Shape {
            member: Some(true),
            project_active: true,
            agent_active: true,
        };
        build(&mut shape);

        let mut fixture = F::migrated();
        let owner = Uuid::new_v4();
        let user = Uuid::new_v4();
        let project = Uuid::new_v4();
        let agent = Uuid::new_v4();
        fixture.insert_user(owner, "owner@example.com");
        fixture.insert_user(user, "member@example.com");
        fixture.insert_project(project, owner, shape.project_active);
        if let Some(active) = shape.member {
            fixture.insert_membership(user, project, active);
        }
        fixture.insert_agent(agent, project, owner, shape.agent_active);
        Self {
            fixture,
            owner,
            user,
            project,
            agent,
        }
    }

    fn facts(&self, user: Uuid, project: Option<Uuid>, agent: Option<Uuid>) -> AccessFacts {
        self.fixture
            .access_store()
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

/// A user with a row in `users` exists.
pub fn a_user_with_a_row_in_users_exists<F: Fixture>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.facts(world.user, None, None);

    assert!(facts.user_exists);
}

/// An unknown user neither exists nor is a member; the agent fact does not
/// depend on who asks.
pub fn a_user_without_a_row_in_users_does_not_exist_and_is_a_member_of_nothing<F: Fixture>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.facts(Uuid::new_v4(), Some(world.project), Some(world.agent));

    assert_eq!(
        facts,
        AccessFacts {
            user_exists: false,
            project_member: false,
            project_admin: false,
            // The agent is in the project whoever asks; the use case refuses
            // the unknown user before it looks at this fact.
            agent_in_project: true,
        }
    );
}

/// Everything active: every fact is true.
pub fn an_active_member_of_an_active_project_with_an_active_agent_gets_every_fact_true<
    F: Fixture,
>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.member_facts();

    assert_eq!(
        facts,
        AccessFacts {
            user_exists: true,
            project_member: true,
            project_admin: false,
            agent_in_project: true,
        }
    );
}

/// An inactive mapping makes no member.
pub fn a_member_whose_mapping_is_inactive_is_not_a_project_member<F: Fixture>() {
    let world = Memberships::<F>::new(|shape| shape.member = Some(false));

    let facts = world.member_facts();

    assert!(facts.user_exists);
    assert!(!facts.project_member);
}

/// An inactive project has no members, whatever the mappings say.
pub fn a_member_of_an_inactive_project_is_not_a_project_member<F: Fixture>() {
    let world = Memberships::<F>::new(|shape| shape.project_active = false);

    let facts = world.member_facts();

    assert!(facts.user_exists);
    assert!(!facts.project_member);
}

/// No mapping, no membership.
pub fn a_user_without_a_mapping_to_the_project_is_not_a_project_member<F: Fixture>() {
    let world = Memberships::<F>::new(|shape| shape.member = None);

    let facts = world.member_facts();

    assert!(facts.user_exists);
    assert!(!facts.project_member);
}

/// Creating a project does not make a member of it.
pub fn the_creator_of_a_project_is_not_a_member_without_a_mapping<F: Fixture>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.facts(world.owner, Some(world.project), None);

    assert!(facts.user_exists);
    assert!(!facts.project_member);
}

/// A membership counts for its own project only.
pub fn a_membership_of_another_project_does_not_make_a_member_of_this_one<F: Fixture>() {
    let mut world = Memberships::<F>::new(|shape| shape.member = None);
    let other_project = Uuid::new_v4();
    world
        .fixture
        .insert_project(other_project, world.owner, true);
    world
        .fixture
        .insert_membership(world.user, other_project, true);

    let facts = world.member_facts();
    let other_facts = world.facts(world.user, Some(other_project), None);

    assert!(!facts.project_member);
    assert!(other_facts.project_member);
}

/// An unknown project has no members and no agents.
pub fn an_unknown_project_has_no_members<F: Fixture>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.facts(world.user, Some(Uuid::new_v4()), Some(world.agent));

    assert!(facts.user_exists);
    assert!(!facts.project_member);
    assert!(!facts.agent_in_project);
}

/// Without a project, the project facts are false.
pub fn no_project_means_no_membership_and_no_agent_in_project<F: Fixture>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.facts(world.user, None, Some(world.agent));

    assert_eq!(
        facts,
        AccessFacts {
            user_exists: true,
            project_member: false,
            project_admin: false,
            agent_in_project: false,
        }
    );
}

/// An active agent of the project is in it.
pub fn an_active_agent_of_the_project_is_in_the_project<F: Fixture>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.member_facts();

    assert!(facts.agent_in_project);
}

/// An inactive agent is in no project.
pub fn an_inactive_agent_is_not_in_the_project<F: Fixture>() {
    let world = Memberships::<F>::new(|shape| shape.agent_active = false);

    let facts = world.member_facts();

    assert!(facts.project_member);
    assert!(!facts.agent_in_project);
}

/// The agent fact is about the agent only (it exists, is active and belongs
/// to the project): an inactive project refuses its members instead.
pub fn an_active_agent_of_an_inactive_project_is_in_it_though_no_one_is_a_member<F: Fixture>() {
    let world = Memberships::<F>::new(|shape| shape.project_active = false);

    let facts = world.member_facts();

    assert_eq!(
        facts,
        AccessFacts {
            user_exists: true,
            project_member: false,
            project_admin: false,
            agent_in_project: true,
        }
    );
}

/// An agent belongs to its own project only.
pub fn an_agent_of_another_project_is_not_in_the_project<F: Fixture>() {
    let mut world = Memberships::<F>::new(|_| {});
    let other_project = Uuid::new_v4();
    let other_agent = Uuid::new_v4();
    world
        .fixture
        .insert_project(other_project, world.owner, true);
    world
        .fixture
        .insert_agent(other_agent, other_project, world.owner, true);

    let facts = world.facts(world.user, Some(world.project), Some(other_agent));

    assert!(facts.project_member);
    assert!(!facts.agent_in_project);
}

/// Without an agent, the agent fact is false.
pub fn no_agent_means_no_agent_in_project<F: Fixture>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.facts(world.user, Some(world.project), None);

    assert!(facts.project_member);
    assert!(!facts.agent_in_project);
}

/// An unknown agent is in no project.
pub fn an_unknown_agent_is_not_in_the_project<F: Fixture>() {
    let world = Memberships::<F>::new(|_| {});

    let facts = world.facts(world.user, Some(world.project), Some(Uuid::new_v4()));

    assert!(facts.project_member);
    assert!(!facts.agent_in_project);
}
