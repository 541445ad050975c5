//! SQLite's one writer: a thread that owns the write connection and commits the write
//! transactions queued for it in groups.
//!
//! SQLite has one writer at a time, so under concurrent load a bulk create's time is
//! mostly its turn at the write lock: `BEGIN IMMEDIATE`, the INSERT, the barrier check
//! and `COMMIT`, which writes every page the transaction touched to the WAL. When
//! several requests are queued for that lock, they share one transaction (group
//! commit):
//!
//! - All of a database's write transactions run on one connection, owned by one thread
//!   (its page cache also stays warm, since no other connection writes).
//! - The thread takes the first queued job, opens the transaction (`BEGIN IMMEDIATE`)
//!   and runs the job inside a savepoint of its own; then the jobs already queued, each
//!   in its own savepoint. A job that fails (or panics) has its savepoint rolled back
//!   and only that job fails. Every job's work stays all or nothing.
//! - The group commits when nobody else is queued, after its eighth job, or once it has
//!   been open 50 ms. No job is answered before the commit that holds its rows: if
//!   `COMMIT` fails, every job of the group that had succeeded fails with it. Failed
//!   jobs wait too, so that the rows of the group that made them fail are visible when
//!   they are diagnosed.
//!
//! A group is as if its jobs had run one after the other in the order they were
//! queued: each sees the rows of those before it, and no other writer can commit in
//! between (all of this process's writers come here; another process waits on SQLite's
//! own lock). With one job at a time nothing changes: `BEGIN IMMEDIATE`, the work,
//! `COMMIT`.
//!
//! Measured with `bench/sqlite_ceiling.py` (SQLite alone, no writer checkpoints):
//! 100-row bulks at 38,551 rows/s one a transaction, 49,070 with four, each in a
//! savepoint.
//!
//! Why a thread owns the connection: the caller queues a boxed job and awaits a
//! oneshot answer, so a queued writer holds neither a pool connection nor a blocking
//! thread (the mutex-and-condvar version parked one of each per waiting request, which
//! is why SQLite's pool had to be large), and group membership is simply "already in
//! the channel" instead of counters and thread-locals shared between requests. A job
//! must not wait for another job of the same writer (it would wait for itself):
//! nested write transactions inside a job are savepoints (`in_transaction`).

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::thread::ThreadId;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DbError};
use tokio::sync::oneshot;

use super::{AnyConnection, ConnectionManager};
use thread::{EndGuard, Thread};

mod thread;

/// The most jobs one transaction holds, and the longest it stays open for more.
const MAX_GROUP: usize = 8;
const MAX_OPEN: Duration = Duration::from_millis(50);

/// Why a write was not done, or not kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriterError {
    #[error("the database writer has stopped")]
    Stopped,
    #[error("the write transaction could not be committed: {0}")]
    CommitFailed(String),
    #[error("the writer's connection failed: {0}")]
    Connection(String),
    #[error("the write panicked: {0}")]
    Panicked(String),
    #[error("cannot open the writer's database connection: {0}")]
    Connect(String),
    #[error("cannot start the writer thread: {0}")]
    Start(String),
    #[error("a write was submitted from inside a write of the same writer")]
    Nested,
}

/// For callers whose error type is diesel's (the maintenance thread's `ANALYZE`).
impl From<WriterError> for DbError {
    fn from(e: WriterError) -> Self {
        DbError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(e.to_string()))
    }
}

/// A handle on the writer thread; clones share it. The thread ends once every handle
/// is dropped and the jobs queued by then are done.
#[derive(Clone)]
pub struct Writer {
    jobs: Sender<Job>,
    thread: ThreadId,
    shared: Arc<Shared>,
}

/// Counters, for tests and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterStats {
    /// Groups committed.
    pub commits: u64,
    /// Times the connection was reopened after a connection-level failure.
    pub reopened: u64,
}

#[derive(Default)]
struct Shared {
    commits: AtomicU64,
    reopened: AtomicU64,
    ended: Mutex<bool>,
    ended_signal: Condvar,
}

/// Waits for the writer thread's end (graceful shutdown: the last commits are done).
#[derive(Clone)]
pub struct Finished(Arc<Shared>);

impl Finished {
    /// Whether the thread ended within `timeout`.
    pub fn wait(&self, timeout: Duration) -> bool {
        let ended = self.0.ended.lock().unwrap_or_else(|p| p.into_inner());
        let (ended, _) = self
            .0
            .ended_signal
            .wait_timeout_while(ended, timeout, |ended| !*ended)
            .unwrap_or_else(|p| p.into_inner());
        *ended
    }

    pub fn is_finished(&self) -> bool {
        *self.0.ended.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The answer to a submitted job, to await.
pub struct Pending<T, E> {
    answer: oneshot::Receiver<Result<T, E>>,
}

impl<T, E: From<WriterError>> Future for Pending<T, E> {
    type Output = Result<T, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.answer)
            .poll(cx)
            .map(|answer| answer.unwrap_or_else(|_| Err(WriterError::Stopped.into())))
    }
}

/// A queued job: runs on the connection (or is refused with why), and leaves the
/// answer to send once its group has ended.
type Job = Box<dyn FnOnce(Result<&mut AnyConnection, WriterError>) -> Answer + Send>;

struct Answer {
    /// Whether the job succeeded, so that its savepoint is kept.
    kept: bool,
    /// Sends the job's result; `Some` is how the group failed, which replaces a success.
    send: Box<dyn FnOnce(Option<WriterError>) + Send>,
}

#[derive(Clone, Copy)]
struct Limits {
    jobs: usize,
    open: Duration,
}

impl Writer {
    /// Opens the write connection and starts the thread that owns it.
    pub fn spawn(manager: ConnectionManager) -> Result<Writer, WriterError> {
        Self::spawn_with(
            manager,
            Limits {
                jobs: MAX_GROUP,
                open: MAX_OPEN,
            },
        )
    }

    fn spawn_with(manager: ConnectionManager, limits: Limits) -> Result<Writer, WriterError> {
        let conn = manager.connect().map_err(|e| WriterError::Connect(e.0))?;
        let (jobs, queue) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let thread = Thread {
            queue,
            conn: Some(conn),
            manager,
            limits,
            shared: Arc::clone(&shared),
        };
        let handle = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                // Set after `serve` has dropped the connection: "ended" means closed.
                let _end = EndGuard(Arc::clone(&thread.shared));
                thread.serve();
            })
            .map_err(|e| WriterError::Start(e.to_string()))?;
        Ok(Writer {
            jobs,
            thread: handle.thread().id(),
            shared,
        })
    }

    /// Runs `job` in a write transaction shared with the jobs queued with it (see the
    /// module's documentation); the answer comes once that transaction has ended.
    pub async fn write<T, E>(
        &self,
        job: impl FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<WriterError> + Send + 'static,
    {
        self.submit(job).await
    }

    /// As `write`, but queues the job now (before the first poll).
    pub fn submit<T, E>(
        &self,
        job: impl FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    ) -> Pending<T, E>
    where
        T: Send + 'static,
        E: From<WriterError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.enqueue(job, move |result| {
            let _ = reply.send(result);
        });
        Pending { answer }
    }

    /// As `write`, blocking the calling thread (for threads outside the async runtime).
    pub fn write_blocking<T, E>(
        &self,
        job: impl FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<WriterError> + Send + 'static,
    {
        let (reply, answer) = mpsc::sync_channel(1);
        self.enqueue(job, move |result| {
            let _ = reply.send(result);
        });
        answer
            .recv()
            .unwrap_or_else(|_| Err(WriterError::Stopped.into()))
    }

    pub fn stats(&self) -> WriterStats {
        WriterStats {
            commits: self.shared.commits.load(Ordering::Relaxed),
            reopened: self.shared.reopened.load(Ordering::Relaxed),
        }
    }

    pub fn finished(&self) -> Finished {
        Finished(Arc::clone(&self.shared))
    }

    fn enqueue<T, E>(
        &self,
        job: impl FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        reply: impl FnOnce(Result<T, E>) + Send + 'static,
    ) where
        T: Send + 'static,
        E: From<WriterError> + Send + 'static,
    {
        if std::thread::current().id() == self.thread {
            return reply(Err(WriterError::Nested.into()));
        }
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => catch_unwind(AssertUnwindSafe(|| job(conn))).unwrap_or_else(|panic| {
                    let message = panic_message(&*panic);
                    tracing::error!(panic = %message, "a write panicked; its savepoint is rolled back");
                    Err(WriterError::Panicked(message).into())
                }),
                Err(refused) => Err(refused.into()),
            };
            Answer {
                kept: result.is_ok(),
                send: Box::new(move |failure| {
                    reply(match (failure, result) {
                        (Some(failure), Ok(_)) => Err(failure.into()),
                        (_, result) => result,
                    })
                }),
            }
        });
        // If the thread has stopped, the job (and its reply) is dropped: `Stopped`.
        let _ = self.jobs.send(job);
    }
}

/// Whether `conn` is inside a transaction (or its transaction state is broken): a
/// write transaction started there must be a savepoint of it, not `BEGIN IMMEDIATE`.
pub fn in_transaction(conn: &mut AnyConnection) -> bool {
    depth(conn) != Some(0)
}

/// The connection's transaction depth (0: none; `None`: broken).
fn depth(conn: &mut AnyConnection) -> Option<u32> {
    crate::per_backend!(conn, |c| {
        AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .ok()
            .map(|d| d.map_or(0, |d| d.get()))
    })
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests;
