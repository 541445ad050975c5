//! The connection's edge, below actix-web: the answers actix-http writes by itself
//! before any service runs (a head it cannot parse, too large, too slow) get the §7
//! body; every request head on a connection, not only its first, must arrive within the
//! head timeout; a response the client stops reading is dropped after the body timeout;
//! a request target over `MAX_URI_BYTES` is `414`.
//!
//! `EdgeStream` wraps each accepted socket. actix-http's h1 dispatcher answers a bad head
//! with a bodiless `400`, `408`, `431` (or `500`) and closes the connection; the stream
//! recognises that answer at the end of what the dispatcher writes (Roster's own
//! responses always carry a body or an `x-request-id`) and writes the §7 response in its
//! place. actix-http times only a connection's first head, so the stream times the later
//! ones itself: when one is late it hands the dispatcher a NUL byte, which no request
//! head may hold, and the dispatcher's `400` for it goes out as `408`.
//!
//! Here: the limits and what a connection's stream and its requests share
//! (`Connection`); `stream.rs` the socket wrapper, `answer.rs` actix-http's answers
//! recognised and rewritten, `guard.rs` the outermost middleware.

mod answer;
mod guard;
mod stream;

use std::cell::Cell;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::ApiError;

pub use guard::{guard, Served};
pub use stream::EdgeStream;

/// The longest request target (path and query) served; longer is `414 uri_too_long`.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The limits each connection keeps.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub head: Duration,
    pub keep_alive: Duration,
    /// The longest a write may wait for the client to read.
    pub send: Duration,
}

/// What the stream and the requests of one connection share (both on its worker thread).
pub struct Connection {
    timeouts: Timeouts,
    /// Requests handed to the app and not answered yet.
    in_flight: Cell<u32>,
    /// When the head being received must be complete; `None` while a request is served.
    head_deadline: Cell<Option<Instant>>,
    /// Set by an answer: the next byte read starts the next head, which has the head
    /// timeout from then.
    awaiting_head: Cell<bool>,
    /// The length of the first line read since the connection opened or the last answer
    /// (the request line), and whether it has ended.
    request_line: Cell<usize>,
    request_line_done: Cell<bool>,
    /// The stream ended a head that came too slowly.
    timed_out: Cell<bool>,
}

impl Connection {
    fn new(timeouts: Timeouts) -> Self {
        Self {
            timeouts,
            in_flight: Cell::new(0),
            head_deadline: Cell::new(Some(Instant::now() + timeouts.head)),
            awaiting_head: Cell::new(false),
            request_line: Cell::new(0),
            request_line_done: Cell::new(false),
            timed_out: Cell::new(false),
        }
    }

    fn request_started(&self) {
        self.in_flight.set(self.in_flight.get() + 1);
        self.head_deadline.set(None);
        self.awaiting_head.set(false);
        self.request_line_done.set(true);
    }

    fn request_answered(&self) {
        let left = self.in_flight.get().saturating_sub(1);
        self.in_flight.set(left);
        if left == 0 {
            // The next byte read starts the next head's timer. Part of a head read
            // already, with nothing after it, gets keep-alive's time and the head's.
            let t = self.timeouts;
            self.head_deadline
                .set(Some(Instant::now() + t.keep_alive + t.head));
            self.awaiting_head.set(true);
            self.request_line.set(0);
            self.request_line_done.set(false);
        }
    }

    /// Sees the bytes read: the first of a later head starts its timer; the request line
    /// is measured (one `memchr` over it; nothing after it is looked at).
    fn on_read(&self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.awaiting_head.replace(false) {
            let due = Instant::now() + self.timeouts.head;
            if self.head_deadline.get().is_some_and(|d| due < d) {
                self.head_deadline.set(Some(due));
            }
        }
        let mut rest = bytes;
        while !self.request_line_done.get() {
            match memchr::memchr(b'\n', rest) {
                None => {
                    self.request_line.set(self.request_line.get() + rest.len());
                    return;
                }
                Some(i) => {
                    let line = self.request_line.get() + i;
                    if line <= 1 {
                        // An empty line before the request line (RFC 9112 §2.2).
                        self.request_line.set(0);
                        rest = &rest[i + 1..];
                    } else {
                        self.request_line.set(line);
                        self.request_line_done.set(true);
                    }
                }
            }
        }
    }

    /// What to answer in place of actix-http's bodiless `status`.
    fn error_for(&self, status: u16) -> ApiError {
        let long_line = self.request_line.get() > MAX_URI_BYTES;
        match status {
            408 => ApiError::RequestTimeout,
            _ if self.timed_out.get() => ApiError::RequestTimeout,
            400 | 431 if long_line => ApiError::UriTooLong(MAX_URI_BYTES),
            431 => ApiError::HeadersTooLarge,
            400 => ApiError::bad_request("the request is not valid HTTP/1.1"),
            _ => ApiError::Internal("actix-http answered 500 by itself".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_the_request_line_only() {
        let t = Timeouts {
            head: Duration::from_secs(1),
            keep_alive: Duration::from_secs(1),
            send: Duration::from_secs(1),
        };
        let conn = Connection::new(t);
        conn.on_read(b"\r\nGET /");
        conn.on_read(&[b'a'; 9000]);
        assert!(!conn.request_line_done.get());
        conn.on_read(b" HTTP/1.1\r\nHost: x\r\n");
        assert!(conn.request_line_done.get());
        assert_eq!(conn.request_line.get(), 9000 + 15);
        assert!(matches!(conn.error_for(400), ApiError::UriTooLong(_)));
        assert!(matches!(conn.error_for(408), ApiError::RequestTimeout));
        conn.request_started();
        conn.request_answered();
        conn.on_read(b"GET / HTTP/1.1\r\nX: ");
        conn.on_read(&[b'a'; 200_000]);
        assert!(matches!(conn.error_for(431), ApiError::HeadersTooLarge));
        assert!(matches!(conn.error_for(400), ApiError::BadRequest { .. }));
    }
}
