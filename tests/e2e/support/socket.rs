//! One HTTP/1.1 exchange over a plain socket, read to its end: what the
//! server put on the wire, which an HTTP client would hide (a client never
//! shows a body after HEAD or 304, whatever the server sent).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An answer as it came off the socket.
#[derive(Debug)]
pub struct RawAnswer {
    /// `HTTP/1.1 200 OK`.
    pub status_line: String,
    /// The header lines, as sent.
    pub headers: Vec<String>,
    /// Every byte after the blank line that ends the head.
    pub after_head: Vec<u8>,
}

impl RawAnswer {
    /// The value of the first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Sends `method path` with `headers` and `Connection: close` to the server
/// at `address` (`http://host:port`), and reads until the server closes.
pub async fn exchange(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> RawAnswer {
    let authority = address.trim_start_matches("http://");
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    exchange_raw(address, request.as_bytes()).await
}

/// Sends `request` as it is to the server at `address`, and reads until the
/// server closes.
pub async fn exchange_raw(address: &str, request: &[u8]) -> RawAnswer {
    let authority = address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority).await.expect("connect");
    stream.write_all(request).await.expect("send");
    let mut received = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut received),
    )
    .await
    .expect("the server closes the connection")
    .expect("read");
    let end = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8(received[..end].to_vec()).expect("an ASCII head");
    let mut lines = head.split("\r\n").map(str::to_owned);
    let status_line = lines.next().expect("a status line");
    RawAnswer {
        status_line,
        headers: lines.collect(),
        after_head: received[end + 4..].to_vec(),
    }
}

/// Asks the server at `address` (`http://host:port`) for agent A's whole
/// list as the fixture user, and reads nothing: once the socket buffers are
/// full, the server's writes wait on this reader.
pub async fn stalled_whole_list(address: &str) -> TcpStream {
    use crate::support::app::LIST_PATH;
    use crate::support::tokens::VALID;
    use crate::support::world::{AGENT_A, PROJECT_A};

    let mut stream = TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .expect("connect");
    stream
        .write_all(
            format!(
                "GET {LIST_PATH}?agent_id={AGENT_A} HTTP/1.1\r\nHost: x\r\n\
                 X-OTAS-USER-TOKEN: {VALID}\r\nX-OTAS-PROJECT-ID: {PROJECT_A}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .expect("send");
    stream
}
