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
    blocking_with_deadline(deadline, running)
}

/// Admits a request's store work only while fewer than the bound are in
/// flight: beyond it, load is shed at once with `503` rather than queued
/// without bound behind a pool that cannot serve it.
#[derive(Debug)]
pub(crate) struct Admission {
    in_flight: std::sync::atomic::AtomicUsize,
    bound: usize,
}

/// An admitted request's share of the bound, given back when dropped.
#[derive(Debug)]
pub(crate) struct Admitted<'a>(&'a Admission);

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Admission {
    pub(crate) fn new(bound: usize) -> Self {
        Self {
            in_flight: std::sync::atomic::AtomicUsize::new(0),
            bound: bound.max(1),
        }
    }

    /// A share of the bound, or `503` when none is left.
    pub(crate) fn admit(&self) -> Result<Admitted<'_>, ApiError> {
        let before = self
            .in_flight
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let admitted = Admitted(self);
        if before >= self.bound {
            metrics::counter!("otas_http_shed_total").increment(1);
            return Err(ApiError::SERVICE_UNAVAILABLE);
        }
        Ok(admitted)
    }
}

async fn blocking_with_deadline<T>(
    deadline: Duration,
    running: impl Future<Output = Result<Result<T, ApiError>, actix_web::error::BlockingError>>,
) -> Result<T, ApiError> {
    {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beyond_the_bound_a_request_is_shed_and_a_finished_one_makes_room() {
        let admission = Admission::new(2);
        let first = admission.admit().expect("admitted");
        let _second = admission.admit().expect("admitted");

        assert_eq!(admission.admit().err(), Some(ApiError::SERVICE_UNAVAILABLE));
        drop(first);
        assert!(admission.admit().is_ok());
    }
}
