//! The session-listing use case against mocks of every port. A mock without
//! an expectation panics when called: the tests also prove which reads a
//! request does not make.

mod answers;
mod bytes;
mod checks;

use std::sync::Arc;

use chrono::DateTime;
use otas_domain::{
    AccessDenied, AgentId, InvalidParam, ListSessionsError, Meta, Order, ProjectId, Session,
    SessionId, SessionKey, SessionQuery, StoreFailure, Timestamp, UserId,
};
use uuid::Uuid;

use super::{ListSessions, ListSessionsRequest};

use otas_ports::{
    AccessFacts, AccessQuery, InvalidToken, MockAccessStore, MockCursorCodec, MockSessionStore,
    MockTokenVerifier, StoreError,
};

const TOKEN: &str = "a.user.token";
const PROJECT: &str = "5c3e1f0a-4b2d-4e6f-8a9b-0c1d2e3f4a5b";
const AGENT: &str = "d1e2f3a4-b5c6-7890-abcd-ef1234567890";

fn user() -> UserId {
    UserId::from_uuid(Uuid::from_u128(0x1111_1111_1111_1111_1111_1111_1111_1111))
}

fn project() -> ProjectId {
    ProjectId::parse(PROJECT).expect("fixture project id")
}

fn agent() -> AgentId {
    AgentId::parse(AGENT).expect("fixture agent id")
}

/// Sessions per round trip of a whole list, in these tests.
const BATCH: usize = 3;

fn request(token: Option<&str>, project: Option<&str>, agent: Option<&str>) -> ListSessionsRequest {
    ListSessionsRequest {
        user_token: token.map(str::to_owned),
        project_id: project.map(str::to_owned),
        agent_id: agent.map(str::to_owned),
        ..ListSessionsRequest::default()
    }
}

/// A request of the fixture user for the fixture agent.
fn granted() -> ListSessionsRequest {
    request(Some(TOKEN), Some(PROJECT), Some(AGENT))
}

fn accepting_verifier() -> MockTokenVerifier {
    let mut tokens = MockTokenVerifier::new();
    tokens
        .expect_verify_user_token()
        .withf(|token| token == TOKEN)
        .returning(|_| Ok(user()));
    tokens
}

fn store_answering(facts: AccessFacts, expected: AccessQuery) -> MockAccessStore {
    let mut access = MockAccessStore::new();
    access
        .expect_access_facts()
        .withf(move |query| *query == expected)
        .times(1)
        .returning(move |_| Ok(facts));
    access
}

fn use_case(
    tokens: MockTokenVerifier,
    access: MockAccessStore,
    sessions: MockSessionStore,
) -> ListSessions {
    with_cursors(tokens, access, sessions, MockCursorCodec::new())
}

fn with_cursors(
    tokens: MockTokenVerifier,
    access: MockAccessStore,
    sessions: MockSessionStore,
    cursors: MockCursorCodec,
) -> ListSessions {
    ListSessions::new(
        Arc::new(tokens),
        Arc::new(access),
        Arc::new(sessions),
        Arc::new(cursors),
        BATCH,
    )
}

const ALL_TRUE: AccessFacts = AccessFacts {
    user_exists: true,
    project_member: true,
    project_admin: false,
    agent_in_project: true,
};

fn full_query() -> AccessQuery {
    AccessQuery {
        user: user(),
        project: Some(project()),
        agent: Some(agent()),
    }
}

fn session(n: u128) -> Session {
    Session {
        id: SessionId::from_uuid(Uuid::from_u128(n)),
        agent_key_id: None,
        created_at: Timestamp::new(
            DateTime::from_timestamp(1_776_349_800 + n as i64, 0).expect("in range"),
        ),
        meta: Meta::empty(),
    }
}
