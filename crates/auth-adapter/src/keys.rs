//! The HS256 keys and validation every JWT of this crate shares: the
//! deployment's secrets, refused when empty, and no leeway on `exp`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use secrecy::{ExposeSecret, SecretString};

use crate::user_token::JwtConfigError;

/// The bytes of `secret`, refused when empty: an empty secret lets anyone
/// forge a token.
fn secret_bytes(secret: &SecretString) -> Result<&[u8], JwtConfigError> {
    let bytes = secret.expose_secret().as_bytes();
    if bytes.is_empty() {
        return Err(JwtConfigError::EmptySecret);
    }
    Ok(bytes)
}

/// The key signing with `secret`.
pub(crate) fn encoding_key(secret: &SecretString) -> Result<EncodingKey, JwtConfigError> {
    EncodingKey::from_secret(secret_bytes(secret)?)
        .map_err(|e| JwtConfigError::Unusable(e.to_string()))
}

/// The keys checking with any of `secrets`, the current one first.
pub(crate) fn decoding_keys(secrets: &[SecretString]) -> Result<Vec<DecodingKey>, JwtConfigError> {
    if secrets.is_empty() {
        return Err(JwtConfigError::NoSecret);
    }
    secrets
        .iter()
        .map(|secret| {
            DecodingKey::from_secret(secret_bytes(secret)?)
                .map_err(|e| JwtConfigError::Unusable(e.to_string()))
        })
        .collect()
}

/// HS256 only, `exp` required and checked with no leeway (PyJWT, which
/// issues these tokens, allows none either). A token whose header names any
/// other algorithm (`none`, HS512, RS256, ...) is refused before its
/// signature is read.
pub(crate) fn hs256_validation() -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp"]);
    validation.validate_exp = true;
    validation.leeway = 0;
    validation
}
