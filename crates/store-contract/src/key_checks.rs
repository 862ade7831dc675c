//! The reads of the two hot key checks (SDK `authenticate`, `auth/verify`):
//! SDK keys come back by prefix, as stored, with their project's name and
//! description; `last_used_at` is written at most once a minute; an agent
//! key comes with its agent's profile, provider included.

use chrono::Duration;
use otas_domain::{AgentId, AgentKeyId, ProjectId, SdkKeyId, Timestamp, UserId};
use otas_ports::{AgentKeyRow, AgentRow, ProjectRow, Row, SdkKeyRow, StoredSdkKey};
use uuid::Uuid;

use crate::support::at;
use crate::Fixture;

/// A store holding a project named "Payments" (and another project) and
/// nothing else.
struct Projects<F> {
    fixture: F,
    project: Uuid,
    other: Uuid,
    owner: Uuid,
}

impl<F: Fixture> Projects<F> {
    fn new() -> Self {
        let mut fixture = F::migrated();
        let (owner, project, other) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        fixture.insert_user(owner, "keys-owner@example.com");
        let project_row = |id: Uuid, name: &str, description: &str| {
            Row::Project(ProjectRow {
                id: ProjectId::from_uuid(id),
                name: name.to_owned(),
                description: description.to_owned(),
                owner: UserId::from_uuid(owner),
                is_active: true,
                created_at: Timestamp::new(at("2026-04-16T14:00:00Z")),
            })
        };
        fixture.write(&[
            project_row(project, "Payments", "Card payments, é and all"),
            project_row(other, "Other", ""),
        ]);
        Self {
            fixture,
            project,
            other,
            owner,
        }
    }

    fn sdk_keys(&self, prefixes: &[&str]) -> Vec<StoredSdkKey> {
        let mut keys = self
            .fixture
            .sdk_key_store()
            .sdk_keys_with_prefixes(prefixes)
            .expect("the store answers");
        keys.sort_by(|a, b| a.prefix.cmp(&b.prefix));
        keys
    }
}

fn sdk_key_row(project: Uuid, prefix: &str, change: impl FnOnce(&mut SdkKeyRow)) -> SdkKeyRow {
    let mut row = SdkKeyRow {
        id: SdkKeyId::from_uuid(Uuid::new_v4()),
        project: ProjectId::from_uuid(project),
        prefix: prefix.to_owned(),
        hashed_key: format!("pbkdf2_sha256$720000$salt${prefix}"),
        name: Some("backend".to_owned()),
        active: true,
        created_at: Timestamp::new(at("2026-04-16T14:30:00Z")),
        revoked_at: None,
        expires_at: None,
    };
    change(&mut row);
    row
}

/// Every SDK key whose prefix is asked for, as stored, with its project's
/// name and description, and no other.
pub fn sdk_keys_come_back_by_prefix_exactly_as_stored_with_their_project<F: Fixture>() {
    let mut stores = Projects::<F>::new();
    let expires = Timestamp::new(at("2030-01-01T00:00:00.123456Z"));
    let revoked = Timestamp::new(at("2026-05-01T00:00:00Z"));
    let plain = sdk_key_row(stores.project, "Q2xhdWRlLXR", |_| {});
    let underscored = sdk_key_row(stores.other, "ab_cdEFgh-1", |k| {
        k.expires_at = Some(expires);
        k.revoked_at = Some(revoked);
        k.active = false;
    });
    let unasked = sdk_key_row(stores.project, "zzzzzzzzzzz", |_| {});
    stores.fixture.write(&[
        Row::SdkKey(plain.clone()),
        Row::SdkKey(underscored.clone()),
        Row::SdkKey(unasked),
    ]);

    let found = stores.sdk_keys(&["ab_cdEFgh-1", "Q2xhdWRlLXR", "ab", "nothing"]);

    assert_eq!(
        found,
        vec![
            StoredSdkKey {
                id: plain.id,
                project: plain.project,
                prefix: plain.prefix,
                hashed_key: plain.hashed_key,
                active: true,
                revoked_at: None,
                expires_at: None,
                last_used_at: None,
                project_name: "Payments".into(),
                project_description: "Card payments, é and all".into(),
            },
            StoredSdkKey {
                id: underscored.id,
                project: underscored.project,
                prefix: underscored.prefix,
                hashed_key: underscored.hashed_key,
                active: false,
                revoked_at: Some(revoked),
                expires_at: Some(expires),
                last_used_at: None,
                project_name: "Other".into(),
                project_description: String::new(),
            },
        ]
    );
}

/// An SDK key's `last_used_at` is written at most once a minute.
pub fn sdk_key_last_used_at_is_written_at_most_once_a_minute<F: Fixture>() {
    let mut stores = Projects::<F>::new();
    let row = sdk_key_row(stores.project, "lastusedkey", |_| {});
    stores.fixture.write(&[Row::SdkKey(row.clone())]);
    let first = at("2026-04-16T14:30:00.000001Z");
    let store = stores.fixture.sdk_key_store();

    store
        .mark_sdk_key_used(row.id, Timestamp::new(first))
        .expect("marked");
    store
        .mark_sdk_key_used(row.id, Timestamp::new(first + Duration::seconds(30)))
        .expect("not marked again");
    let within_the_minute = stores.sdk_keys(&["lastusedkey"])[0].last_used_at;
    let later = first + Duration::seconds(61);
    stores
        .fixture
        .sdk_key_store()
        .mark_sdk_key_used(row.id, Timestamp::new(later))
        .expect("marked again");
    let after_the_minute = stores.sdk_keys(&["lastusedkey"])[0].last_used_at;

    assert_eq!(within_the_minute, Some(Timestamp::new(first)));
    assert_eq!(after_the_minute, Some(Timestamp::new(later)));
}

/// A key read by its prefix comes with its agent, active or not: its name,
/// provider and project (what `auth/verify` answers, in the same read).
pub fn a_key_comes_with_its_agents_profile<F: Fixture>() {
    let mut stores = Projects::<F>::new();
    let inactive = Uuid::new_v4();
    let key = Uuid::new_v4();
    stores.fixture.write(&[
        Row::Agent(AgentRow {
            id: AgentId::from_uuid(inactive),
            project: ProjectId::from_uuid(stores.project),
            owner: UserId::from_uuid(stores.owner),
            name: "Résumé writer".to_owned(),
            description: String::new(),
            provider: "openai".to_owned(),
            is_active: false,
            created_at: Timestamp::new(at("2026-04-16T14:00:00Z")),
        }),
        Row::AgentKey(AgentKeyRow {
            id: AgentKeyId::from_uuid(key),
            agent: AgentId::from_uuid(inactive),
            prefix: "ProfileKey01".to_owned(),
            hashed_key: "pbkdf2_sha256$720000$salt$hash".to_owned(),
            name: None,
            active: true,
            created_at: Timestamp::new(at("2026-04-16T14:00:00Z")),
            revoked_at: None,
            expires_at: None,
        }),
    ]);

    let found = stores
        .fixture
        .agent_key_store()
        .keys_with_prefixes(&["ProfileKey01"])
        .expect("the store answers");

    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, AgentKeyId::from_uuid(key));
    assert_eq!(
        found[0].agent,
        otas_ports::AgentProfile {
            id: AgentId::from_uuid(inactive),
            name: "Résumé writer".into(),
            provider: "openai".into(),
            project: ProjectId::from_uuid(stores.project),
            active: false,
        }
    );
    assert!(!found[0].usable_at(Timestamp::new(at("2026-04-17T00:00:00Z"))));
}
