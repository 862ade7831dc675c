#![doc = include_str!("../README.md")]

mod agent_key;
mod cursor;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
mod issue;
mod key_issuer;
mod keys;
#[cfg(any(test, feature = "test-support"))]
mod scripted_random;
mod session_token;
mod user_token;

pub use agent_key::{django_pbkdf2_sha256, DjangoKeyHasher};
pub use cursor::HmacCursorCodec;
pub use issue::JwtUserTokenIssuer;
pub use key_issuer::{DjangoKeyIssuer, OsRandom, RandomSource, ISSUED_KEY_ITERATIONS};
#[cfg(any(test, feature = "test-support"))]
pub use scripted_random::ScriptedRandom;
pub use session_token::{JwtSessionTokenIssuer, JwtSessionTokenVerifier};
pub use user_token::{JwtConfigError, JwtUserTokenVerifier};
