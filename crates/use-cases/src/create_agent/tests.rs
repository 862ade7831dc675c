use std::time::Duration;

use otas_domain::{AccessDenied, ProjectId, UserId};
use otas_ports::{
    AccessFacts, InvalidToken, IssuedKey, KeyIssuingError, MockAccessStore, MockAgentWriter,
    MockClock, MockKeyIssuer, MockTokenVerifier, StoreError,
};

use super::*;
use crate::issuing::IssuingBudget;

const PROJECT: &str = "5c3e1f0a-4b2d-4e6f-8a9b-0c1d2e3f4a5b";
const ADA: u128 = 1;

const ADMIN: AccessFacts = AccessFacts {
    user_exists: true,
    project_member: true,
    project_admin: true,
    agent_in_project: false,
};

fn now() -> Timestamp {
    Timestamp::from_micros(1_776_297_600_123_456).expect("in range")
}

fn issued() -> IssuedKey {
    IssuedKey {
        raw: RawKey::new("agent_Q2xhdWRlLXR_secret".into()),
        prefix: "Q2xhdWRlLXR".into(),
        hashed_key: "pbkdf2_sha256$720000$salt$hash".into(),
    }
}

fn request() -> CreateAgentRequest {
    CreateAgentRequest {
        user_token: Some("token".into()),
        project_id: Some(PROJECT.into()),
        agent: Some(AgentDraft {
            name: "summarizer".into(),
            description: "reads".into(),
            provider: "anthropic".into(),
        }),
    }
}

fn budget() -> IssuingTurns {
    IssuingTurns::new(IssuingBudget {
        concurrent: 1,
        waiting: 0,
        patience: Duration::ZERO,
    })
}

fn use_case(
    facts: Option<AccessFacts>,
    issuer: MockKeyIssuer,
    writer: MockAgentWriter,
    turns: IssuingTurns,
) -> CreateAgent {
    let mut tokens = MockTokenVerifier::new();
    tokens.expect_verify_user_token().returning(|t| {
        if t == "token" {
            Ok(UserId::from_uuid(Uuid::from_u128(ADA)))
        } else {
            Err(InvalidToken)
        }
    });
    let mut access = MockAccessStore::new();
    if let Some(facts) = facts {
        access.expect_access_facts().returning(move |_| Ok(facts));
    }
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    CreateAgent::new(
        AgentAdminPorts {
            tokens: Arc::new(tokens),
            access: Arc::new(access),
            issuer: Arc::new(issuer),
            clock: Arc::new(clock),
        },
        Arc::new(writer),
        turns,
    )
}

fn issuing_once() -> MockKeyIssuer {
    let mut issuer = MockKeyIssuer::new();
    issuer
        .expect_issue()
        .withf(|kind| *kind == KeyKind::Agent)
        .times(1)
        .returning(|_| Ok(issued()));
    issuer
}

#[test]
fn an_admin_creates_the_agent_and_its_30_day_key_in_one_write() {
    let mut writer = MockAgentWriter::new();
    writer
        .expect_create_agent()
        .withf(|agent, key| {
            agent.name == "summarizer"
                && agent.description == "reads"
                && agent.provider == "anthropic"
                && agent.project == ProjectId::parse(PROJECT).expect("a UUID")
                && agent.created_by == UserId::from_uuid(Uuid::from_u128(ADA))
                && agent.created_at == now()
                && key.agent == agent.id
                && key.prefix == "Q2xhdWRlLXR"
                && key.hashed_key == "pbkdf2_sha256$720000$salt$hash"
                && key.created_at == now()
        })
        .times(1)
        .returning(|_, _| Ok(()));

    let created = use_case(Some(ADMIN), issuing_once(), writer, budget())
        .create(request())
        .expect("created");

    assert_eq!(created.key.raw.expose(), "agent_Q2xhdWRlLXR_secret");
    assert_eq!(
        created.key.row.expires_at.as_micros() - now().as_micros(),
        30 * 86_400 * 1_000_000
    );
}

#[test]
fn refusals_come_in_uasams_order_before_any_key_is_issued() {
    let cases = [
        (
            CreateAgentRequest::default(),
            None,
            CreateAgentError::Denied(AccessDenied::MissingCredentials),
        ),
        (
            CreateAgentRequest {
                user_token: Some("forged".into()),
                ..request()
            },
            None,
            CreateAgentError::Denied(AccessDenied::InvalidToken),
        ),
        (
            request(),
            Some(AccessFacts {
                project_member: false,
                project_admin: false,
                ..ADMIN
            }),
            CreateAgentError::Denied(AccessDenied::NoProjectAccess),
        ),
        (
            // A member with no body: the privilege answers first.
            CreateAgentRequest {
                agent: None,
                ..request()
            },
            Some(AccessFacts {
                project_admin: false,
                ..ADMIN
            }),
            CreateAgentError::Denied(AccessDenied::NotAdmin),
        ),
        (
            CreateAgentRequest {
                agent: None,
                ..request()
            },
            Some(ADMIN),
            CreateAgentError::InvalidBody,
        ),
    ];
    for (request, facts, expected) in cases {
        // The issuer and writer mocks panic if asked: a refusal never is.
        let answer = use_case(
            facts,
            MockKeyIssuer::new(),
            MockAgentWriter::new(),
            budget(),
        )
        .create(request.clone());
        assert_eq!(answer, Err(expected), "{request:?}");
    }
}

#[test]
fn with_every_issuing_turn_taken_the_call_is_busy_without_hashing() {
    let turns = budget();
    let _held = turns.turns_for_test().try_take().expect("a free turn");

    let answer = use_case(
        Some(ADMIN),
        MockKeyIssuer::new(),
        MockAgentWriter::new(),
        turns,
    )
    .create(request());

    assert_eq!(answer, Err(CreateAgentError::Busy));
}

#[test]
fn a_failed_issuer_or_store_is_a_store_failure_and_no_key_is_shown() {
    let mut failing = MockKeyIssuer::new();
    failing
        .expect_issue()
        .returning(|_| Err(KeyIssuingError::Randomness("no entropy".into())));
    let answer = use_case(Some(ADMIN), failing, MockAgentWriter::new(), budget()).create(request());
    assert_eq!(
        answer,
        Err(CreateAgentError::Store(otas_domain::StoreFailure::Internal))
    );

    let mut writer = MockAgentWriter::new();
    writer
        .expect_create_agent()
        .returning(|_, _| Err(StoreError::Unavailable("down".into())));
    let answer = use_case(Some(ADMIN), issuing_once(), writer, budget()).create(request());
    assert_eq!(
        answer,
        Err(CreateAgentError::Store(
            otas_domain::StoreFailure::Unavailable
        ))
    );
}
