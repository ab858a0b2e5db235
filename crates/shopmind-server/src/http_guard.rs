//! Problem documents for the requests the HTTP parser refuses on its own.
//!
//! hyper answers a request head it cannot take (a URI over its fixed
//! 64 KiB limit, a head over its buffer, a malformed request line) with a
//! bare `414`, `431` or `400` and an empty body, before any of our code
//! runs, and offers no hook to change that answer. Our own limits
//! ([`crate::limits`]) sit below hyper's and answer problem documents, so
//! only heads past hyper's limits get here. [`GuardedListener`] wraps each
//! accepted connection so that such an automatic answer, recognised by its
//! status and the absence of a `content-type` header (every answer of ours
//! has one), is replaced on its way out by the same status with an RFC 9457
//! problem document. hyper closes the connection after these answers, so
//! the replacement is the last thing written.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections get problem documents for parser errors.
pub struct GuardedListener(pub TcpListener);

impl axum::serve::Listener for GuardedListener {
    type Io = Guarded<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (Guarded::new(io), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A connection whose parser-error answers are rewritten (see the module).
pub struct Guarded<T> {
    inner: T,
    /// A replacement answer still to be written.
    pending: Vec<u8>,
    sent: usize,
}

impl<T> Guarded<T> {
    /// Wraps a connection.
    pub fn new(inner: T) -> Self {
        Guarded {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

/// The problem document that replaces `head`, if `head` is one of hyper's
/// automatic error answers: a whole head, status 400/414/431, no body, no
/// content type.
pub fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let rest = text.strip_prefix("HTTP/1.1 ")?;
    if !text.ends_with("\r\n\r\n") || text.find("\r\n\r\n")? + 4 != text.len() {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("\r\ncontent-type:") || !lower.contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let (status, code, title, detail) = match rest.get(..3)? {
        "414" => (
            414,
            "uri_too_long",
            "URI too long",
            "the request URI is over the HTTP parser's limit of 64 KiB; send long inputs in a POST body",
        ),
        "431" => (
            431,
            "headers_too_large",
            "Request header fields too large",
            "the request head is over the HTTP parser's limit",
        ),
        "400" => (
            400,
            "bad_request",
            "Bad request",
            "the request is not valid HTTP/1.1",
        ),
        _ => return None,
    };
    let body = serde_json::json!({
        "type": format!("/problems/{code}"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    })
    .to_string();
    let reason = rest.get(4..)?.split("\r\n").next()?;
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<T: AsyncWrite + Unpin> Guarded<T> {
    /// Writes what is left of a replacement answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.pending.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        // Only a short buffer can be one of hyper's bare answers.
        if buf.len() < 256
            && let Some(answer) = replacement(buf)
        {
            self.pending = answer;
            self.sent = 0;
            // The caller's bytes count as written; ours go out now or on flush.
            let _ = self.drain(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_parser_answers_are_replaced() {
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 08:00:00 GMT\r\n\r\n";
        let got = String::from_utf8(replacement(bare).unwrap()).unwrap();
        assert!(got.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{got}");
        assert!(got.contains("content-type: application/problem+json"));
        let body = got.split("\r\n\r\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["code"], "uri_too_long");
        assert_eq!(v["status"], 414);
        let declared: usize = got
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(declared, body.len());
        // Our own answers carry a content type and a body: untouched.
        let ours = b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/problem+json\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(ours).is_none());
        assert!(replacement(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        // A head followed by a body is not an automatic answer.
        assert!(replacement(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nx").is_none());
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert!(
            String::from_utf8(replacement(head).unwrap())
                .unwrap()
                .contains("headers_too_large")
        );
    }
}
