//! The checks of the session list, in the contract's order.

use super::*;

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
            Err(ListSessionsError::Denied(AccessDenied::MissingCredentials)),
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

    assert_eq!(
        answer,
        Err(ListSessionsError::Denied(AccessDenied::InvalidToken))
    );
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

    assert_eq!(
        answer,
        Err(ListSessionsError::Denied(AccessDenied::InvalidToken))
    );
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

    assert_eq!(
        answer,
        Err(ListSessionsError::Denied(AccessDenied::NoProjectAccess))
    );
}

#[test]
fn a_user_without_an_active_membership_of_an_active_project_is_refused() {
    let facts = AccessFacts {
        user_exists: true,
        project_member: false,
        project_admin: false,
        agent_in_project: true,
    };
    let list = use_case(
        accepting_verifier(),
        store_answering(facts, full_query()),
        MockSessionStore::new(),
    );

    let answer = list.authorize(&request(Some(TOKEN), Some(PROJECT), Some(AGENT)));

    assert_eq!(
        answer,
        Err(ListSessionsError::Denied(AccessDenied::NoProjectAccess))
    );
}

#[test]
fn a_missing_or_empty_agent_id_is_required_once_the_project_is_granted() {
    for agent_id in [None, Some("")] {
        let facts = AccessFacts {
            user_exists: true,
            project_member: true,
            project_admin: false,
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
            Err(ListSessionsError::Denied(AccessDenied::MissingAgentId)),
            "agent_id {agent_id:?}"
        );
    }
}

#[test]
fn an_agent_id_that_is_not_a_uuid_is_not_found() {
    let facts = AccessFacts {
        user_exists: true,
        project_member: true,
        project_admin: false,
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

    assert_eq!(
        answer,
        Err(ListSessionsError::Denied(AccessDenied::AgentNotFound))
    );
}

#[test]
fn an_agent_that_is_not_active_in_the_project_is_not_found() {
    let facts = AccessFacts {
        user_exists: true,
        project_member: true,
        project_admin: false,
        agent_in_project: false,
    };
    let list = use_case(
        accepting_verifier(),
        store_answering(facts, full_query()),
        MockSessionStore::new(),
    );

    let answer = list.authorize(&request(Some(TOKEN), Some(PROJECT), Some(AGENT)));

    assert_eq!(
        answer,
        Err(ListSessionsError::Denied(AccessDenied::AgentNotFound))
    );
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
        (
            listing.after,
            listing.shape.limit,
            listing.shape.include_total
        ),
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
    bad.params.limit = Some("0".into());
    let list = use_case(
        accepting_verifier(),
        store_answering(refused, full_query()),
        MockSessionStore::new(),
    );
    assert_eq!(
        list.authorize(&bad),
        Err(ListSessionsError::Denied(AccessDenied::AgentNotFound))
    );

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
    request.params.cursor = Some("sealed".into());
    request.params.order = Some("asc".into());
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
    request.params.cursor = Some("tampered".into());
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

#[test]
fn an_unreachable_store_is_unavailable_and_any_other_store_failure_is_internal() {
    for (error, expected) in [
        (
            StoreError::Unavailable("timed out".into()),
            ListSessionsError::Store(StoreFailure::Unavailable),
        ),
        (
            StoreError::Failure("syntax error".into()),
            ListSessionsError::Store(StoreFailure::Internal),
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
