//! A request body read within a time and a size: a client that sends its
//! body one byte every few seconds must not hold a connection (and a worker's
//! attention) for as long as it likes.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, ResponseError};
use futures_util::StreamExt;

use crate::error::ApiError;

/// The bounds of a body, set per route with `app_data`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    /// Beyond it, `413 payload_too_large`.
    pub(crate) max_bytes: usize,
    /// The whole body must have arrived within this long of the handler's
    /// start, else `408 request_timeout` and the connection is closed.
    pub(crate) timeout: Duration,
}

/// The body of a request, read whole within [`BodyLimits`]. Memory: at most
/// `max_bytes` (a declared `Content-Length` above it is refused unread).
#[derive(Debug)]
pub(crate) struct TimedBody(pub(crate) Bytes);

impl FromRequest for TimedBody {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Every route that reads a body sets its limits (`app.rs`); the
        // settings' defaults live in `config/default.toml` alone.
        let Some(limits) = req.app_data::<BodyLimits>().copied() else {
            tracing::error!("a route reads a body without BodyLimits");
            return Box::pin(async { Err(ApiError::SERVER_ERROR.into()) });
        };
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|length| length > limits.max_bytes) {
                return Err(too_large());
            }
            let reading = async {
                let mut body = BytesMut::with_capacity(declared.unwrap_or(0));
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(|_| bad_request())?;
                    if body.len() + chunk.len() > limits.max_bytes {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(TimedBody(body.freeze()))
            };
            match actix_web::rt::time::timeout(limits.timeout, reading).await {
                Ok(read) => read,
                Err(_) => {
                    tracing::info!(timeout = ?limits.timeout, "the request body did not arrive in time");
                    Err(closing(ApiError::new(
                        StatusCode::REQUEST_TIMEOUT,
                        "request_timeout",
                    )))
                }
            }
        })
    }
}

fn too_large() -> actix_web::Error {
    closing(ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    ))
}

fn bad_request() -> actix_web::Error {
    closing(ApiError::new(StatusCode::BAD_REQUEST, "bad_request"))
}

/// The error's JSON answer, closing the connection: the rest of the body
/// is never read, so the connection cannot carry another request.
fn closing(error: ApiError) -> actix_web::Error {
    let mut response = error.error_response();
    response
        .head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    InternalError::from_response(error, response).into()
}
