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

use std::cell::Cell;
use std::future::{ready, Future, Ready};
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::ResponseError;
use futures_util::future::Either;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::error::ApiError;

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

/// An accepted connection's socket, as the h1 dispatcher reads and writes it.
pub struct EdgeStream<T> {
    io: T,
    conn: Rc<Connection>,
    head_timer: Pin<Box<Sleep>>,
    /// `head_timer` was polled (so will wake this task) since it was last reset.
    head_timer_armed: bool,
    send: SendTimer,
    /// The §7 response written in place of actix-http's own, and how much is out.
    answer: Option<Vec<u8>>,
    answer_sent: usize,
    /// The head timer ran out and the dispatcher was handed the NUL byte.
    ended_head: bool,
    /// After the answer: the write side is shut, and the request's rest is read and
    /// dropped until this many bytes or the head timer (reused) runs out.
    closing: Option<usize>,
}

/// How long, and how much, the rest of a request is read after an answer at the edge:
/// closing a socket with unread bytes resets the connection, and the client would lose
/// the answer.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1 << 20;

impl<T> EdgeStream<T> {
    pub fn new(io: T, timeouts: Timeouts) -> Self {
        let conn = Rc::new(Connection::new(timeouts));
        let deadline = conn.head_deadline.get().unwrap_or_else(Instant::now);
        Self {
            io,
            conn,
            head_timer: Box::pin(tokio::time::sleep_until(deadline)),
            head_timer_armed: false,
            send: SendTimer {
                timer: None,
                stalled: false,
                limit: timeouts.send,
            },
            answer: None,
            answer_sent: 0,
            ended_head: false,
            closing: None,
        }
    }

    /// For the connection's extensions (`HttpServiceBuilder::on_connect_ext`).
    pub fn connection(&self) -> Rc<Connection> {
        self.conn.clone()
    }

    /// Whether the head being received is past its deadline. Keeps the timer at or
    /// before the deadline, registered with this task (the connection's, for its
    /// life): it is reset only when it runs out or is late, and polled only then.
    fn head_late(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(deadline) = self.conn.head_deadline.get() else {
            return false;
        };
        if self.head_timer.deadline() > deadline {
            self.head_timer.as_mut().reset(deadline);
            self.head_timer_armed = false;
        }
        if self.head_timer_armed && !self.head_timer.is_elapsed() {
            return false;
        }
        loop {
            if self.head_timer.as_mut().poll(cx).is_pending() {
                self.head_timer_armed = true;
                return false;
            }
            if self.head_timer.deadline() >= deadline {
                return true;
            }
            self.head_timer.as_mut().reset(deadline);
        }
    }
}

/// Times a write that waits for the client to read.
struct SendTimer {
    timer: Option<Pin<Box<Sleep>>>,
    stalled: bool,
    limit: Duration,
}

impl SendTimer {
    fn write<T: AsyncWrite + Unpin>(
        &mut self,
        io: &mut T,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(io).poll_write(cx, buf) {
            Poll::Pending => {
                let limit = self.limit;
                let timer = self
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                if !self.stalled {
                    self.stalled = true;
                    timer.as_mut().reset(Instant::now() + limit);
                }
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client did not read the response",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
            done => {
                self.stalled = false;
                done
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> EdgeStream<T> {
    /// Sends what is left of the §7 answer.
    fn send_answer(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(answer) = &self.answer else {
            return Poll::Ready(Ok(()));
        };
        while self.answer_sent < answer.len() {
            match self
                .send
                .write(&mut self.io, cx, &answer[self.answer_sent..])
            {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => self.answer_sent += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> EdgeStream<T> {
    /// Reads and drops what the client still sends, until it closes or the linger ends.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut scratch = [0u8; 4096];
        loop {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                    let read = self.closing.unwrap_or(0) + buf.filled().len();
                    self.closing = Some(read);
                    if read > LINGER_BYTES {
                        return Poll::Ready(Ok(()));
                    }
                }
                Poll::Ready(_) => return Poll::Ready(Ok(())),
                Poll::Pending => {
                    return match self.head_timer.as_mut().poll(cx) {
                        Poll::Ready(()) => Poll::Ready(Ok(())),
                        Poll::Pending => Poll::Pending,
                    };
                }
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for EdgeStream<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.ended_head {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.conn.on_read(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Pending if buf.remaining() > 0 && this.head_late(cx) => {
                this.ended_head = true;
                this.conn.timed_out.set(true);
                buf.put_slice(b"\0");
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for EdgeStream<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.answer.is_some() {
            // The connection closes after the answer: whatever actix-http adds is dropped.
            if let Poll::Ready(Err(e)) = this.send_answer(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        let Some(own) = actix_answer(buf) else {
            return this.send.write(&mut this.io, cx, buf);
        };
        if own.start > 0 {
            // The responses before it first, as they are.
            return this.send.write(&mut this.io, cx, &buf[..own.start]);
        }
        let error = this.conn.error_for(own.status);
        tracing::debug!(
            status = own.status,
            answer = error.status_code().as_u16(),
            "answered at the connection's edge"
        );
        this.answer = Some(answer_bytes(&error, &buf[..own.version_len], own.date));
        if let Poll::Ready(Err(e)) = this.send_answer(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.send_answer(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.send_answer(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        if this.answer.is_none() {
            return Pin::new(&mut this.io).poll_shutdown(cx);
        }
        if this.closing.is_none() {
            match Pin::new(&mut this.io).poll_shutdown(cx) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
            this.closing = Some(0);
            this.head_timer.as_mut().reset(Instant::now() + LINGER);
            this.head_timer_armed = false;
        }
        this.drain(cx)
    }
}

/// Where actix-http's own bodiless error response starts in what it writes.
struct ActixAnswer<'a> {
    start: usize,
    status: u16,
    /// `HTTP/1.1` or `HTTP/1.0`, from the buffer's start (which is `start` when used).
    version_len: usize,
    date: Option<&'a [u8]>,
}

/// How far back from the end of a write actix-http's error head can start: it is a
/// status line and three short headers.
const ANSWER_TAIL: usize = 256;

/// Finds actix-http's bodiless `400`, `408`, `431` or `500` at the end of `buf` (it
/// closes the connection after one, so nothing follows). Only a write that ends a
/// head is looked into; a body (JSON) never holds the head's CR LF pairs.
fn actix_answer(buf: &[u8]) -> Option<ActixAnswer<'_>> {
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let from = buf.len().saturating_sub(ANSWER_TAIL);
    let start = from + memchr::memmem::rfind(&buf[from..], b"HTTP/1.")?;
    let head = &buf[start..buf.len() - 4];
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next()?;
    if status_line.len() < 13 || !matches!(status_line[7], b'0' | b'1') || status_line[8] != b' ' {
        return None;
    }
    let status = match &status_line[9..13] {
        b"400 " => 400,
        b"408 " => 408,
        b"431 " => 431,
        b"500 " => 500,
        _ => return None,
    };
    let (mut bodiless, mut date) = (false, None);
    for line in lines {
        let lower = |prefix: &[u8]| {
            line.len() >= prefix.len() && line[..prefix.len()].eq_ignore_ascii_case(prefix)
        };
        if line.eq_ignore_ascii_case(b"content-length: 0") {
            bodiless = true;
        } else if lower(b"date: ") {
            date = Some(&line[6..]);
        } else if !(line.eq_ignore_ascii_case(b"connection: close")
            || line.eq_ignore_ascii_case(b"connection: keep-alive"))
        {
            return None;
        }
    }
    bodiless.then_some(ActixAnswer {
        start,
        status,
        version_len: 8,
        date,
    })
}

/// The whole response for `error`: the §7 body, and the connection closed after it.
fn answer_bytes(error: &ApiError, version: &[u8], date: Option<&[u8]>) -> Vec<u8> {
    let status: StatusCode = error.status_code();
    let body = error.body_bytes();
    let mut out = Vec::with_capacity(200 + body.len());
    out.extend_from_slice(version);
    out.extend_from_slice(
        format!(
            " {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            body.len()
        )
        .as_bytes(),
    );
    if let Some(date) = date {
        out.extend_from_slice(b"date: ");
        out.extend_from_slice(date);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    out
}

/// Whether the request target is longer than `MAX_URI_BYTES`.
fn target_too_long(req: &ServiceRequest) -> bool {
    let uri = req.uri();
    let target = uri.path_and_query().map_or(0, |p| p.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.scheme_str().map_or(0, |s| s.len() + 3);
    target > MAX_URI_BYTES
}

/// A request the app is serving: the connection's head timer waits for its answer.
struct Serving(Option<Rc<Connection>>);

impl Serving {
    fn start(req: &ServiceRequest) -> Self {
        let conn = req.conn_data::<Rc<Connection>>().cloned();
        if let Some(conn) = &conn {
            conn.request_started();
        }
        Self(conn)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(conn) = &self.0 {
            conn.request_answered();
        }
    }
}

pin_project_lite::pin_project! {
    /// A response body that holds its request's `Serving` until actix-http has sent it
    /// all (or dropped the connection): the next head's timer starts after the answer.
    pub struct Served<B> {
        #[pin]
        body: B,
        serving: Serving,
    }
}

impl<B: MessageBody> MessageBody for Served<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.project().body.poll_next(cx)
    }
}

/// The outermost middleware (`App::wrap_fn`): tells the connection while a request is
/// served (every request passes here, CORS preflights included), and answers `414` to
/// a request target over `MAX_URI_BYTES` as it was received.
#[allow(clippy::type_complexity)]
pub fn guard<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> Either<
    Ready<Result<ServiceResponse<EitherBody<Served<B>>>, actix_web::Error>>,
    impl Future<Output = Result<ServiceResponse<EitherBody<Served<B>>>, actix_web::Error>>,
>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let serving = Serving::start(&req);
    if target_too_long(&req) {
        drop(serving); // answered here, in full
        let response = req.error_response(ApiError::UriTooLong(MAX_URI_BYTES));
        return Either::Left(ready(Ok(response.map_into_right_body())));
    }
    let call = srv.call(req);
    Either::Right(async move {
        let response = call.await?;
        // A middleware's own refusal answered with its own body (actix-cors answers a
        // preflight from an origin it does not allow with plain text): the same status
        // in the §7 body. Roster's own errors already have it.
        let foreign = response
            .response()
            .error()
            .filter(|e| e.as_error::<ApiError>().is_none())
            .map(foreign_error);
        if let Some(error) = foreign {
            drop(serving);
            let (request, _) = response.into_parts();
            let answer = ServiceResponse::new(request, error.error_response());
            return Ok(answer.map_into_right_body());
        }
        Ok(response
            .map_body(|_, body| Served { body, serving })
            .map_into_left_body())
    })
}

/// An error some middleware raised (not Roster's own `ApiError`) as an `ApiError` of
/// the same status, its message kept where the status has room for one.
fn foreign_error(e: &actix_web::Error) -> ApiError {
    let message = e.to_string();
    match e.as_response_error().status_code() {
        StatusCode::BAD_REQUEST => ApiError::bad_request(message),
        StatusCode::UNAUTHORIZED => ApiError::Unauthorized,
        StatusCode::FORBIDDEN => ApiError::forbidden(message),
        StatusCode::NOT_FOUND => ApiError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => ApiError::RequestTimeout,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::HeadersTooLarge,
        _ => ApiError::Internal(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_actix_answers_and_only_those() {
        let own = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: Tue, 01 Dec 2026 10:07:22 GMT\r\n\r\n";
        let found = actix_answer(own).unwrap();
        assert_eq!((found.start, found.status), (0, 400));
        assert_eq!(found.date, Some(&b"Tue, 01 Dec 2026 10:07:22 GMT"[..]));
        let after = [
            &b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\nx-request-id: a\r\n\r\n{}"[..],
            &own[..],
        ]
        .concat();
        let found = actix_answer(&after).unwrap();
        assert_eq!(&after[found.start..], &own[..]);
        for status in [
            &b"408 Request Timeout"[..],
            b"431 Request Header Fields Too Large",
            b"500 Internal Server Error",
        ] {
            let head = [&b"HTTP/1.1 "[..], status, b"\r\ncontent-length: 0\r\n\r\n"].concat();
            assert!(actix_answer(&head).is_some());
        }
        // Roster's own answers: a body, or other headers; other statuses.
        for not in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 87\r\ncontent-type: application/json\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-request-id: 1\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\nx-request-id: 1\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n",
            b"{\"errors\": []}",
        ] {
            assert!(actix_answer(not).is_none(), "{}", String::from_utf8_lossy(not));
        }
    }

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
