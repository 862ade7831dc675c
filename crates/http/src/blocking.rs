//! Running the use cases, which block on their stores, off the executor.

use std::future::Future;
use std::time::Duration;

use actix_web::web;
use otas_use_cases::{Admission, Admitted};
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
/// Request handlers run their work through [`blocking_holding`], which
/// keeps it counted until it ends.
pub(crate) fn blocking<T: Send + 'static>(
    deadline: Duration,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> impl Future<Output = Result<T, ApiError>> {
    let span = Span::current();
    let running = web::block(move || span.in_scope(work));
    blocking_with_deadline(deadline, running)
}

/// A request's share of the bound on requests at the stores
/// (`http.max_in_flight`), or `503` when none is left: beyond the bound,
/// load is shed at once rather than queued without bound behind a pool that
/// cannot serve it.
///
/// What the bound counts is work, not handlers: the share is held until the
/// blocking work it admitted has ended ([`blocking_holding`]), even when the
/// request gave up on it at its deadline. A database that stops answering
/// thus fills the bound with stuck work and further requests are shed,
/// instead of each timed-out request leaving a thread, a pooled connection
/// and the rows it reads behind, uncounted.
pub(crate) fn admit(requests: &Admission) -> Result<Admitted, ApiError> {
    requests.try_take().ok_or_else(|| {
        metrics::counter!("otas_http_shed_total").increment(1);
        ApiError::SERVICE_UNAVAILABLE
    })
}

/// [`blocking`], holding `held` (a share of a bound) until `work` has ended
/// (returned or panicked), not merely until the caller stops waiting for it.
pub(crate) fn blocking_holding<T: Send + 'static>(
    held: impl Send + 'static,
    deadline: Duration,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> impl Future<Output = Result<T, ApiError>> {
    blocking(deadline, move || {
        let _held_until_the_work_ends = held;
        work()
    })
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
    fn beyond_the_bound_a_request_is_shed_with_503_and_a_finished_one_makes_room() {
        let requests = Admission::new(2);
        let first = admit(&requests).expect("admitted");
        let _second = admit(&requests).expect("admitted");

        assert_eq!(admit(&requests).err(), Some(ApiError::SERVICE_UNAVAILABLE));
        drop(first);
        assert!(admit(&requests).is_ok());
    }

    #[actix_web::test]
    async fn work_past_its_deadline_keeps_its_share_until_it_ends() {
        let requests = Admission::new(1);
        let (release, released) = std::sync::mpsc::channel::<()>();
        let admitted = admit(&requests).expect("admitted");

        // Stuck work: the caller gets 503 at the deadline…
        let answer = blocking_holding(admitted, Duration::from_millis(50), move || {
            let _ = released.recv();
            Ok(())
        })
        .await;
        assert_eq!(answer, Err(ApiError::SERVICE_UNAVAILABLE));
        // …but the work still holds its share: the next request is shed.
        assert_eq!(admit(&requests).err(), Some(ApiError::SERVICE_UNAVAILABLE));

        release.send(()).expect("the work waits");
        let started = std::time::Instant::now();
        while admit(&requests).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "the share comes back once the work ends"
            );
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
