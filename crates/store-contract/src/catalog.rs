//! `AgentCatalog::project_agents`: a project's active agents, oldest first,
//! each with its keys whose `active` is true, within the read's bound, and
//! nothing of another project's.

use chrono::Duration;
use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp, UserId};
use otas_ports::{AgentKeyRow, AgentListBound, AgentRow, ProjectAgent, Row};
use uuid::Uuid;

use crate::support::at;
use crate::Fixture;

const WIDE: AgentListBound = AgentListBound {
    agents: 100,
    keys: 100,
};

/// A project of `owner`'s, in a fresh store.
struct Project<F> {
    fixture: F,
    owner: Uuid,
    project: Uuid,
}

impl<F: Fixture> Project<F> {
    fn new() -> Self {
        let mut fixture = F::migrated();
        let (owner, project) = (Uuid::new_v4(), Uuid::new_v4());
        fixture.insert_user(owner, "owner@example.com");
        fixture.insert_project(project, owner, true);
        Self {
            fixture,
            owner,
            project,
        }
    }

    /// Writes an agent of `project` created `minutes` after a fixed time.
    fn agent(&mut self, project: Uuid, minutes: i64, active: bool) -> AgentRow {
        let row = AgentRow {
            id: AgentId::from_uuid(Uuid::new_v4()),
            project: ProjectId::from_uuid(project),
            owner: UserId::from_uuid(self.owner),
            name: format!("agent {minutes}"),
            description: format!("does {minutes}"),
            provider: "anthropic".to_owned(),
            is_active: active,
            created_at: Timestamp::new(
                at("2026-04-16T14:30:00.000001Z") + Duration::minutes(minutes),
            ),
        };
        self.fixture.write(&[Row::Agent(row.clone())]);
        row
    }

    /// Writes a key of `agent` created `minutes` after a fixed time.
    fn key(&mut self, agent: AgentId, minutes: i64, active: bool) -> AgentKeyRow {
        let row = AgentKeyRow {
            id: AgentKeyId::from_uuid(Uuid::new_v4()),
            agent,
            prefix: format!("prefix{minutes:05}"),
            hashed_key: "pbkdf2_sha256$720000$salt$hash".to_owned(),
            name: (minutes % 2 == 0).then(|| format!("key {minutes}")),
            active,
            created_at: Timestamp::new(
                at("2026-04-16T14:30:00.123456Z") + Duration::minutes(minutes),
            ),
            revoked_at: None,
            expires_at: Some(Timestamp::new(at("2026-05-16T14:30:00.654321Z"))),
        };
        self.fixture.write(&[Row::AgentKey(row.clone())]);
        row
    }

    fn listed(&self, bound: AgentListBound) -> Vec<ProjectAgent> {
        self.fixture
            .agent_catalog()
            .project_agents(ProjectId::from_uuid(self.project), bound)
            .expect("the catalog answers")
    }
}

/// Every field of an agent and of its keys comes back as written, times to
/// the microsecond, a key's absent name as `None`.
pub fn an_agent_and_its_keys_are_listed_as_written<F: Fixture>() {
    let mut world = Project::<F>::new();
    let project = world.project;
    let agent = world.agent(project, 0, true);
    let named = world.key(agent.id, 2, true);
    let unnamed = world.key(agent.id, 3, true);

    let listed = world.listed(WIDE);

    assert_eq!(listed.len(), 1, "{listed:?}");
    let got = &listed[0];
    assert_eq!(
        (
            got.id,
            &got.name,
            &got.description,
            &got.provider,
            got.created_at,
            got.created_by,
            got.is_active
        ),
        (
            agent.id,
            &agent.name,
            &agent.description,
            &agent.provider,
            agent.created_at,
            agent.owner,
            true
        )
    );
    let keys: Vec<_> = got
        .keys
        .iter()
        .map(|k| {
            (
                k.id,
                k.prefix.clone(),
                k.name.clone(),
                k.created_at,
                k.expires_at,
                k.active,
            )
        })
        .collect();
    let expected: Vec<_> = [named, unnamed]
        .into_iter()
        .map(|k| (k.id, k.prefix, k.name, k.created_at, k.expires_at, k.active))
        .collect();
    assert_eq!(keys, expected);
}

/// Active agents only, oldest first; another project's never; keys whose
/// `active` is false never, keys of another agent never.
pub fn only_the_projects_active_agents_and_their_active_keys_are_listed_oldest_first<F: Fixture>() {
    let mut world = Project::<F>::new();
    let (project, other) = (world.project, Uuid::new_v4());
    world.fixture.insert_project(other, world.owner, true);
    let newer = world.agent(project, 5, true);
    let older = world.agent(project, 1, true);
    let inactive = world.agent(project, 0, false);
    let elsewhere = world.agent(other, 0, true);
    world.key(newer.id, 1, false);
    let kept = world.key(newer.id, 2, true);
    world.key(inactive.id, 3, true);
    world.key(elsewhere.id, 4, true);

    let listed = world.listed(WIDE);

    let ids: Vec<_> = listed.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![older.id, newer.id]);
    assert!(listed[0].keys.is_empty(), "{listed:?}");
    let keys: Vec<_> = listed[1].keys.iter().map(|k| k.id).collect();
    assert_eq!(keys, vec![kept.id]);
}

/// A project with no agents lists none; an unknown project too.
pub fn a_project_without_agents_lists_none<F: Fixture>() {
    let world = Project::<F>::new();

    assert_eq!(world.listed(WIDE), Vec::new());
    assert_eq!(
        world
            .fixture
            .agent_catalog()
            .project_agents(ProjectId::from_uuid(Uuid::new_v4()), WIDE)
            .expect("the catalog answers"),
        Vec::new()
    );
}

/// At most `bound.agents` agents (the oldest) and `bound.keys` keys in all
/// (the oldest agents' first) are read.
pub fn the_list_holds_at_most_the_bounds_agents_and_keys<F: Fixture>() {
    let mut world = Project::<F>::new();
    let project = world.project;
    let agents: Vec<_> = (0..3).map(|m| world.agent(project, m, true)).collect();
    for (n, agent) in agents.iter().enumerate() {
        let n = i64::try_from(n).expect("small");
        world.key(agent.id, 10 * n, true);
        world.key(agent.id, 10 * n + 1, true);
    }

    let listed = world.listed(AgentListBound { agents: 2, keys: 3 });

    let ids: Vec<_> = listed.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![agents[0].id, agents[1].id]);
    let counts: Vec<_> = listed.iter().map(|a| a.keys.len()).collect();
    assert_eq!(counts, vec![2, 1]);
}
