//! `GET /api/agent/v1/sessions/list/?agent_id=…`: the sessions of one agent,
//! whole or by keyset pages, filtered, with an `ETag` and `304` answers.
//!
//! The handler extracts the request, calls the listing use case once (off
//! the async executor) and renders what it decided. A whole list is written
//! as it is read: its first batch at once, then the rest batch by batch, the
//! next batch being read while the previous one goes to the socket, so the
//! server's memory does not grow with the number of sessions. A list that
//! fits in one batch is answered with a `Content-Length`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::http::Method;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use futures_util::stream;
use otas_use_cases::{Admission, Admitted, ListOutcome, NextBatch, RestOfList, WholeList};

use crate::blocking::{admit, blocking, blocking_holding};
use crate::bytes_in_flight::{counted_stream, has_room, sliced, try_hold, CountedBody};
use crate::envelope::{Envelope, NoPayload, Response};
use crate::error::ApiError;
use crate::sessions::body::{self, Extras, ListResponse, Place};
use crate::sessions::request;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/api/agent/v1/sessions/list/",
    tag = "sessions",
    security(("user_token" = [], "project_id" = [])),
    params(
        ("agent_id" = String, Query, description = "The agent whose sessions are listed", example = "de300000-0000-4000-8000-0000000000a1"),
        ("limit" = Option<u32>, Query, description = "1..=1000: one page of at most this many sessions; a page may hold fewer when its body reaches the byte bound (http.max_page_bytes), and then says has_more with a next_cursor for the rest (a single session larger than the bound comes alone)"),
        ("cursor" = Option<String>, Query, description = "The previous page's next_cursor"),
        ("order" = Option<String>, Query, description = "desc (default) or asc"),
        ("created_after" = Option<String>, Query, description = "RFC 3339, strict"),
        ("created_before" = Option<String>, Query, description = "RFC 3339, strict"),
        ("meta" = Option<String>, Query, description = "A JSON object of top-level scalars"),
        ("include_total" = Option<bool>, Query, description = "true: the response carries total"),
    ),
    responses(
        (status = 200, description = "The sessions, newest first (`agent_sessions_listed`)", body = Envelope<Response<ListResponse>>),
        (status = 304, description = "The If-None-Match tag is current"),
        (status = 400, description = "`missing_headers`, `agent_id_required`, `invalid_limit`, `invalid_cursor`, `invalid_order`, `invalid_created_after`, `invalid_created_before`, `invalid_meta`, `invalid_include_total`", body = Envelope<NoPayload>),
        (status = 401, description = "`invalid_token`", body = Envelope<NoPayload>),
        (status = 403, description = "`user_project_mapping_invalid`, `agent_not_found_or_no_access`", body = Envelope<NoPayload>),
        (status = 503, description = "`service_unavailable`: the stores are away or busy, or too many response bytes are in flight (with Retry-After)", body = Envelope<NoPayload>),
    )
)]
pub(crate) async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // No room for an answer's bytes, or beyond the bound of requests at
    // the stores: shed at once, before the stores work for nothing.
    has_room(&state.response_bytes)?;
    let admitted = admit(&state.requests)?;
    let request = request::read(&req);
    let use_case = state.list_sessions.clone();
    let outcome = blocking_holding(
        admitted,
        state.deadline,
        move || Ok(use_case.list(request)?),
    )
    .await?;

    Ok(match outcome {
        ListOutcome::NotModified { etag } => {
            with_cache_headers(HttpResponse::NotModified(), &etag).finish()
        }
        ListOutcome::Page(page) => {
            let mut body = body::head(page.agent)?;
            body::sessions(&mut body, &page.sessions, Place::Opening);
            body.push_str(&body::tail(&Extras {
                page: Some((page.has_more, page.next_cursor)),
                total: page.total,
            })?);
            counted(ok(&page.etag), body, &state)?
        }
        ListOutcome::Whole(whole) => whole_list(whole, req.method() == Method::HEAD, &state)?,
    })
}

/// A complete body, counted in `http.max_response_bytes_in_flight` until
/// written (or `503` with `Retry-After` when it would pass the bound).
fn counted(
    mut response: HttpResponseBuilder,
    body: String,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let held = try_hold(&state.response_bytes, body.len())?;
    Ok(response.body(CountedBody::new(Bytes::from(body), held)))
}

/// The whole list: complete at once when it is one batch, else streamed.
fn whole_list(
    whole: WholeList,
    head_only: bool,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let tail = body::tail(&Extras {
        page: None,
        total: whole.total,
    })?;
    let mut body = body::head(whole.agent)?;
    body::sessions(&mut body, &whole.first, Place::Opening);
    let mut response = ok(&whole.etag);
    let Some(rest) = whole.rest else {
        body.push_str(&tail);
        return counted(response, body, state);
    };
    if head_only {
        // No body goes out for HEAD: the rest of the list is not read.
        let held = try_hold(&state.response_bytes, body.len())?;
        return Ok(response.streaming(sliced(Bytes::from(body), held)));
    }
    // A stalled reader holds its stream: beyond the cap, no new one starts.
    let Some(in_flight) = state.streams.try_take() else {
        tracing::warn!(
            max = state.streams.bound(),
            "too many whole lists being streamed"
        );
        return Err(ApiError::SERVICE_UNAVAILABLE);
    };
    // Refused while it can be; once the 200 is on its way, the later batches
    // are counted without refusal.
    let held = try_hold(&state.response_bytes, body.len())?;
    let later = counted_stream(
        remaining(rest, tail, state.deadline, in_flight),
        state.response_bytes.clone(),
    );
    Ok(response.streaming(futures_util::StreamExt::chain(
        sliced(Bytes::from(body), held),
        later,
    )))
}

fn ok(etag: &str) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.content_type(ContentType::json());
    with_cache_headers(response, etag)
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

/// The bound on whole lists streamed at once: each holds a share while it
/// lives, reported to `otas_list_streams_in_flight`.
pub(crate) fn streams(bound: usize) -> Admission {
    Admission::new(bound).reporting(|change| {
        metrics::gauge!("otas_list_streams_in_flight").increment(change as f64);
    })
}

type Pending = Pin<Box<dyn Future<Output = Result<NextBatch, ApiError>>>>;

/// The batches after the first, then `tail`. Each read starts as soon as the
/// one before has arrived, so reading overlaps writing. A failure ends the
/// stream with an error, which aborts the connection: the client gets a body
/// cut short, never one that parses as a complete list. A client that goes
/// away drops the stream, and no further batch is read.
fn remaining(
    rest: Box<dyn RestOfList>,
    tail: String,
    deadline: Duration,
    in_flight: Admitted,
) -> impl futures_util::Stream<Item = Result<Bytes, ApiError>> {
    // The stream's place is held by the stream and by each batch's read,
    // until the last of them ends: a read stuck past its deadline (the
    // stream then fails and is dropped) still counts against the cap.
    let in_flight = Arc::new(in_flight);
    let read = move |rest: Box<dyn RestOfList>| -> Pending {
        let held = in_flight.clone();
        Box::pin(blocking(deadline, move || {
            let _held_until_the_read_ends = held;
            Ok(rest.read_next()?)
        }))
    };
    stream::try_unfold(Some(read(rest)), move |pending| {
        let tail = tail.clone();
        let read = read.clone();
        async move {
            let Some(pending) = pending else {
                return Ok(None);
            };
            let batch = pending.await?;
            let next = batch.rest.map(read);
            let mut chunk = String::with_capacity(batch.sessions.len() * 192 + tail.len());
            body::sessions(&mut chunk, &batch.sessions, Place::Following);
            if next.is_none() {
                chunk.push_str(&tail);
            }
            Ok(Some((Bytes::from(chunk), next)))
        }
    })
}

#[cfg(test)]
mod tests;
