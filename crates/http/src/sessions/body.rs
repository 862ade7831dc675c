//! The JSON body of a 200: sessions written as UASAM's answer, without a tree of values
//! in between: ids and times are printed straight into the buffer, `meta` is
//! copied as the text the store gave.

use std::fmt::Write;

use otas_domain::{AgentId, Session};

/// The start of a 200 answer, up to the opening `[` of the sessions.
pub(crate) fn head(agent: AgentId) -> String {
    format!(
        r#"{{"status":1,"status_description":"agent_sessions_listed","response":{{"agent_id":"{agent}","sessions":["#
    )
}

/// What follows the sessions in a 200 answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extras {
    /// For a page: whether more follow, and the next page's cursor.
    pub(crate) page: Option<(bool, Option<String>)>,
    /// When asked: how many sessions the filters keep.
    pub(crate) total: Option<u64>,
}

/// The end of a 200 answer: `]`, the extras, and the closing braces.
pub(crate) fn tail(extras: &Extras) -> String {
    let mut out = String::from("]");
    if let Some((has_more, next_cursor)) = &extras.page {
        let cursor = match next_cursor {
            Some(cursor) => serde_json::Value::String(cursor.clone()).to_string(),
            None => "null".to_owned(),
        };
        let _ = write!(out, r#","has_more":{has_more},"next_cursor":{cursor}"#);
    }
    if let Some(total) = extras.total {
        let _ = write!(out, r#","total":{total}"#);
    }
    out.push_str("}}");
    out
}

/// Where a run of sessions goes in the answer's array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// They open the array: no comma before the first.
    Opening,
    /// Sessions came before them: a comma before each.
    Following,
}

/// Appends `sessions` to `out`, each after a comma unless it opens the array.
pub(crate) fn sessions(out: &mut String, sessions: &[Session], place: Place) {
    let mut opening = place == Place::Opening;
    for session in sessions {
        if !opening {
            out.push(',');
        }
        opening = false;
        // Writing to a String cannot fail.
        let _ = write!(out, r#"{{"id":"{}","agent_key_id":"#, session.id);
        let _ = match session.agent_key_id {
            Some(key) => write!(out, r#""{key}""#),
            None => out.write_str("null"),
        };
        let _ = write!(
            out,
            r#","created_at":"{}","meta":{}}}"#,
            session.created_at,
            session.meta.as_str()
        );
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use otas_domain::{AgentKeyId, Meta, SessionId, Timestamp};
    use uuid::Uuid;

    use super::*;

    fn session(n: u128, key: Option<u128>, meta: &str) -> Session {
        Session {
            id: SessionId::from_uuid(Uuid::from_u128(n)),
            agent_key_id: key.map(|k| AgentKeyId::from_uuid(Uuid::from_u128(k))),
            created_at: Timestamp::new(
                DateTime::from_timestamp(1_776_349_800, 5_000).expect("in range"),
            ),
            meta: Meta::from_json(meta.to_owned()).expect("an object"),
        }
    }

    #[test]
    fn an_answer_is_valid_json_with_the_keys_in_uasams_order() {
        let agent = AgentId::from_uuid(Uuid::from_u128(0xd1e2));
        let mut body = head(agent);
        sessions(
            &mut body,
            &[session(
                1,
                Some(2),
                r#"{"task": "é\"x", "n": [1, {"a": null}]}"#,
            )],
            Place::Opening,
        );
        sessions(&mut body, &[session(3, None, "{}")], Place::Following);
        body.push_str(&tail(&Extras::default()));

        let value: serde_json::Value = serde_json::from_str(&body).expect("valid JSON");
        assert_eq!(
            body,
            concat!(
                r#"{"status":1,"status_description":"agent_sessions_listed","response":{"agent_id":"00000000-0000-0000-0000-00000000d1e2","sessions":["#,
                r#"{"id":"00000000-0000-0000-0000-000000000001","agent_key_id":"00000000-0000-0000-0000-000000000002","created_at":"2026-04-16T14:30:00.000005+00:00","meta":{"task": "é\"x", "n": [1, {"a": null}]}},"#,
                r#"{"id":"00000000-0000-0000-0000-000000000003","agent_key_id":null,"created_at":"2026-04-16T14:30:00.000005+00:00","meta":{}}]}}"#
            )
        );
        assert_eq!(value["response"]["sessions"][0]["meta"]["task"], "é\"x");
    }

    #[test]
    fn a_page_ends_with_has_more_next_cursor_and_the_total_when_asked() {
        let extras = Extras {
            page: Some((true, Some("abc_-1".to_owned()))),
            total: Some(42),
        };
        assert_eq!(
            tail(&extras),
            r#"],"has_more":true,"next_cursor":"abc_-1","total":42}}"#
        );
        let last = Extras {
            page: Some((false, None)),
            total: None,
        };
        assert_eq!(tail(&last), r#"],"has_more":false,"next_cursor":null}}"#);
    }
}
