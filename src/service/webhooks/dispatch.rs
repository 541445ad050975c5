//! The webhook dispatcher: a background task that finds the enabled endpoints no live
//! process delivers to, takes each one's lease (a conditional UPDATE of its row, so of
//! several Roster processes on one PostgreSQL only one wins) and runs one task per
//! leased endpoint (`worker`), which delivers its events in id order and renews the
//! lease as it writes its progress back. An endpoint whose process died is taken over
//! once its lease has expired, from its stored cursor.
//!
//! It wakes on the change feed's wake-ups (`db::wake`) and looks again every
//! `SCAN_EVERY` anyway, for endpoints made or leases expired meanwhile.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::distributions::Alphanumeric;
use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::send::Client;
use super::worker;
use crate::config::WebhookSettings;
use crate::db::{self, webhook_deliveries, webhooks, DbPool};
use crate::domain::InstanceId;
use crate::service::ServiceError;

/// How often the dispatcher looks for endpoints to take without a wake-up.
const SCAN_EVERY: Duration = Duration::from_secs(1);
/// The least time between two looks, however many wake-ups come.
const SCAN_AT_MOST_EVERY: Duration = Duration::from_millis(250);
/// Attempts are logged for this long (`GET .../deliveries`), then removed.
const KEEP_DELIVERIES_DAYS: i64 = 7;
const PURGE_EVERY: Duration = Duration::from_secs(600);
/// How long a stopping dispatcher waits for its endpoints to save their progress.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// What every endpoint task of this process shares.
pub(super) struct Shared {
    pub pool: DbPool,
    pub client: Client,
    pub settings: WebhookSettings,
    /// This process's name in the leases it takes.
    pub owner: String,
    pub stop: watch::Receiver<bool>,
}

impl Shared {
    /// How long a lease lasts: well over the longest an attempt may take.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(30).max(Duration::from_millis(self.settings.timeout_ms) * 3)
    }
}

/// The running dispatcher; `stop` ends it.
pub struct Dispatcher {
    stop: watch::Sender<bool>,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Dispatcher {
    /// Starts the dispatcher on the current tokio runtime.
    pub fn spawn(pool: DbPool, settings: WebhookSettings) -> Self {
        let (stop, stop_rx) = watch::channel(false);
        let owner: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(16)
            .map(char::from)
            .collect();
        let shared = Arc::new(Shared {
            client: Client::new(
                Duration::from_millis(settings.timeout_ms),
                settings.allow_private,
            ),
            pool,
            settings,
            owner,
            stop: stop_rx,
        });
        let task = tokio::spawn(run(shared));
        Self {
            stop,
            task: std::sync::Mutex::new(Some(task)),
        }
    }

    /// Stops delivering: every endpoint saves its progress and gives up its lease (an
    /// attempt in flight is abandoned and made again later), within a few seconds.
    pub async fn stop(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

async fn run(shared: Arc<Shared>) {
    let mut stop = shared.stop.clone();
    let mut wake = shared.pool.wakes().subscribe_any();
    let mut running: HashMap<(InstanceId, i64), JoinHandle<()>> = HashMap::new();
    let mut last_purge: Option<tokio::time::Instant> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        running.retain(|_, task| !task.is_finished());
        if let Err(e) = take_endpoints(&shared, &mut running).await {
            tracing::warn!(error = %e, "webhooks: looking for endpoints failed");
        }
        if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
            last_purge = Some(tokio::time::Instant::now());
            purge(&shared.pool).await;
        }
        tokio::time::sleep(SCAN_AT_MOST_EVERY).await;
        tokio::select! {
            _ = stop.changed() => {}
            _ = db::wake::changed_within(&mut wake, SCAN_EVERY) => {}
        }
    }
    let all = futures_util::future::join_all(running.into_values());
    if tokio::time::timeout(STOP_GRACE, all).await.is_err() {
        tracing::warn!("webhooks: some endpoints did not stop in time");
    }
}

/// Leases the endpoints no live process delivers to and starts a task for each.
async fn take_endpoints(
    shared: &Arc<Shared>,
    running: &mut HashMap<(InstanceId, i64), JoinHandle<()>>,
) -> Result<(), ServiceError> {
    let owner = shared.owner.clone();
    let candidates = crate::service::read(&shared.pool, move |conn| {
        Ok(webhooks::leasable(conn, &owner, db::now())?)
    })
    .await?;
    for key in candidates {
        if running.contains_key(&key) {
            continue;
        }
        let (owner, lease) = (shared.owner.clone(), shared.lease());
        let taken = crate::service::write(&shared.pool, move |conn| {
            let now = db::now();
            let until = now + chrono::Duration::from_std(lease).unwrap_or_default();
            Ok(webhooks::acquire(conn, key.0, key.1, &owner, now, until)?)
        })
        .await?;
        if let Some(hook) = taken {
            tracing::debug!(instance = %key.0, webhook = key.1, "webhooks: endpoint leased");
            running.insert(key, tokio::spawn(worker::run(shared.clone(), hook)));
        }
    }
    Ok(())
}

async fn purge(pool: &DbPool) {
    let cutoff = db::now() - chrono::Duration::days(KEEP_DELIVERIES_DAYS);
    loop {
        let n = crate::service::write(pool, move |conn| {
            Ok::<_, ServiceError>(webhook_deliveries::purge_before(conn, cutoff, 5000)?)
        })
        .await;
        match n {
            Ok(0) => return,
            Ok(n) => tracing::info!(purged = n, "webhooks: old delivery attempts deleted"),
            Err(e) => {
                tracing::warn!(error = %e, "webhooks: purging delivery attempts failed");
                return;
            }
        }
    }
}
