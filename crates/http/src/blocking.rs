//! Running the use cases, which block on their stores, off the executor.

use std::future::Future;
use std::time::Duration;

use actix_web::web;
use tracing::Span;

use crate::error::ApiError;

/// Runs blocking work (the stores) on the blocking pool, inside the request's
/// span so that what it logs carries the request id. The work starts now,
/// not when the returned future is first polled.
///
/// Past `deadline` the caller gets `503`: a database that stops answering
/// without closing its connections (a partition, a frozen proxy) must not
/// hold a request for minutes. The work itself runs on until the database
/// answers or its connection breaks; its pooled connection is taken
/// meanwhile, so later requests wait the pool's timeout, then `503` too.
pub(crate) fn blocking<T: Send + 'static>(
    deadline: Duration,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> impl Future<Output = Result<T, ApiError>> {
    let span = Span::current();
    let running = web::block(move || span.in_scope(work));
    async move {
        match actix_web::rt::time::timeout(deadline, running).await {
            Ok(done) => done.map_err(|error| {
                tracing::error!(%error, "blocking task failed");
                ApiError::SERVER_ERROR
            })?,
            Err(_) => {
                tracing::warn!(?deadline, "the store did not answer within the deadline");
                Err(ApiError::SERVICE_UNAVAILABLE)
            }
        }
    }
}
