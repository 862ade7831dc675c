//! `GET /api/agent/v1/sessions/list/?agent_id=…`: the sessions of one agent,
//! whole or by keyset pages, filtered, with an `ETag` and `304` answers.
//!
//! A whole list is written as it is read: sessions come from the store in
//! keyset batches, the next batch being read while the previous one goes to
//! the socket, so the server's memory does not grow with the number of
//! sessions. A list that fits in one batch is answered with a
//! `Content-Length`.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::http::Method;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use futures_util::stream;
use otas_domain::etag::if_none_match_hits;
use otas_domain::{RawListParams, Session, SessionKey, SessionQuery, SessionSummary};
use otas_ports::{ListSessions, ListSessionsRequest, Listing, Page};
use tracing::Span;

use crate::envelope::ApiError;
use crate::server::AppState;
use crate::sessions::write::{self, Extras};

const USER_TOKEN: &str = "x-otas-user-token";
const PROJECT_ID: &str = "x-otas-project-id";

/// The request's inputs, owned, to cross into the blocking pool.
#[derive(Debug, Default)]
struct Inputs {
    user_token: Option<String>,
    project_id: Option<String>,
    agent_id: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
    order: Option<String>,
    created_after: Option<String>,
    created_before: Option<String>,
    meta: Option<String>,
    include_total: Option<String>,
    if_none_match: Option<String>,
}

impl Inputs {
    fn read(req: &HttpRequest) -> Self {
        let query = req.query_string();
        let param = |name| last_query_value(query, name);
        Self {
            user_token: header_text(req, USER_TOKEN),
            project_id: header_text(req, PROJECT_ID),
            agent_id: param("agent_id"),
            limit: param("limit"),
            cursor: param("cursor"),
            order: param("order"),
            created_after: param("created_after"),
            created_before: param("created_before"),
            meta: param("meta"),
            include_total: param("include_total"),
            if_none_match: header_text(req, header::IF_NONE_MATCH.as_str()),
        }
    }

    fn request(&self) -> ListSessionsRequest<'_> {
        ListSessionsRequest {
            user_token: self.user_token.as_deref(),
            project_id: self.project_id.as_deref(),
            agent_id: self.agent_id.as_deref(),
            params: RawListParams {
                limit: self.limit.as_deref(),
                cursor: self.cursor.as_deref(),
                order: self.order.as_deref(),
                created_after: self.created_after.as_deref(),
                created_before: self.created_before.as_deref(),
                meta: self.meta.as_deref(),
                include_total: self.include_total.as_deref(),
            },
        }
    }
}

/// What the blocking part decided.
enum Answer {
    /// The client's copy is current.
    NotModified { etag: String },
    /// One page, complete.
    Page {
        listing: Listing,
        page: Page,
        summary: SessionSummary,
    },
    /// The whole list (after the cursor, if any): its first batch, and
    /// whether more must be streamed.
    Whole {
        listing: Listing,
        first: Vec<Session>,
        complete: bool,
        summary: SessionSummary,
    },
}

pub(crate) async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let inputs = Inputs::read(&req);
    let batch = state.list_batch_size;
    let use_case = state.list_sessions.clone();
    let answer = blocking(move || decide(&use_case, &inputs, batch)).await?;

    match answer {
        Answer::NotModified { etag } => {
            Ok(with_cache_headers(HttpResponse::NotModified(), &etag).finish())
        }
        Answer::Page {
            listing,
            page,
            summary,
        } => {
            let mut body = write::head(listing.query.agent);
            write::sessions(&mut body, &page.sessions, true);
            body.push_str(&write::tail(&Extras {
                page: Some((page.has_more, page.next_cursor)),
                total: listing.include_total.then_some(summary.count),
            }));
            Ok(ok(&listing, &summary).body(body))
        }
        Answer::Whole {
            listing,
            first,
            complete,
            summary,
        } => {
            let tail = write::tail(&Extras {
                page: None,
                total: listing.include_total.then_some(summary.count),
            });
            let mut body = write::head(listing.query.agent);
            write::sessions(&mut body, &first, true);
            let mut response = ok(&listing, &summary);
            if complete {
                body.push_str(&tail);
                return Ok(response.body(body));
            }
            if req.method() == Method::HEAD {
                // No body goes out for HEAD: the rest of the list is not read.
                return Ok(response.streaming(stream::once(async move {
                    Ok::<_, ApiError>(Bytes::from(body))
                })));
            }
            let after = first.last().map(SessionKey::of);
            let rest = remaining(
                state.list_sessions.clone(),
                listing.query,
                after,
                batch,
                tail,
            );
            let head = stream::once(async move { Ok::<_, ApiError>(Bytes::from(body)) });
            Ok(response.streaming(futures_util::StreamExt::chain(head, rest)))
        }
    }
}

/// Checks, then the cheapest read that answers: a summary alone for a
/// matching `If-None-Match`; a page; or the first batch of the whole list.
/// The summary (count and newest session) is derived from the rows when
/// they are all of them, and asked of the store otherwise.
fn decide(use_case: &ListSessions, inputs: &Inputs, batch: usize) -> Result<Answer, ApiError> {
    let listing = use_case.authorize(&inputs.request())?;
    let mut summary = None;
    if let Some(if_none_match) = &inputs.if_none_match {
        let known = use_case.summarize(&listing)?;
        let etag = listing.entity_tag(&known);
        if if_none_match_hits(if_none_match, &etag) {
            return Ok(Answer::NotModified { etag });
        }
        summary = Some(known);
    }
    let from_start = listing.after.is_none();

    if listing.limit.is_some() {
        let page = use_case.page(&listing)?;
        let summary = match summary {
            Some(known) => known,
            None if from_start && !page.has_more => SessionSummary::of_complete(&page.sessions),
            None => use_case.summarize(&listing)?,
        };
        return Ok(Answer::Page {
            listing,
            page,
            summary,
        });
    }

    let first = use_case.sessions_after(&listing.query, listing.after, batch)?;
    let complete = first.len() < batch;
    let summary = match summary {
        Some(known) => known,
        None if from_start && complete => SessionSummary::of_complete(&first),
        None => use_case.summarize(&listing)?,
    };
    Ok(Answer::Whole {
        listing,
        first,
        complete,
        summary,
    })
}

fn ok(listing: &Listing, summary: &SessionSummary) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.content_type(ContentType::json());
    with_cache_headers(response, &listing.entity_tag(summary))
}

/// The tag, and what a cache must know: the answer depends on the caller's
/// token and project, and must be revalidated before each use.
fn with_cache_headers(mut response: HttpResponseBuilder, etag: &str) -> HttpResponseBuilder {
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.insert_header((header::ETAG, value));
    }
    response
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::VARY, "X-OTAS-USER-TOKEN, X-OTAS-PROJECT-ID"));
    response
}

type Pending = Pin<Box<dyn Future<Output = Result<Vec<Session>, ApiError>>>>;

/// The batches after the first, then `tail`. Each read starts as soon as the
/// one before has arrived, so reading overlaps writing. A failure ends the
/// stream with an error, which aborts the connection: the client gets a body
/// cut short, never one that parses as a complete list. A client that goes
/// away drops the stream, and no further batch is read.
fn remaining(
    use_case: ListSessions,
    query: SessionQuery,
    after: Option<SessionKey>,
    batch: usize,
    tail: String,
) -> impl futures_util::Stream<Item = Result<Bytes, ApiError>> {
    let read = move |after: Option<SessionKey>| -> Pending {
        let use_case = use_case.clone();
        let query = query.clone();
        Box::pin(blocking(move || {
            Ok(use_case.sessions_after(&query, after, batch)?)
        }))
    };
    stream::try_unfold(Some(read(after)), move |pending| {
        let read = read.clone();
        let tail = tail.clone();
        async move {
            let Some(pending) = pending else {
                return Ok(None);
            };
            let sessions = pending.await?;
            let complete = sessions.len() < batch;
            let next = if complete {
                None
            } else {
                Some(read(sessions.last().map(SessionKey::of)))
            };
            let mut chunk = String::with_capacity(sessions.len() * 192 + tail.len());
            write::sessions(&mut chunk, &sessions, false);
            if complete {
                chunk.push_str(&tail);
            }
            Ok(Some((Bytes::from(chunk), next)))
        }
    })
}

/// Runs blocking work (the stores) on the blocking pool, inside the request's
/// span so that what it logs carries the request id. The work starts now,
/// not when the returned future is first polled.
fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> impl Future<Output = Result<T, ApiError>> {
    let span = Span::current();
    let running = web::block(move || span.in_scope(work));
    async move {
        running.await.map_err(|error| {
            tracing::error!(%error, "blocking task failed");
            ApiError::SERVER_ERROR
        })?
    }
}

/// A header's value; bytes that are not UTF-8 are kept (replaced), so that a
/// garbled token is an invalid token rather than a missing one.
fn header_text(req: &HttpRequest, name: &str) -> Option<String> {
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
