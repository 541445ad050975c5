//! Wake-ups for readers of the change feed (API.md §9: long-polls, streams, the webhook
//! dispatcher): a committed write wakes them, so none of them polls the database in a
//! loop.
//!
//! - In this process: the service calls `Wakes::wake` once a write that recorded
//!   events has committed (on SQLite that is every write there is: one process).
//! - From other processes on one PostgreSQL: `events::append` sends `NOTIFY
//!   roster_events, '<instance id>'` in the write's transaction, delivered at its
//!   commit; `listen` keeps a connection of its own that `LISTEN`s and turns each
//!   notification into `wake`. libpq queues notifications on that connection's socket;
//!   reading them is a local read every `LISTEN_EVERY`, never a query.
//!
//! A waiter holds a `watch::Receiver` whose value changes at each wake; a wake that
//! comes between its read of the feed and its wait is not lost (`changed` sees it). A
//! waiter still reads the feed again after `SAFETY_NET` without a wake, in case a
//! notification was lost with a dropped connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::domain::InstanceId;

/// How long a waiter waits without a wake before it reads the feed anyway.
pub const SAFETY_NET: Duration = Duration::from_secs(5);
/// How often the listening connection's socket is read for notifications.
const LISTEN_EVERY: Duration = Duration::from_millis(5);
/// The channel `events::append` notifies.
pub const CHANNEL: &str = "roster_events";

#[derive(Default)]
struct Inner {
    /// Per instance, while anyone waits for it.
    instances: Mutex<HashMap<InstanceId, watch::Sender<u64>>>,
    /// Any instance (the webhook dispatcher).
    any: Option<watch::Sender<u64>>,
}

/// The process's wake-ups. Cheap to clone.
#[derive(Clone)]
pub struct Wakes {
    inner: Arc<Inner>,
}

impl Default for Wakes {
    fn default() -> Self {
        Self::new()
    }
}

impl Wakes {
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                instances: Mutex::new(HashMap::new()),
                any: Some(watch::channel(0).0),
            }),
        }
    }

    /// A receiver that changes whenever `instance` may have new events.
    pub fn subscribe(&self, instance: InstanceId) -> watch::Receiver<u64> {
        let mut map = self
            .inner
            .instances
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.entry(instance)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// A receiver that changes whenever any instance may have new events.
    pub fn subscribe_any(&self) -> watch::Receiver<u64> {
        match &self.inner.any {
            Some(tx) => tx.subscribe(),
            None => watch::channel(0).1,
        }
    }

    /// `instance` may have new events: wake its waiters and the dispatcher.
    pub fn wake(&self, instance: InstanceId) {
        {
            let mut map = self
                .inner
                .instances
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(tx) = map.get(&instance) {
                if tx.receiver_count() == 0 {
                    map.remove(&instance);
                } else {
                    tx.send_modify(|v| *v = v.wrapping_add(1));
                }
            }
        }
        if let Some(any) = &self.inner.any {
            any.send_modify(|v| *v = v.wrapping_add(1));
        }
    }

    /// Every waiter: after the listening connection was lost, notifications may have
    /// been missed.
    pub fn wake_all(&self) {
        let mut map = self
            .inner
            .instances
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.retain(|_, tx| tx.receiver_count() > 0);
        for tx in map.values() {
            tx.send_modify(|v| *v = v.wrapping_add(1));
        }
        drop(map);
        if let Some(any) = &self.inner.any {
            any.send_modify(|v| *v = v.wrapping_add(1));
        }
    }
}

/// Waits until `rx` changes or `limit` passes, whichever comes first; `false` when the
/// wait ended without a wake.
pub async fn changed_within(rx: &mut watch::Receiver<u64>, limit: Duration) -> bool {
    matches!(tokio::time::timeout(limit, rx.changed()).await, Ok(Ok(())))
}

/// On PostgreSQL, a thread with a connection of its own that `LISTEN`s on `CHANNEL` and
/// wakes `wakes` for each notification, reconnecting (and waking everyone) when the
/// connection is lost. Ends when `alive` has no strong reference left.
pub(super) fn listen(
    manager: super::ConnectionManager,
    wakes: Wakes,
    alive: std::sync::Weak<()>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("pg-listen".into())
        .spawn(move || {
            while alive.upgrade().is_some() {
                match listen_once(&manager, &wakes, &alive) {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "the LISTEN connection failed; reconnecting");
                        wakes.wake_all();
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            }
        })
        .map(|_| ())
}

fn listen_once(
    manager: &super::ConnectionManager,
    wakes: &Wakes,
    alive: &std::sync::Weak<()>,
) -> Result<(), String> {
    use diesel::RunQueryDsl;
    let mut conn = manager.connect().map_err(|e| e.to_string())?;
    let super::AnyConnection::Postgresql(pg) = &mut conn else {
        return Ok(());
    };
    diesel::sql_query(format!("LISTEN {CHANNEL}"))
        .execute(pg)
        .map_err(|e| e.to_string())?;
    // Whatever happened while this connection was not listening.
    wakes.wake_all();
    let mut idle = Duration::ZERO;
    while alive.upgrade().is_some() {
        let mut got = false;
        for n in pg.notifications_iter() {
            let n = n.map_err(|e| e.to_string())?;
            if let Ok(id) = n.payload.parse::<i64>() {
                wakes.wake(InstanceId(id));
            }
            got = true;
        }
        if got {
            idle = Duration::ZERO;
        } else {
            idle += LISTEN_EVERY;
        }
        // A dead server shows only when something is sent: ask once in a while.
        if idle >= SAFETY_NET {
            idle = Duration::ZERO;
            diesel::sql_query("SELECT 1")
                .execute(pg)
                .map_err(|e| e.to_string())?;
        }
        std::thread::sleep(LISTEN_EVERY);
    }
    Ok(())
}
