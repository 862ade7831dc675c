//! UASAM's JSON envelope, the one shape of every answer:
//! `{"status": 1|0, "status_description": "<code>", …}`, where `…` is what
//! the operation adds (`response` for most, `agent` for authenticate,
//! nothing for a probe or an error). The handlers answer with it and the
//! OpenAPI document describes it, from this one definition.

use serde::Serialize;
use utoipa::ToSchema;

/// An answer: whether the call succeeded, its code, and its payload.
///
/// The payload's own keys follow the two of the envelope (serde's
/// `flatten`), in the order UASAM writes them.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Envelope<T> {
    /// 1 when the call succeeded, 0 when it was refused.
    status: u8,
    /// The answer's code, which clients switch on, e.g.
    /// `agent_session_created` or `invalid_token`.
    status_description: &'static str,
    // What the operation adds: its keys follow the two above.
    #[serde(flatten)]
    payload: T,
}

impl<T> Envelope<T> {
    /// A success (`status` 1) with `code` and `payload`.
    pub(crate) const fn success(code: &'static str, payload: T) -> Self {
        Self {
            status: 1,
            status_description: code,
            payload,
        }
    }
}

impl Envelope<NoPayload> {
    /// An error answer (`status` 0) with `code`: the envelope alone.
    pub(crate) const fn refusal(code: &'static str) -> Self {
        Self {
            status: 0,
            status_description: code,
            payload: NoPayload {},
        }
    }
}

impl Envelope<ErrorText> {
    /// An error answer with `code` that also carries UASAM's own `error`
    /// text (the SDK-key check, whose clients may read either).
    pub(crate) const fn refusal_saying(code: &'static str, error: &'static str) -> Self {
        Self {
            status: 0,
            status_description: code,
            payload: ErrorText { error },
        }
    }
}

impl Envelope<Response<()>> {
    /// The text of a success with `code` around a `response` written by hand
    /// (the list's, for speed): what comes before the response's value, and
    /// what after it. Both are this type's own serialization, so the keys
    /// and the status cannot drift from every other answer.
    pub(crate) fn around_response(code: &'static str) -> Result<(String, String), Unwritable> {
        // `()` is written `null`: the last value in the text, since
        // `response` is the envelope's last key.
        let text = serde_json::to_string(&Self::success(code, Response { response: () }))
            .map_err(|_| Unwritable)?;
        let (before, after) = text.rsplit_once("null").ok_or(Unwritable)?;
        Ok((before.to_owned(), after.to_owned()))
    }
}

impl Envelope<Errors> {
    /// An error answer with `code` that also lists UASAM's `errors`, what
    /// is wrong with the body (SDK key create).
    pub(crate) fn refusal_listing(code: &'static str, errors: Vec<&'static str>) -> Self {
        Self {
            status: 0,
            status_description: code,
            payload: Errors {
                errors: Some(errors),
            },
        }
    }
}

/// The envelope could not be written (which serde_json does not do for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the envelope could not be written")]
pub(crate) struct Unwritable;

/// The payload of most answers: one object under UASAM's `response` key.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Response<T> {
    pub(crate) response: T,
}

/// The payload of the answers UASAM writes under `response_body` instead
/// of `response` (the SDK-key views).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ResponseBody<T> {
    pub(crate) response_body: T,
}

/// UASAM's `errors` list: what is wrong with a body, in its words.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Errors {
    /// E.g. `validity must be between 1 and 300 days`; absent from the
    /// view's other refusals.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<&'static str>>,
}

/// UASAM's `{"error": "…"}` text, beside the envelope's code.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorText {
    /// UASAM's words, e.g. `SDK Key missing`.
    error: &'static str,
}

/// No payload: the envelope alone, as a probe and every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NoPayload {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payloads_keys_follow_the_status_and_its_code() {
        #[derive(Serialize)]
        struct Agent {
            agent: u8,
        }

        assert_eq!(
            answer(&Envelope::success("created", Response { response: [1] })),
            r#"{"status":1,"status_description":"created","response":[1]}"#
        );
        assert_eq!(
            answer(&Envelope::success("authenticated", Agent { agent: 7 })),
            r#"{"status":1,"status_description":"authenticated","agent":7}"#
        );
        assert_eq!(
            answer(&Envelope::success("alive", NoPayload {})),
            r#"{"status":1,"status_description":"alive"}"#
        );
        assert_eq!(
            answer(&Envelope::refusal("invalid_token")),
            r#"{"status":0,"status_description":"invalid_token"}"#
        );
    }

    #[test]
    fn a_hand_written_response_sits_where_serde_would_write_it() {
        let (before, after) = Envelope::around_response("listed").expect("written");

        let hand = format!(r#"{before}{{"n":[1]}}{after}"#);
        let serde = serde_json::to_string(&Envelope::success(
            "listed",
            Response {
                response: serde_json::json!({"n": [1]}),
            },
        ))
        .expect("written");
        assert_eq!(hand, serde);
        assert_eq!(
            (before.as_str(), after.as_str()),
            (
                r#"{"status":1,"status_description":"listed","response":"#,
                "}"
            )
        );
    }

    fn answer(value: &impl Serialize) -> String {
        serde_json::to_string(value).expect("written")
    }
}
