//! The outermost middleware: a request id for every request, one log line per
//! request, and the guarantee that every error answer is UASAM's JSON.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use tracing::Instrument;
use uuid::Uuid;

use crate::error::ApiError;
use crate::probes::PROBE_PATHS;

/// `X-Request-Id`: echoed when the caller sent a usable one, generated otherwise.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A caller's id is kept only when it is short printable ASCII, so that it
/// cannot forge log lines or carry a token into them.
fn usable_request_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| text.to_owned())
}

/// The most bytes of a request's method and path the access log echoes.
const MAX_LOGGED_METHOD: usize = 16;
const MAX_LOGGED_PATH: usize = 256;

/// The methods the service serves, each its own label; every other is `other`.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

pub(crate) async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(usable_request_id)
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    let method = req.method().clone();
    // The path only: the query string is the caller's business, and the
    // tokens travel in headers that are never logged.
    let path = req.path().to_owned();

    let span = tracing::info_span!("request", request_id = %request_id);
    let outcome = next.call(req).instrument(span.clone()).await;
    let mut response = match outcome {
        Ok(response) => ensure_json_error(response.map_into_boxed_body()),
        Err(error) => {
            // Only a middleware fails this way (handlers answer their errors).
            // The request is gone with it, so actix writes the answer: ours.
            let status = error.as_response_error().status_code();
            span.in_scope(|| tracing::warn!(%error, status = status.as_u16(), "request failed before a handler answered"));
            return Err(ApiError::for_status(status).into());
        }
    };

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    // By route, never by raw path: one series per route, whatever the
    // callers send. A route's two paths (with and without the trailing
    // slash) share its name; the other routes are named by their pattern.
    let matched = response.request();
    let route = matched
        .match_name()
        .map(str::to_owned)
        .or_else(|| matched.match_pattern())
        .unwrap_or_else(|| "unmatched".to_owned());
    metrics::counter!(
        "otas_http_requests_total",
        "route" => route.clone(),
        // A label from a closed set: actix takes any method name a client
        // invents, and each would be a new metric series held forever.
        "method" => method_label(&method),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("otas_http_request_duration_seconds", "route" => route)
        .record(elapsed.as_secs_f64());
    // Echoed cut: never more than a line's worth of what a client wrote.
    let logged_method = cut(method.as_str(), MAX_LOGGED_METHOD);
    let logged_path = cut(&path, MAX_LOGGED_PATH);
    if PROBE_PATHS.contains(&path.as_str()) {
        // Probes come every few seconds: kept out of the info log.
        tracing::debug!(
            target: "otas::access",
            request_id = %request_id,
            method = %logged_method,
            path = %logged_path,
            status,
            latency_ms = format_args!("{latency_ms:.3}"),
            "probe served"
        );
    } else {
        tracing::info!(
            target: "otas::access",
            request_id = %request_id,
            method = %logged_method,
            path = %logged_path,
            status,
            latency_ms = format_args!("{latency_ms:.3}"),
            "request served"
        );
    }
    Ok(response)
}

/// Replaces the body of an error answer that is not JSON (made by actix or
/// the CORS layer) with the envelope for its status.
fn ensure_json_error(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (request, _) = response.into_parts();
    ServiceResponse::new(request, ApiError::for_status(status).error_response())
}
