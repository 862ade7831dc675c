//! Running the use cases, which block on their stores, off the executor.

use std::future::Future;

use actix_web::web;
use tracing::Span;

use crate::error::ApiError;

/// Runs blocking work (the stores) on the blocking pool, inside the request's
/// span so that what it logs carries the request id. The work starts now,
/// not when the returned future is first polled.
pub(crate) fn blocking<T: Send + 'static>(
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
