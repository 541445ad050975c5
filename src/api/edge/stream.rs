//! `EdgeStream`: an accepted socket as the h1 dispatcher reads and writes it, timing
//! every head and every stalled write, and writing the §7 answer in place of
//! actix-http's own (`answer.rs` finds it).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::ResponseError;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use super::answer::{actix_answer, answer_bytes};
use super::{Connection, Timeouts};

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
