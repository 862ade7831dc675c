//! New agent keys and SDK keys made as UASAM makes them, so that UASAM
//! verifies ours as we verify its own:
//!
//! - the prefix is Python's `secrets.token_urlsafe(8)` (8 random bytes in
//!   URL-safe base64, unpadded: 11 characters) and the secret its
//!   `token_urlsafe(32)` (32 bytes: 43 characters);
//! - the hash is Django 5.0's `make_password`: `pbkdf2_sha256`, 720,000
//!   iterations, a salt of 22 characters of `a-zA-Z0-9` drawn as its
//!   `get_random_string(22)` draws them.
//!
//! One difference, on purpose: a prefix containing `_` is drawn again.
//! UASAM splits a key at its first two `_` (`full_key.split("_", 2)`), so it
//! could not find the row of such a key. Drawing again (rejection) keeps the
//! prefix exactly uniform over the prefixes without `_`; mapping `_` to
//! another character would make that character twice as likely. It costs
//! about a quarter of a bit of the prefix's 64 (10 characters from 63
//! instead of 64; the 11th carries 4 bits and is never `_`), and one draw in
//! seven (1 - (63/64)^10) is repeated.
//!
//! The randomness comes through [`RandomSource`]: the operating system's
//! ([`OsRandom`]) in production, a scripted one in tests
//! (`ScriptedRandom`, feature `test-support`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use otas_ports::{IssuedKey, KeyIssuer, KeyIssuingError, KeyKind, RawKey};

use crate::agent_key::django_pbkdf2_sha256;

/// The PBKDF2 iterations of every hash issued here: Django 5.0's default,
/// the version UASAM pins (5.1 writes 870,000, 5.2 1,000,000; UASAM and this
/// service read the count from the stored hash either way).
pub const ISSUED_KEY_ITERATIONS: u32 = 720_000;

/// Random bytes behind a prefix: `token_urlsafe(8)`, 11 characters.
const PREFIX_BYTES: usize = 8;
/// Random bytes behind a secret: `token_urlsafe(32)`, 43 characters.
const SECRET_BYTES: usize = 32;
/// Django's salt length: `ceil(128 / log2(62))`, 128 bits of entropy.
const SALT_CHARS: usize = 22;
/// Django's `RANDOM_STRING_CHARS`, in its order.
const SALT_ALPHABET: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// The largest multiple of 62 that fits in a byte: bytes at or above it are
/// dropped, so that `byte % 62` is uniform.
const SALT_BYTE_BOUND: u8 = 248;
/// Bytes drawn at once for a salt: 22 are kept from 32 with a probability
/// above 0.999999; otherwise another 32 are drawn.
const SALT_DRAW_BYTES: usize = 32;

/// How many draws in a row may be refused before the source is declared
/// broken: a sound source fails 64 prefix draws in a row with a probability
/// under 10^-53, so only a broken (or scripted) one ever reaches it, and
/// issuing ends rather than loops.
const MOST_DRAWS: usize = 64;

/// Where the random bytes of new keys and salts come from.
pub trait RandomSource: std::fmt::Debug + Send + Sync {
    /// Fills `dest` with bytes from a cryptographically secure source, or
    /// says why it cannot.
    fn fill(&self, dest: &mut [u8]) -> Result<(), KeyIssuingError>;
}

/// The operating system's randomness (`getrandom`: `getrandom(2)` on Linux),
/// as Python's `secrets` reads it (`os.urandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), KeyIssuingError> {
        getrandom::fill(dest).map_err(|e| KeyIssuingError::Randomness(e.to_string()))
    }
}

/// Issues keys in UASAM's format with Django's hash (the `KeyIssuer` port).
#[derive(Debug, Clone, Default)]
pub struct DjangoKeyIssuer<R = OsRandom> {
    random: R,
}

impl DjangoKeyIssuer<OsRandom> {
    /// An issuer drawing from the operating system: the one to deploy.
    pub fn new() -> Self {
        Self { random: OsRandom }
    }
}

impl<R: RandomSource> DjangoKeyIssuer<R> {
    /// An issuer drawing from `random`: tests pass a scripted source to fix
    /// the key.
    pub fn with_random(random: R) -> Self {
        Self { random }
    }

    /// A key and its prefix, unhashed: `<tag>_<prefix>_<secret>`.
    fn draw_key(&self, kind: KeyKind) -> Result<(RawKey, String), KeyIssuingError> {
        let prefix = self.draw_prefix()?;
        let mut secret = [0_u8; SECRET_BYTES];
        self.random.fill(&mut secret)?;
        let raw = format!("{}_{prefix}_{}", kind.tag(), URL_SAFE_NO_PAD.encode(secret));
        Ok((RawKey::new(raw), prefix))
    }

    /// `token_urlsafe(8)`, drawn again while it holds `_`.
    fn draw_prefix(&self) -> Result<String, KeyIssuingError> {
        for _ in 0..MOST_DRAWS {
            let mut bytes = [0_u8; PREFIX_BYTES];
            self.random.fill(&mut bytes)?;
            let prefix = URL_SAFE_NO_PAD.encode(bytes);
            if !prefix.contains('_') {
                return Ok(prefix);
            }
        }
        Err(KeyIssuingError::Randomness(format!(
            "{MOST_DRAWS} prefixes in a row held `_`: the source is not random"
        )))
    }

    /// Django's `get_random_string(22)`: each character uniform over
    /// `a-zA-Z0-9` (bytes from 248 up are dropped, then `byte % 62`).
    fn draw_salt(&self) -> Result<String, KeyIssuingError> {
        let mut salt = String::with_capacity(SALT_CHARS);
        for _ in 0..MOST_DRAWS {
            let mut bytes = [0_u8; SALT_DRAW_BYTES];
            self.random.fill(&mut bytes)?;
            for byte in bytes.into_iter().filter(|b| *b < SALT_BYTE_BOUND) {
                salt.push(char::from(SALT_ALPHABET[usize::from(byte % 62)]));
                if salt.len() == SALT_CHARS {
                    return Ok(salt);
                }
            }
        }
        Err(KeyIssuingError::Randomness(format!(
            "{MOST_DRAWS} draws of {SALT_DRAW_BYTES} bytes gave no salt: the source is not random"
        )))
    }
}

impl<R: RandomSource> KeyIssuer for DjangoKeyIssuer<R> {
    fn issue(&self, kind: KeyKind) -> Result<IssuedKey, KeyIssuingError> {
        let (raw, prefix) = self.draw_key(kind)?;
        let salt = self.draw_salt()?;
        let hashed_key = django_pbkdf2_sha256(raw.expose(), &salt, ISSUED_KEY_ITERATIONS);
        Ok(IssuedKey {
            raw,
            prefix,
            hashed_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use otas_domain::agent_key::candidate_prefixes;

    use super::*;
    use crate::ScriptedRandom;

    fn url_safe(text: &str) -> bool {
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    #[test]
    fn a_thousand_drawn_keys_have_uasams_shape_and_no_underscore_in_the_prefix() {
        let issuer = DjangoKeyIssuer::new();
        for kind in [KeyKind::Agent, KeyKind::Sdk] {
            for _ in 0..500 {
                let (raw, prefix) = issuer.draw_key(kind).expect("a key");
                let parts: Vec<&str> = raw.expose().splitn(3, '_').collect();

                assert_eq!(parts.len(), 3);
                assert_eq!(parts[0], kind.tag());
                assert_eq!(parts[1], prefix);
                assert_eq!(prefix.len(), 11);
                assert!(url_safe(&prefix) && !prefix.contains('_'), "{prefix}");
                assert_eq!(parts[2].len(), 43);
                assert!(url_safe(parts[2]));
            }
        }
    }

    #[test]
    fn a_drawn_agent_key_is_found_by_its_first_candidate_prefix() {
        let (raw, prefix) = DjangoKeyIssuer::new()
            .draw_key(KeyKind::Agent)
            .expect("a key");

        assert_eq!(candidate_prefixes(raw.expose()).first(), Some(&&*prefix));
    }

    #[test]
    fn salts_are_22_characters_of_djangos_alphabet_and_differ() {
        let issuer = DjangoKeyIssuer::new();
        let salts: Vec<String> = (0..100)
            .map(|_| issuer.draw_salt().expect("a salt"))
            .collect();

        for salt in &salts {
            assert_eq!(salt.len(), 22);
            assert!(salt.bytes().all(|b| b.is_ascii_alphanumeric()), "{salt}");
        }
        let mut distinct = salts.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), salts.len());
    }

    #[test]
    fn a_prefix_with_an_underscore_is_drawn_again() {
        // 8 bytes of 0xff encode as `__________8`; the next 8 as `AAECAwQFBgc`.
        let mut script = vec![0xff; 8];
        script.extend(0..8);
        let issuer = DjangoKeyIssuer::with_random(ScriptedRandom::new(script));

        assert_eq!(issuer.draw_prefix(), Ok("AAECAwQFBgc".to_owned()));
    }

    #[test]
    fn a_source_that_always_gives_underscores_ends_in_an_error_not_a_loop() {
        let issuer = DjangoKeyIssuer::with_random(ScriptedRandom::new(vec![0xff]));

        assert!(matches!(
            issuer.draw_prefix(),
            Err(KeyIssuingError::Randomness(_))
        ));
        assert!(matches!(
            issuer.draw_salt(),
            Err(KeyIssuingError::Randomness(_))
        ));
    }

    #[test]
    fn salt_bytes_from_248_up_are_skipped_and_the_rest_taken_modulo_62() {
        let mut script = vec![248, 255, 0, 61, 62, 247];
        script.extend([1; 26]);
        let issuer = DjangoKeyIssuer::with_random(ScriptedRandom::new(script));

        assert_eq!(issuer.draw_salt(), Ok(format!("a9a9{}", "b".repeat(18))));
    }

    #[test]
    fn a_failing_source_issues_nothing() {
        #[derive(Debug)]
        struct Broken;
        impl RandomSource for Broken {
            fn fill(&self, _: &mut [u8]) -> Result<(), KeyIssuingError> {
                Err(KeyIssuingError::Randomness("no entropy".to_owned()))
            }
        }

        assert_eq!(
            DjangoKeyIssuer::with_random(Broken).issue(KeyKind::Agent),
            Err(KeyIssuingError::Randomness("no entropy".to_owned()))
        );
    }
}
