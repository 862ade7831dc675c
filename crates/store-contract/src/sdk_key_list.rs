//! `SdkKeyCatalog`: a project's SDK keys, active or not, newest first
//! (equal times by descending id), only its own, at most the limit.

use otas_domain::{ProjectId, SdkKeyId, Timestamp, UserId};
use otas_ports::{ListedSdkKey, ProjectRow, Row, SdkKeyRow};
use uuid::Uuid;

use crate::support::at;
use crate::Fixture;

/// A store holding two active projects and nothing else.
fn two_projects<F: Fixture>() -> (F, ProjectId, ProjectId) {
    let mut fixture = F::migrated();
    let (owner, project, other) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    fixture.insert_user(owner, "sdk-list-owner@example.com");
    let project_row = |id: Uuid| {
        Row::Project(ProjectRow {
            id: ProjectId::from_uuid(id),
            name: "Payments".to_owned(),
            description: String::new(),
            owner: UserId::from_uuid(owner),
            is_active: true,
            created_at: Timestamp::new(at("2026-04-16T14:00:00Z")),
        })
    };
    fixture.write(&[project_row(project), project_row(other)]);
    (
        fixture,
        ProjectId::from_uuid(project),
        ProjectId::from_uuid(other),
    )
}

/// A key of `project` created at `created`, with id `id`.
fn key_row(id: u128, project: ProjectId, created: &str) -> SdkKeyRow {
    SdkKeyRow {
        id: SdkKeyId::from_uuid(Uuid::from_u128(id)),
        project,
        prefix: format!("prefix{id:05}"),
        hashed_key: "pbkdf2_sha256$720000$salt$hash".to_owned(),
        name: None,
        active: true,
        created_at: Timestamp::new(at(created)),
        revoked_at: None,
        expires_at: None,
    }
}

fn listed(row: &SdkKeyRow) -> ListedSdkKey {
    ListedSdkKey {
        id: row.id,
        prefix: row.prefix.clone(),
        name: row.name.clone(),
        created_at: row.created_at,
        expires_at: row.expires_at,
        active: row.active,
        revoked_at: row.revoked_at,
    }
}

/// Every key of the project, revoked and expired ones included, as
/// written, newest first; equal times by descending id; never another
/// project's.
pub fn a_projects_sdk_keys_are_listed_newest_first_revoked_ones_included<F: Fixture>() {
    let (mut fixture, project, other) = two_projects::<F>();
    let oldest = key_row(1, project, "2026-04-01T00:00:00.000001Z");
    let revoked = SdkKeyRow {
        name: Some("backend".to_owned()),
        active: false,
        revoked_at: Some(Timestamp::new(at("2026-04-03T00:00:00.5Z"))),
        expires_at: Some(Timestamp::new(at("2026-05-01T00:00:00Z"))),
        ..key_row(2, project, "2026-04-02T00:00:00Z")
    };
    let tie_low = key_row(3, project, "2026-04-05T00:00:00Z");
    let tie_high = key_row(4, project, "2026-04-05T00:00:00Z");
    let elsewhere = key_row(5, other, "2026-04-06T00:00:00Z");
    fixture.write(
        &[&oldest, &revoked, &tie_low, &tie_high, &elsewhere]
            .map(|row| Row::SdkKey((*row).clone())),
    );

    let keys = fixture
        .sdk_key_catalog()
        .project_sdk_keys(project, 100)
        .expect("the catalog answers");

    assert_eq!(
        keys,
        [&tie_high, &tie_low, &revoked, &oldest]
            .map(listed)
            .to_vec()
    );
}

/// At most `limit` keys: the newest.
pub fn the_sdk_key_list_holds_at_most_the_limit_the_newest<F: Fixture>() {
    let (mut fixture, project, _) = two_projects::<F>();
    let rows = [
        key_row(1, project, "2026-04-01T00:00:00Z"),
        key_row(2, project, "2026-04-02T00:00:00Z"),
        key_row(3, project, "2026-04-03T00:00:00Z"),
    ];
    fixture.write(&rows.clone().map(Row::SdkKey));

    let catalog = fixture.sdk_key_catalog();
    let two = catalog
        .project_sdk_keys(project, 2)
        .expect("the catalog answers");
    let none = catalog
        .project_sdk_keys(ProjectId::from_uuid(Uuid::new_v4()), 2)
        .expect("the catalog answers");

    assert_eq!(two, vec![listed(&rows[2]), listed(&rows[1])]);
    assert!(none.is_empty(), "{none:?}");
}
