//! The JSON body of a 200: sessions written as UASAM's answer, without a tree of values
//! in between: ids and times are printed straight into the buffer, `meta` is
//! copied as the text the store gave. The envelope around it is `Envelope`'s
//! own text; `ListResponse` documents what is written inside, and a test
//! proves the two agree.

use std::fmt::Write;
use std::sync::LazyLock;

use otas_domain::{AgentId, Session};
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::envelope::{Envelope, Unwritable};
use crate::error::ApiError;

/// The code of a list's `200`.
const LISTED: &str = "agent_sessions_listed";

/// The envelope's text before and after the list's `response`, written once.
static AROUND: LazyLock<Result<(String, String), Unwritable>> =
    LazyLock::new(|| Envelope::around_response(LISTED));

/// The envelope's text before and after the list's `response`.
fn around() -> Result<&'static (String, String), ApiError> {
    AROUND.as_ref().map_err(|error| {
        tracing::error!(%error, "no list can be answered");
        ApiError::SERVER_ERROR
    })
}

/// The start of a 200 answer, up to the opening `[` of the sessions.
pub(crate) fn head(agent: AgentId) -> Result<String, ApiError> {
    let (before, _) = around()?;
    let mut out = before.clone();
    let _ = write!(out, r#"{{"agent_id":"{agent}","sessions":["#);
    Ok(out)
}

/// What follows the sessions in a 200 answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extras {
    /// For a page: whether more follow, and the next page's cursor.
    pub(crate) page: Option<(bool, Option<String>)>,
    /// When asked: how many sessions the filters keep.
    pub(crate) total: Option<u64>,
}

/// The end of a 200 answer: `]`, the extras, the `}` of the response, then
/// the envelope's end.
pub(crate) fn tail(extras: &Extras) -> Result<String, ApiError> {
    let (_, after) = around()?;
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
    out.push('}');
    out.push_str(after);
    Ok(out)
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

/// The `response` of a list's `200`, as `head`, `sessions` and `tail` write
/// it by hand: the OpenAPI document's description of that text, never built
/// to answer. The test `the_documented_response_is_what_is_written` proves
/// that serde writes this type exactly as the hand does.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ListResponse {
    #[schema(format = "uuid", example = "de300000-0000-4000-8000-0000000000a1")]
    agent_id: String,
    sessions: Vec<SessionJson>,
    /// With `limit`: whether more sessions follow (also when the page ended
    /// early at the byte bound, holding fewer than `limit` sessions).
    #[serde(skip_serializing_if = "Option::is_none")]
    has_more: Option<bool>,
    /// With `limit`: the cursor of the next page, or `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    next_cursor: Option<Option<String>>,
    /// With `include_total=true`: how many sessions the filters keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
}

/// One session, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionJson {
    #[schema(format = "uuid", example = "de300000-0000-4000-8000-000100000001")]
    id: String,
    /// `null` once the session's key was deleted.
    #[schema(
        format = "uuid",
        required = true,
        example = "de300000-0000-4000-8000-0000000000c1"
    )]
    agent_key_id: Option<String>,
    /// UTC, six fractional digits, `+00:00`.
    #[schema(example = "2026-12-04T23:40:28.999000+00:00")]
    created_at: String,
    /// Whatever JSON value the agent sent.
    #[schema(value_type = serde_json::Value, example = json!({"task": "classify", "model": "claude-haiku-4", "ok": true}))]
    meta: Box<RawValue>,
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
        let mut body = head(agent).expect("written");
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
        body.push_str(&tail(&Extras::default()).expect("written"));

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
            tail(&extras).expect("written"),
            r#"],"has_more":true,"next_cursor":"abc_-1","total":42}}"#
        );
        let last = Extras {
            page: Some((false, None)),
            total: None,
        };
        assert_eq!(
            tail(&last).expect("written"),
            r#"],"has_more":false,"next_cursor":null}}"#
        );
    }

    /// What serde writes of `ListResponse` for these sessions and extras.
    fn documented(agent: AgentId, listed: &[Session], extras: &Extras) -> String {
        let response = ListResponse {
            agent_id: agent.to_string(),
            sessions: listed
                .iter()
                .map(|session| SessionJson {
                    id: session.id.to_string(),
                    agent_key_id: session.agent_key_id.map(|key| key.to_string()),
                    created_at: session.created_at.to_string(),
                    meta: RawValue::from_string(session.meta.as_str().to_owned()).expect("JSON"),
                })
                .collect(),
            has_more: extras.page.as_ref().map(|(has_more, _)| *has_more),
            next_cursor: extras.page.as_ref().map(|(_, cursor)| cursor.clone()),
            total: extras.total,
        };
        serde_json::to_string(&Envelope::success(
            LISTED,
            crate::envelope::Response { response },
        ))
        .expect("written")
    }

    #[test]
    fn the_documented_response_is_what_is_written() {
        let agent = AgentId::from_uuid(Uuid::from_u128(0xd1e2));
        let listed = [
            session(1, Some(2), r#"{"task": "é\"x", "n": [1, {"a": null}]}"#),
            session(3, None, "[1, 2]"),
        ];
        for extras in [
            Extras::default(),
            Extras {
                page: None,
                total: Some(2),
            },
            Extras {
                page: Some((true, Some("abc_-1".to_owned()))),
                total: Some(42),
            },
            Extras {
                page: Some((false, None)),
                total: None,
            },
        ] {
            for count in [0, 1, 2] {
                let mut hand = head(agent).expect("written");
                sessions(&mut hand, &listed[..count], Place::Opening);
                hand.push_str(&tail(&extras).expect("written"));

                assert_eq!(
                    hand,
                    documented(agent, &listed[..count], &extras),
                    "{extras:?}"
                );
            }
        }
    }
}
