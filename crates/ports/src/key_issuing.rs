//! Issuing new agent keys and SDK keys in UASAM's format, so that UASAM can
//! still verify every key this service hands out. Behind a port so that the
//! use cases' tests can fix what would otherwise be random.

/// Which key to issue: the kind decides the text before the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An agent key, `agent_<prefix>_<secret>` (`X-OTAS-AGENT-KEY`).
    Agent,
    /// A project's backend SDK key, `otas_<prefix>_<secret>`
    /// (`X-OTAS-SDK-KEY`).
    Sdk,
}

impl KeyKind {
    /// The key's first part, before its first `_`: `agent` or `otas`.
    pub fn tag(self) -> &'static str {
        match self {
            KeyKind::Agent => "agent",
            KeyKind::Sdk => "otas",
        }
    }
}

/// A whole key in clear, as the creating answer shows it once. Its `Debug`
/// never prints it, and it has no `Display`: a raw key must not reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct RawKey(String);

impl RawKey {
    /// Wraps a key just issued.
    pub fn new(key: String) -> Self {
        Self(key)
    }

    /// The key itself, for the one answer that shows it (and for tests).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// By hand: the raw key is a secret, never printed.
impl std::fmt::Debug for RawKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RawKey([redacted])")
    }
}

/// A key just issued: what to show once, and what to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedKey {
    /// The whole key, `<tag>_<prefix>_<secret>`: shown once, never stored.
    pub raw: RawKey,
    /// The key's prefix, stored in clear (`agent_key.prefix`,
    /// `backend_api_key.prefix`): how a presented key finds its row.
    pub prefix: String,
    /// Django's `make_password` of the whole key,
    /// `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`: what is stored.
    pub hashed_key: String,
}

/// Why no key could be issued. The text is for the log only; it never
/// reaches a client, and never holds key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyIssuingError {
    /// The source of randomness failed, or gave what no sound source gives.
    /// The request may succeed later; nothing was issued.
    #[error("no randomness for a new key: {0}")]
    Randomness(String),
}

/// Issues new keys, each verifiable by UASAM as well as by this service.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait KeyIssuer: std::fmt::Debug + Send + Sync {
    /// Implementations MUST return a new key `<kind tag>_<prefix>_<secret>`
    /// drawn from a cryptographically secure source, with UASAM's shape:
    /// `<prefix>` 11 URL-safe base64 characters containing no `_` (UASAM
    /// splits a key at its first two `_`), `<secret>` 43 URL-safe base64
    /// characters; `prefix` that prefix; and `hashed_key` Django's
    /// `make_password` of the whole key (`pbkdf2_sha256`, 720,000
    /// iterations, a fresh 22-character salt), which Django's
    /// `check_password` and [`crate::AgentKeyHasher::verify`] accept. They
    /// MUST NOT log the key. Expensive: one PBKDF2 at 720,000 rounds, so
    /// callers run it off the HTTP workers.
    fn issue(&self, kind: KeyKind) -> Result<IssuedKey, KeyIssuingError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_key_never_prints_in_debug() {
        let issued = IssuedKey {
            raw: RawKey::new("agent_Q2xhdWRlLXR_secret-part".to_owned()),
            prefix: "Q2xhdWRlLXR".to_owned(),
            hashed_key: "pbkdf2_sha256$720000$salt$hash".to_owned(),
        };

        let printed = format!("{issued:?} {:?}", issued.raw);

        assert!(!printed.contains("secret-part"), "{printed}");
        assert!(printed.contains("[redacted]"), "{printed}");
        assert_eq!(issued.raw.expose(), "agent_Q2xhdWRlLXR_secret-part");
    }

    #[test]
    fn each_kind_names_the_tag_uasam_writes() {
        assert_eq!(KeyKind::Agent.tag(), "agent");
        assert_eq!(KeyKind::Sdk.tag(), "otas");
    }
}
