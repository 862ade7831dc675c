//! Writing sessions as the JSON of UASAM's answer, without a tree of values
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

/// The end of a 200 answer, after the last session.
pub(crate) const TAIL: &str = "]}}";

/// Appends `sessions` to `out`, each after a comma unless it is the very
/// first of the answer.
pub(crate) fn sessions(out: &mut String, sessions: &[Session], mut first: bool) {
    for session in sessions {
        if !first {
            out.push(',');
        }
        first = false;
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
            true,
        );
        sessions(&mut body, &[session(3, None, "{}")], false);
        body.push_str(TAIL);

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
}
