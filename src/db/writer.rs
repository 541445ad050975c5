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
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DbError, QueryResult};
use tokio::sync::oneshot;

use super::{AnyConnection, ConnectionManager};

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

/// The writer thread's state.
struct Thread {
    queue: Receiver<Job>,
    /// `None` after a connection-level failure: reopened for the next job.
    conn: Option<AnyConnection>,
    manager: ConnectionManager,
    limits: Limits,
    shared: Arc<Shared>,
}

/// Marks the thread's end however it ends.
struct EndGuard(Arc<Shared>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        *self.0.ended.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.0.ended_signal.notify_all();
    }
}

fn refuse(job: Job, why: WriterError) {
    (job(Err(why)).send)(None);
}

impl Thread {
    fn serve(mut self) {
        while let Ok(first) = self.queue.recv() {
            let conn = match self.conn.take() {
                Some(conn) => conn,
                None => match self.manager.connect() {
                    Ok(conn) => {
                        self.shared.reopened.fetch_add(1, Ordering::Relaxed);
                        conn
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the writer cannot reopen its connection");
                        refuse(first, WriterError::Connect(e.0));
                        continue;
                    }
                },
            };
            self.conn = self.group(conn, first);
        }
    }

    /// Runs one group from `first`; the connection back unless it must be reopened.
    fn group(&mut self, mut conn: AnyConnection, first: Job) -> Option<AnyConnection> {
        let opened = Instant::now();
        if let Err(e) = begin_group(&mut conn) {
            tracing::warn!(error = %e, "the writer cannot begin a transaction");
            refuse(first, WriterError::Connection(e.to_string()));
            return None;
        }
        let mut answers = Vec::with_capacity(self.limits.jobs);
        let mut broken = None;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            let (answer, state) = in_savepoint(&mut conn, job);
            answers.push(answer);
            if let Err(message) = state {
                broken = Some(message);
                break;
            }
            if answers.len() < self.limits.jobs && opened.elapsed() < self.limits.open {
                next = self.queue.try_recv().ok();
            }
        }
        let failure = match broken {
            Some(message) => Some(WriterError::Connection(message)),
            None => crate::per_backend!(&mut conn, |c| {
                AnsiTransactionManager::commit_transaction(c)
            })
            .err()
            .map(|e| WriterError::CommitFailed(e.to_string())),
        };
        match &failure {
            None => {
                self.shared.commits.fetch_add(1, Ordering::Relaxed);
            }
            Some(e) => tracing::warn!(error = %e, jobs = answers.len(), "a write group failed"),
        }
        for answer in answers {
            (answer.send)(failure.clone());
        }
        // Closing the connection rolls back whatever is left open.
        (failure.is_none() && depth(&mut conn) == Some(0)).then_some(conn)
    }
}

fn begin_group(conn: &mut AnyConnection) -> QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    }
}

/// Runs `job` in a savepoint; `Err` when the transaction cannot go on (the savepoint
/// could not be opened or ended, or the job left the transaction at another depth).
fn in_savepoint(conn: &mut AnyConnection, job: Job) -> (Answer, Result<(), String>) {
    if let Err(e) = crate::per_backend!(&mut *conn, |c| {
        AnsiTransactionManager::begin_transaction(c)
    }) {
        let message = e.to_string();
        return (
            job(Err(WriterError::Connection(message.clone()))),
            Err(message),
        );
    }
    let answer = job(Ok(&mut *conn));
    if !answer.kept {
        // A job that failed or panicked inside savepoints of its own may have left
        // them open; they go with its savepoint. (One that succeeded must have closed
        // them: its work is not cut short.)
        while depth(conn).is_some_and(|d| d > 2) {
            if crate::per_backend!(
                &mut *conn,
                |c| AnsiTransactionManager::rollback_transaction(c)
            )
            .is_err()
            {
                break;
            }
        }
    }
    if depth(conn) != Some(2) {
        let message = "a write left its transaction open, or ended the group's".to_string();
        return (answer, Err(message));
    }
    let ended = if answer.kept {
        crate::per_backend!(&mut *conn, |c| AnsiTransactionManager::commit_transaction(
            c
        ))
    } else {
        crate::per_backend!(
            &mut *conn,
            |c| AnsiTransactionManager::rollback_transaction(c)
        )
    };
    (answer, ended.map_err(|e| e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DatabaseUrl;
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, RunQueryDsl};
    use std::path::PathBuf;
    use std::sync::mpsc as chan;

    /// A time limit no test reaches, so that groups close by count or empty queue only.
    const LONG: Duration = Duration::from_secs(600);

    struct TempDb {
        dir: PathBuf,
        manager: ConnectionManager,
    }

    impl TempDb {
        fn new() -> Self {
            let dir = std::env::temp_dir().join(format!(
                "roster_writer_{}_{}",
                std::process::id(),
                rand::random::<u64>()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("writer.db").display().to_string();
            let manager = ConnectionManager::new(DatabaseUrl::Sqlite(path));
            manager
                .connect()
                .unwrap()
                .batch_execute(
                    "CREATE TABLE t (v TEXT NOT NULL);
                     CREATE TABLE parent (id INTEGER PRIMARY KEY);
                     CREATE TABLE child (id INTEGER PRIMARY KEY,
                         parent_id INTEGER NOT NULL REFERENCES parent (id));",
                )
                .unwrap();
            Self { dir, manager }
        }

        fn writer(&self, jobs: usize, open: Duration) -> Writer {
            Writer::spawn_with(self.manager.clone(), Limits { jobs, open }).unwrap()
        }

        /// The committed rows of `t`, seen from another connection.
        fn rows(&self) -> Vec<String> {
            values(&mut self.manager.connect().unwrap())
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    #[derive(Debug, PartialEq)]
    enum Failure {
        Db(String),
        Writer(WriterError),
        Own,
    }

    impl From<WriterError> for Failure {
        fn from(e: WriterError) -> Self {
            Failure::Writer(e)
        }
    }

    impl From<DbError> for Failure {
        fn from(e: DbError) -> Self {
            Failure::Db(e.to_string())
        }
    }

    #[derive(diesel::QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }

    fn strings(conn: &mut AnyConnection, sql: &str) -> Vec<String> {
        let AnyConnection::Sqlite(c) = conn else {
            panic!("SQLite only")
        };
        let rows: Vec<Text> = diesel::sql_query(sql).load(c).unwrap();
        rows.into_iter().map(|r| r.v).collect()
    }

    fn values(conn: &mut AnyConnection) -> Vec<String> {
        strings(conn, "SELECT v FROM t ORDER BY rowid")
    }

    fn insert(conn: &mut AnyConnection, v: &str) -> Result<(), Failure> {
        Ok(conn.batch_execute(&format!("INSERT INTO t (v) VALUES ('{v}')"))?)
    }

    fn wait<T, E: From<WriterError>>(pending: Pending<T, E>) -> Result<T, E> {
        pending
            .answer
            .blocking_recv()
            .unwrap_or_else(|_| Err(WriterError::Stopped.into()))
    }

    /// A job that inserts `v` and holds the writer until released, so that the jobs
    /// submitted meanwhile are queued behind it, in its group.
    fn hold(writer: &Writer, v: &'static str) -> (Pending<(), Failure>, chan::Sender<()>) {
        let (release, released) = chan::channel::<()>();
        let pending = writer.submit(move |conn| {
            insert(conn, v)?;
            let _ = released.recv();
            Ok(())
        });
        (pending, release)
    }

    fn is_connection_error<T>(result: Result<T, Failure>) -> bool {
        matches!(result, Err(Failure::Writer(WriterError::Connection(_))))
    }

    #[test]
    fn queued_jobs_share_one_transaction_and_are_answered_after_its_commit() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let mut outside = db.manager.connect().unwrap();
        let (mut h, release_h) = hold(&writer, "h");
        let mut a = writer.submit(|conn| insert(conn, "a"));
        let (started, b_started) = chan::channel();
        let (release_b, b_released) = chan::channel::<()>();
        let b = writer.submit(move |conn| {
            insert(conn, "b")?;
            let seen = (values(conn), values(&mut outside));
            let _ = started.send(());
            let _ = b_released.recv();
            Ok::<_, Failure>(seen)
        });
        release_h.send(()).unwrap();
        b_started.recv().unwrap();
        assert!(
            h.answer.try_recv().is_err(),
            "answered before its group's commit"
        );
        assert!(
            a.answer.try_recv().is_err(),
            "answered before its group's commit"
        );
        release_b.send(()).unwrap();
        assert_eq!(wait(h), Ok(()));
        assert_eq!(wait(a), Ok(()));
        let (inside, outside) = wait(b).unwrap();
        assert_eq!(inside, ["h", "a", "b"], "each job sees the rows before it");
        assert!(
            outside.is_empty(),
            "nothing is committed before the group ends"
        );
        assert_eq!(db.rows(), ["h", "a", "b"]);
        assert_eq!(writer.stats().commits, 1);
    }

    #[test]
    fn a_failing_job_rolls_back_only_its_own_writes() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let (h, release) = hold(&writer, "h");
        let bad = writer.submit(|conn| {
            insert(conn, "bad")?;
            Err::<(), _>(Failure::Own)
        });
        let good = writer.submit(|conn| insert(conn, "good"));
        release.send(()).unwrap();
        assert_eq!(wait(bad), Err(Failure::Own));
        assert_eq!(wait(h), Ok(()));
        assert_eq!(wait(good), Ok(()));
        assert_eq!(db.rows(), ["h", "good"]);
        assert_eq!(writer.stats().commits, 1);
    }

    #[test]
    fn a_panicking_job_is_answered_and_the_others_commit() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let (h, release) = hold(&writer, "h");
        // It panics inside a savepoint of its own, which is left open by the unwind.
        let panics = writer.submit(|conn| {
            insert(conn, "p1")?;
            conn.transaction::<(), Failure, _>(|conn| {
                insert(conn, "p2")?;
                panic!("boom")
            })
        });
        let good = writer.submit(|conn| insert(conn, "good"));
        release.send(()).unwrap();
        assert!(
            matches!(wait(panics), Err(Failure::Writer(WriterError::Panicked(m))) if m == "boom")
        );
        assert_eq!(wait(h), Ok(()));
        assert_eq!(wait(good), Ok(()));
        assert_eq!(db.rows(), ["h", "good"]);
        assert_eq!(writer.write_blocking(|conn| insert(conn, "after")), Ok(()));
        assert_eq!(db.rows(), ["h", "good", "after"]);
        assert_eq!(
            writer.stats(),
            WriterStats {
                commits: 2,
                reopened: 0
            }
        );
    }

    #[test]
    fn a_failed_commit_fails_every_job_of_its_group() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let (h, release) = hold(&writer, "h");
        // A foreign-key violation checked only at COMMIT.
        let orphan = writer.submit(|conn| {
            Ok::<_, Failure>(conn.batch_execute(
                "PRAGMA defer_foreign_keys = ON; INSERT INTO child (parent_id) VALUES (999)",
            )?)
        });
        let own = writer.submit(|conn| {
            insert(conn, "own")?;
            Err::<(), _>(Failure::Own)
        });
        let good = writer.submit(|conn| insert(conn, "good"));
        release.send(()).unwrap();
        for result in [wait(h), wait(orphan), wait(good)] {
            assert!(
                matches!(&result, Err(Failure::Writer(WriterError::CommitFailed(m)))
                    if m.contains("FOREIGN KEY")),
                "{result:?}"
            );
        }
        assert_eq!(
            wait(own),
            Err(Failure::Own),
            "a failed job keeps its own error"
        );
        assert!(db.rows().is_empty());
        let children = strings(
            &mut db.manager.connect().unwrap(),
            "SELECT CAST(parent_id AS TEXT) AS v FROM child",
        );
        assert!(children.is_empty());
        assert_eq!(writer.stats().commits, 0);
        assert_eq!(writer.write_blocking(|conn| insert(conn, "after")), Ok(()));
        assert_eq!(db.rows(), ["after"]);
    }

    fn cache_size(conn: &mut AnyConnection) -> String {
        strings(
            conn,
            "SELECT CAST(cache_size AS TEXT) AS v FROM pragma_cache_size",
        )
        .concat()
    }

    #[test]
    fn the_writer_reopens_its_connection_after_a_connection_failure() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        // A setting of the connection itself, to tell it from a reopened one.
        let marked = writer.write_blocking(|conn| {
            conn.batch_execute("PRAGMA cache_size = 1234")?;
            Ok::<_, Failure>(cache_size(conn))
        });
        assert_eq!(marked, Ok("1234".to_string()));
        let (h, release) = hold(&writer, "h");
        // Ends the group's transaction behind the writer's back.
        let breaks = writer.submit(|conn| {
            insert(conn, "x")?;
            Ok::<_, Failure>(conn.batch_execute("ROLLBACK")?)
        });
        release.send(()).unwrap();
        assert!(is_connection_error(wait(h)));
        assert!(is_connection_error(wait(breaks)));
        let after = writer.write_blocking(|conn| {
            insert(conn, "after")?;
            Ok::<_, Failure>(cache_size(conn))
        });
        assert_ne!(
            after,
            Ok("1234".to_string()),
            "the connection was not reopened"
        );
        assert!(after.is_ok(), "{after:?}");
        assert_eq!(db.rows(), ["after"]);
        assert_eq!(
            writer.stats(),
            WriterStats {
                commits: 2,
                reopened: 1
            }
        );
    }

    #[test]
    fn a_job_that_leaves_a_savepoint_open_fails_its_group() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let (h, release) = hold(&writer, "h");
        let leaks = writer.submit(|conn| {
            crate::per_backend!(&mut *conn, |c| AnsiTransactionManager::begin_transaction(c))?;
            insert(conn, "leak")
        });
        release.send(()).unwrap();
        assert!(is_connection_error(wait(h)));
        assert!(is_connection_error(wait(leaks)));
        assert!(db.rows().is_empty());
        assert_eq!(writer.write_blocking(|conn| insert(conn, "after")), Ok(()));
        assert_eq!(db.rows(), ["after"]);
        assert_eq!(
            writer.stats(),
            WriterStats {
                commits: 1,
                reopened: 1
            }
        );
    }

    #[test]
    fn a_connection_that_cannot_be_reopened_fails_the_job_and_is_tried_again() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let broken =
            writer.write_blocking(|conn| Ok::<_, Failure>(conn.batch_execute("ROLLBACK")?));
        assert!(is_connection_error(broken));
        std::fs::remove_dir_all(&db.dir).unwrap();
        let refused =
            writer.write_blocking(|conn| Ok::<_, Failure>(conn.batch_execute("SELECT 1")?));
        assert!(
            matches!(refused, Err(Failure::Writer(WriterError::Connect(_)))),
            "{refused:?}"
        );
        std::fs::create_dir_all(&db.dir).unwrap();
        let fresh = writer.write_blocking(|conn| {
            Ok::<_, Failure>(conn.batch_execute("CREATE TABLE t (v TEXT NOT NULL)")?)
        });
        assert_eq!(fresh, Ok(()));
        assert_eq!(writer.stats().reopened, 1);
    }

    #[test]
    fn more_than_eight_queued_jobs_are_split_into_groups_of_eight() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let outside = Arc::new(Mutex::new(db.manager.connect().unwrap()));
        let (h, release) = hold(&writer, "h");
        let jobs: Vec<_> = (0..9)
            .map(|i| {
                let outside = Arc::clone(&outside);
                writer.submit(move |conn| {
                    insert(conn, &format!("j{i}"))?;
                    Ok::<_, Failure>(values(&mut outside.lock().unwrap()).len())
                })
            })
            .collect();
        release.send(()).unwrap();
        assert_eq!(wait(h), Ok(()));
        let committed_before: Vec<usize> = jobs.into_iter().map(|j| wait(j).unwrap()).collect();
        assert_eq!(committed_before, [0, 0, 0, 0, 0, 0, 0, 8, 8]);
        assert_eq!(db.rows().len(), 10);
        assert_eq!(writer.stats().commits, 2);
    }

    #[test]
    fn a_group_closes_once_its_time_is_up() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, Duration::ZERO);
        let outside = Arc::new(Mutex::new(db.manager.connect().unwrap()));
        let (h, release) = hold(&writer, "h");
        let jobs: Vec<_> = (0..2)
            .map(|i| {
                let outside = Arc::clone(&outside);
                writer.submit(move |conn| {
                    insert(conn, &format!("j{i}"))?;
                    Ok::<_, Failure>(values(&mut outside.lock().unwrap()).len())
                })
            })
            .collect();
        release.send(()).unwrap();
        assert_eq!(wait(h), Ok(()));
        let committed_before: Vec<usize> = jobs.into_iter().map(|j| wait(j).unwrap()).collect();
        assert_eq!(committed_before, [1, 2]);
        assert_eq!(writer.stats().commits, 3);
    }

    #[test]
    fn the_thread_ends_once_the_last_handle_is_dropped_and_its_queue_is_done() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let other = writer.clone();
        let finished = writer.finished();
        let (h, release) = hold(&writer, "h");
        let a = other.submit(|conn| insert(conn, "a"));
        drop(writer);
        drop(other);
        assert!(!finished.is_finished(), "it is still running h");
        release.send(()).unwrap();
        assert_eq!(wait(h), Ok(()));
        assert_eq!(
            wait(a),
            Ok(()),
            "jobs queued before the last drop still run"
        );
        assert!(
            finished.wait(Duration::from_secs(10)),
            "the writer thread did not end"
        );
        assert_eq!(db.rows(), ["h", "a"]);
    }

    #[test]
    fn nested_write_transactions_in_a_job_are_savepoints_of_the_group() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        assert!(!in_transaction(&mut db.manager.connect().unwrap()));
        let result = writer.write_blocking(|conn| {
            let inside = in_transaction(conn);
            let failed = conn.transaction(|conn| {
                insert(conn, "inner")?;
                Err::<(), _>(Failure::Own)
            });
            conn.transaction(|conn| insert(conn, "kept"))?;
            Ok::<_, Failure>((inside, failed))
        });
        assert_eq!(result, Ok((true, Err(Failure::Own))));
        assert_eq!(db.rows(), ["kept"]);
        assert_eq!(writer.stats().commits, 1);
    }

    #[test]
    fn waiting_for_the_same_writer_inside_a_job_is_refused() {
        let db = TempDb::new();
        let writer = db.writer(MAX_GROUP, LONG);
        let same = writer.clone();
        let result = writer.write_blocking(move |conn| {
            insert(conn, "outer")?;
            Ok::<_, Failure>(same.write_blocking(|conn| insert(conn, "inner")))
        });
        assert_eq!(result, Ok(Err(Failure::Writer(WriterError::Nested))));
        assert_eq!(db.rows(), ["outer"]);
    }

    #[test]
    fn a_writer_that_cannot_connect_does_not_start() {
        let db = TempDb::new();
        let path = db
            .dir
            .join("missing")
            .join("writer.db")
            .display()
            .to_string();
        let started = Writer::spawn(ConnectionManager::new(DatabaseUrl::Sqlite(path)));
        assert!(matches!(started, Err(WriterError::Connect(_))));
    }

    #[tokio::test]
    async fn an_async_caller_awaits_its_answer() {
        let db = TempDb::new();
        let writer = Writer::spawn(db.manager.clone()).unwrap();
        fn spawnable<F: Future + Send + 'static>(f: F) -> F {
            f
        }
        let writer_in_task = writer.clone();
        let answer = spawnable(async move { writer_in_task.write(|conn| insert(conn, "a")).await });
        assert_eq!(answer.await, Ok(()));
        assert_eq!(db.rows(), ["a"]);
    }
}
