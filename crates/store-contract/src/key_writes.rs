//! `AgentKeyWriter`: a new key replaces the agent's active keys in one
//! transaction (only for an active agent of the project), and a key is
//! revoked only when it is active and of the project.

use chrono::Duration;
use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp};
use otas_ports::{AgentKeyRow, NewAgentKey, Row, StoreError, StoredAgentKey};
use uuid::Uuid;

use crate::support::{at, TwoAgents};
use crate::Fixture;

fn created() -> Timestamp {
    Timestamp::new(at("2026-04-16T14:30:00.123456Z"))
}

fn new_key(agent: Uuid, prefix: &str) -> NewAgentKey {
    NewAgentKey {
        id: AgentKeyId::from_uuid(Uuid::new_v4()),
        agent: AgentId::from_uuid(agent),
        prefix: prefix.to_owned(),
        hashed_key: format!("pbkdf2_sha256$720000$salt${prefix}"),
        created_at: created(),
        expires_at: Timestamp::new(at("2026-04-16T14:30:00.123456Z") + Duration::days(30)),
    }
}

/// An active key of `agent` with `prefix`, written as UASAM would.
fn old_key<F: Fixture>(world: &mut TwoAgents<F>, agent: Uuid, prefix: &str) -> AgentKeyId {
    let id = AgentKeyId::from_uuid(Uuid::new_v4());
    world.fixture.write(&[Row::AgentKey(AgentKeyRow {
        id,
        agent: AgentId::from_uuid(agent),
        prefix: prefix.to_owned(),
        hashed_key: "pbkdf2_sha256$720000$salt$hash".to_owned(),
        name: None,
        active: true,
        created_at: Timestamp::new(at("2026-04-01T00:00:00Z")),
        revoked_at: None,
        expires_at: None,
    })]);
    id
}

fn stored<F: Fixture>(world: &TwoAgents<F>, prefix: &str) -> StoredAgentKey {
    world
        .fixture
        .agent_key_store()
        .keys_with_prefixes(&[prefix])
        .expect("the key store answers")
        .into_iter()
        .next()
        .expect("the key is stored")
}

/// The project of [`TwoAgents`]' agents.
fn project_of<F: Fixture>(world: &TwoAgents<F>) -> ProjectId {
    world
        .fixture
        .agent_directory()
        .agent(AgentId::from_uuid(world.agent))
        .expect("the directory answers")
        .expect("the agent exists")
        .project
}

/// The agent's active keys are revoked at the new key's creation, the new
/// one is usable; another agent's keys are untouched.
pub fn a_new_key_revokes_the_agents_active_keys_and_only_its<F: Fixture>() {
    let mut world = TwoAgents::<F>::new();
    let (agent, other) = (world.agent, world.other_agent);
    old_key(&mut world, agent, "oldprefix01");
    old_key(&mut world, agent, "oldprefix02");
    old_key(&mut world, other, "otherprefix");
    let project = project_of(&world);

    let replaced = world
        .fixture
        .agent_key_writer()
        .replace_keys(project, &new_key(agent, "newprefix01"))
        .expect("the keys are replaced");

    assert!(replaced);
    for prefix in ["oldprefix01", "oldprefix02"] {
        let old = stored(&world, prefix);
        assert!(!old.active, "{prefix}");
        assert_eq!(old.revoked_at, Some(created()), "{prefix}");
    }
    assert!(stored(&world, "newprefix01").usable_at(created()));
    assert!(stored(&world, "otherprefix").active);
}

/// Another project's agent, or an unknown one: nothing is written.
pub fn a_key_for_an_agent_outside_the_project_is_not_written<F: Fixture>() {
    let mut world = TwoAgents::<F>::new();
    let agent = world.agent;
    old_key(&mut world, agent, "oldprefix01");
    let elsewhere = ProjectId::from_uuid(Uuid::new_v4());
    let project = project_of(&world);

    for (project, agent) in [(elsewhere, agent), (project, Uuid::new_v4())] {
        let replaced = world
            .fixture
            .agent_key_writer()
            .replace_keys(project, &new_key(agent, "newprefix01"))
            .expect("the store answers");
        assert!(!replaced);
    }

    assert!(stored(&world, "oldprefix01").active);
    let found = world
        .fixture
        .agent_key_store()
        .keys_with_prefixes(&["newprefix01"])
        .expect("the key store answers");
    assert!(found.is_empty(), "{found:?}");
}

/// A refused key (its id taken) revokes nothing.
pub fn a_refused_new_key_revokes_nothing<F: Fixture>() {
    let mut world = TwoAgents::<F>::new();
    let agent = world.agent;
    let old = old_key(&mut world, agent, "oldprefix01");
    let project = project_of(&world);

    let refused = world.fixture.agent_key_writer().replace_keys(
        project,
        &NewAgentKey {
            id: old,
            ..new_key(agent, "newprefix01")
        },
    );

    assert!(
        matches!(refused, Err(StoreError::Failure(_))),
        "{refused:?}"
    );
    assert!(stored(&world, "oldprefix01").active);
}

/// An active key of the project is revoked once; a second revoke, another
/// project's revoke or an unknown key revokes nothing.
pub fn a_key_is_revoked_once_and_only_within_its_project<F: Fixture>() {
    let mut world = TwoAgents::<F>::new();
    let agent = world.agent;
    let key = old_key(&mut world, agent, "oldprefix01");
    let project = project_of(&world);
    let writer = world.fixture.agent_key_writer();
    let at = created();

    assert!(!writer
        .revoke_key(ProjectId::from_uuid(Uuid::new_v4()), key, at)
        .expect("the store answers"));
    assert!(!writer
        .revoke_key(project, AgentKeyId::from_uuid(Uuid::new_v4()), at)
        .expect("the store answers"));
    assert!(writer.revoke_key(project, key, at).expect("revoked"));
    assert!(!writer
        .revoke_key(project, key, at)
        .expect("the store answers"));

    let revoked = stored(&world, "oldprefix01");
    assert!(!revoked.active);
    assert_eq!(revoked.revoked_at, Some(at));
}
