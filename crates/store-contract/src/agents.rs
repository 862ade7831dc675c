//! `AgentKeyStore` and `AgentDirectory`: the keys a presented key could be,
//! with what decides whether they may open a session, `last_used_at` written
//! at most once a minute, and the agents the authenticate call names.

use chrono::Duration;
use otas_domain::{AgentId, AgentKeyId, ProjectId, Timestamp};
use otas_ports::{AgentKeyRow, Row, StoredAgentKey};
use uuid::Uuid;

use crate::support::{at, TwoAgents};
use crate::Fixture;

fn key_row(agent: Uuid, prefix: &str, change: impl FnOnce(&mut AgentKeyRow)) -> AgentKeyRow {
    let mut row = AgentKeyRow {
        id: AgentKeyId::from_uuid(Uuid::new_v4()),
        agent: AgentId::from_uuid(agent),
        prefix: prefix.to_owned(),
        hashed_key: format!("pbkdf2_sha256$720000$salt${prefix}"),
        name: Some("key".to_owned()),
        active: true,
        created_at: Timestamp::new(at("2026-04-16T14:30:00Z")),
        revoked_at: None,
        expires_at: None,
    };
    change(&mut row);
    row
}

fn keys<F: Fixture>(stores: &TwoAgents<F>, prefixes: &[&str]) -> Vec<StoredAgentKey> {
    let mut keys = stores
        .fixture
        .agent_key_store()
        .keys_with_prefixes(prefixes)
        .expect("the store answers");
    keys.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    keys
}

/// Every key whose prefix is asked for, as stored, and no other.
pub fn keys_come_back_by_prefix_exactly_as_stored<F: Fixture>() {
    let mut stores = TwoAgents::<F>::new();
    let expires = Timestamp::new(at("2030-01-01T00:00:00.123456Z"));
    let revoked = Timestamp::new(at("2026-05-01T00:00:00Z"));
    let plain = key_row(stores.agent, "Q2xhdWRlLXR", |_| {});
    let underscored = key_row(stores.agent, "ab_cdEFgh-1", |k| {
        k.expires_at = Some(expires);
        k.revoked_at = Some(revoked);
        k.active = false;
    });
    let other = key_row(stores.other_agent, "zzzzzzzzzzz", |_| {});
    stores.fixture.write(&[
        Row::AgentKey(plain.clone()),
        Row::AgentKey(underscored.clone()),
        Row::AgentKey(other),
    ]);

    let found = keys(&stores, &["ab_cdEFgh-1", "Q2xhdWRlLXR", "ab", "nothing"]);

    assert_eq!(found.len(), 2, "{found:?}");
    let [first, second] = [&found[0], &found[1]];
    assert_eq!(
        (
            first.id,
            first.agent.id,
            first.prefix.as_str(),
            first.hashed_key.as_str()
        ),
        (
            plain.id,
            plain.agent,
            "Q2xhdWRlLXR",
            plain.hashed_key.as_str()
        )
    );
    assert!(first.active && first.agent.active);
    assert_eq!(
        (first.revoked_at, first.expires_at, first.last_used_at),
        (None, None, None)
    );
    assert_eq!(second.id, underscored.id);
    assert!(!second.active);
    assert_eq!(
        (second.revoked_at, second.expires_at),
        (Some(revoked), Some(expires))
    );
}

/// A key of an inactive agent says so.
pub fn a_key_of_an_inactive_agent_says_its_agent_is_inactive<F: Fixture>() {
    let mut stores = TwoAgents::<F>::new();
    let owner = Uuid::new_v4();
    let project = Uuid::new_v4();
    let retired = Uuid::new_v4();
    stores
        .fixture
        .insert_user(owner, "retired-owner@example.com");
    stores.fixture.insert_project(project, owner, true);
    stores.fixture.insert_agent(retired, project, owner, false);
    stores
        .fixture
        .write(&[Row::AgentKey(key_row(retired, "retiredkey0", |_| {}))]);

    let found = keys(&stores, &["retiredkey0"]);

    assert_eq!(found.len(), 1);
    assert!(!found[0].agent.active);
}

/// `last_used_at` is written, then not again within the minute after.
pub fn last_used_at_is_written_at_most_once_a_minute<F: Fixture>() {
    let mut stores = TwoAgents::<F>::new();
    let row = key_row(stores.agent, "lastusedkey", |_| {});
    stores.fixture.write(&[Row::AgentKey(row.clone())]);
    let first = at("2026-04-16T14:30:00.000001Z");
    let store = stores.fixture.agent_key_store();

    store
        .mark_used(row.id, Timestamp::new(first))
        .expect("marked");
    store
        .mark_used(row.id, Timestamp::new(first + Duration::seconds(30)))
        .expect("not marked again");
    let within_the_minute = keys(&stores, &["lastusedkey"])[0].last_used_at;
    let later = first + Duration::seconds(61);
    store
        .mark_used(row.id, Timestamp::new(later))
        .expect("marked again");
    let after_the_minute = keys(&stores, &["lastusedkey"])[0].last_used_at;

    assert_eq!(within_the_minute, Some(Timestamp::new(first)));
    assert_eq!(after_the_minute, Some(Timestamp::new(later)));
}

/// An agent by id, active or not, with its name and project; none for an
/// unknown id.
pub fn the_directory_names_an_agent_and_its_project<F: Fixture>() {
    let mut stores = TwoAgents::<F>::new();
    let owner = Uuid::new_v4();
    let project = Uuid::new_v4();
    let inactive = Uuid::new_v4();
    stores
        .fixture
        .insert_user(owner, "directory-owner@example.com");
    stores.fixture.insert_project(project, owner, true);
    stores.fixture.insert_agent(inactive, project, owner, false);
    let directory = stores.fixture.agent_directory();

    let found = directory
        .agent(AgentId::from_uuid(inactive))
        .expect("the store answers")
        .expect("the agent");
    let unknown = directory
        .agent(AgentId::from_uuid(Uuid::new_v4()))
        .expect("the store answers");

    assert_eq!(found.id, AgentId::from_uuid(inactive));
    assert_eq!(found.name, "Agent");
    assert_eq!(found.project, ProjectId::from_uuid(project));
    assert_eq!(unknown, None);
}
