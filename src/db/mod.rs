//! Storage: one codebase over PostgreSQL and SQLite. Backend-specific code stays here.

pub mod barriers;
mod bulk_insert;
pub mod conditions;
mod directory;
pub mod events;
pub mod group_members;
pub mod groups;
pub mod idempotency;
pub mod instances;
pub mod keys;
pub mod listing;
mod maintenance;
pub mod memberships;
pub mod pool;
mod run;
pub mod schema;
pub mod sideloads;
pub mod time;
mod types;
pub mod users;
pub mod wake;
pub mod webhook_deliveries;
pub mod webhooks;
pub mod writer;

use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use pool::Pool;
pub use pool::{ConnectError, ConnectionManager, Lease, PoolError};
pub use run::{ping, read, read_then_write, run, write};

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
    /// Wake-ups for readers of the change feed (`wake`).
    wakes: wake::Wakes,
    /// How far each instance's feed is known to be on disk (`events::ensure_durable`).
    durable: Arc<events::DurableMarks>,
    /// The URL, for connections of its own (`listen`).
    url: DatabaseUrl,
    /// Alive while any clone of the pool is; SQLite's maintenance thread stops with it.
    _alive: Arc<()>,
}

impl DbPool {
    /// A connection, blocking until one is free or opened (start-up, the CLI, tests).
    pub fn get(&self) -> Result<Lease, PoolError> {
        self.inner.checkout()
    }

    /// The process's wake-ups for readers of the change feed.
    pub fn wakes(&self) -> &wake::Wakes {
        &self.wakes
    }

    /// How far each instance's feed is known to be on disk.
    pub fn durable_marks(&self) -> Arc<events::DurableMarks> {
        Arc::clone(&self.durable)
    }

    /// On PostgreSQL, starts the thread that turns other processes' commits into
    /// wake-ups (`wake::listen`); the server calls it once. Nothing to do on SQLite,
    /// where this process is the only writer.
    pub fn listen(&self) -> Result<(), SetupError> {
        if let DatabaseUrl::Postgres(_) = self.url {
            wake::listen(
                ConnectionManager::new(self.url.clone()),
                self.wakes.clone(),
                Arc::downgrade(&self._alive),
            )
            .map_err(|e| SetupError::Thread {
                what: "LISTEN thread",
                cause: e.to_string(),
            })?;
        }
        Ok(())
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
    maintenance::spawn(url, writer.clone(), Arc::downgrade(&alive))?;
    Ok(DbPool {
        inner,
        slots,
        writer,
        wakes: wake::Wakes::new(),
        durable: Arc::default(),
        url: url.clone(),
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
    events::take_flush_pending();
    match f(conn) {
        Ok(value) => {
            match conn {
                // It appended events, so its commit does not wait for its flush
                // (`events` says why); it is made durable before it is answered.
                AnyConnection::Postgresql(c) if events::take_flush_pending() => {
                    events::commit_durably(c)?
                }
                _ => per_backend!(conn, |c| AnsiTransactionManager::commit_transaction(c))?,
            }
            Ok(value)
        }
        Err(err) => {
            events::take_flush_pending();
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

/// IDs as a JSON array, `[1,2,3]`: SQLite statements read it with `json_each(?)`, so
/// their text, and their prepared statement, is the same whatever the number of IDs.
pub(crate) fn json_ids<I: Copy + Into<i64>>(ids: &[I]) -> String {
    let mut s = String::with_capacity(ids.len() * 8 + 2);
    s.push('[');
    let mut buf = itoa::Buffer::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(buf.format((*id).into()));
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
