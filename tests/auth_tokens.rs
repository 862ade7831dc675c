//! The user tokens UASAM issued, each with the answer the contract gives it,
//! over HTTP through the real binary, on both stores.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::tokens::{self, BOB_VALID, VALID};
use support::world::*;
use support::{error_body, on_both_stores, Store, TestApp, World};

on_both_stores!(the_valid_fixture_tokens_list_their_users_agents);
async fn the_valid_fixture_tokens_list_their_users_agents(store: Store) {
    let world = World::new(store);
    let app = TestApp::spawn(world.url()).await;

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
    let app = TestApp::spawn(world.url()).await;

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
    let app = TestApp::spawn(world.url()).await;

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
    let app = TestApp::spawn_with(
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
    let app = TestApp::spawn_with(world.url(), &[("JWT_SECRET", "the-new-secret")]).await;

    let response = app
        .list(
            Some(VALID),
            Some(&PROJECT_A.to_string()),
            &format!("agent_id={AGENT_A}"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

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
