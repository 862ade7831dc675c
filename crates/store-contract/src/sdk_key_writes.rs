//! `SdkKeyWriter`: a project's new SDK key is written as the dashboard
//! issues it (active, unnamed, never used), found by its prefix and usable
//! until it expires; a key the schema refuses is a failure. A key is
//! revoked once, only within its project, and is unusable from then on.

use chrono::Duration;
use otas_domain::{ProjectId, SdkKeyId, Timestamp, UserId};
use otas_ports::{NewSdkKey, ProjectRow, Row, StoreError, StoredSdkKey};
use uuid::Uuid;

use crate::support::at;
use crate::Fixture;

fn created() -> Timestamp {
    Timestamp::new(at("2026-04-16T14:30:00.123456Z"))
}

/// A store holding one active project, "Payments", and nothing else.
fn with_project<F: Fixture>() -> (F, ProjectId) {
    let mut fixture = F::migrated();
    let (owner, project) = (Uuid::new_v4(), Uuid::new_v4());
    fixture.insert_user(owner, "sdk-keys-owner@example.com");
    fixture.write(&[Row::Project(ProjectRow {
        id: ProjectId::from_uuid(project),
        name: "Payments".to_owned(),
        description: "Card payments".to_owned(),
        owner: UserId::from_uuid(owner),
        is_active: true,
        created_at: Timestamp::new(at("2026-04-16T14:00:00Z")),
    })]);
    (fixture, ProjectId::from_uuid(project))
}

fn new_key(project: ProjectId, prefix: &str) -> NewSdkKey {
    NewSdkKey {
        id: SdkKeyId::from_uuid(Uuid::new_v4()),
        project,
        prefix: prefix.to_owned(),
        hashed_key: format!("pbkdf2_sha256$720000$salt${prefix}"),
        created_at: created(),
        expires_at: Timestamp::new(at("2026-04-16T14:30:00.123456Z") + Duration::days(300)),
    }
}

fn found<F: Fixture>(fixture: &F, prefix: &str) -> Vec<StoredSdkKey> {
    fixture
        .sdk_key_store()
        .sdk_keys_with_prefixes(&[prefix])
        .expect("the SDK key store answers")
}

/// The new key comes back by its prefix as written, with its project,
/// usable until it expires and not after.
pub fn a_created_sdk_key_is_found_by_its_prefix_and_usable_until_it_expires<F: Fixture>() {
    let (fixture, project) = with_project::<F>();
    let key = new_key(project, "Q2xhdWRlLXR");

    fixture
        .sdk_key_writer()
        .create_sdk_key(&key)
        .expect("the key is written");

    let stored = found(&fixture, "Q2xhdWRlLXR");
    assert_eq!(stored.len(), 1, "{stored:?}");
    let stored = &stored[0];
    assert_eq!(
        (stored.id, stored.project, &stored.hashed_key),
        (key.id, project, &key.hashed_key)
    );
    assert_eq!(stored.project_name, "Payments");
    assert_eq!(
        (stored.active, stored.revoked_at, stored.last_used_at),
        (true, None, None)
    );
    assert_eq!(stored.expires_at, Some(key.expires_at));
    assert!(stored.usable_at(created()));
    assert!(!stored.usable_at(key.expires_at));
}

/// A key whose id is taken is refused, and the first one stays as it was.
pub fn an_sdk_key_whose_id_is_taken_is_refused<F: Fixture>() {
    let (fixture, project) = with_project::<F>();
    let first = new_key(project, "firstprefix");
    let writer = fixture.sdk_key_writer();
    writer.create_sdk_key(&first).expect("the key is written");

    let refused = writer.create_sdk_key(&NewSdkKey {
        id: first.id,
        ..new_key(project, "otherprefix")
    });

    assert!(
        matches!(refused, Err(StoreError::Failure(_))),
        "{refused:?}"
    );
    assert!(found(&fixture, "otherprefix").is_empty());
    assert_eq!(found(&fixture, "firstprefix").len(), 1);
}

/// An active key of the project is revoked once, at `at`; a second
/// revoke, another project's revoke or an unknown key revokes nothing.
pub fn an_sdk_key_is_revoked_once_and_only_within_its_project<F: Fixture>() {
    let (fixture, project) = with_project::<F>();
    let key = new_key(project, "revokeprefx");
    let writer = fixture.sdk_key_writer();
    writer.create_sdk_key(&key).expect("the key is written");
    let at = Timestamp::new(at("2026-04-17T09:00:00.654321Z"));
    let elsewhere = ProjectId::from_uuid(Uuid::new_v4());

    let unknown = writer
        .revoke_sdk_key(project, SdkKeyId::from_uuid(Uuid::new_v4()), at)
        .expect("the store answers");
    let other_project = writer
        .revoke_sdk_key(elsewhere, key.id, at)
        .expect("the store answers");
    assert!(!unknown && !other_project);
    assert!(found(&fixture, "revokeprefx")[0].usable_at(created()));

    let first = writer
        .revoke_sdk_key(project, key.id, at)
        .expect("the store answers");
    let second = writer
        .revoke_sdk_key(project, key.id, at)
        .expect("the store answers");

    assert!(first && !second);
    let stored = &found(&fixture, "revokeprefx")[0];
    assert_eq!((stored.active, stored.revoked_at), (false, Some(at)));
    assert!(!stored.usable_at(created()));
}
