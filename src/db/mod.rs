//! Storage: one codebase over PostgreSQL and SQLite. Backend-specific code stays here.

pub mod barriers;
mod bulk_insert;
mod directory;
pub mod groups;
pub mod idempotency;
pub mod instances;
pub mod keys;
pub mod listing;
pub mod memberships;
pub mod pool;
pub mod schema;
pub mod sideloads;
pub mod time;
pub mod users;
pub mod writer;

use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use pool::{ConnectError, ConnectionManager, Lease, PoolError};
use pool::{Pool, STATEMENTS};

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// The backend type of `AnyConnection`, for boxed queries compiled once for both.
pub type Db = <AnyConnection as Connection>::Backend;

/// The connection pool, and as many slots for blocking database work as it has
/// connections: requests beyond that wait here, asynchronously, instead of each
/// parking a thread of its own (32 waiting requests meant 32 threads and four times
/// the memory).
#[derive(Clone)]
pub struct DbPool {
    inner: Arc<Pool>,
    slots: Arc<tokio::sync::Semaphore>,
    /// SQLite: the thread that owns the connection every write runs on (`writer`).
    writer: Option<writer::Writer>,
    /// Alive while any clone of the pool is; SQLite's maintenance thread stops with it.
    _alive: Arc<()>,
}

impl DbPool {
    /// A connection, blocking until one is free or opened (start-up, the CLI, tests).
    pub fn get(&self) -> Result<Lease, PoolError> {
        self.inner.checkout()
    }
}

/// Runs `$body` once per backend with `$c` bound to the concrete connection, for the
/// queries diesel cannot build over `AnyConnection` (batch inserts, RETURNING, ON CONFLICT).
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($c) => $body,
            $crate::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// The diesel traits of a statement written by hand (a `QueryFragment` of one backend):
/// no static query ID, so diesel caches the prepared statement by its SQL text; the SQL
/// types of its columns in order, so rows decode by position; and `load` on that
/// backend's connection.
#[macro_export]
macro_rules! hand_written_statement {
    ($ty:ty, $conn:ty, $columns:ty) => {
        impl diesel::query_builder::QueryId for $ty {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }

        impl diesel::query_builder::Query for $ty {
            type SqlType = $columns;
        }

        impl diesel::RunQueryDsl<$conn> for $ty {}
    };
}

/// Why the database could not be opened or made ready.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Url(String),
    #[error("cannot create {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] ConnectError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("cannot start the SQLite {what}: {cause}")]
    Thread { what: &'static str, cause: String },
}

/// Where the data lives, parsed from `ROSTER_DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(String),
}

impl DatabaseUrl {
    /// `postgres://` or `postgresql://` selects PostgreSQL; `sqlite://path` or a bare
    /// path selects SQLite.
    pub fn parse(raw: &str) -> Result<Self, SetupError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(SetupError::Url("database URL is empty".into()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(SetupError::Url("sqlite:// URL has no path".into()));
            }
            return Ok(Self::Sqlite(path.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite:") {
            return Ok(Self::Sqlite(path.to_string()));
        }
        if raw.contains("://") {
            return Err(SetupError::Url(format!(
                "unsupported database URL scheme in {:?}: use postgres:// or sqlite://",
                raw.split("://").next().unwrap_or_default()
            )));
        }
        Ok(Self::Sqlite(raw.to_string()))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

tokio::task_local! {
    /// The statement count of the request being served, reported as `X-Query-Count`.
    pub static REQUEST_STATEMENTS: Arc<AtomicU64>;
}

/// Every SQLite connection's settings. Checkpoints (copying the WAL back into the
/// database file, with an fsync) are the maintenance thread's job, off the writers'
/// path; a writer only checkpoints itself if the WAL passes 16,000 pages (64 MiB),
/// which the thread normally never lets it reach.
/// `busy_timeout` comes first: `journal_mode` takes a lock, and without a busy handler
/// a connection opened while the writer holds one failed at once ("database is locked").
pub(crate) const SQLITE_SETUP: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
     PRAGMA wal_autocheckpoint = 16000;";

/// How often the maintenance thread copies the WAL back (a few MiB each time under
/// load), and how often it looks whether the statistics are due.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
const STATS_CHECK_EVERY: Duration = Duration::from_secs(5);

/// SQLite's upkeep on its own connection, until the pool is dropped:
///
/// - Passive checkpoints, which never block readers or writers. Without them the
///   writer whose commit crosses `wal_autocheckpoint` does the checkpoint while holding
///   the write lock: a third of the time of a bulk of 100 scattered memberships went
///   there (`bench/sqlite_ceiling.py`: 25,000 rows/s with writers checkpointing,
///   37,000 without).
/// - Planner statistics (`ANALYZE`, sampling about 1,000 rows per index, a few ms),
///   whenever the memberships have grown by a quarter since the last run. Without
///   them SQLite guesses that `instance_id = ?` picks a few rows, and lists one user's
///   memberships by walking the whole instance in ID order instead of taking the
///   user's rows from the (instance, user, group) index and sorting them.
fn spawn_maintenance(
    url: &DatabaseUrl,
    writer: Option<writer::Writer>,
    alive: std::sync::Weak<()>,
) -> Result<(), SetupError> {
    let DatabaseUrl::Sqlite(_) = url else {
        return Ok(());
    };
    let mut conn = ConnectionManager::new(url.clone()).connect()?;
    std::thread::Builder::new()
        .name("sqlite-maintenance".into())
        .spawn(move || {
            let mut analyzed_at: i64 = 0;
            let mut last_check = std::time::Instant::now();
            while alive.upgrade().is_some() {
                std::thread::sleep(CHECKPOINT_EVERY);
                if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                    tracing::warn!(error = %e, "checkpoint failed");
                }
                if last_check.elapsed() >= STATS_CHECK_EVERY {
                    last_check = std::time::Instant::now();
                    match refresh_stats(&mut conn, writer.as_ref(), analyzed_at) {
                        Ok(size) => analyzed_at = size,
                        Err(e) => tracing::warn!(error = %e, "ANALYZE failed"),
                    }
                }
            }
        })
        .map(|_| ())
        .map_err(|e| SetupError::Thread {
            what: "maintenance thread",
            cause: e.to_string(),
        })
}

/// Runs `ANALYZE` if the memberships (by their highest ID, which costs one index
/// step to read) grew by a quarter since `analyzed_at`; returns the size analyzed at.
fn refresh_stats(
    conn: &mut AnyConnection,
    writer: Option<&writer::Writer>,
    analyzed_at: i64,
) -> QueryResult<i64> {
    use diesel::dsl::max;
    let size = schema::memberships::table
        .select(max(schema::memberships::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0);
    if size <= analyzed_at + analyzed_at / 4 + 100 {
        return Ok(analyzed_at);
    }
    // ANALYZE writes its tables: it queues with this process's writers.
    const ANALYZE: &str = "PRAGMA analysis_limit = 1000; ANALYZE;";
    match writer {
        Some(w) => w.write_blocking(|c| c.batch_execute(ANALYZE))?,
        None => conn.batch_execute(ANALYZE)?,
    }
    Ok(size)
}

/// One connection outside any pool (for the CLI), with the same setup as pooled ones.
pub fn connect_once(url: &DatabaseUrl) -> Result<AnyConnection, SetupError> {
    create_parent_dir(url)?;
    Ok(ConnectionManager::new(url.clone()).connect()?)
}

/// A SQLite file's folder, made if missing (the default is `data/roster.db`).
fn create_parent_dir(url: &DatabaseUrl) -> Result<(), SetupError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| SetupError::Directory {
                path: parent.display().to_string(),
                source,
            })?;
        }
    }
    Ok(())
}

/// Builds the pool. `connect_timeout` bounds how long a request waits for a connection
/// before it is answered 503.
pub fn build_pool(
    url: &DatabaseUrl,
    size: u32,
    connect_timeout: Duration,
) -> Result<DbPool, SetupError> {
    create_parent_dir(url)?;
    let url = &with_connect_timeout(url, connect_timeout);
    let inner = Pool::open(
        ConnectionManager::new(url.clone()),
        size.max(1) as usize,
        connect_timeout,
    )?;
    let slots = Arc::new(tokio::sync::Semaphore::new(size.max(1) as usize));
    let writer = match url {
        DatabaseUrl::Sqlite(_) => Some(
            writer::Writer::spawn(ConnectionManager::new(url.clone())).map_err(|e| {
                SetupError::Thread {
                    what: "writer thread",
                    cause: e.to_string(),
                }
            })?,
        ),
        DatabaseUrl::Postgres(_) => None,
    };
    let alive = Arc::new(());
    spawn_maintenance(url, writer.clone(), Arc::downgrade(&alive))?;
    Ok(DbPool {
        inner,
        slots,
        writer,
        _alive: alive,
    })
}

/// Applies the embedded migrations of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, SetupError> {
    let result = match conn {
        AnyConnection::Postgresql(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    result.map_err(|e| SetupError::Migration(e.to_string()))
}

/// SQLite allows one writer at a time. Writers without a pool's writer thread (the CLI)
/// queue here, where the next one wakes the moment the lock is free, instead of in
/// SQLite's busy handler, which sleeps 1, 2, 5, 10, ... ms between tries.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A write transaction: a plain `BEGIN` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite; a
/// savepoint when `conn` is already inside a transaction (every job of SQLite's writer
/// thread runs inside its group's, see `write`). Rolls back on error.
pub fn write_transaction<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if writer::in_transaction(conn) {
        // Inside a transaction (a job on SQLite's writer thread runs inside its group's):
        // a savepoint of it.
        return conn.transaction(f);
    }
    let _writer = match conn {
        AnyConnection::Sqlite(_) => Some(SQLITE_WRITER.lock().unwrap_or_else(|p| p.into_inner())),
        AnyConnection::Postgresql(_) => None,
    };
    match conn {
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c)?,
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
    }
    match f(conn) {
        Ok(value) => {
            per_backend!(conn, |c| AnsiTransactionManager::commit_transaction(c))?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) =
                per_backend!(conn, |c| AnsiTransactionManager::rollback_transaction(c))
            {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

/// A read transaction, so a page and its sideloads see one snapshot.
pub fn read_transaction<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(f)
}

/// A PostgreSQL URL without its own `connect_timeout` gets the pool timeout (in whole
/// seconds, at least libpq's minimum of 2), so a connect to an unreachable server
/// cannot hold a slot for long.
fn with_connect_timeout(url: &DatabaseUrl, timeout: Duration) -> DatabaseUrl {
    match url {
        DatabaseUrl::Postgres(raw) if !raw.contains("connect_timeout=") => {
            let secs = timeout.as_secs_f64().ceil().max(2.0) as u64;
            let sep = if raw.contains('?') { '&' } else { '?' };
            DatabaseUrl::Postgres(format!("{raw}{sep}connect_timeout={secs}"))
        }
        other => other.clone(),
    }
}

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

/// IDs as a JSON array, `[1,2,3]`: SQLite statements read it with `json_each(?)`, so
/// their text, and their prepared statement, is the same whatever the number of IDs.
pub(crate) fn json_ids(ids: &[i64]) -> String {
    let mut s = String::with_capacity(ids.len() * 8 + 2);
    s.push('[');
    let mut buf = itoa::Buffer::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(buf.format(*id));
    }
    s.push(']');
    s
}

/// Now, in UTC, truncated to microseconds (what PostgreSQL keeps).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn urls_pick_one_backend() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap(),
            DatabaseUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/roster.db").unwrap(),
            DatabaseUrl::Sqlite("data/roster.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("/tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert!(DatabaseUrl::parse("postgress://typo").is_err());
        assert!(DatabaseUrl::parse("mysql://x").is_err());
    }
}
