//! The checks of the session list, in order, against mocks of every port.
//! A mock without an expectation panics when called: those tests also prove
//! that a failed check stops before the next port is asked.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use otas_domain::{
    AgentId, InvalidParam, ListSessionsError, Meta, Order, ProjectId, RawListParams, Session,
    SessionId, SessionKey, SessionQuery, Timestamp, UserId,
};
use uuid::Uuid;

use super::{ListSessions, ListSessionsRequest};
use crate::access::{AccessFacts, AccessQuery, MockAccessStore};
use crate::cursor::MockCursorCodec;
use crate::sessions::MockSessionStore;
use crate::store::StoreError;
use crate::token::{InvalidToken, MockTokenVerifier};

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

fn request<'a>(
    token: Option<&'a str>,
    project: Option<&'a str>,
    agent: Option<&'a str>,
) -> ListSessionsRequest<'a> {
    ListSessionsRequest {
        user_token: token,
        project_id: project,
        agent_id: agent,
        params: RawListParams::default(),
    }
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
    )
}

const ALL_TRUE: AccessFacts = AccessFacts {
    user_exists: true,
    project_member: true,
    agent_in_project: true,
};

fn full_query() -> AccessQuery {
    AccessQuery {
        user: user(),
        project: Some(project()),
        agent: Some(agent()),
    }
}

#[test]
fn a_missing_or_empty_header_is_refused_before_the_token_is_read() {
    for (token, project) in [
        (None, Some(PROJECT)),
        (Some(TOKEN), None),
        (Some(""), Some(PROJECT)),
        (Some(TOKEN), Some("")),
        (None, None),
    ] {
        let list = use_case(
            MockTokenVerifier::new(),
            MockAccessStore::new(),
            MockSessionStore::new(),
        );
        assert_eq!(
            list.authorize(&request(token, project, Some(AGENT))),
            Err(ListSessionsError::MissingHeaders),
            "token {token:?}, project {project:?}"
        );
    }
}

#[test]
fn a_token_that_does_not_verify_is_refused_before_the_store_is_asked() {
    let mut tokens = MockTokenVerifier::new();
    tokens
        .expect_verify_user_token()
        .returning(|_| Err(InvalidToken));
    let list = use_case(tokens, MockAccessStore::new(), MockSessionStore::new());

    let answer = list.authorize(&request(Some("forged"), Some("not-a-uuid"), None));

    assert_eq!(answer, Err(ListSessionsError::InvalidToken));
}

#[test]
fn a_token_of_a_user_that_does_not_exist_is_invalid_even_when_later_checks_would_fail_too() {
    let facts = AccessFacts::default();
    let expected = AccessQuery {
        user: user(),
        project: None,
        agent: None,
    };
    let list = use_case(
        accepting_verifier(),
        store_answering(facts, expected),
        MockSessionStore::new(),
    );

    let answer = list.authorize(&request(Some(TOKEN), Some("not-a-uuid"), None));

    assert_eq!(answer, Err(ListSessionsError::InvalidToken));
}

#[test]
fn a_project_id_that_is_not_a_uuid_is_refused_before_the_agent_id_is_looked_at() {
    let facts = AccessFacts {
        user_exists: true,
        ..AccessFacts::default()
    };
    let expected = AccessQuery {
        user: user(),
        project: None,
        agent: None,
    };
    let list = use_case(
        accepting_verifier(),
        store_answering(facts, expected),
        MockSessionStore::new(),
    );

    let answer = list.authorize(&request(Some(TOKEN), Some("not-a-uuid"), None));

    assert_eq!(answer, Err(ListSessionsError::ProjectAccessDenied));
}

#[test]
fn a_user_without_an_active_membership_of_an_active_project_is_refused() {
    let facts = AccessFacts {
        user_exists: true,
        project_member: false,
        agent_in_project: true,
    };
    let list = use_case(
        accepting_verifier(),
        store_answering(facts, full_query()),
        MockSessionStore::new(),
    );

    let answer = list.authorize(&request(Some(TOKEN), Some(PROJECT), Some(AGENT)));

    assert_eq!(answer, Err(ListSessionsError::ProjectAccessDenied));
}

#[test]
fn a_missing_or_empty_agent_id_is_required_once_the_project_is_granted() {
    for agent_id in [None, Some("")] {
        let facts = AccessFacts {
            user_exists: true,
            project_member: true,
            agent_in_project: false,
        };
        let expected = AccessQuery {
            user: user(),
            project: Some(project()),
            agent: None,
        };
        let list = use_case(
            accepting_verifier(),
            store_answering(facts, expected),
            MockSessionStore::new(),
        );

        let answer = list.authorize(&request(Some(TOKEN), Some(PROJECT), agent_id));

        assert_eq!(
            answer,
            Err(ListSessionsError::AgentIdRequired),
            "agent_id {agent_id:?}"
        );
    }
}

#[test]
fn an_agent_id_that_is_not_a_uuid_is_not_found() {
    let facts = AccessFacts {
        user_exists: true,
        project_member: true,
        agent_in_project: false,
    };
    let expected = AccessQuery {
        user: user(),
        project: Some(project()),
        agent: None,
    };
    let list = use_case(
        accepting_verifier(),
        store_answering(facts, expected),
        MockSessionStore::new(),
    );

    let answer = list.authorize(&request(Some(TOKEN), Some(PROJECT), Some("12345")));

    assert_eq!(answer, Err(ListSessionsError::AgentNotFound));
}

#[test]
fn an_agent_that_is_not_active_in_the_project_is_not_found() {
    let facts = AccessFacts {
        user_exists: true,
        project_member: true,
        agent_in_project: false,
    };
    let list = use_case(
        accepting_verifier(),
        store_answering(facts, full_query()),
        MockSessionStore::new(),
    );

    let answer = list.authorize(&request(Some(TOKEN), Some(PROJECT), Some(AGENT)));

    assert_eq!(answer, Err(ListSessionsError::AgentNotFound));
}

#[test]
fn a_member_of_the_agents_project_is_granted_that_agent() {
    let list = use_case(
        accepting_verifier(),
        store_answering(ALL_TRUE, full_query()),
        MockSessionStore::new(),
    );

    let answer = list.authorize(&request(Some(TOKEN), Some(PROJECT), Some(AGENT)));

    let listing = answer.expect("granted");
    assert_eq!(listing.query, SessionQuery::all_of(agent()));
    assert_eq!(
        (listing.after, listing.limit, listing.include_total),
        (None, None, false)
    );
}

#[test]
fn a_malformed_parameter_is_reported_only_once_the_agent_is_granted() {
    let refused = AccessFacts {
        agent_in_project: false,
        ..ALL_TRUE
    };
    let mut bad = request(Some(TOKEN), Some(PROJECT), Some(AGENT));
    bad.params.limit = Some("0");
    let list = use_case(
        accepting_verifier(),
        store_answering(refused, full_query()),
        MockSessionStore::new(),
    );
    assert_eq!(list.authorize(&bad), Err(ListSessionsError::AgentNotFound));

    let list = use_case(
        accepting_verifier(),
        store_answering(ALL_TRUE, full_query()),
        MockSessionStore::new(),
    );
    assert_eq!(
        list.authorize(&bad),
        Err(ListSessionsError::InvalidParameter(InvalidParam::Limit))
    );
}

#[test]
fn a_cursor_is_opened_against_the_query_it_claims_to_continue() {
    let key = SessionKey::of(&session(9));
    let mut request = request(Some(TOKEN), Some(PROJECT), Some(AGENT));
    request.params.cursor = Some("sealed");
    request.params.order = Some("asc");
    let expected_binding = SessionQuery {
        order: Order::Asc,
        ..SessionQuery::all_of(agent())
    }
    .binding();
    let mut cursors = MockCursorCodec::new();
    cursors
        .expect_open()
        .withf(move |cursor, binding| cursor == "sealed" && binding == expected_binding)
        .return_once(move |_, _| Some(key));
    let list = with_cursors(
        accepting_verifier(),
        store_answering(ALL_TRUE, full_query()),
        MockSessionStore::new(),
        cursors,
    );

    let listing = list.authorize(&request).expect("granted");

    assert_eq!(listing.after, Some(key));
}

#[test]
fn a_cursor_that_does_not_open_is_invalid() {
    let mut request = request(Some(TOKEN), Some(PROJECT), Some(AGENT));
    request.params.cursor = Some("tampered");
    let mut cursors = MockCursorCodec::new();
    cursors.expect_open().return_once(|_, _| None);
    let list = with_cursors(
        accepting_verifier(),
        store_answering(ALL_TRUE, full_query()),
        MockSessionStore::new(),
        cursors,
    );

    assert_eq!(
        list.authorize(&request),
        Err(ListSessionsError::InvalidParameter(InvalidParam::Cursor))
    );
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

fn paged_listing(list: &ListSessions, limit: &'static str) -> crate::Listing {
    let mut request = request(Some(TOKEN), Some(PROJECT), Some(AGENT));
    request.params.limit = Some(limit);
    list.authorize(&request).expect("granted")
}

#[test]
fn a_page_reads_one_more_session_than_asked_to_know_whether_more_follow() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_sessions_after()
        .withf(|_, after, limit| after.is_none() && *limit == 3)
        .return_once(|_, _, _| Ok(vec![session(5), session(4), session(3)]));
    let mut cursors = MockCursorCodec::new();
    let last = SessionKey::of(&session(4));
    cursors
        .expect_seal()
        .withf(move |key, _| *key == last)
        .return_once(|_, _| "next".to_owned());
    let list = with_cursors(
        accepting_verifier(),
        store_answering(ALL_TRUE, full_query()),
        sessions,
        cursors,
    );
    let listing = paged_listing(&list, "2");

    let page = list.page(&listing).expect("a page");

    assert_eq!(page.sessions, vec![session(5), session(4)]);
    assert!(page.has_more);
    assert_eq!(page.next_cursor.as_deref(), Some("next"));
}

#[test]
fn the_last_page_has_no_next_cursor() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_sessions_after()
        .return_once(|_, _, _| Ok(vec![session(5), session(4)]));
    let list = use_case(
        accepting_verifier(),
        store_answering(ALL_TRUE, full_query()),
        sessions,
    );
    let listing = paged_listing(&list, "2");

    let page = list.page(&listing).expect("a page");

    assert_eq!(page.sessions.len(), 2);
    assert!(!page.has_more);
    assert_eq!(page.next_cursor, None);
}

#[test]
fn an_unreachable_store_is_unavailable_and_any_other_store_failure_is_internal() {
    for (error, expected) in [
        (
            StoreError::Unavailable("timed out".into()),
            ListSessionsError::Unavailable,
        ),
        (
            StoreError::Failure("syntax error".into()),
            ListSessionsError::Internal,
        ),
    ] {
        let mut access = MockAccessStore::new();
        access
            .expect_access_facts()
            .return_once(move |_| Err(error));
        let list = use_case(accepting_verifier(), access, MockSessionStore::new());

        let answer = list.authorize(&request(Some(TOKEN), Some(PROJECT), Some(AGENT)));

        assert_eq!(answer, Err(expected));
    }
}

#[test]
fn sessions_are_read_from_the_store_after_the_given_key() {
    let at: DateTime<Utc> = DateTime::from_timestamp(1_776_349_800, 0).expect("in range");
    let session = Session {
        id: SessionId::from_uuid(Uuid::from_u128(7)),
        agent_key_id: None,
        created_at: Timestamp::new(at),
        meta: Meta::empty(),
    };
    let after = SessionKey::of(&session);
    let returned = session.clone();
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_sessions_after()
        .withf(move |query, key, limit| {
            query.agent == agent()
                && query.order == Order::Desc
                && *key == Some(after)
                && *limit == 50
        })
        .return_once(move |_, _, _| Ok(vec![returned]));
    let list = use_case(MockTokenVerifier::new(), MockAccessStore::new(), sessions);

    let page = list.sessions_after(&SessionQuery::all_of(agent()), Some(after), 50);

    assert_eq!(page, Ok(vec![session]));
}

#[test]
fn a_store_failure_while_reading_sessions_is_reported_by_kind() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_sessions_after()
        .return_once(|_, _, _| Err(StoreError::Unavailable("connection refused".into())));
    let list = use_case(MockTokenVerifier::new(), MockAccessStore::new(), sessions);

    let page = list.sessions_after(&SessionQuery::all_of(agent()), None, 10);

    assert_eq!(page, Err(ListSessionsError::Unavailable));
}
