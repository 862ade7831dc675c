//! The auth adapter: verifies the user tokens that OTAS UASAM issues.
//!
//! UASAM signs a JWT with HS256 and the deployment's shared secret; this
//! adapter accepts exactly those tokens, under the current secret or one of
//! the previous ones (so that a secret can be rotated without logging every
//! user out). It also seals the page cursors, with a key derived from the
//! current secret.

mod cursor;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
mod issue;
mod user_token;

pub use cursor::HmacCursorCodec;
pub use issue::JwtUserTokenIssuer;
pub use user_token::{JwtConfigError, JwtUserTokenVerifier};
