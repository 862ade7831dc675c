//! `X-OTAS-USER-TOKEN`: HS256 JWTs with claims `user_id`, `email`, `exp`, `iat`.

use jsonwebtoken::{decode, DecodingKey, Validation};
use otas_domain::UserId;
use otas_ports::{InvalidToken, TokenVerifier};
use secrecy::SecretString;
use serde::Deserialize;

use crate::keys::{decoding_keys, hs256_validation};

/// The verifier cannot be built from the configured secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtConfigError {
    /// Not one secret was configured: every token would be refused.
    #[error("no JWT secret is configured (set JWT_SECRET)")]
    NoSecret,
    /// A configured secret is empty, which would let anyone forge a token.
    #[error("a configured JWT secret is empty")]
    EmptySecret,
    /// The JWT library refused a secret.
    #[error("a configured JWT secret cannot be used: {0}")]
    Unusable(String),
}

/// The claims this service reads; the others (`email`, `iat`) are ignored.
#[derive(Debug, Deserialize)]
struct UserClaims {
    user_id: String,
}

/// Verifies user tokens under one or more HS256 secrets, the current one first.
pub struct JwtUserTokenVerifier {
    keys: Vec<DecodingKey>,
    validation: Validation,
}

/// By hand: it holds a secret key, never printed.
impl std::fmt::Debug for JwtUserTokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtUserTokenVerifier")
            .field("secrets", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl JwtUserTokenVerifier {
    /// Builds a verifier accepting tokens signed with any of `secrets`.
    pub fn new(secrets: &[SecretString]) -> Result<Self, JwtConfigError> {
        let mut validation = hs256_validation();
        validation.validate_nbf = true;
        Ok(Self {
            keys: decoding_keys(secrets)?,
            validation,
        })
    }
}

impl TokenVerifier for JwtUserTokenVerifier {
    fn verify_user_token(&self, token: &str) -> Result<UserId, InvalidToken> {
        let claims = self
            .keys
            .iter()
            .find_map(|key| decode::<UserClaims>(token, key, &self.validation).ok())
            .ok_or(InvalidToken)?
            .claims;
        UserId::parse(&claims.user_id).map_err(|_| InvalidToken)
    }
}

#[cfg(test)]
mod tests;
