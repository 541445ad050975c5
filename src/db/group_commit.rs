//! SQLite's write transactions with group commit.
//!
//! SQLite has one writer at a time, so under concurrent load a bulk create's time is
//! mostly its turn at the write lock: `BEGIN IMMEDIATE`, the INSERT, the barrier check
//! and `COMMIT`, which writes every page the transaction touched to the WAL. When
//! several requests are queued for that lock, they now share one transaction:
//!
//! - All of a database's write transactions run on one dedicated connection (its page
//!   cache also stays warm, since no other connection writes).
//! - The first request to take the connection opens the transaction (`BEGIN
//!   IMMEDIATE`) and runs its work. Each request that joins it runs inside a savepoint
//!   of its own: if its work fails, the savepoint is rolled back and only that request
//!   fails. Every request's work stays all or nothing.
//! - The request that finds nobody else queued (or the eighth of a group, or one
//!   50 ms after the group opened) commits. No request answers before the commit that
//!   holds its rows: each waits for its group's outcome, and if `COMMIT` fails every
//!   request of the group fails with it. Failed requests wait too, so that the rows of
//!   the group that made them fail are visible when they are diagnosed.
//!
//! A group is as if its requests had run one after the other in the order they took
//! the connection: each sees the rows of those before it, and no other writer can
//! commit in between (all of this process's writers come here; another process waits
//! on SQLite's own lock). With one request at a time nothing changes: `BEGIN
//! IMMEDIATE`, the work, `COMMIT`.
//!
//! Measured with `bench/sqlite_ceiling.py` (SQLite alone, no writer checkpoints):
//! 100-row bulks at 38,551 rows/s one a transaction, 49,070 with four, each in a
//! savepoint.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DbError};

use super::{AnyConnection, ConnectionManager};

/// The most requests one transaction holds, and the longest it stays open for more.
const MAX_GROUP: usize = 8;
const MAX_OPEN: Duration = Duration::from_millis(50);

pub struct GroupWriter {
    slot: Mutex<Slot>,
    /// Threads waiting for `slot`: while there are some, the holder leaves the
    /// transaction open for them.
    queued: AtomicUsize,
    outcomes: Mutex<HashMap<u64, Outcome>>,
    committed: Condvar,
    manager: ConnectionManager,
}

struct Slot {
    conn: Option<AnyConnection>,
    open: Option<Group>,
    next_generation: u64,
}

struct Group {
    generation: u64,
    jobs: usize,
    opened_at: Instant,
    /// Requests of this group waiting for its outcome.
    waiters: usize,
}

/// How a group ended (`None`: committed), and how many waiters have yet to read it.
struct Outcome {
    error: Option<String>,
    unread: usize,
}

thread_local! {
    /// The writer of the pool whose connection this thread is using (set by `db::run`).
    static CURRENT: RefCell<Option<Arc<GroupWriter>>> = const { RefCell::new(None) };
    /// Whether this thread is inside a group's transaction (a nested write
    /// transaction is then a savepoint of it).
    static INSIDE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with `writer` as this thread's writer (the previous one is restored after,
/// even if `f` panics: blocking threads are reused).
pub fn with_writer<T>(writer: Option<&Arc<GroupWriter>>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<GroupWriter>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(writer.cloned())));
    f()
}

/// This thread's writer.
pub fn current() -> Option<Arc<GroupWriter>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Whether this thread is running its part of a group's transaction.
pub fn inside() -> bool {
    INSIDE.with(|i| i.get())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn sqlite(conn: &mut AnyConnection) -> Result<&mut diesel::SqliteConnection, DbError> {
    match conn {
        AnyConnection::Sqlite(c) => Ok(c),
        AnyConnection::Postgresql(_) => Err(DbError::QueryBuilderError(
            "the group writer is for SQLite only".into(),
        )),
    }
}

impl GroupWriter {
    pub fn new(manager: ConnectionManager) -> Result<Self, String> {
        let conn = manager
            .connect()
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        Ok(Self {
            slot: Mutex::new(Slot {
                conn: Some(conn),
                open: None,
                next_generation: 0,
            }),
            queued: AtomicUsize::new(0),
            outcomes: Mutex::new(HashMap::new()),
            committed: Condvar::new(),
            manager,
        })
    }

    /// Runs `f` in a write transaction on the writer's connection, shared with the
    /// requests queued behind it (see the module's documentation).
    pub fn write<T, E>(&self, f: impl FnOnce(&mut AnyConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut slot = lock(&self.slot);
        self.queued.fetch_sub(1, Ordering::SeqCst);
        if slot.conn.is_none() {
            slot.conn = Some(self.reopen()?);
        }
        let joined = slot.open.is_some();
        if let Err(e) = self.begin(&mut slot, joined) {
            // Nothing of this request was written; a group it would have joined
            // still needs its commit.
            if let Finish::Wait(generation) = self.finish_group(slot, true) {
                let _ = self.wait_for(generation);
            }
            return Err(e.into());
        }
        INSIDE.with(|i| i.set(true));
        let result = catch_unwind(AssertUnwindSafe(|| match slot.conn.as_mut() {
            Some(conn) => f(conn),
            None => Err(DbError::BrokenTransactionManager.into()),
        }));
        INSIDE.with(|i| i.set(false));
        let ok = matches!(result, Ok(Ok(_)));
        let settled = self.end_own_part(&mut slot, joined, ok);
        let outcome = if !joined && !ok {
            // The request that opened the transaction failed before anyone joined:
            // the transaction was rolled back whole and is closed.
            drop(slot);
            Ok(())
        } else {
            let kept = settled.is_ok();
            match self.finish_group(slot, kept) {
                Finish::Wait(generation) => self.wait_for(generation),
                Finish::Done(None) => Ok(()),
                Finish::Done(Some(message)) => Err(failed(message)),
            }
            .and(settled)
        };
        match result {
            Err(panic) => resume_unwind(panic),
            Ok(Err(e)) => Err(e),
            Ok(Ok(v)) => outcome.map(|_| v).map_err(E::from),
        }
    }

    fn reopen(&self) -> Result<AnyConnection, DbError> {
        self.manager.connect().map_err(failed)
    }

    /// `BEGIN IMMEDIATE` for the first request of a group, a savepoint for the others.
    fn begin(&self, slot: &mut Slot, joined: bool) -> Result<(), DbError> {
        let conn = sqlite(
            slot.conn
                .as_mut()
                .ok_or(DbError::BrokenTransactionManager)?,
        )?;
        if joined {
            return AnsiTransactionManager::begin_transaction(conn);
        }
        AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE")?;
        slot.open = Some(Group {
            generation: slot.next_generation,
            jobs: 0,
            opened_at: Instant::now(),
            waiters: 0,
        });
        slot.next_generation += 1;
        Ok(())
    }

    /// Releases or rolls back this request's savepoint; for the request that opened
    /// the transaction, a failure rolls the whole transaction back. An error means the
    /// transaction could not be kept: the group is then rolled back.
    fn end_own_part(&self, slot: &mut Slot, joined: bool, ok: bool) -> Result<(), DbError> {
        let Some(conn) = slot.conn.as_mut() else {
            return Err(DbError::BrokenTransactionManager);
        };
        let conn = sqlite(conn)?;
        let step = match (joined, ok) {
            (true, true) => AnsiTransactionManager::commit_transaction(conn),
            (_, false) => AnsiTransactionManager::rollback_transaction(conn),
            (false, true) => Ok(()),
        };
        if !joined && !ok {
            slot.open = None;
            if step.is_err() {
                slot.conn = None;
            }
            return step;
        }
        if let Some(group) = slot.open.as_mut() {
            group.jobs += 1;
        }
        step
    }

    /// Commits the group unless more requests are queued for it (and it has room and
    /// time left), in which case it stays open and the caller waits for its end. With
    /// `keep == false` the group is rolled back now.
    fn finish_group(&self, mut slot: MutexGuard<'_, Slot>, keep: bool) -> Finish {
        let Some(group) = slot.open.as_mut() else {
            return Finish::Done(None);
        };
        let more = self.queued.load(Ordering::SeqCst) > 0
            && group.jobs < MAX_GROUP
            && group.opened_at.elapsed() < MAX_OPEN;
        if keep && more {
            group.waiters += 1;
            return Finish::Wait(group.generation);
        }
        let Some(group) = slot.open.take() else {
            return Finish::Done(None);
        };
        let error = match (keep, slot.conn.as_mut().map(sqlite)) {
            (true, Some(Ok(conn))) => match AnsiTransactionManager::commit_transaction(conn) {
                Ok(()) => None,
                Err(e) => {
                    let _ = AnsiTransactionManager::rollback_transaction(conn);
                    Some(e.to_string())
                }
            },
            (false, Some(Ok(conn))) => {
                let _ = AnsiTransactionManager::rollback_transaction(conn);
                Some("the shared write transaction was rolled back".to_string())
            }
            _ => Some("the writer's connection was lost".to_string()),
        };
        if slot.conn.as_mut().map(in_transaction).unwrap_or(false) {
            // Neither committed nor rolled back: start over on a new connection.
            slot.conn = None;
        }
        drop(slot);
        if let Some(message) = &error {
            tracing::warn!(error = %message, "group commit failed");
        }
        if group.waiters > 0 {
            lock(&self.outcomes).insert(
                group.generation,
                Outcome {
                    error: error.clone(),
                    unread: group.waiters,
                },
            );
            self.committed.notify_all();
        }
        Finish::Done(error)
    }

    /// Blocks until the group `generation` has ended; its outcome.
    fn wait_for(&self, generation: u64) -> Result<(), DbError> {
        let mut outcomes = lock(&self.outcomes);
        loop {
            if let Some(outcome) = outcomes.get_mut(&generation) {
                outcome.unread = outcome.unread.saturating_sub(1);
                let error = outcome.error.clone();
                if outcome.unread == 0 {
                    outcomes.remove(&generation);
                }
                return error.map_or(Ok(()), |message| Err(failed(message)));
            }
            outcomes = self
                .committed
                .wait(outcomes)
                .unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// How `finish_group` left the group: still open (wait for this generation's end), or
/// ended (`Some`: not committed, why).
enum Finish {
    Wait(u64),
    Done(Option<String>),
}

fn failed(message: String) -> DbError {
    DbError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message))
}

/// Whether a connection is still inside a transaction, or its transaction state is
/// broken.
fn in_transaction(conn: &mut AnyConnection) -> bool {
    match conn {
        AnyConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .map(|d| d.is_some())
            .unwrap_or(true),
        AnyConnection::Postgresql(_) => true,
    }
}
