//! Running the use cases, which block on their stores, off the executor.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
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
/// Request handlers run their work through [`Admitted::blocking`], which
/// keeps it counted until it ends.
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
///
/// What it counts is work, not handlers: a share is held until the blocking
/// work it admitted has ended ([`Admitted::blocking`]), even when the request
/// gave up on it at its deadline. A database that stops answering thus fills
/// the bound with stuck work and further requests are shed, instead of each
/// timed-out request leaving a thread, a pooled connection and the rows it
/// reads behind, uncounted.
#[derive(Debug)]
pub(crate) struct Admission {
    in_flight: Arc<AtomicUsize>,
    bound: usize,
}

/// An admitted request's share of the bound, given back when dropped. Owned,
/// so that it can move into the blocking work and end with it.
#[derive(Debug)]
pub(crate) struct Admitted(Arc<AtomicUsize>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Admitted {
    /// [`blocking`], holding this share until `work` has ended (returned or
    /// panicked), not merely until the caller stops waiting for it.
    pub(crate) fn blocking<T: Send + 'static>(
        self,
        deadline: Duration,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> impl Future<Output = Result<T, ApiError>> {
        blocking(deadline, move || {
            let _held_until_the_work_ends = self;
            work()
        })
    }
}

impl Admission {
    pub(crate) fn new(bound: usize) -> Self {
        Self {
            in_flight: Arc::default(),
            bound: bound.max(1),
        }
    }

    /// A share of the bound, or `503` when none is left.
    pub(crate) fn admit(&self) -> Result<Admitted, ApiError> {
        let before = self.in_flight.fetch_add(1, Ordering::SeqCst);
        let admitted = Admitted(self.in_flight.clone());
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

    #[actix_web::test]
    async fn work_past_its_deadline_keeps_its_share_until_it_ends() {
        let admission = Admission::new(1);
        let (release, released) = std::sync::mpsc::channel::<()>();
        let admitted = admission.admit().expect("admitted");

        // Stuck work: the caller gets 503 at the deadline…
        let answer = admitted
            .blocking(Duration::from_millis(50), move || {
                let _ = released.recv();
                Ok(())
            })
            .await;
        assert_eq!(answer, Err(ApiError::SERVICE_UNAVAILABLE));
        // …but the work still holds its share: the next request is shed.
        assert_eq!(admission.admit().err(), Some(ApiError::SERVICE_UNAVAILABLE));

        release.send(()).expect("the work waits");
        let started = std::time::Instant::now();
        while admission.admit().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "the share comes back once the work ends"
            );
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
