//! The writer thread: takes the queued jobs in groups, each job in a savepoint of the
//! group's one transaction, and answers them once the group has committed (or failed).

use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Instant;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::QueryResult;

use super::{depth, Answer, Job, Limits, Shared, WriterError};
use crate::db::{AnyConnection, ConnectionManager};

/// The writer thread's state.
pub(super) struct Thread {
    pub(super) queue: Receiver<Job>,
    /// `None` after a connection-level failure: reopened for the next job.
    pub(super) conn: Option<AnyConnection>,
    pub(super) manager: ConnectionManager,
    pub(super) limits: Limits,
    pub(super) shared: Arc<Shared>,
}

/// Marks the thread's end however it ends.
pub(super) struct EndGuard(pub(super) Arc<Shared>);

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
    pub(super) fn serve(mut self) {
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
