//! Agent session tokens (`X-OTAS-AGENT-SESSION-TOKEN`), as UASAM writes them:
//! HS256 with the deployment's secret, claims `agent_session_id`, `agent_id`,
//! `exp` (30 days after creation) and `iat`.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use otas_domain::{AgentId, SessionId, Timestamp};
use otas_ports::{InvalidToken, SessionTokenIssuer, StoreError};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::keys::{decoding_keys, encoding_key, hs256_validation};
use crate::user_token::JwtConfigError;

/// How long a session token is valid, as UASAM issues it.
const VALID_FOR_SECONDS: i64 = 30 * 86_400;

#[derive(Debug, Serialize, Deserialize)]
struct SessionClaims {
    agent_session_id: String,
    agent_id: String,
    exp: i64,
    iat: i64,
}

/// Signs agent session tokens with the current secret.
pub struct JwtSessionTokenIssuer {
    key: EncodingKey,
}

/// By hand: it holds a secret key, never printed.
impl std::fmt::Debug for JwtSessionTokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSessionTokenIssuer")
            .finish_non_exhaustive()
    }
}

impl JwtSessionTokenIssuer {
    /// An issuer signing with `secret`.
    pub fn new(secret: &SecretString) -> Result<Self, JwtConfigError> {
        Ok(Self {
            key: encoding_key(secret)?,
        })
    }
}

impl SessionTokenIssuer for JwtSessionTokenIssuer {
    fn issue_session_token(
        &self,
        session: SessionId,
        agent: AgentId,
        now: Timestamp,
    ) -> Result<String, StoreError> {
        let iat = now.as_micros().div_euclid(1_000_000);
        let claims = SessionClaims {
            agent_session_id: session.to_string(),
            agent_id: agent.to_string(),
            exp: iat.saturating_add(VALID_FOR_SECONDS),
            iat,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.key)
            .map_err(|e| StoreError::Failure(format!("cannot sign a session token: {e}")))
    }
}

/// Checks agent session tokens, for the OTAS backends that receive them.
pub struct JwtSessionTokenVerifier {
    keys: Vec<DecodingKey>,
    validation: Validation,
}

/// By hand: it holds a secret key, never printed.
impl std::fmt::Debug for JwtSessionTokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSessionTokenVerifier")
            .finish_non_exhaustive()
    }
}

impl JwtSessionTokenVerifier {
    /// A verifier accepting tokens signed with any of `secrets`.
    pub fn new(secrets: &[SecretString]) -> Result<Self, JwtConfigError> {
        Ok(Self {
            keys: decoding_keys(secrets)?,
            validation: hs256_validation(),
        })
    }

    /// The session and the agent a valid, unexpired token names.
    pub fn verify(&self, token: &str) -> Result<(SessionId, AgentId), InvalidToken> {
        let claims = self
            .keys
            .iter()
            .find_map(|key| decode::<SessionClaims>(token, key, &self.validation).ok())
            .ok_or(InvalidToken)?
            .claims;
        let session = SessionId::parse(&claims.agent_session_id).map_err(|_| InvalidToken)?;
        let agent = AgentId::parse(&claims.agent_id).map_err(|_| InvalidToken)?;
        Ok((session, agent))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use uuid::Uuid;

    use super::*;

    fn now() -> Timestamp {
        let micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(0));
        Timestamp::from_micros(micros).expect("in range")
    }

    #[test]
    fn a_session_token_names_its_session_and_agent_for_thirty_days() {
        let secret = SecretString::from("the-secret");
        let (session, agent) = (
            SessionId::from_uuid(Uuid::new_v4()),
            AgentId::from_uuid(Uuid::new_v4()),
        );
        let token = JwtSessionTokenIssuer::new(&secret)
            .expect("a secret")
            .issue_session_token(session, agent, now())
            .expect("a token");

        let verified = JwtSessionTokenVerifier::new(&[secret])
            .expect("a secret")
            .verify(&token);
        let other = JwtSessionTokenVerifier::new(&[SecretString::from("another")])
            .expect("a secret")
            .verify(&token);

        assert_eq!(verified, Ok((session, agent)));
        assert_eq!(other, Err(InvalidToken));
        let payload = token.split('.').nth(1).expect("a payload");
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .expect("base64url"),
        )
        .expect("JSON claims");
        let lifetime = claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat");
        assert_eq!(lifetime, 30 * 86_400);
    }
}
