//! Agent keys as UASAM stores them: Django's `pbkdf2_sha256` hashes, and a
//! keyed fingerprint of a presented key for the cache of verified keys.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use otas_ports::AgentKeyHasher;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The most PBKDF2 iterations a stored hash may ask for: Django 5.x writes
/// 720,000 to 1,000,000; a stored value far beyond is refused rather than
/// obeyed (it could take minutes of CPU).
const MOST_ITERATIONS: u32 = 10_000_000;

/// Verifies keys against Django's hashes with RustCrypto's PBKDF2.
#[derive(Clone)]
pub struct DjangoKeyHasher {
    fingerprint_key: [u8; 32],
}

/// By hand: it holds a secret key, never printed.
impl std::fmt::Debug for DjangoKeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DjangoKeyHasher").finish_non_exhaustive()
    }
}

impl DjangoKeyHasher {
    /// A hasher whose fingerprints are keyed with `fingerprint_key` (random
    /// per process, say: fingerprints never leave it).
    pub fn new(fingerprint_key: [u8; 32]) -> Self {
        Self { fingerprint_key }
    }
}

impl AgentKeyHasher for DjangoKeyHasher {
    fn fingerprint(&self, presented: &str) -> [u8; 32] {
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.fingerprint_key) else {
            unreachable!("HMAC takes a key of any length")
        };
        mac.update(presented.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn verify(&self, presented: &str, stored_hash: &str) -> bool {
        let Some((iterations, salt, expected)) = parse_django_hash(stored_hash) else {
            return false;
        };
        let mut derived = vec![0_u8; expected.len()];
        pbkdf2::pbkdf2_hmac::<Sha256>(
            presented.as_bytes(),
            salt.as_bytes(),
            iterations,
            &mut derived,
        );
        derived.ct_eq(&expected).into()
    }
}

/// Django's `pbkdf2_sha256` hash of `key`, as UASAM stores agent keys: for
/// keys this service writes itself (the demo's, and each one
/// `DjangoKeyIssuer` issues): the one place that hashes.
pub fn django_pbkdf2_sha256(key: &str, salt: &str, iterations: u32) -> String {
    let mut derived = [0_u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(key.as_bytes(), salt.as_bytes(), iterations, &mut derived);
    format!(
        "pbkdf2_sha256${iterations}${salt}${}",
        STANDARD.encode(derived)
    )
}

/// `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`: its parts, when it is one.
fn parse_django_hash(stored: &str) -> Option<(u32, &str, Vec<u8>)> {
    let mut parts = stored.split('$');
    if parts.next()? != "pbkdf2_sha256" {
        return None;
    }
    let iterations: u32 = parts.next()?.parse().ok()?;
    let salt = parts.next()?;
    let hash = STANDARD.decode(parts.next()?).ok()?;
    if parts.next().is_some() || iterations == 0 || iterations > MOST_ITERATIONS || hash.is_empty()
    {
        return None;
    }
    Some((iterations, salt, hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{AGENT_KEYS, AGENT_KEY_WITH_UNDERSCORE};

    fn hasher() -> DjangoKeyHasher {
        DjangoKeyHasher::new([7; 32])
    }

    #[test]
    fn both_fixture_keys_verify_against_the_hashes_django_wrote() {
        for key in AGENT_KEYS {
            assert!(hasher().verify(key.key, key.hashed_key), "{}", key.prefix);
        }
        assert!(AGENT_KEY_WITH_UNDERSCORE.prefix.contains('_'));
    }

    #[test]
    fn a_hash_written_here_is_the_one_django_writes_and_verifies() {
        let [first, _] = AGENT_KEYS;
        let salt = first.hashed_key.split('$').nth(2).expect("a salt");
        assert_eq!(
            django_pbkdf2_sha256(first.key, salt, 720_000),
            first.hashed_key
        );
        assert!(hasher().verify("agent_x_y", &django_pbkdf2_sha256("agent_x_y", "s", 1_000)));
    }

    #[test]
    fn another_key_or_a_garbled_hash_does_not_verify() {
        let [first, second] = AGENT_KEYS;
        assert!(!hasher().verify(first.key, second.hashed_key));
        assert!(!hasher().verify(&format!("{}x", first.key), first.hashed_key));
        for garbled in [
            "",
            "pbkdf2_sha256$720000$salt",
            "pbkdf2_sha1$720000$salt$aGFzaA==",
            "pbkdf2_sha256$0$salt$aGFzaA==",
            "pbkdf2_sha256$99999999999$salt$aGFzaA==",
            "pbkdf2_sha256$1000$salt$not base64!",
            "pbkdf2_sha256$1000$salt$aGFzaA==$extra",
        ] {
            assert!(!hasher().verify(first.key, garbled), "{garbled}");
        }
    }

    #[test]
    fn fingerprints_are_keyed_and_never_the_key() {
        let key = AGENT_KEYS[0].key;
        let fingerprint = hasher().fingerprint(key);
        assert_eq!(fingerprint, hasher().fingerprint(key));
        assert_ne!(fingerprint, DjangoKeyHasher::new([8; 32]).fingerprint(key));
        assert_ne!(fingerprint, hasher().fingerprint(AGENT_KEYS[1].key));
        assert!(!fingerprint
            .windows(8)
            .any(|w| key.as_bytes().windows(8).any(|k| k == w)));
    }
}
