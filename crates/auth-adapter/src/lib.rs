#![doc = include_str!("../README.md")]

mod cursor;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
mod issue;
mod user_token;

pub use cursor::HmacCursorCodec;
pub use issue::JwtUserTokenIssuer;
pub use user_token::{JwtConfigError, JwtUserTokenVerifier};
