//! The connection pool. At most `size` connections are in use at once (a request waits
//! for a slot asynchronously); idle ones are kept for reuse. A connection that lost its
//! server (closed by it, a network error, a failover) is never handed out again, and
//! after one loss every idle connection is checked before its next use, so that once
//! the database is back the next request succeeds (API.md §7: `503` within the pool
//! timeout, nothing written).
//!
//! Not r2d2: after a failed connect it retries on its own timer, backing off to half
//! the pool timeout, so requests kept failing for up to 1.5 s after the database was
//! back; and a request waited once for r2d2 and again for a slot. Here a request that
//! finds no idle connection opens one itself, bounded by its own deadline.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;

use super::{AnyConnection, DatabaseUrl};

/// An idle connection unused for longer than this is checked (`SELECT 1`) before it is
/// handed out: idle-connection reapers and NAT tables drop such connections silently.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(10);

/// A connection could not be opened (the database's own words).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

/// Why no connection could be had.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("no database connection became free within {0:?}")]
    Timeout(Duration),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("the database work failed to run: {0}")]
    Task(String),
}

thread_local! {
    /// Statements this thread has sent to the database (`X-Query-Count`).
    pub(super) static STATEMENTS: Cell<u64> = const { Cell::new(0) };
}

/// Each connection's instrumentation: counts statements, and remembers whether the
/// connection lost its server (then it is dropped instead of being pooled again).
#[derive(Default)]
pub(super) struct Tracker {
    lost: bool,
}

impl Instrumentation for Tracker {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => STATEMENTS.with(|c| c.set(c.get() + 1)),
            InstrumentationEvent::FinishQuery {
                error: Some(error), ..
            } if is_lost_connection(error) => self.lost = true,
            _ => {}
        }
    }
}

/// Whether `conn` lost its server at some point (any statement failed that way).
pub fn has_lost_server(conn: &mut AnyConnection) -> bool {
    conn.instrumentation()
        .downcast_ref::<Tracker>()
        .is_some_and(|t| t.lost)
}

/// Whether a statement's error means the connection is gone.
pub fn is_lost_connection(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        DieselError::BrokenTransactionManager => true,
        other => looks_like_lost_connection(&other.to_string()),
    }
}

/// libpq reports a dropped server as an unknown database error with these words.
pub fn looks_like_lost_connection(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("server closed the connection")
        || t.contains("connection refused")
        || t.contains("no connection to the server")
        || t.contains("terminating connection")
        || t.contains("could not receive data")
        || t.contains("could not send data")
        || t.contains("connection to server")
        || t.contains("ssl syscall error")
}

/// Opens exactly the backend the URL names (diesel's derived `establish` would take any
/// string as a SQLite path and hide libpq's error), with each backend's settings.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    pub fn connect(&self) -> Result<AnyConnection, ConnectError> {
        let failed = |e: &dyn std::fmt::Display| ConnectError(e.to_string());
        let mut conn = match &self.url {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .map(AnyConnection::Postgresql)
                .map_err(|e| failed(&e))?,
            DatabaseUrl::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(path).map_err(|e| failed(&e))?;
                conn.batch_execute(super::SQLITE_SETUP)
                    .map_err(|e| failed(&e))?;
                AnyConnection::Sqlite(conn)
            }
        };
        conn.set_instrumentation(Tracker::default());
        Ok(conn)
    }
}

/// Whether a connection may go back to the pool: not lost, not inside a transaction.
fn reusable(conn: &mut AnyConnection) -> bool {
    if has_lost_server(conn) {
        return false;
    }
    crate::per_backend!(conn, |c| {
        AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .is_ok_and(|d| d.is_none())
    })
}

struct Idle {
    conn: AnyConnection,
    since: Instant,
    /// `Pool::losses` when the connection was last known good.
    checked_at_loss: u64,
}

pub struct Pool {
    manager: ConnectionManager,
    idle: Mutex<Vec<Idle>>,
    size: usize,
    timeout: Duration,
    /// Connections seen lost so far; an idle connection known good before the latest
    /// loss is checked before it is used again.
    losses: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A connection taken from the pool; goes back when dropped, unless it is broken.
pub struct Lease {
    conn: Option<AnyConnection>,
    checked_at_loss: u64,
    pool: Arc<Pool>,
}

impl std::ops::Deref for Lease {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("a lease always holds a connection"))
    }
}

impl std::ops::DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("a lease always holds a connection"))
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put_back(conn, self.checked_at_loss);
        }
    }
}

impl Lease {
    /// Whether this connection lost its server.
    pub fn lost(&mut self) -> bool {
        has_lost_server(self)
    }
}

impl Pool {
    /// A pool of at most `size` connections; opens one now, so that a database that
    /// cannot be reached fails the start.
    pub fn open(
        manager: ConnectionManager,
        size: usize,
        timeout: Duration,
    ) -> Result<Arc<Self>, ConnectError> {
        let first = manager.connect()?;
        let pool = Arc::new(Self {
            manager,
            idle: Mutex::new(Vec::with_capacity(size)),
            size: size.max(1),
            timeout,
            losses: AtomicU64::new(0),
        });
        pool.put_back(first, 0);
        Ok(pool)
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// An idle connection that needs no check, without blocking (the common case).
    pub fn take_ready(self: &Arc<Self>) -> Option<Lease> {
        let losses = self.losses.load(Ordering::Acquire);
        let mut idle = lock(&self.idle);
        let last = idle.last()?;
        if last.checked_at_loss < losses || last.since.elapsed() > CHECK_AFTER_IDLE {
            return None;
        }
        let Idle {
            conn,
            checked_at_loss,
            ..
        } = idle.pop()?;
        Some(Lease {
            conn: Some(conn),
            checked_at_loss,
            pool: Arc::clone(self),
        })
    }

    /// A connection known good: an idle one (checked first if it may have gone stale)
    /// or a new one. Blocks while connecting or checking.
    pub fn checkout(self: &Arc<Self>) -> Result<Lease, PoolError> {
        loop {
            if let Some(lease) = self.take_ready() {
                return Ok(lease);
            }
            let losses = self.losses.load(Ordering::Acquire);
            let Some(mut idle) = lock(&self.idle).pop() else {
                break;
            };
            match idle.conn.batch_execute("SELECT 1") {
                Ok(()) => {
                    return Ok(Lease {
                        conn: Some(idle.conn),
                        checked_at_loss: losses,
                        pool: Arc::clone(self),
                    })
                }
                Err(e) => {
                    tracing::info!(error = %e, "dropped a pooled connection that lost its server");
                    self.note_loss();
                }
            }
        }
        let losses = self.losses.load(Ordering::Acquire);
        let conn = self
            .manager
            .connect()
            .map_err(|e| PoolError::Connect(e.0))?;
        Ok(Lease {
            conn: Some(conn),
            checked_at_loss: losses,
            pool: Arc::clone(self),
        })
    }

    /// A connection lost its server: every idle one is checked before its next use.
    pub fn note_loss(&self) {
        self.losses.fetch_add(1, Ordering::AcqRel);
    }

    fn put_back(&self, mut conn: AnyConnection, checked_at_loss: u64) {
        if !reusable(&mut conn) {
            if has_lost_server(&mut conn) {
                self.note_loss();
                tracing::info!("a database connection lost its server; it is not reused");
            }
            return;
        }
        let mut idle = lock(&self.idle);
        if idle.len() < self.size {
            idle.push(Idle {
                conn,
                since: Instant::now(),
                checked_at_loss,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_pool(size: usize) -> (Arc<Pool>, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "roster_pool_{}_{}.db",
            std::process::id(),
            rand::random::<u64>()
        ));
        let url = DatabaseUrl::Sqlite(path.display().to_string());
        let pool = Pool::open(ConnectionManager::new(url), size, Duration::from_secs(1)).unwrap();
        (pool, path)
    }

    #[test]
    fn connections_are_reused_and_capped() {
        let (pool, path) = sqlite_pool(2);
        let a = pool.checkout().unwrap();
        let b = pool.checkout().unwrap();
        let c = pool.checkout().unwrap();
        drop((a, b, c));
        assert_eq!(lock(&pool.idle).len(), 2, "at most `size` idle connections");
        assert!(pool.take_ready().is_some());
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_connection_inside_a_transaction_is_not_reused() {
        let (pool, path) = sqlite_pool(2);
        lock(&pool.idle).clear();
        let mut a = pool.checkout().unwrap();
        crate::per_backend!(&mut *a, |c| AnsiTransactionManager::begin_transaction(c)).unwrap();
        drop(a);
        assert_eq!(lock(&pool.idle).len(), 0);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn lost_connections_are_recognised() {
        assert!(looks_like_lost_connection(
            "terminating connection due to administrator command"
        ));
        assert!(looks_like_lost_connection(
            "server closed the connection unexpectedly"
        ));
        assert!(!looks_like_lost_connection("duplicate key value"));
    }
}
