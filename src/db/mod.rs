//! Storage: one codebase over PostgreSQL and SQLite. Backend-specific code stays here.

pub mod barriers;
mod bulk_insert;
mod group_commit;
pub mod groups;
pub mod idempotency;
pub mod instances;
pub mod keys;
pub mod listing;
pub mod memberships;
pub mod schema;
pub mod sideloads;
pub mod time;
pub mod users;

use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{
    AnsiTransactionManager, InstrumentationEvent, SimpleConnection, TransactionManager,
};
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// The backend type of `AnyConnection`, for boxed queries compiled once for both.
pub type Db = <AnyConnection as Connection>::Backend;

pub type DbConn = PooledConnection<ConnectionManager>;

/// The connection pool, and as many slots for blocking database work as it has
/// connections: requests beyond that wait here, asynchronously, instead of each
/// parking a thread of its own on the pool (32 waiting requests meant 32 threads and
/// four times the memory).
#[derive(Clone)]
pub struct DbPool {
    inner: Pool<ConnectionManager>,
    slots: Arc<tokio::sync::Semaphore>,
    /// SQLite: the connection every write transaction runs on (`group_commit`).
    writer: Option<Arc<group_commit::GroupWriter>>,
    /// Alive while any clone of the pool is; SQLite's maintenance thread stops with it.
    _alive: Arc<()>,
}

impl DbPool {
    pub fn get(&self) -> Result<DbConn, diesel::r2d2::PoolError> {
        self.inner.get()
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

/// Where the data lives, parsed from `ROSTER_DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(String),
}

impl DatabaseUrl {
    /// `postgres://` or `postgresql://` selects PostgreSQL; `sqlite://path` or a bare
    /// path selects SQLite.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("database URL is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// URL has no path".into());
            }
            return Ok(Self::Sqlite(path.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite:") {
            return Ok(Self::Sqlite(path.to_string()));
        }
        if raw.contains("://") {
            return Err(format!(
                "unsupported database URL scheme in {:?}: use postgres:// or sqlite://",
                raw.split("://").next().unwrap_or_default()
            ));
        }
        Ok(Self::Sqlite(raw.to_string()))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

/// r2d2 manager that opens exactly the backend the URL names (the derived `establish`
/// would take any string as a SQLite path and hide libpq's error).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

thread_local! {
    /// Statements this thread has sent to the database (see `count_statements`).
    static STATEMENTS: Cell<u64> = const { Cell::new(0) };
}

tokio::task_local! {
    /// The statement count of the request being served, reported as `X-Query-Count`.
    pub static REQUEST_STATEMENTS: Arc<AtomicU64>;
}

fn count_statements(event: InstrumentationEvent<'_>) {
    if let InstrumentationEvent::StartQuery { .. } = event {
        STATEMENTS.with(|c| c.set(c.get() + 1));
    }
}

impl diesel::r2d2::ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        let mut conn = self.open()?;
        conn.set_instrumentation(count_statements);
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        // A connection still inside a transaction (or with a broken manager) is dropped.
        per_backend!(conn, |c| {
            AnsiTransactionManager::transaction_manager_status_mut(c)
                .transaction_depth()
                .map(|d| d.is_some())
                .unwrap_or(true)
        })
    }
}

impl ConnectionManager {
    fn open(&self) -> Result<AnyConnection, diesel::r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .map(AnyConnection::Postgresql)
                .map_err(diesel::r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_SETUP)
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

/// Every SQLite connection's settings. Checkpoints (copying the WAL back into the
/// database file, with an fsync) are the maintenance thread's job, off the writers'
/// path; a writer only checkpoints itself if the WAL passes 16,000 pages (64 MiB),
/// which the thread normally never lets it reach.
const SQLITE_SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
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
    writer: Option<Arc<group_commit::GroupWriter>>,
    alive: std::sync::Weak<()>,
) -> Result<(), String> {
    use diesel::r2d2::ManageConnection;
    let DatabaseUrl::Sqlite(_) = url else {
        return Ok(());
    };
    let mut conn = ConnectionManager::new(url.clone())
        .connect()
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
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
                    match refresh_stats(&mut conn, writer.as_deref(), analyzed_at) {
                        Ok(size) => analyzed_at = size,
                        Err(e) => tracing::warn!(error = %e, "ANALYZE failed"),
                    }
                }
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the SQLite maintenance thread: {e}"))
}

/// Runs `ANALYZE` if the memberships (by their highest ID, which costs one index
/// step to read) grew by a quarter since `analyzed_at`; returns the size analyzed at.
fn refresh_stats(
    conn: &mut AnyConnection,
    writer: Option<&group_commit::GroupWriter>,
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
        Some(w) => w.write(|c| c.batch_execute(ANALYZE))?,
        None => conn.batch_execute(ANALYZE)?,
    }
    Ok(size)
}

/// One connection outside any pool (for the CLI), with the same setup as pooled ones.
pub fn connect_once(url: &DatabaseUrl) -> Result<AnyConnection, String> {
    use diesel::r2d2::ManageConnection;
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
    }
    ConnectionManager::new(url.clone())
        .connect()
        .map_err(|e| format!("cannot connect to the database: {e}"))
}

/// Builds the pool. `connect_timeout` bounds how long a request waits for a connection
/// before it is answered 503.
pub fn build_pool(
    url: &DatabaseUrl,
    size: u32,
    connect_timeout: Duration,
) -> Result<DbPool, String> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
        }
    }
    let inner = Pool::builder()
        .max_size(size.max(1))
        .min_idle(Some(1))
        .connection_timeout(connect_timeout)
        .test_on_check_out(false)
        .build(ConnectionManager::new(url.clone()))
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let slots = Arc::new(tokio::sync::Semaphore::new(size.max(1) as usize));
    let writer = match url {
        DatabaseUrl::Sqlite(_) => Some(Arc::new(group_commit::GroupWriter::new(
            ConnectionManager::new(url.clone()),
        )?)),
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
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, String> {
    let result = match conn {
        AnyConnection::Postgresql(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    result.map_err(|e| format!("migration failed: {e}"))
}

/// SQLite allows one writer at a time. Writers without a pool's group writer (the CLI)
/// queue here, where the next one wakes the moment the lock is free, instead of in
/// SQLite's busy handler, which sleeps 1, 2, 5, 10, ... ms between tries.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A write transaction: a plain `BEGIN` on PostgreSQL. On SQLite, a turn on the pool's
/// writer connection, in a transaction shared with the writers queued behind it
/// (`group_commit`); without a pool, `BEGIN IMMEDIATE` on `conn`. Rolls back on error.
/// `f` must use the connection it is given, which on SQLite is not `conn`.
pub fn write_transaction<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if let AnyConnection::Sqlite(_) = conn {
        if group_commit::inside() {
            return conn.transaction(f);
        }
        if let Some(writer) = group_commit::current() {
            return writer.write(f);
        }
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

/// Runs blocking database work off the async workers, keeping the request's span.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    let counter = REQUEST_STATEMENTS.try_with(Arc::clone).ok();
    let wait = pool.inner.connection_timeout();
    let slot = match tokio::time::timeout(wait, pool.slots.clone().acquire_owned()).await {
        Ok(Ok(slot)) => slot,
        Ok(Err(_)) => return Err(ApiError::Internal("database slots closed".into())),
        Err(_) => {
            return Err(ApiError::Unavailable(
                "no database connection became free in time".into(),
            ))
        }
    };
    actix_web::rt::task::spawn_blocking(move || {
        let _slot = slot;
        let _entered = span.enter();
        let mut conn = pool
            .get()
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        let before = STATEMENTS.with(Cell::get);
        let result = group_commit::with_writer(pool.writer.as_ref(), || f(&mut conn));
        if let Some(counter) = counter {
            counter.fetch_add(STATEMENTS.with(Cell::get) - before, Ordering::Relaxed);
        }
        result
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
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
