//! `AgentWriter::create_agent`: a new agent and its first key are written
//! together (listed, and the key found by its prefix, usable), or neither.

use chrono::Duration;
use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp, UserId};
use otas_ports::{AgentListBound, NewAgent, NewAgentKey, StoreError};
use uuid::Uuid;

use crate::support::at;
use crate::Fixture;

const WIDE: AgentListBound = AgentListBound {
    agents: 100,
    keys: 100,
};

/// A store with a user and their project.
fn project<F: Fixture>() -> (F, Uuid, Uuid) {
    let mut fixture = F::migrated();
    let (user, project) = (Uuid::new_v4(), Uuid::new_v4());
    fixture.insert_user(user, "admin@example.com");
    fixture.insert_project(project, user, true);
    (fixture, user, project)
}

fn new_agent(project: Uuid, user: Uuid) -> NewAgent {
    NewAgent {
        id: AgentId::from_uuid(Uuid::new_v4()),
        project: ProjectId::from_uuid(project),
        created_by: UserId::from_uuid(user),
        name: "summarizer".to_owned(),
        description: "reads, then écrit".to_owned(),
        provider: "anthropic".to_owned(),
        created_at: Timestamp::new(at("2026-04-16T14:30:00.123456Z")),
    }
}

fn new_key(agent: AgentId, prefix: &str) -> NewAgentKey {
    let created = at("2026-04-16T14:30:00.123456Z");
    NewAgentKey {
        id: AgentKeyId::from_uuid(Uuid::new_v4()),
        agent,
        prefix: prefix.to_owned(),
        hashed_key: format!("pbkdf2_sha256$720000$salt${prefix}"),
        created_at: Timestamp::new(created),
        expires_at: Timestamp::new(created + Duration::days(30)),
    }
}

/// The agent is listed as created, active, with its key; the key is found
/// by its prefix, active and usable until it expires.
pub fn a_created_agent_is_listed_with_its_key_which_is_usable<F: Fixture>() {
    let (fixture, user, project) = project::<F>();
    let agent = new_agent(project, user);
    let key = new_key(agent.id, "Q2xhdWRlLXR");

    fixture
        .agent_writer()
        .create_agent(&agent, &key)
        .expect("the agent is written");

    let listed = fixture
        .agent_catalog()
        .project_agents(ProjectId::from_uuid(project), WIDE)
        .expect("the catalog answers");
    assert_eq!(listed.len(), 1, "{listed:?}");
    let got = &listed[0];
    assert_eq!(
        (
            &got.name,
            &got.description,
            &got.provider,
            got.created_at,
            got.created_by
        ),
        (
            &agent.name,
            &agent.description,
            &agent.provider,
            agent.created_at,
            agent.created_by
        )
    );
    assert!(got.is_active);
    let keys: Vec<_> = got
        .keys
        .iter()
        .map(|k| {
            (
                k.id,
                k.prefix.as_str(),
                k.name.clone(),
                k.expires_at,
                k.active,
            )
        })
        .collect();
    assert_eq!(
        keys,
        vec![(key.id, "Q2xhdWRlLXR", None, Some(key.expires_at), true)]
    );
    let stored = fixture
        .agent_key_store()
        .keys_with_prefixes(&["Q2xhdWRlLXR"])
        .expect("the key store answers");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].hashed_key, key.hashed_key);
    assert!(stored[0].usable_at(key.created_at));
    assert!(!stored[0].usable_at(key.expires_at));
}

/// A key the schema refuses (its id already taken) is a failure, and the
/// agent is not written either.
pub fn an_agent_whose_key_is_refused_is_not_written<F: Fixture>() {
    let (fixture, user, project) = project::<F>();
    let first = new_agent(project, user);
    let key = new_key(first.id, "firstprefix");
    fixture
        .agent_writer()
        .create_agent(&first, &key)
        .expect("the first agent is written");
    let second = new_agent(project, user);
    let clashing = NewAgentKey {
        agent: second.id,
        prefix: "otherprefix".to_owned(),
        ..key
    };

    let refused = fixture.agent_writer().create_agent(&second, &clashing);

    assert!(
        matches!(refused, Err(StoreError::Failure(_))),
        "{refused:?}"
    );
    let listed = fixture
        .agent_catalog()
        .project_agents(ProjectId::from_uuid(project), WIDE)
        .expect("the catalog answers");
    let ids: Vec<_> = listed.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![first.id]);
}
