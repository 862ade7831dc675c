//! The JSON bodies of the agent and key management views, read as UASAM
//! reads them (`json.loads(request.body or "{}")`, then `body.get(…)`): an
//! empty body is `{}`; anything but a JSON object is refused, with the
//! view's own code, once the access checks have passed.

use std::collections::HashMap;

use otas_use_cases::BodyId;
use serde_json::Value;

/// The members of the body's object (a repeated key counts last), or `None`
/// when the body is not a JSON object in UTF-8. Memory: the body, which
/// `TimedBody` bounds.
pub(crate) fn object(body: &[u8]) -> Option<HashMap<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some(HashMap::new());
    }
    serde_json::from_slice(body).ok()
}

/// A member that is a non-empty string holding no U+0000 (which no store
/// keeps), as sent; `None` for anything else (absent, `null`, `""`, a
/// number), as UASAM's `if not value` and `value.strip()` refuse them.
pub(crate) fn text<'a>(fields: &'a HashMap<String, Value>, name: &str) -> Option<&'a str> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty() && !text.contains('\0'))
}

/// The id member `name` of `body`, as UASAM reads it: the body no JSON
/// object; absent or a value UASAM calls missing (`null`, `""`, `0`,
/// `false`); else given (a value that is no string as its JSON text, which
/// is no UUID: UASAM's lookup fails on it too).
pub(crate) fn id(body: &[u8], name: &str) -> BodyId {
    let Some(fields) = object(body) else {
        return BodyId::InvalidBody;
    };
    match fields.get(name) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => BodyId::Missing,
        Some(Value::String(text)) if text.is_empty() => BodyId::Missing,
        Some(Value::String(text)) => BodyId::Given(text.clone()),
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => BodyId::Missing,
        Some(other) => BodyId::Given(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_is_an_empty_object_and_anything_but_an_object_is_none() {
        assert_eq!(object(b""), Some(HashMap::new()));
        assert_eq!(object(b" \n"), Some(HashMap::new()));
        assert!(object(br#"{"a": 1}"#).is_some());
        for body in [&b"[1]"[..], b"5", b"\"x\"", b"{", b"null", &[0xff, 0xfe]] {
            assert_eq!(object(body), None, "{body:?}");
        }
    }

    #[test]
    fn text_is_a_non_empty_string_without_nul() {
        let fields = object(br#"{"a": "x", "b": "", "c": 5, "d": null, "e": "a\u0000b"}"#)
            .expect("an object");
        assert_eq!(text(&fields, "a"), Some("x"));
        for name in ["b", "c", "d", "e", "absent"] {
            assert_eq!(text(&fields, name), None, "{name}");
        }
    }

    #[test]
    fn an_id_is_missing_when_falsy_and_given_otherwise() {
        let body = br#"{"a": "x", "b": "", "c": 0, "d": null, "e": false, "f": 5}"#;
        assert_eq!(id(body, "a"), BodyId::Given("x".into()));
        for name in ["b", "c", "d", "e", "absent"] {
            assert_eq!(id(body, name), BodyId::Missing, "{name}");
        }
        assert_eq!(id(body, "f"), BodyId::Given("5".into()));
        assert_eq!(id(b"[1]", "a"), BodyId::InvalidBody);
        assert_eq!(id(b"", "a"), BodyId::Missing);
    }
}
