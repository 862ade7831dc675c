//! The `meta` filter of a listing: top-level keys and the scalar each must
//! equal, with the bounds that keep its cost and its meaning the same on
//! every store.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

/// The most keys a filter may hold.
pub const MAX_META_KEYS: usize = 16;

/// The longest filter, in bytes of its JSON text.
pub const MAX_META_BYTES: usize = 4096;

/// The most digits after the decimal point a filter number may have: what
/// PostgreSQL's `numeric` (jsonb's numbers) holds. A number beyond it could
/// be compared by no store alike, so it is refused everywhere.
const MAX_NUMERIC_SCALE: i64 = 16_383;

/// Top-level `meta` keys and the scalar value each must equal (JSON
/// equality: `512` matches `512` and `512.0`, never `"512"`). Kept sorted by
/// key, so that equal filters are equal whatever order they were written in.
/// Each value's JSON text is kept as written too: a number with more digits
/// than a double holds is compared by a store that can, digit for digit.
///
/// A filter matches only sessions whose `meta` is a JSON object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetaFilter {
    pairs: Vec<(String, Value)>,
    written: Vec<String>,
    /// The request asked for a `meta` filter, even `{}` (which keeps every
    /// session whose meta is an object); `false`: no filter at all.
    present: bool,
}

impl MetaFilter {
    /// A filter from an object of scalars; `None` when `value` is not an
    /// object, one of its values is an array or an object, or it holds more
    /// than [`MAX_META_KEYS`] keys.
    pub fn from_object(value: Value) -> Option<Self> {
        let Value::Object(map) = value else {
            return None;
        };
        Self::from_entries(map.into_iter().map(|(key, value)| {
            let text = value.to_string();
            (key, value, text)
        }))
    }

    /// A filter from the JSON text of an object of scalars, as a client wrote
    /// it; `None` when it is not one, or is beyond the bounds: more than
    /// [`MAX_META_BYTES`] of text, more than [`MAX_META_KEYS`] keys, a number
    /// beyond a finite double (`1e400`) or beyond what PostgreSQL's `numeric`
    /// holds (`1e-20000`). A repeated key counts with its last value.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() > MAX_META_BYTES {
            return None;
        }
        let raw: BTreeMap<String, Box<RawValue>> = serde_json::from_str(text).ok()?;
        let mut entries = Vec::with_capacity(raw.len());
        for (key, raw) in raw {
            // serde_json refuses a number beyond a finite double.
            let value: Value = serde_json::from_str(raw.get()).ok()?;
            if value.is_number() && !within_numeric(raw.get()) {
                return None;
            }
            entries.push((key, value, raw.get().to_owned()));
        }
        Self::from_entries(entries)
    }

    fn from_entries(entries: impl IntoIterator<Item = (String, Value, String)>) -> Option<Self> {
        let mut entries: Vec<(String, Value, String)> = entries.into_iter().collect();
        if entries.len() > MAX_META_KEYS
            || entries
                .iter()
                .any(|(_, value, _)| value.is_array() || value.is_object())
        {
            return None;
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let written = entries.iter().map(|(_, _, text)| text.clone()).collect();
        let pairs = entries
            .into_iter()
            .map(|(key, value, _)| (key, value))
            .collect();
        Some(Self {
            pairs,
            written,
            present: true,
        })
    }

    /// The keys and values, sorted by key.
    pub fn pairs(&self) -> &[(String, Value)] {
        &self.pairs
    }

    /// The keys, sorted, each with its value's JSON text as written.
    pub fn written(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .zip(&self.written)
            .map(|((key, _), text)| (key.as_str(), text.as_str()))
    }

    /// Whether the filter names no key (`{}`, or no filter at all).
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Whether there is no filter at all: every session is kept, whatever
    /// its `meta`. A present filter, even `{}`, keeps object metas only.
    pub fn is_absent(&self) -> bool {
        !self.present
    }
}

/// Whether every number in the JSON text `json` (already known to be valid
/// JSON) is one PostgreSQL's `numeric`, and so `jsonb`, can hold: a stored
/// `meta` is refused as the filter is (`1e-20000` underflows to `0.0` in a
/// double, yet PostgreSQL refuses it). One pass over the text; strings are
/// skipped, escapes included.
pub fn numbers_within_numeric(json: &str) -> bool {
    let bytes = json.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                at += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = at;
                while at < bytes.len()
                    && matches!(bytes[at], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    at += 1;
                }
                if !within_numeric(&json[start..at]) {
                    return false;
                }
            }
            _ => at += 1,
        }
    }
    true
}

/// Whether the JSON number `text` has at most [`MAX_NUMERIC_SCALE`] digits
/// after the decimal point once its exponent is applied, as PostgreSQL counts
/// them (`1.0e-16383` has 16,384: trailing zeros count).
fn within_numeric(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, "0"),
    };
    let fraction_digits = mantissa
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len());
    // An exponent too long for an i64 is far beyond any bound either way.
    let Ok(exponent) = exponent.parse::<i64>() else {
        return false;
    };
    i64::try_from(fraction_digits)
        .ok()
        .and_then(|digits| digits.checked_sub(exponent))
        .is_some_and(|scale| scale <= MAX_NUMERIC_SCALE)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_stored_meta_holds_numbers_postgresql_can_keep_at_any_depth() {
        for fits in [
            "{}",
            r#"{"n": 1e-16383, "m": [1, -2.5, 3E+5]}"#,
            r#"{"s": "1e-20000 in a string", "e": "\\\"1e-20000"}"#,
            "[0, 1.5e300]",
        ] {
            assert!(numbers_within_numeric(fits), "{fits}");
        }
        for beyond in [
            r#"{"n": 1e-20000}"#,
            r#"{"a": {"b": [1, 1.0e-16383]}}"#,
            "-1e-99999",
        ] {
            assert!(!numbers_within_numeric(beyond), "{beyond}");
        }
    }

    #[test]
    fn a_meta_filter_takes_an_object_of_scalars_only() {
        assert!(
            MetaFilter::from_object(json!({"a": 1, "b": "x", "c": true, "d": null, "e": 1.5}))
                .is_some()
        );
        assert!(MetaFilter::from_object(json!({"a": [1]})).is_none());
        assert!(MetaFilter::from_object(json!({"a": {"b": 1}})).is_none());
        assert!(MetaFilter::from_object(json!([1])).is_none());
        assert!(MetaFilter::from_object(json!("a")).is_none());
    }

    #[test]
    fn a_parsed_meta_filter_keeps_each_value_as_written() {
        let filter =
            MetaFilter::parse(r#"{"n": 1.0000000000000001, "s": "\u00e9", "a": 1, "a": 2}"#)
                .expect("scalars");
        let written: Vec<(&str, &str)> = filter.written().collect();
        assert_eq!(
            written,
            vec![
                ("a", "2"),
                ("n", "1.0000000000000001"),
                ("s", r#""\u00e9""#)
            ]
        );
        assert_eq!(filter.pairs()[2].1, json!("é"));
        assert!(MetaFilter::parse(r#"{"a": [1]}"#).is_none());
        assert!(MetaFilter::parse("[1]").is_none());
    }

    #[test]
    fn a_filter_holds_at_most_16_keys_and_4_kib() {
        let keys = |n: usize| {
            let pairs: Vec<String> = (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect();
            format!("{{{}}}", pairs.join(","))
        };
        assert!(MetaFilter::parse(&keys(16)).is_some());
        assert!(MetaFilter::parse(&keys(17)).is_none());
        let mut seventeen = serde_json::Map::new();
        for i in 0..17 {
            seventeen.insert(format!("k{i}"), json!(i));
        }
        assert!(MetaFilter::from_object(Value::Object(seventeen)).is_none());

        let long = |len: usize| format!(r#"{{"k":"{}"}}"#, "x".repeat(len - 8));
        assert_eq!(long(MAX_META_BYTES).len(), MAX_META_BYTES);
        assert!(MetaFilter::parse(&long(MAX_META_BYTES)).is_some());
        assert!(MetaFilter::parse(&long(MAX_META_BYTES + 1)).is_none());
    }

    #[test]
    fn a_filter_number_must_be_a_finite_double_that_postgresql_numeric_holds() {
        for fine in [
            "1e308",
            "-1.5e-300",
            "1e-400",
            "1e-16383",
            "0.1e-16382",
            "0e400",
            "123456789012345678901234567890",
        ] {
            assert!(
                MetaFilter::parse(&format!(r#"{{"n":{fine}}}"#)).is_some(),
                "{fine}"
            );
        }
        for beyond in [
            "1e400",
            "-1e309",
            "1e-20000",
            "1e-16384",
            "1.0e-16383",
            "10e-16384",
            "0e-20000",
            "1e-99999999999999999999",
        ] {
            assert!(
                MetaFilter::parse(&format!(r#"{{"n":{beyond}}}"#)).is_none(),
                "{beyond}"
            );
        }
    }
}
