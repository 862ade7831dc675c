//! Writing user tokens as UASAM's login endpoint does, for operators and tests
//! (`otas-server token`).

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use otas_domain::UserId;
use secrecy::SecretString;
use serde::Serialize;

use crate::keys::encoding_key;
use crate::user_token::JwtConfigError;

#[derive(Debug, Serialize)]
struct Claims<'a> {
    user_id: String,
    email: &'a str,
    exp: i64,
    iat: i64,
}

/// Signs user tokens with the current secret, HS256, with UASAM's claims.
pub struct JwtUserTokenIssuer {
    key: EncodingKey,
}

/// By hand: it holds a secret key, never printed.
impl std::fmt::Debug for JwtUserTokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtUserTokenIssuer").finish_non_exhaustive()
    }
}

impl JwtUserTokenIssuer {
    /// An issuer signing with `secret`.
    pub fn new(secret: &SecretString) -> Result<Self, JwtConfigError> {
        Ok(Self {
            key: encoding_key(secret)?,
        })
    }

    /// A token for `user`, issued at `now` (Unix seconds) and valid for
    /// `valid_for_seconds` (UASAM gives 30 days).
    pub fn issue(
        &self,
        user: UserId,
        email: &str,
        now: i64,
        valid_for_seconds: i64,
    ) -> Result<String, JwtConfigError> {
        let claims = Claims {
            user_id: user.to_string(),
            email,
            exp: now.saturating_add(valid_for_seconds),
            iat: now,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.key)
            .map_err(|e| JwtConfigError::Unusable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use otas_ports::TokenVerifier;

    use super::*;
    use crate::JwtUserTokenVerifier;

    #[test]
    fn an_issued_token_verifies_under_the_same_secret_only() {
        let secret = SecretString::from("s3cret");
        let user = UserId::parse("11111111-1111-1111-1111-111111111111").expect("uuid");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let token = JwtUserTokenIssuer::new(&secret)
            .expect("issuer")
            .issue(user, "ada@example.com", now, 3600)
            .expect("token");

        let same = JwtUserTokenVerifier::new(&[secret]).expect("verifier");
        let other = JwtUserTokenVerifier::new(&[SecretString::from("other")]).expect("verifier");
        assert_eq!(same.verify_user_token(&token), Ok(user));
        assert!(other.verify_user_token(&token).is_err());
    }

    #[test]
    fn an_expired_issued_token_is_refused() {
        let secret = SecretString::from("s3cret");
        let user = UserId::parse("11111111-1111-1111-1111-111111111111").expect("uuid");
        let token = JwtUserTokenIssuer::new(&secret)
            .expect("issuer")
            .issue(user, "ada@example.com", 1_700_000_000, 60)
            .expect("token");

        assert!(JwtUserTokenVerifier::new(&[secret])
            .expect("verifier")
            .verify_user_token(&token)
            .is_err());
    }
}
