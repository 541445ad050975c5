//! Running database work off the async workers: `run` (any work), `read` (retried on
//! a fresh connection when its connection turned out dead), `write` (on SQLite, a job
//! of the writer thread) and `read_then_write`; `ping` for `/readyz`.

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;

use super::pool::STATEMENTS;
use super::{writer, AnyConnection, DbPool, Lease, PoolError, REQUEST_STATEMENTS};

/// Runs blocking database work off the async workers, keeping the request's span:
/// `503` (`PoolError::Timeout`) when no connection is had within the pool timeout,
/// counted from the call (one wait: a slot, then an idle or a new connection).
pub async fn run<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<PoolError> + Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
{
    run_leased(pool, pool.inner.timeout(), move |lease| f(lease)).await
}

/// As `run`, for work that only reads: when its connection turns out to have lost its
/// server (terminated while idle, a failover), the work runs once more on a fresh
/// connection, so the first request after an outage does not fail for it.
pub async fn read<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<PoolError> + Send + 'static,
    F: FnMut(&mut AnyConnection) -> Result<T, E> + Send + 'static,
{
    read_within(pool, pool.inner.timeout(), f).await
}

async fn read_within<T, E, F>(pool: &DbPool, wait: Duration, mut f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<PoolError> + Send + 'static,
    F: FnMut(&mut AnyConnection) -> Result<T, E> + Send + 'static,
{
    let inner = Arc::clone(&pool.inner);
    run_leased(pool, wait, move |lease| {
        let first = f(lease);
        if first.is_ok() || !lease.lost() {
            return first;
        }
        tracing::info!("a read lost its connection; running it again on a fresh one");
        inner.note_loss();
        *lease = inner.checkout()?;
        f(lease)
    })
    .await
}

/// Database work that writes: on PostgreSQL a pool connection, as `run`; on SQLite a job
/// of the writer thread (`writer`), inside the transaction it shares with the writes
/// queued with it, answered once that has committed. `f` still wraps its writes in
/// `write_transaction` (there, a savepoint). No thread waits for SQLite's write lock.
pub async fn write<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<PoolError> + From<writer::WriterError> + Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
{
    match &pool.writer {
        None => run(pool, f).await,
        Some(w) => w.write(counted(f)).await,
    }
}

/// Reads on a pool connection, then writes with what they found (`write`): on
/// PostgreSQL both on one connection; on SQLite the reads stay outside the write lock.
pub async fn read_then_write<R, T, E, F, G>(pool: &DbPool, read: F, then: G) -> Result<T, E>
where
    R: Send + 'static,
    T: Send + 'static,
    E: From<PoolError> + From<writer::WriterError> + Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<R, E> + Send + 'static,
    G: FnOnce(&mut AnyConnection, R) -> Result<T, E> + Send + 'static,
{
    match &pool.writer {
        None => {
            run(pool, move |conn| {
                let found = read(conn)?;
                then(conn, found)
            })
            .await
        }
        Some(w) => {
            let found = run(pool, read).await?;
            w.write(counted(move |conn| then(conn, found))).await
        }
    }
}

/// `f` as a job of another thread: in the request's span, its statements counted for
/// the request (`X-Query-Count`).
fn counted<T, E>(
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
) -> impl FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static {
    let span = tracing::Span::current();
    let counter = REQUEST_STATEMENTS.try_with(Arc::clone).ok();
    move |conn| {
        let _entered = span.enter();
        let before = STATEMENTS.with(Cell::get);
        let result = f(conn);
        if let Some(counter) = counter {
            counter.fetch_add(STATEMENTS.with(Cell::get) - before, Ordering::Relaxed);
        }
        result
    }
}

/// Whether the database answers, within a second or the pool timeout if shorter.
pub async fn ping(pool: &DbPool) -> Result<(), PoolError> {
    let wait = pool.inner.timeout().min(Duration::from_secs(1));
    read_within(pool, wait, |conn| {
        conn.batch_execute("SELECT 1")
            .map_err(|e| PoolError::Connect(e.to_string()))
    })
    .await
}

const WAITING: u8 = 0;
const STARTED: u8 = 1;
const ABANDONED: u8 = 2;

async fn run_leased<T, E, F>(pool: &DbPool, wait: Duration, f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<PoolError> + Send + 'static,
    F: FnOnce(&mut Lease) -> Result<T, E> + Send + 'static,
{
    let deadline = tokio::time::Instant::now() + wait;
    let slot = match tokio::time::timeout_at(deadline, pool.slots.clone().acquire_owned()).await {
        Ok(Ok(slot)) => slot,
        Ok(Err(_)) => return Err(PoolError::Task("database slots closed".into()).into()),
        Err(_) => return Err(PoolError::Timeout(wait).into()),
    };
    let span = tracing::Span::current();
    let counter = REQUEST_STATEMENTS.try_with(Arc::clone).ok();
    let work = move |mut lease: Lease| {
        let _entered = span.enter();
        let before = STATEMENTS.with(Cell::get);
        let result = f(&mut lease);
        if let Some(counter) = counter {
            counter.fetch_add(STATEMENTS.with(Cell::get) - before, Ordering::Relaxed);
        }
        result
    };
    let joined = if let Some(lease) = pool.inner.take_ready() {
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work(lease)
        })
        .await
    } else {
        // Opening or checking a connection may take long (an unreachable server): the
        // answer is 503 at the deadline, and the work starts only if it has not passed.
        let gate = Arc::new(AtomicU8::new(WAITING));
        let started = Arc::clone(&gate);
        let inner = Arc::clone(&pool.inner);
        let mut handle = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let lease = inner.checkout()?;
            if started
                .compare_exchange(WAITING, STARTED, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                return Err(PoolError::Timeout(wait).into());
            }
            work(lease)
        });
        tokio::select! {
            joined = &mut handle => joined,
            () = tokio::time::sleep_until(deadline) => {
                if gate
                    .compare_exchange(WAITING, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    return Err(PoolError::Timeout(wait).into());
                }
                handle.await
            }
        }
    };
    joined.unwrap_or_else(|e| Err(PoolError::Task(format!("blocking task failed: {e}")).into()))
}
