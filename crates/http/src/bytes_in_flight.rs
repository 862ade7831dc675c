//! Response bytes held in memory, across every connection, against
//! `http.max_response_bytes_in_flight`.
//!
//! A page's body is rendered whole before it is written; a client that
//! reads nothing would otherwise keep it in the server's memory for as long
//! as the write timeout allows, and ten such clients of big pages took the
//! server to hundreds of megabytes. Here each body's bytes are counted from
//! the moment it is rendered until actix has taken its last slice:
//!
//! - a body is handed to actix in slices of at most [`SLICE_BYTES`], so that
//!   the connection's own write buffer (actix stops taking slices once it
//!   holds 32 KiB) never holds more than about 100 KiB that is not counted;
//! - its count is given back when the last slice has been handed on, or when
//!   the connection drops the body (the client went away, or the write
//!   timeout closed it): not when the handler returns.
//!
//! A new answer that would pass the bound is refused with `503` and
//! `Retry-After`; a whole list already answering `200` counts its later
//! batches without being refused (at most `http.max_streams` lists, each
//! holding about two batches, each bounded by `http.max_page_bytes`).

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use futures_util::{stream, Stream, TryStreamExt};
use otas_use_cases::{Admission, Admitted};

use crate::error::ApiError;

/// The most bytes handed to actix at once, so that what sits in its write
/// buffer, uncounted, stays small.
pub(crate) const SLICE_BYTES: usize = 64 * 1024;

/// The bound on the bytes of every response body not yet handed on, a
/// weighted [`Admission`]: a share weighs its body's bytes, and is reported
/// to `otas_http_response_bytes_in_flight`.
pub(crate) fn response_bytes(bound: usize) -> Admission {
    Admission::new(bound).reporting(|change| {
        metrics::gauge!("otas_http_response_bytes_in_flight").increment(change as f64);
    })
}

/// Whether an answer could be taken now at all: no room left means the
/// request is refused before its store work is done for nothing.
pub(crate) fn has_room(bytes: &Admission) -> Result<(), ApiError> {
    if bytes.has_room() {
        Ok(())
    } else {
        Err(refused())
    }
}

/// Counts `len` bytes of a new answer, or refuses it (`503` with
/// `Retry-After`) when they would pass the bound. An answer already under
/// way, which can no longer be refused, is counted with
/// [`Admission::take_anyway`].
pub(crate) fn try_hold(bytes: &Admission, len: usize) -> Result<Admitted, ApiError> {
    bytes.try_take_weighted(len).ok_or_else(refused)
}

fn refused() -> ApiError {
    metrics::counter!("otas_http_shed_total").increment(1);
    tracing::warn!("too many response bytes in flight");
    ApiError::SERVICE_UNAVAILABLE
}

/// A complete body (with its `Content-Length`) handed on in slices, counted
/// until the last slice is taken or the body dropped.
#[derive(Debug)]
pub(crate) struct CountedBody {
    rest: Bytes,
    size: u64,
    held: Option<Admitted>,
}

impl CountedBody {
    pub(crate) fn new(body: Bytes, held: Admitted) -> Self {
        Self {
            size: body.len() as u64,
            rest: body,
            held: Some(held),
        }
    }
}

impl MessageBody for CountedBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.size)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        Poll::Ready(next_slice(&mut this.rest, &mut this.held).map(Ok))
    }
}

/// The next slice of `rest`; the count goes with the last one.
fn next_slice(rest: &mut Bytes, held: &mut Option<Admitted>) -> Option<Bytes> {
    if rest.is_empty() {
        *held = None;
        return None;
    }
    let slice = rest.split_to(rest.len().min(SLICE_BYTES));
    if rest.is_empty() {
        *held = None;
    }
    Some(slice)
}

/// `chunks` (a streamed body) with each chunk counted from the moment it is
/// produced until its last slice has been handed on.
pub(crate) fn counted_stream<S>(
    chunks: S,
    bytes: Admission,
) -> impl Stream<Item = Result<Bytes, ApiError>>
where
    S: Stream<Item = Result<Bytes, ApiError>>,
{
    chunks
        .map_ok(move |chunk| {
            let held = bytes.take_anyway(chunk.len());
            sliced(chunk, held)
        })
        .try_flatten()
}

/// `chunk` as slices, holding `held` until the last is handed on.
pub(crate) fn sliced(chunk: Bytes, held: Admitted) -> impl Stream<Item = Result<Bytes, ApiError>> {
    stream::unfold((chunk, Some(held)), |(mut rest, mut held)| async move {
        next_slice(&mut rest, &mut held).map(|slice| (Ok(slice), (rest, held)))
    })
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[test]
    fn an_answer_beyond_the_bound_is_refused_with_503_and_a_smaller_one_still_fits() {
        let bytes = response_bytes(100);
        let big = try_hold(&bytes, 80).expect("fits");

        assert_eq!(
            try_hold(&bytes, 30).err(),
            Some(ApiError::SERVICE_UNAVAILABLE)
        );
        assert_eq!(bytes.held(), 80, "a refused answer holds nothing");
        let small = try_hold(&bytes, 20).expect("a small answer still fits");
        assert_eq!(has_room(&bytes).err(), Some(ApiError::SERVICE_UNAVAILABLE));
        drop((big, small));
        assert_eq!(bytes.held(), 0);
        assert!(has_room(&bytes).is_ok());
    }

    #[actix_web::test]
    async fn a_body_holds_its_count_until_its_last_slice_is_handed_on() {
        let bytes = response_bytes(1 << 30);
        let body = Bytes::from(vec![b'x'; 2 * SLICE_BYTES + 1]);
        let mut counted = CountedBody::new(body, bytes.take_anyway(2 * SLICE_BYTES + 1));
        assert_eq!(counted.size(), BodySize::Sized(2 * SLICE_BYTES as u64 + 1));

        let mut slices = Vec::new();
        while let Some(slice) =
            std::future::poll_fn(|cx| Pin::new(&mut counted).poll_next(cx)).await
        {
            slices.push(slice.expect("infallible").len());
            let held = bytes.held();
            match slices.len() {
                1 | 2 => assert_eq!(held, 2 * SLICE_BYTES + 1, "held while slices remain"),
                _ => assert_eq!(held, 0, "given back with the last slice"),
            }
        }
        assert_eq!(slices, vec![SLICE_BYTES, SLICE_BYTES, 1]);
    }

    #[actix_web::test]
    async fn a_body_dropped_unwritten_gives_its_count_back() {
        let bytes = response_bytes(1 << 30);
        let chunks = stream::iter([Ok(Bytes::from(vec![b'x'; 3 * SLICE_BYTES]))]);
        let mut counted = Box::pin(counted_stream(chunks, bytes.clone()));

        let first = counted.next().await.expect("a slice").expect("ok");
        assert_eq!(first.len(), SLICE_BYTES);
        assert_eq!(bytes.held(), 3 * SLICE_BYTES);
        drop(counted);
        assert_eq!(bytes.held(), 0);
    }
}
