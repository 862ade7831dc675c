use std::time::Duration;

use otas_domain::{ProjectId, StoreFailure, Timestamp, UserId};
use otas_ports::{
    AccessFacts, InvalidToken, IssuedKey, MockAccessStore, MockAgentKeyWriter, MockClock,
    MockKeyIssuer, MockTokenVerifier, RawKey,
};

use super::*;
use crate::issuing::IssuingBudget;

const PROJECT: &str = "5c3e1f0a-4b2d-4e6f-8a9b-0c1d2e3f4a5b";
const AGENT: &str = "d1e2f3a4-b5c6-7890-abcd-ef1234567890";
const KEY: &str = "7a1b2c3d-b5c6-7890-abcd-ef1234567890";

const ADMIN: AccessFacts = AccessFacts {
    user_exists: true,
    project_member: true,
    project_admin: true,
    agent_in_project: true,
};

fn now() -> Timestamp {
    Timestamp::from_micros(1_776_297_600_123_456).expect("in range")
}

fn request(id: BodyId) -> AgentKeyRequest {
    AgentKeyRequest {
        user_token: Some("token".into()),
        project_id: Some(PROJECT.into()),
        id,
    }
}

fn use_case(facts: AccessFacts, issuer: MockKeyIssuer, keys: MockAgentKeyWriter) -> AgentKeys {
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
    AgentKeys::new(
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

#[test]
fn a_new_key_replaces_the_agents_keys_in_one_write_and_is_shown_once() {
    let mut issuer = MockKeyIssuer::new();
    issuer.expect_issue().times(1).returning(|_| {
        Ok(IssuedKey {
            raw: RawKey::new("agent_Q2xhdWRlLXR_secret".into()),
            prefix: "Q2xhdWRlLXR".into(),
            hashed_key: "pbkdf2_sha256$720000$salt$hash".into(),
        })
    });
    let mut keys = MockAgentKeyWriter::new();
    keys.expect_replace_keys()
        .withf(|project, key| {
            *project == ProjectId::parse(PROJECT).expect("a UUID")
                && key.agent == AgentId::parse(AGENT).expect("a UUID")
                && key.prefix == "Q2xhdWRlLXR"
                && key.created_at == now()
        })
        .times(1)
        .returning(|_, _| Ok(true));

    let created = use_case(ADMIN, issuer, keys)
        .create_key(request(BodyId::Given(AGENT.into())))
        .expect("created");

    assert_eq!(created.raw.expose(), "agent_Q2xhdWRlLXR_secret");
    assert_eq!(
        created.row.expires_at.as_micros() - now().as_micros(),
        30 * 86_400 * 1_000_000
    );
}

#[test]
fn key_create_refuses_in_uasams_order_before_hashing() {
    let outside = AccessFacts {
        agent_in_project: false,
        ..ADMIN
    };
    let member = AccessFacts {
        project_admin: false,
        ..ADMIN
    };
    let cases = [
        (
            member,
            BodyId::InvalidBody,
            CreateAgentKeyError::Denied(AccessDenied::NotAdmin),
        ),
        (ADMIN, BodyId::InvalidBody, CreateAgentKeyError::InvalidJson),
        (
            ADMIN,
            BodyId::Missing,
            CreateAgentKeyError::Denied(AccessDenied::MissingAgentId),
        ),
        (
            outside,
            BodyId::Given(AGENT.into()),
            CreateAgentKeyError::Denied(AccessDenied::AgentNotFound),
        ),
        (
            ADMIN,
            BodyId::Given("5".into()),
            CreateAgentKeyError::Denied(AccessDenied::AgentNotFound),
        ),
    ];
    for (facts, id, expected) in cases {
        // The issuer and writer mocks panic if asked.
        let answer = use_case(facts, MockKeyIssuer::new(), MockAgentKeyWriter::new())
            .create_key(request(id.clone()));
        assert_eq!(answer, Err(expected), "{id:?}");
    }
}

#[test]
fn revoke_answers_the_key_or_why_not() {
    let key = AgentKeyId::parse(KEY).expect("a UUID");
    let mut keys = MockAgentKeyWriter::new();
    keys.expect_revoke_key()
        .withf(move |_, asked, at| *asked == key && *at == now())
        .times(1)
        .returning(|_, _, _| Ok(true));
    assert_eq!(
        use_case(ADMIN, MockKeyIssuer::new(), keys).revoke_key(request(BodyId::Given(KEY.into()))),
        Ok(key)
    );

    let mut keys = MockAgentKeyWriter::new();
    keys.expect_revoke_key().returning(|_, _, _| Ok(false));
    assert_eq!(
        use_case(ADMIN, MockKeyIssuer::new(), keys).revoke_key(request(BodyId::Given(KEY.into()))),
        Err(RevokeAgentKeyError::KeyNotFound)
    );

    let mut keys = MockAgentKeyWriter::new();
    keys.expect_revoke_key()
        .returning(|_, _, _| Err(otas_ports::StoreError::Unavailable("down".into())));
    assert_eq!(
        use_case(ADMIN, MockKeyIssuer::new(), keys).revoke_key(request(BodyId::Given(KEY.into()))),
        Err(RevokeAgentKeyError::Store(StoreFailure::Unavailable))
    );

    let member = AccessFacts {
        project_admin: false,
        ..ADMIN
    };
    let cases = [
        (
            member,
            BodyId::Given(KEY.into()),
            RevokeAgentKeyError::Denied(AccessDenied::NotAdmin),
        ),
        (ADMIN, BodyId::InvalidBody, RevokeAgentKeyError::InvalidJson),
        (ADMIN, BodyId::Missing, RevokeAgentKeyError::KeyIdRequired),
        (
            ADMIN,
            BodyId::Given("not-a-uuid".into()),
            RevokeAgentKeyError::KeyNotFound,
        ),
    ];
    for (facts, id, expected) in cases {
        let answer = use_case(facts, MockKeyIssuer::new(), MockAgentKeyWriter::new())
            .revoke_key(request(id.clone()));
        assert_eq!(answer, Err(expected), "{id:?}");
    }
}
