//! The fixture tokens of the OTAS auth contract, each with the answer it must get.

use otas_domain::UserId;
use otas_ports::{InvalidToken, TokenVerifier};
use secrecy::SecretString;

use super::{JwtConfigError, JwtUserTokenVerifier};

use crate::fixtures;

fn verifier(secrets: &[&str]) -> JwtUserTokenVerifier {
    let secrets: Vec<SecretString> = secrets.iter().map(|s| SecretString::from(*s)).collect();
    JwtUserTokenVerifier::new(&secrets).expect("usable secrets")
}

fn user(id: &str) -> UserId {
    UserId::parse(id).expect("fixture user id")
}

#[test]
fn valid_tokens_name_their_user() {
    let tokens = verifier(&[fixtures::TEST_SECRET]);
    assert_eq!(
        tokens.verify_user_token(fixtures::VALID),
        Ok(user("11111111-1111-1111-1111-111111111111"))
    );
    assert_eq!(
        tokens.verify_user_token(fixtures::BOB_VALID),
        Ok(user("22222222-2222-2222-2222-222222222222"))
    );
}

#[test]
fn a_token_of_an_unknown_user_verifies_here_and_is_refused_by_the_store_check() {
    let tokens = verifier(&[fixtures::TEST_SECRET]);
    assert_eq!(
        tokens.verify_user_token(fixtures::UNKNOWN_USER),
        Ok(user("99999999-9999-9999-9999-999999999999"))
    );
}

#[test]
fn every_other_refused_fixture_token_is_invalid() {
    let tokens = verifier(&[fixtures::TEST_SECRET]);
    for (case, token) in fixtures::REFUSED
        .iter()
        .filter(|(case, _)| *case != "unknown_user")
    {
        assert_eq!(
            tokens.verify_user_token(token),
            Err(InvalidToken),
            "case {case}"
        );
    }
}

#[test]
fn text_that_is_not_a_jwt_is_invalid() {
    let tokens = verifier(&[fixtures::TEST_SECRET]);
    for token in ["", "Bearer x", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9"] {
        assert_eq!(
            tokens.verify_user_token(token),
            Err(InvalidToken),
            "token {token:?}"
        );
    }
}

#[test]
fn a_previous_secret_still_verifies_after_rotation() {
    let tokens = verifier(&["the-new-secret", fixtures::TEST_SECRET]);
    assert_eq!(
        tokens.verify_user_token(fixtures::VALID),
        Ok(user("11111111-1111-1111-1111-111111111111"))
    );
}

#[test]
fn a_token_signed_with_a_secret_no_longer_configured_is_invalid() {
    let tokens = verifier(&["the-new-secret"]);
    assert_eq!(tokens.verify_user_token(fixtures::VALID), Err(InvalidToken));
}

#[test]
fn no_secret_or_an_empty_secret_is_a_configuration_error() {
    assert_eq!(
        JwtUserTokenVerifier::new(&[]).err(),
        Some(JwtConfigError::NoSecret)
    );
    assert_eq!(
        JwtUserTokenVerifier::new(&[SecretString::from("")]).err(),
        Some(JwtConfigError::EmptySecret)
    );
}
