//! Agent sessions, as they are listed.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::value::RawValue;

use crate::ids::{AgentKeyId, SessionId};

/// One agent session. Written once, at creation, and never edited.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// The session's own id.
    pub id: SessionId,
    /// The key the agent opened the session with; `None` once that key was deleted.
    pub agent_key_id: Option<AgentKeyId>,
    /// When the session was created, to the microsecond.
    pub created_at: Timestamp,
    /// Whatever the agent attached to the session, exactly as stored.
    pub meta: Meta,
}

/// A point in time, in UTC, with microsecond precision (PostgreSQL's `timestamptz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Wraps a UTC time; anything finer than a microsecond is dropped, as the database would.
    pub fn new(at: DateTime<Utc>) -> Self {
        let micros = at.timestamp_micros();
        Self(DateTime::from_timestamp_micros(micros).unwrap_or(at))
    }

    /// The wrapped time.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// Microseconds since the Unix epoch.
    pub fn as_micros(&self) -> i64 {
        self.0.timestamp_micros()
    }

    /// The time `micros` microseconds after the Unix epoch, when representable.
    pub fn from_micros(micros: i64) -> Option<Self> {
        DateTime::from_timestamp_micros(micros).map(Self)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self::new(at)
    }
}

/// UASAM's wire form: RFC 3339, exactly six fractional digits and `+00:00`,
/// e.g. `2026-04-16T14:30:00.000000+00:00`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Micros, false))
    }
}

/// The stored value is not one JSON value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("session meta must be one JSON value")]
pub struct MetaError;

/// A session's `meta`: one JSON value kept as the exact text the store gave,
/// so that key order, unicode and number spelling survive the round trip.
///
/// Usually an object, but UASAM's own session creation stores whatever JSON
/// an agent sends (`[1, 2]`, `"text"`, `5`), so any value is a valid meta:
/// one odd row must never fail a listing.
#[derive(Debug, Clone)]
pub struct Meta(Box<RawValue>);

impl Meta {
    /// Checks that `json` is one JSON value and keeps its text as it is.
    pub fn from_json(json: String) -> Result<Self, MetaError> {
        RawValue::from_string(json).map(Self).map_err(|_| MetaError)
    }

    /// Whether the value is a JSON object (the only kind a filter matches).
    pub fn is_object(&self) -> bool {
        self.0.get().trim_start().starts_with('{')
    }

    /// The empty object `{}`.
    pub fn empty() -> Self {
        Self::from_json("{}".to_owned()).unwrap_or_else(|_| unreachable!("{{}} is an object"))
    }

    /// The JSON text, exactly as stored.
    pub fn as_raw(&self) -> &RawValue {
        &self.0
    }

    /// The JSON text, exactly as stored.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }
}

/// Two metas are equal when they hold the same JSON value, whatever the spacing.
impl PartialEq for Meta {
    fn eq(&self, other: &Self) -> bool {
        let left: Result<serde_json::Value, _> = serde_json::from_str(self.as_str());
        let right: Result<serde_json::Value, _> = serde_json::from_str(other.as_str());
        matches!((left, right), (Ok(l), Ok(r)) if l == r)
    }
}

/// What one session takes in a listing's answer besides its `meta`: the two
/// ids, the time, the keys and the punctuation (`{"id":"…","agent_key_id":
/// "…","created_at":"…","meta":…},` is 156 bytes with both ids present).
pub const SESSION_OVERHEAD_BYTES: usize = 160;

/// The bytes a session whose `meta` text is `meta_len` bytes takes in an
/// answer (an upper bound: `meta` as stored, the rest at its largest). What
/// pages, batches and reads are bounded by.
pub const fn answer_bytes(meta_len: usize) -> usize {
    meta_len.saturating_add(SESSION_OVERHEAD_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_print_six_fractional_digits_and_a_numeric_utc_offset() {
        let at = Utc
            .with_ymd_and_hms(2026, 4, 16, 14, 30, 0)
            .single()
            .expect("valid date");
        assert_eq!(
            Timestamp::new(at).to_string(),
            "2026-04-16T14:30:00.000000+00:00"
        );
    }

    #[test]
    fn timestamps_keep_microseconds_and_drop_nanoseconds() {
        let at = DateTime::from_timestamp(1_776_349_800, 123_456_789).expect("in range");
        assert_eq!(
            Timestamp::new(at).to_string(),
            "2026-04-16T14:30:00.123456+00:00"
        );
    }

    #[test]
    fn meta_keeps_its_text_exactly() {
        let text = r#"{"b": 1.50, "a": "é", "n": {"x": [1, {"y": null}]}}"#;
        let meta = Meta::from_json(text.to_owned()).expect("an object");
        assert_eq!(meta.as_str(), text);
    }

    #[test]
    fn meta_is_any_one_json_value() {
        for odd in ["[1, 2]", "\"text\"", "5", "null", "true"] {
            let meta = Meta::from_json(odd.to_owned()).expect("a JSON value");
            assert_eq!(meta.as_str(), odd);
            assert!(!meta.is_object(), "{odd}");
        }
        assert!(Meta::from_json(" {\"a\": 1}".to_owned())
            .expect("an object")
            .is_object());
        assert_eq!(Meta::from_json("{".to_owned()).err(), Some(MetaError));
        assert_eq!(Meta::from_json("1 2".to_owned()).err(), Some(MetaError));
    }
}
