//! Reading the listing request off HTTP: headers as UASAM's gunicorn joins
//! them, query parameters as Django reads them, `If-None-Match` into tags.

use actix_web::http::header;
use actix_web::HttpRequest;
use otas_domain::etag::IfNoneMatch;
use otas_domain::RawListParams;
use otas_use_cases::ListSessionsRequest;

const USER_TOKEN: &str = "x-otas-user-token";
const PROJECT_ID: &str = "x-otas-project-id";

/// The request as the use case takes it.
pub(crate) fn read(req: &HttpRequest) -> ListSessionsRequest {
    let query = req.query_string();
    let param = |name| last_query_value(query, name);
    let time = |name| param(name).map(|value| offset_plus_restored(&value));
    ListSessionsRequest {
        user_token: header_text(req, USER_TOKEN),
        project_id: header_text(req, PROJECT_ID),
        agent_id: param("agent_id"),
        params: RawListParams {
            limit: param("limit"),
            cursor: param("cursor"),
            order: param("order"),
            created_after: time("created_after"),
            created_before: time("created_before"),
            meta: param("meta"),
            include_total: param("include_total"),
        },
        if_none_match: header_text(req, header::IF_NONE_MATCH.as_str())
            .map(|text| if_none_match(&text)),
    }
}

/// The most bytes of a header's text read: no credential, id or tag list a
/// client of UASAM sends comes near it (a user token is about 250 bytes, an
/// agent key 61, an id 36). A longer value is cut to one byte more than
/// this: still longer than any valid one, so still refused as invalid, and
/// reading it costs at most this much.
pub(crate) const MAX_HEADER_TEXT_BYTES: usize = 8 * 1024;

/// Every value of a header, joined with `,` as UASAM's gunicorn joins them:
/// two tokens are not one token. Bytes that are not UTF-8 are kept
/// (replaced), so that a garbled token is an invalid token rather than a
/// missing one. Cost: at most [`MAX_HEADER_TEXT_BYTES`] + 1 bytes copied.
pub(crate) fn header_text(req: &HttpRequest, name: &str) -> Option<String> {
    let mut values = req.headers().get_all(name).peekable();
    values.peek()?;
    let mut text = String::new();
    for (n, value) in values.enumerate() {
        if n > 0 {
            text.push(',');
        }
        let room = (MAX_HEADER_TEXT_BYTES + 1).saturating_sub(text.len());
        let bytes = value.as_bytes();
        text.push_str(&String::from_utf8_lossy(&bytes[..bytes.len().min(room)]));
        if text.len() > MAX_HEADER_TEXT_BYTES {
            break;
        }
    }
    Some(text)
}

/// The last value of a query parameter, as Django's `request.GET.get` reads it.
fn last_query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == name)
        .last()
        .map(|(_, value)| value.into_owned())
}

/// A time whose offset's `+` arrived as a space (an unencoded `+` in a query
/// string is a space once decoded): `… 02:00` at the end can only have been
/// `…+02:00`, so the `+` is put back.
fn offset_plus_restored(value: &str) -> String {
    let bytes = value.as_bytes();
    let n = bytes.len();
    let offset_after_space = n > 16
        && bytes[n - 6] == b' '
        && bytes[n - 3] == b':'
        && [n - 5, n - 4, n - 2, n - 1]
            .iter()
            .all(|&i| bytes[i].is_ascii_digit());
    if offset_after_space {
        format!("{}+{}", &value[..n - 6], &value[n - 5..])
    } else {
        value.to_owned()
    }
}

/// `If-None-Match`: `*`, or a list of tags, weak ones compared by their
/// opaque part (RFC 9110).
fn if_none_match(text: &str) -> IfNoneMatch {
    let candidates: Vec<&str> = text.split(',').map(str::trim).collect();
    if candidates.contains(&"*") {
        return IfNoneMatch::Any;
    }
    IfNoneMatch::Tags(
        candidates
            .into_iter()
            .map(|tag| tag.strip_prefix("W/").unwrap_or(tag).to_owned())
            .filter(|tag| tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"'))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_plus_that_arrived_as_a_space_is_put_back_and_nothing_else_is() {
        assert_eq!(
            offset_plus_restored("2026-04-16T14:30:00 02:00"),
            "2026-04-16T14:30:00+02:00"
        );
        assert_eq!(
            offset_plus_restored("2026-04-16 14:30:00.5 00:00"),
            "2026-04-16 14:30:00.5+00:00"
        );
        for unchanged in [
            "2026-04-16T14:30:00+02:00",
            "2026-04-16T14:30:00-02:00",
            "2026-04-16T14:30:00Z",
            "yesterday 02:00",
            "",
        ] {
            assert_eq!(offset_plus_restored(unchanged), unchanged);
        }
    }

    #[test]
    fn if_none_match_is_star_or_a_list_of_tags_weak_ones_by_their_opaque_part() {
        assert_eq!(if_none_match("*"), IfNoneMatch::Any);
        assert_eq!(if_none_match("\"x\", *"), IfNoneMatch::Any);
        assert_eq!(
            if_none_match("\"x\", W/\"abc\",\"d\""),
            IfNoneMatch::Tags(vec!["\"x\"".into(), "\"abc\"".into(), "\"d\"".into()])
        );
        assert_eq!(if_none_match("abc"), IfNoneMatch::Tags(vec![]));
    }
}
