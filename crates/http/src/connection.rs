//! One accepted TCP connection, as actix-http reads and writes it.
//!
//! Two things no actix setting does are done here, on the bytes:
//!
//! - **A write timeout.** A write that makes no progress for `write_timeout`
//!   (the peer stopped reading: its window stays shut) fails with `TimedOut`,
//!   which ends the connection. A stalled reader of a streamed list thereby
//!   gives back its stream slot and the memory its batches held.
//! - **The JSON envelope on protocol errors.** actix-http answers some
//!   requests before any route runs, with an empty body: 400 for a malformed
//!   head, 408 for a head that came too slowly, 431 for one too large (more
//!   than 96 headers or 128 KiB). Such an answer is recognised (one of those
//!   statuses, `content-length: 0`, no `content-type`: every answer of ours
//!   carries one) and written with the envelope instead. actix closes the
//!   connection after these, so nothing follows them on the wire; the close
//!   lingers (the rest of the client's request is read and dropped, for a
//!   while) so that the kernel does not reset the connection over unread
//!   bytes and discard the answer before the client reads it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::rt::net::TcpStream;
use actix_web::rt::time::{sleep, Sleep};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::envelope::Envelope;
use crate::error::ApiError;

/// A TCP connection with a write timeout and JSON protocol errors.
#[derive(Debug)]
pub(crate) struct Connection {
    /// Always present until the connection is dropped.
    stream: Option<TcpStream>,
    write_timeout: Duration,
    /// Started when a write or flush first waits; cleared by any progress.
    stall: Option<Pin<Box<Sleep>>>,
    /// A protocol error being written in place of actix's empty one.
    replacement: Option<Replacement>,
    /// A protocol error was answered: close lingering.
    linger: bool,
}

#[derive(Debug)]
struct Replacement {
    bytes: Vec<u8>,
    written: usize,
}

impl Connection {
    pub(crate) fn new(stream: TcpStream, write_timeout: Duration) -> Self {
        Self {
            stream: Some(stream),
            write_timeout,
            stall: None,
            replacement: None,
            linger: false,
        }
    }

    fn stream(&mut self) -> io::Result<Pin<&mut TcpStream>> {
        self.stream
            .as_mut()
            .map(Pin::new)
            .ok_or_else(|| io::ErrorKind::NotConnected.into())
    }

    /// Passes `poll` on, except that waiting longer than the write timeout
    /// without progress becomes an error.
    fn bounded<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stall = None;
            return poll;
        }
        let timeout = self.write_timeout;
        let stall = self.stall.get_or_insert_with(|| Box::pin(sleep(timeout)));
        match stall.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the peer read nothing within the write timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Writes the replacement of an empty protocol error; `Ready(Ok(len))`
    /// once all of it is out (`len` being the bytes actix asked to write),
    /// after which writes pass through again.
    fn poll_replacement(&mut self, cx: &mut Context<'_>, len: usize) -> Poll<io::Result<usize>> {
        loop {
            let Some(replacement) = self.replacement.as_mut() else {
                return Poll::Ready(Ok(len));
            };
            let rest = &replacement.bytes[replacement.written..];
            if rest.is_empty() {
                self.replacement = None;
                return Poll::Ready(Ok(len));
            }
            let Some(stream) = self.stream.as_mut() else {
                return Poll::Ready(Err(io::ErrorKind::NotConnected.into()));
            };
            match Pin::new(stream).poll_write(cx, rest) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Ok(0)),
                Poll::Ready(Ok(n)) => replacement.written += n,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(stream) => stream.poll_read(cx, buf),
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacement.is_none() {
            if let Some(bytes) = with_json_body(buf) {
                this.replacement = Some(Replacement { bytes, written: 0 });
                this.linger = true;
            }
        }
        let poll = if this.replacement.is_some() {
            this.poll_replacement(cx, buf.len())
        } else {
            match this.stream() {
                Ok(stream) => stream.poll_write(cx, buf),
                Err(error) => Poll::Ready(Err(error)),
            }
        };
        this.bounded(cx, poll)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let poll = match this.stream() {
            Ok(stream) => stream.poll_flush(cx),
            Err(error) => Poll::Ready(Err(error)),
        };
        this.bounded(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(stream) => stream.poll_shutdown(cx),
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

impl Drop for Connection {
    /// After a protocol error, closes the way HTTP servers close on a
    /// request they did not read whole: the answer is sent, the write side
    /// shut, and what the client still sends read and dropped, at most
    /// [`LINGER_BYTES`] for at most [`LINGER_TIME`], on a task of its own.
    fn drop(&mut self) {
        if !self.linger {
            return;
        }
        let (Some(stream), Ok(runtime)) =
            (self.stream.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        // Beyond the cap (a flood of malformed heads), close at once.
        if LINGERING.fetch_add(1, Ordering::Relaxed) >= MAX_LINGERING {
            LINGERING.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        let slot = LingerSlot;
        runtime.spawn(async move {
            let _slot = slot; // Given back however the task ends.
            linger(stream).await;
        });
    }
}

/// The most a lingering close reads and drops.
const LINGER_BYTES: usize = 1 << 20;
/// The longest a lingering close waits for the client to stop sending.
const LINGER_TIME: Duration = Duration::from_secs(2);
/// The most connections lingering at once, in the whole process.
const MAX_LINGERING: usize = 256;
static LINGERING: AtomicUsize = AtomicUsize::new(0);

/// One of the [`MAX_LINGERING`] places, given back when dropped (also when
/// the runtime drops the task before it ends).
struct LingerSlot;

impl Drop for LingerSlot {
    fn drop(&mut self) {
        LINGERING.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn linger(mut stream: TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    if stream.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut scratch = [0_u8; 8192];
        let mut read = 0;
        while read < LINGER_BYTES {
            match stream.read(&mut scratch).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
    };
    let _ = actix_web::rt::time::timeout(LINGER_TIME, drain).await;
}

/// The statuses actix-http answers by itself, before any route runs.
const PROTOCOL_ERRORS: [StatusCode; 3] = [
    StatusCode::BAD_REQUEST,
    StatusCode::REQUEST_TIMEOUT,
    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
];

/// `bytes` with the JSON envelope as its body, when `bytes` is exactly one
/// of actix-http's own empty protocol error answers; `None` otherwise.
fn with_json_body(bytes: &[u8]) -> Option<Vec<u8>> {
    // Cheap checks first: most writes are bodies, some of them large.
    if bytes.len() > 1024 || !bytes.starts_with(b"HTTP/1.") || !bytes.ends_with(b"\r\n\r\n") {
        return None;
    }
    let head = std::str::from_utf8(bytes).ok()?;
    let head = head.strip_suffix("\r\n\r\n")?;
    if head.contains("\r\n\r\n") {
        return None; // More than one head: not a lone protocol error.
    }
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))?
        .get(..3)?;
    let status = StatusCode::from_bytes(status.as_bytes()).ok()?;
    if !PROTOCOL_ERRORS.contains(&status) {
        return None;
    }
    let headers: Vec<&str> = lines.collect();
    let has = |name: &str| {
        headers.iter().any(|line| {
            line.split_once(':')
                .is_some_and(|(key, _)| key.trim().eq_ignore_ascii_case(name))
        })
    };
    let empty = headers.iter().any(|line| {
        line.split_once(':').is_some_and(|(key, value)| {
            key.trim().eq_ignore_ascii_case("content-length") && value.trim() == "0"
        })
    });
    if !empty || has("content-type") {
        return None;
    }
    let body = serde_json::to_vec(&Envelope::refusal(ApiError::for_status(status).code)).ok()?;
    let mut out = Vec::with_capacity(bytes.len() + body.len() + 64);
    out.extend_from_slice(status_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    for line in headers
        .iter()
        .filter(|line| !line.to_ascii_lowercase().starts_with("content-length:"))
    {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"content-type: application/json\r\n");
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::with_json_body;

    fn rewritten(head: &str) -> Option<String> {
        with_json_body(head.as_bytes()).map(|bytes| String::from_utf8(bytes).expect("utf-8"))
    }

    #[test]
    fn an_empty_431_gets_the_envelope() {
        let out = rewritten(
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: Tue, 01 Dec 2026 21:00:00 GMT\r\n\r\n",
        )
        .expect("rewritten");
        let body = r#"{"status":0,"status_description":"headers_too_large"}"#;
        assert_eq!(
            out,
            format!(
                "HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ndate: Tue, 01 Dec 2026 21:00:00 GMT\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
        );
    }

    #[test]
    fn empty_400_and_408_get_their_codes() {
        let bad = rewritten("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").expect("400");
        assert!(bad.ends_with(r#"{"status":0,"status_description":"bad_request"}"#));
        let slow =
            rewritten("HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\n").expect("408");
        assert!(slow.ends_with(r#"{"status":0,"status_description":"request_timeout"}"#));
    }

    #[test]
    fn answers_of_the_routes_are_left_alone() {
        // Ours carry a content type, even on HEAD where the body is dropped.
        assert_eq!(
            rewritten("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ncontent-type: application/json\r\n\r\n"),
            None
        );
        // Other statuses, bodies, and partial or several heads.
        assert_eq!(
            rewritten("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        assert_eq!(
            rewritten("HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}"),
            None
        );
        assert_eq!(
            rewritten("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n"),
            None
        );
        assert_eq!(
            rewritten("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        assert_eq!(rewritten("body bytes of a streamed list"), None);
    }
}
