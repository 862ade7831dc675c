//! `GET /api/agent/v1/sessions/list/?agent_id=…`: every session of one agent.
//!
//! The answer is written as it is read: sessions come from the store in
//! keyset batches and each batch goes to the socket before the next is read,
//! so the server's memory does not grow with the number of sessions. A list
//! that fits in one batch is answered whole, with a `Content-Length`.

use actix_web::http::header::ContentType;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::stream;
use otas_domain::{Session, SessionKey, SessionQuery};
use otas_ports::{ListSessions, ListSessionsRequest};
use tracing::Span;

use crate::envelope::ApiError;
use crate::server::AppState;
use crate::sessions::write;

const USER_TOKEN: &str = "x-otas-user-token";
const PROJECT_ID: &str = "x-otas-project-id";

pub(crate) async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_token = header(&req, USER_TOKEN);
    let project_id = header(&req, PROJECT_ID);
    let agent_id = last_query_value(req.query_string(), "agent_id");
    let batch = state.list_batch_size;
    let use_case = state.list_sessions.clone();

    let (agent, first) = blocking(move || {
        let agent = use_case.authorize(&ListSessionsRequest {
            user_token: user_token.as_deref(),
            project_id: project_id.as_deref(),
            agent_id: agent_id.as_deref(),
        })?;
        // Read before answering: a database that fails now still gets a 503.
        let first = use_case.sessions_after(&SessionQuery::all_of(agent), None, batch)?;
        Ok((agent, first))
    })
    .await?;

    let mut body = write::head(agent);
    write::sessions(&mut body, &first, true);
    if first.len() < batch {
        body.push_str(write::TAIL);
        return Ok(HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(body));
    }

    let rest = remaining_batches(
        state.list_sessions.clone(),
        SessionQuery::all_of(agent),
        last_key(&first),
        batch,
    );
    let chunks = stream::once(async move { Ok::<_, ApiError>(Bytes::from(body)) });
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .streaming(futures_util::StreamExt::chain(chunks, rest)))
}

/// The batches after the first, each read when the socket has taken the one
/// before, then the closing brackets. A failure ends the stream with an
/// error, which aborts the connection: the client gets a body cut short,
/// never one that parses as a complete list.
fn remaining_batches(
    use_case: ListSessions,
    query: SessionQuery,
    after: Option<SessionKey>,
    batch: usize,
) -> impl futures_util::Stream<Item = Result<Bytes, ApiError>> {
    enum Next {
        After(Option<SessionKey>),
        Done,
    }
    stream::try_unfold(Next::After(after), move |next| {
        let use_case = use_case.clone();
        let query = query.clone();
        async move {
            let Next::After(after) = next else {
                return Ok(None);
            };
            let sessions =
                blocking(move || Ok(use_case.sessions_after(&query, after, batch)?)).await?;
            let mut chunk = String::with_capacity(sessions.len() * 160 + 3);
            write::sessions(&mut chunk, &sessions, false);
            if sessions.len() < batch {
                chunk.push_str(write::TAIL);
                return Ok(Some((Bytes::from(chunk), Next::Done)));
            }
            Ok(Some((Bytes::from(chunk), Next::After(last_key(&sessions)))))
        }
    })
}

fn last_key(sessions: &[Session]) -> Option<SessionKey> {
    sessions.last().map(SessionKey::of)
}

/// Runs blocking work (the stores) on the blocking pool, inside the request's
/// span so that what it logs carries the request id.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let span = Span::current();
    web::block(move || span.in_scope(work))
        .await
        .map_err(|error| {
            tracing::error!(%error, "blocking task failed");
            ApiError::SERVER_ERROR
        })?
}

/// A header's value; bytes that are not UTF-8 are kept (replaced), so that a
/// garbled token is an invalid token rather than a missing one.
fn header(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// The last value of a query parameter, as Django's `request.GET.get` reads it.
fn last_query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == name)
        .last()
        .map(|(_, value)| value.into_owned())
}
