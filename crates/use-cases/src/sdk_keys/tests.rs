use std::time::Duration;

use otas_domain::{AccessDenied, ProjectId, StoreFailure, UserId};
use otas_ports::{
    AccessFacts, InvalidToken, IssuedKey, MockAccessStore, MockClock, MockKeyIssuer,
    MockSdkKeyWriter, MockTokenVerifier, StoreError,
};

use super::*;
use crate::issuing::IssuingBudget;

const PROJECT: &str = "5c3e1f0a-4b2d-4e6f-8a9b-0c1d2e3f4a5b";

const ADMIN: AccessFacts = AccessFacts {
    user_exists: true,
    project_member: true,
    project_admin: true,
    agent_in_project: false,
};

fn now() -> Timestamp {
    Timestamp::from_micros(1_776_297_600_123_456).expect("in range")
}

fn request(validity: RequestedValidity) -> CreateSdkKeyRequest {
    CreateSdkKeyRequest {
        user_token: Some("token".into()),
        project_id: Some(PROJECT.into()),
        validity,
    }
}

fn use_case(facts: AccessFacts, issuer: MockKeyIssuer, keys: MockSdkKeyWriter) -> SdkKeys {
    let mut tokens = MockTokenVerifier::new();
    tokens.expect_verify_user_token().returning(|t| {
        if t == "token" {
            Ok(UserId::from_uuid(Uuid::from_u128(1)))
        } else {
            Err(InvalidToken)
        }
    });
    let mut access = MockAccessStore::new();
    access.expect_access_facts().returning(move |_| Ok(facts));
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    SdkKeys::new(
        AgentAdminPorts {
            tokens: Arc::new(tokens),
            access: Arc::new(access),
            issuer: Arc::new(issuer),
            clock: Arc::new(clock),
        },
        Arc::new(keys),
        IssuingTurns::new(IssuingBudget {
            concurrent: 1,
            waiting: 0,
            patience: Duration::ZERO,
        }),
    )
}

fn sdk_issuer() -> MockKeyIssuer {
    let mut issuer = MockKeyIssuer::new();
    issuer
        .expect_issue()
        .withf(|kind| *kind == KeyKind::Sdk)
        .times(1)
        .returning(|_| {
            Ok(IssuedKey {
                raw: RawKey::new("otas_Q2xhdWRlLXR_secret".into()),
                prefix: "Q2xhdWRlLXR".into(),
                hashed_key: "pbkdf2_sha256$720000$salt$hash".into(),
            })
        });
    issuer
}

#[test]
fn a_new_sdk_key_is_written_for_the_days_asked_and_shown_once() {
    let mut keys = MockSdkKeyWriter::new();
    keys.expect_create_sdk_key()
        .withf(|key| {
            key.project == ProjectId::parse(PROJECT).expect("a UUID")
                && key.prefix == "Q2xhdWRlLXR"
                && key.hashed_key == "pbkdf2_sha256$720000$salt$hash"
                && key.created_at == now()
        })
        .times(1)
        .returning(|_| Ok(()));

    let created = use_case(ADMIN, sdk_issuer(), keys)
        .create_key(request(RequestedValidity::Days(300)))
        .expect("created");

    assert_eq!(created.raw.expose(), "otas_Q2xhdWRlLXR_secret");
    assert_eq!(
        created.row.expires_at.as_micros() - now().as_micros(),
        300 * 86_400 * 1_000_000
    );
}

#[test]
fn create_refuses_in_uasams_order_before_hashing() {
    let member = AccessFacts {
        project_admin: false,
        ..ADMIN
    };
    let outsider = AccessFacts {
        project_member: false,
        project_admin: false,
        ..ADMIN
    };
    use RequestedValidity as V;
    let payload = |reason| CreateSdkKeyError::InvalidPayload(reason);
    let cases = [
        (
            outsider,
            V::Days(30),
            CreateSdkKeyError::Denied(AccessDenied::NoProjectAccess),
        ),
        (
            member,
            V::NotJson,
            CreateSdkKeyError::Denied(AccessDenied::NotAdmin),
        ),
        (ADMIN, V::NotJson, CreateSdkKeyError::InvalidJson),
        (
            ADMIN,
            V::NotAnObject,
            payload(SdkKeyPayloadError::NotAnObject),
        ),
        (
            ADMIN,
            V::Missing,
            payload(SdkKeyPayloadError::ValidityRequired),
        ),
        (
            ADMIN,
            V::NotInteger,
            payload(SdkKeyPayloadError::ValidityNotInteger),
        ),
        (
            ADMIN,
            V::Days(0),
            payload(SdkKeyPayloadError::ValidityOutOfRange),
        ),
        (
            ADMIN,
            V::Days(301),
            payload(SdkKeyPayloadError::ValidityOutOfRange),
        ),
        (
            ADMIN,
            V::Days(i64::MAX),
            payload(SdkKeyPayloadError::ValidityOutOfRange),
        ),
    ];
    for (facts, validity, expected) in cases {
        // The issuer and writer mocks panic if asked.
        let answer = use_case(facts, MockKeyIssuer::new(), MockSdkKeyWriter::new())
            .create_key(request(validity));
        assert_eq!(answer, Err(expected), "{validity:?}");
    }
}

#[test]
fn a_busy_budget_or_a_failed_write_is_answered_as_such() {
    let busy = use_case(ADMIN, MockKeyIssuer::new(), MockSdkKeyWriter::new());
    let _all_turns = busy.turns.turns_for_test().try_take();
    assert_eq!(
        busy.create_key(request(RequestedValidity::Days(1))),
        Err(CreateSdkKeyError::Busy)
    );

    let mut keys = MockSdkKeyWriter::new();
    keys.expect_create_sdk_key()
        .returning(|_| Err(StoreError::Unavailable("down".into())));
    let answer =
        use_case(ADMIN, sdk_issuer(), keys).create_key(request(RequestedValidity::Days(1)));
    assert_eq!(
        answer,
        Err(CreateSdkKeyError::Store(StoreFailure::Unavailable))
    );
}

fn revoke_request(id: BodyId) -> RevokeSdkKeyRequest {
    RevokeSdkKeyRequest {
        user_token: Some("token".into()),
        project_id: Some(PROJECT.into()),
        id,
    }
}

#[test]
fn revoke_answers_the_key_or_why_not_in_uasams_order() {
    const KEY: &str = "7a1b2c3d-b5c6-7890-abcd-ef1234567890";
    let key = SdkKeyId::parse(KEY).expect("a UUID");
    let mut keys = MockSdkKeyWriter::new();
    keys.expect_revoke_sdk_key()
        .withf(move |project, k, at| {
            *project == ProjectId::parse(PROJECT).expect("a UUID") && *k == key && *at == now()
        })
        .times(1)
        .returning(|_, _, _| Ok(true));
    let revoked = use_case(ADMIN, MockKeyIssuer::new(), keys)
        .revoke_key(revoke_request(BodyId::Given(KEY.into())));
    assert_eq!(revoked, Ok(key));

    let mut gone = MockSdkKeyWriter::new();
    gone.expect_revoke_sdk_key().returning(|_, _, _| Ok(false));
    let answer = use_case(ADMIN, MockKeyIssuer::new(), gone)
        .revoke_key(revoke_request(BodyId::Given(KEY.into())));
    assert_eq!(answer, Err(RevokeSdkKeyError::KeyNotFound));

    let member = AccessFacts {
        project_admin: false,
        ..ADMIN
    };
    let cases = [
        (
            member,
            BodyId::InvalidBody,
            RevokeSdkKeyError::Denied(AccessDenied::NotAdmin),
        ),
        (ADMIN, BodyId::InvalidBody, RevokeSdkKeyError::InvalidJson),
        (ADMIN, BodyId::Missing, RevokeSdkKeyError::KeyIdRequired),
        (
            ADMIN,
            BodyId::Given("5".into()),
            RevokeSdkKeyError::KeyNotFound,
        ),
    ];
    for (facts, id, expected) in cases {
        // The writer mock panics if asked.
        let answer = use_case(facts, MockKeyIssuer::new(), MockSdkKeyWriter::new())
            .revoke_key(revoke_request(id.clone()));
        assert_eq!(answer, Err(expected), "{id:?}");
    }
}
