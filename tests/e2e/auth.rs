//! Who may list: the checks in the contract's order, isolation between
//! projects, UASAM's fixture tokens, secret rotation, credential headers sent
//! twice.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::app::LIST_PATH;
use crate::support::tokens::{self, BOB_VALID, UNKNOWN_USER, VALID};
use crate::support::world::*;
use crate::support::{
    agent_query, assert_error, error_body, json_of, on_both_stores, Store, TestApp, World,
};

on_both_stores!(a_missing_or_empty_header_is_400_missing_headers);
async fn a_missing_or_empty_header_is_400_missing_headers(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let project = PROJECT_A.to_string();
    let query = agent_query(AGENT_A);

    for (token, project) in [
        (None, Some(project.as_str())),
        (Some(VALID), None),
        (Some(""), Some(project.as_str())),
        (Some(VALID), Some("")),
        (None, None),
    ] {
        assert_error(
            app.list(token, project, &query).await,
            StatusCode::BAD_REQUEST,
            "missing_headers",
        )
        .await;
    }
    // Checked first: even without agent_id and with a token that is not one.
    assert_error(
        app.list(Some("garbage"), None, "").await,
        StatusCode::BAD_REQUEST,
        "missing_headers",
    )
    .await;
}

on_both_stores!(a_project_that_is_not_granted_is_403_user_project_mapping_invalid);
async fn a_project_that_is_not_granted_is_403_user_project_mapping_invalid(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;

    for (project, why) in [
        ("not-a-uuid".to_owned(), "not a UUID"),
        (Uuid::new_v4().to_string(), "no such project"),
        (PROJECT_B.to_string(), "no mapping"),
        (PROJECT_LEFT.to_string(), "inactive mapping"),
        (PROJECT_CLOSED.to_string(), "inactive project"),
    ] {
        let response = app
            .list(Some(VALID), Some(&project), &agent_query(AGENT_A))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{why}");
        assert_eq!(
            json_of(response).await,
            error_body("user_project_mapping_invalid"),
            "{why}"
        );
    }
}

on_both_stores!(an_absent_or_empty_agent_id_is_400_agent_id_required);
async fn an_absent_or_empty_agent_id_is_400_agent_id_required(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let project = PROJECT_A.to_string();

    for query in ["", "agent_id=", "other=1"] {
        assert_error(
            app.list(Some(VALID), Some(&project), query).await,
            StatusCode::BAD_REQUEST,
            "agent_id_required",
        )
        .await;
    }
}

on_both_stores!(an_agent_that_cannot_be_read_is_403_agent_not_found_or_no_access);
async fn an_agent_that_cannot_be_read_is_403_agent_not_found_or_no_access(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let project = PROJECT_A.to_string();

    for (agent, why) in [
        ("12345".to_owned(), "not a UUID"),
        (Uuid::new_v4().to_string(), "no such agent"),
        (AGENT_A_INACTIVE.to_string(), "inactive agent"),
        (AGENT_B.to_string(), "agent of another project"),
        (AGENT_LEFT.to_string(), "agent of a project the user left"),
    ] {
        let response = app
            .list(Some(VALID), Some(&project), &format!("agent_id={agent}"))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{why}");
        assert_eq!(
            json_of(response).await,
            error_body("agent_not_found_or_no_access"),
            "{why}"
        );
    }
}

on_both_stores!(the_checks_run_in_the_contracts_order);
async fn the_checks_run_in_the_contracts_order(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;

    // Token before project, project before agent id, agent id before agent.
    assert_error(
        app.list(Some(UNKNOWN_USER), Some("not-a-uuid"), "").await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_error(
        app.list(Some("x.y.z"), Some(&PROJECT_B.to_string()), "")
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_error(
        app.list(Some(VALID), Some(&PROJECT_B.to_string()), "")
            .await,
        StatusCode::FORBIDDEN,
        "user_project_mapping_invalid",
    )
    .await;
    assert_error(
        app.list(Some(VALID), Some(&PROJECT_A.to_string()), "agent_id=")
            .await,
        StatusCode::BAD_REQUEST,
        "agent_id_required",
    )
    .await;
}

on_both_stores!(no_answer_ever_carries_another_projects_sessions);
async fn no_answer_ever_carries_another_projects_sessions(store: Store) {
    let world = World::new(store);
    let ada_session = Uuid::new_v4();
    world.session(ada_session, AGENT_A, None, at(1, 0), r#"{"owner": "ada"}"#);
    let app = TestApp::start(world.url()).await;

    let bob = json_of(
        app.list(
            Some(BOB_VALID),
            Some(&PROJECT_B.to_string()),
            &agent_query(AGENT_B),
        )
        .await,
    )
    .await;
    let bob_on_ada = app
        .list(
            Some(BOB_VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;
    let bob_via_own_project = app
        .list(
            Some(BOB_VALID),
            Some(&PROJECT_B.to_string()),
            &agent_query(AGENT_A),
        )
        .await;
    let ada = json_of(
        app.list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await,
    )
    .await;

    let bob_sessions = bob["response"]["sessions"].as_array().expect("sessions");
    assert_eq!(bob_sessions.len(), 1);
    assert_eq!(bob_sessions[0]["meta"], json!({"owner": "other"}));
    assert_error(
        bob_on_ada,
        StatusCode::FORBIDDEN,
        "user_project_mapping_invalid",
    )
    .await;
    assert_error(
        bob_via_own_project,
        StatusCode::FORBIDDEN,
        "agent_not_found_or_no_access",
    )
    .await;
    assert_eq!(
        ada["response"]["sessions"]
            .as_array()
            .expect("sessions")
            .len(),
        1
    );
    assert_eq!(
        ada["response"]["sessions"][0]["id"],
        ada_session.to_string()
    );
}

on_both_stores!(the_valid_fixture_tokens_list_their_users_agents);
async fn the_valid_fixture_tokens_list_their_users_agents(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;

    let ada = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;
    let bob = app
        .list(
            Some(BOB_VALID),
            Some(&PROJECT_B.to_string()),
            &format!("agent_id={AGENT_B}"),
        )
        .await;

    assert_eq!(ada.status(), StatusCode::OK);
    assert_eq!(bob.status(), StatusCode::OK);
    let bob: Value = bob.json().await.expect("JSON");
    assert_eq!(bob["response"]["agent_id"], AGENT_B.to_string());
}

on_both_stores!(every_refused_fixture_token_is_401_invalid_token);
async fn every_refused_fixture_token_is_401_invalid_token(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;

    for (case, token) in tokens::REFUSED {
        let response = app
            .list(
                Some(token),
                Some(&PROJECT_A.to_string()),
                &format!("agent_id={AGENT_A}"),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "case {case}");
        assert_eq!(
            response.json::<Value>().await.expect("JSON"),
            error_body("invalid_token"),
            "case {case}"
        );
    }
}

on_both_stores!(a_token_that_is_no_jwt_at_all_is_401_invalid_token);
async fn a_token_that_is_no_jwt_at_all_is_401_invalid_token(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;

    for token in [
        "x",
        "Bearer abc",
        "a.b.c",
        "....",
        &VALID[..VALID.len() - 1],
    ] {
        let response = app
            .list(
                Some(token),
                Some(&PROJECT_A.to_string()),
                &format!("agent_id={AGENT_A}"),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "token {token:?}"
        );
    }
}

on_both_stores!(tokens_signed_with_a_previous_secret_are_accepted_during_a_rotation);
async fn tokens_signed_with_a_previous_secret_are_accepted_during_a_rotation(store: Store) {
    let world = World::new(store);
    let app = TestApp::start_with(
        world.url(),
        &[
            ("JWT_SECRET", "the-new-secret"),
            (
                "OTAS__AUTH__PREVIOUS_JWT_SECRETS",
                "an-old-one, test-secret-please-rotate",
            ),
        ],
    )
    .await;

    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
}

on_both_stores!(once_a_secret_is_retired_its_tokens_are_refused);
async fn once_a_secret_is_retired_its_tokens_are_refused(store: Store) {
    let world = World::new(store);
    let app = TestApp::start_with(world.url(), &[("JWT_SECRET", "the-new-secret")]).await;

    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

// The process reads both variables: the binary, not the library, is tested.
on_both_stores!(the_otas_variable_wins_over_uasams_jwt_secret);
async fn the_otas_variable_wins_over_uasams_jwt_secret(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn_with(
        world.url(),
        &[
            ("JWT_SECRET", "stale"),
            ("OTAS__AUTH__JWT_SECRET", tokens::TEST_SECRET),
        ],
    )
    .await;

    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
}

on_both_stores!(a_credential_header_sent_twice_is_no_credential);
async fn a_credential_header_sent_twice_is_no_credential(store: Store) {
    let world = World::new(store);
    let app = TestApp::start(world.url()).await;
    let url = format!("{}{LIST_PATH}?agent_id={AGENT_A}", app.address);
    let project = PROJECT_A.to_string();
    let send = |tokens: &[&str], projects: &[&str]| {
        let mut request = app.client.get(&url);
        for token in tokens {
            request = request.header("X-OTAS-USER-TOKEN", *token);
        }
        for project in projects {
            request = request.header("X-OTAS-PROJECT-ID", *project);
        }
        request.send()
    };

    let once = send(&[VALID], &[&project]).await.expect("answer");
    let two_tokens = send(&[VALID, VALID], &[&project]).await.expect("answer");
    let two_projects = send(&[VALID], &[&project, &project]).await.expect("answer");

    assert_eq!(once.status(), StatusCode::OK);
    assert_eq!(two_tokens.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        two_tokens.json::<Value>().await.expect("JSON"),
        error_body("invalid_token")
    );
    assert_eq!(two_projects.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        two_projects.json::<Value>().await.expect("JSON"),
        error_body("user_project_mapping_invalid")
    );
}
