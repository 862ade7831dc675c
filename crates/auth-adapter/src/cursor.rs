//! Page cursors sealed with HMAC-SHA256: opaque to clients, bound to the
//! query they were issued for, and tamper-evident.
//!
//! A cursor is `base64url(created_at µs (8 bytes) ‖ id (16) ‖ tag (16))`, the
//! tag being the first 16 bytes of HMAC(key, binding ‖ 0 ‖ position). The key
//! is derived from the current JWT secret: rotating it ends open cursors,
//! which clients restart from the first page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use otas_domain::{SessionId, SessionKey, Timestamp};
use otas_ports::CursorCodec;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

const POSITION: usize = 24;
const TAG: usize = 16;

/// Seals and opens cursors with a key of its own.
#[derive(Clone)]
pub struct HmacCursorCodec {
    key: [u8; 32],
}

/// By hand: it holds a secret key, never printed.
impl std::fmt::Debug for HmacCursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacCursorCodec").finish_non_exhaustive()
    }
}

impl HmacCursorCodec {
    /// A codec whose key is derived from `secret` (the current JWT secret),
    /// so that the cursor key is never the token key itself.
    pub fn from_secret(secret: &SecretString) -> Self {
        let mut mac = mac_with(secret.expose_secret().as_bytes());
        mac.update(b"otas-session-cursor-v1");
        let mut key = [0u8; 32];
        key.copy_from_slice(&mac.finalize().into_bytes());
        Self { key }
    }

    fn tag(&self, binding: &str, position: &[u8]) -> [u8; TAG] {
        let mut mac = mac_with(&self.key);
        mac.update(binding.as_bytes());
        mac.update(&[0]);
        mac.update(position);
        let mut tag = [0u8; TAG];
        tag.copy_from_slice(&mac.finalize().into_bytes()[..TAG]);
        tag
    }
}

fn mac_with(key: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length.
    <HmacSha256 as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

impl CursorCodec for HmacCursorCodec {
    fn seal(&self, key: &SessionKey, binding: &str) -> String {
        let mut bytes = [0u8; POSITION + TAG];
        bytes[..8].copy_from_slice(&key.created_at.as_micros().to_be_bytes());
        bytes[8..POSITION].copy_from_slice(key.id.as_uuid().as_bytes());
        let tag = self.tag(binding, &bytes[..POSITION]);
        bytes[POSITION..].copy_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn open(&self, cursor: &str, binding: &str) -> Option<SessionKey> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        if bytes.len() != POSITION + TAG {
            return None;
        }
        let (position, tag) = bytes.split_at(POSITION);
        let mut mac = mac_with(&self.key);
        mac.update(binding.as_bytes());
        mac.update(&[0]);
        mac.update(position);
        // Constant-time comparison of the truncated tag.
        mac.verify_truncated_left(tag).ok()?;
        let micros = i64::from_be_bytes(position[..8].try_into().ok()?);
        let id = Uuid::from_slice(&position[8..]).ok()?;
        Some(SessionKey {
            created_at: Timestamp::from_micros(micros)?,
            id: SessionId::from_uuid(id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SessionKey {
        SessionKey {
            created_at: Timestamp::from_micros(1_776_349_800_123_456).expect("in range"),
            id: SessionId::from_uuid(Uuid::from_u128(0xf1e2_d3c4)),
        }
    }

    fn codec(secret: &str) -> HmacCursorCodec {
        HmacCursorCodec::from_secret(&SecretString::from(secret))
    }

    #[test]
    fn a_sealed_cursor_opens_to_its_position_for_the_same_query_only() {
        let codec = codec("s");
        let cursor = codec.seal(&key(), "query-a");

        assert_eq!(codec.open(&cursor, "query-a"), Some(key()));
        assert_eq!(codec.open(&cursor, "query-b"), None);
        assert!(
            cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{cursor}"
        );
    }

    #[test]
    fn any_changed_character_makes_a_cursor_invalid_never_another_position() {
        let codec = codec("s");
        let cursor = codec.seal(&key(), "q");
        for i in 0..cursor.len() {
            for replacement in ['A', 'z', '0', '-'] {
                let mut tampered: Vec<char> = cursor.chars().collect();
                if tampered[i] == replacement {
                    continue;
                }
                tampered[i] = replacement;
                let tampered: String = tampered.into_iter().collect();
                // The last character carries spare bits that base64 ignores:
                // the decoded bytes, not the text, are what must be intact.
                let opened = codec.open(&tampered, "q");
                assert!(opened.is_none() || opened == Some(key()), "position {i}");
                if URL_SAFE_NO_PAD.decode(&tampered).ok() != URL_SAFE_NO_PAD.decode(&cursor).ok() {
                    assert_eq!(opened, None, "position {i}");
                }
            }
        }
        assert_eq!(codec.open(&cursor[1..], "q"), None);
        assert_eq!(codec.open(&format!("{cursor}A"), "q"), None);
        assert_eq!(codec.open("not base64!", "q"), None);
        assert_eq!(codec.open("", "q"), None);
    }

    #[test]
    fn a_cursor_sealed_under_another_secret_does_not_open() {
        let cursor = codec("old").seal(&key(), "q");
        assert_eq!(codec("new").open(&cursor, "q"), None);
    }
}
