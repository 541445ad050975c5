//! One leased endpoint's deliveries (API.md §10): its events in id order, the next only
//! after the previous one was answered 2xx; a failure retried with exponential backoff
//! and jitter; the endpoint disabled once it has failed for the whole failure window.
//!
//! The cursor (`delivered_through`) is written back only after a 2xx (or past events
//! of types the endpoint does not take), batched: at most every `SAVE_EVERY` while
//! delivering, at once after a failure and whenever the endpoint falls idle. A crash
//! can therefore make a receiver see up to `SAVE_EVERY` of events again, never miss one.
//! No database connection is held while a receiver is awaited.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use rand::Rng;
use tokio::sync::watch;
use tokio::time::Instant;

use super::dispatch::Shared;
use super::send::{Outcome, Request};
use crate::db::events::{self, EventFilter};
use crate::db::webhook_deliveries::{self, NewDelivery};
use crate::db::webhooks::{self, Progress, Webhook};
use crate::db::{self, wake};
use crate::domain::{EventId, EventType};
use crate::service::events::event_json;
use crate::service::ServiceError;

/// The most time between two saves of progress while delivering.
const SAVE_EVERY: Duration = Duration::from_millis(200);
/// A woken task that has not written back for this long does so, and so takes in a
/// PATCH (a new URL, types, disabling) within about this long.
const NOTICE_PATCH: Duration = Duration::from_secs(1);
/// Events read at a time.
const BATCH: i64 = 100;
/// After a database error, wait this long before trying again.
const DB_RETRY: Duration = Duration::from_secs(1);

/// The endpoint as this task knows it, and what it has not saved yet.
struct Endpoint {
    hook: Webhook,
    types: Option<Vec<EventType>>,
    unsaved: Vec<NewDelivery>,
    dirty: bool,
    saved_at: Instant,
    last_error: Option<String>,
}

/// Why a task stops.
enum End {
    /// The dispatcher stops, or the endpoint was disabled (by PATCH or here).
    Release,
    /// The lease is gone (the endpoint deleted, or another process took it over).
    Lost,
}

pub(super) async fn run(shared: Arc<Shared>, hook: Webhook) {
    let (instance, id) = (hook.instance_id, hook.id);
    let mut e = Endpoint::new(hook);
    let end = deliver_all(&shared, &mut e).await;
    if let End::Release = end {
        // Progress first, so that the next holder starts where this one stopped.
        if let Err(err) = e.save(&shared).await {
            tracing::warn!(error = %err, webhook = id, "webhooks: saving progress failed");
        }
        let owner = shared.owner.clone();
        let released = crate::service::write(&shared.pool, move |conn| {
            Ok::<_, ServiceError>(webhooks::release(conn, instance, id, &owner)?)
        })
        .await;
        if let Err(err) = released {
            tracing::warn!(error = %err, webhook = id, "webhooks: releasing a lease failed");
        }
    }
    tracing::debug!(instance = %instance, webhook = id, "webhooks: endpoint task ended");
}

async fn deliver_all(shared: &Shared, e: &mut Endpoint) -> End {
    let mut stop = shared.stop.clone();
    let mut wake = shared.pool.wakes().subscribe(e.hook.instance_id);
    let renew_every = shared.lease() / 3;
    loop {
        if *stop.borrow() || !e.hook.enabled {
            return End::Release;
        }
        if let Some(at) = e.hook.next_attempt_at {
            let left = (at - db::now()).to_std().unwrap_or_default();
            if !left.is_zero() {
                // A retry later: keep the lease meanwhile, and notice a PATCH.
                wait(&mut stop, &mut wake, left.min(renew_every)).await;
                if e.saved_at.elapsed() >= NOTICE_PATCH.min(renew_every) {
                    if let Some(end) = e.save_or_end(shared).await {
                        return end;
                    }
                }
                continue;
            }
        }
        let batch = match read_batch(shared, e).await {
            Ok(b) => b,
            Err(err) => {
                tracing::warn!(error = %err, "webhooks: reading events failed");
                tokio::time::sleep(DB_RETRY).await;
                continue;
            }
        };
        if batch.is_empty() {
            // Idle: write back what is unsaved (at most every SAVE_EVERY), and renew.
            let due = if e.dirty {
                SAVE_EVERY
            } else {
                NOTICE_PATCH.min(renew_every)
            };
            if e.saved_at.elapsed() >= due {
                if let Some(end) = e.save_or_end(shared).await {
                    return end;
                }
            }
            let limit = if e.dirty {
                SAVE_EVERY.saturating_sub(e.saved_at.elapsed())
            } else {
                wake::SAFETY_NET.min(renew_every)
            };
            wait(&mut stop, &mut wake, limit.max(Duration::from_millis(1))).await;
            continue;
        }
        for event in batch {
            if e.types.as_ref().is_some_and(|t| !t.contains(&event.kind)) {
                e.advance(event.id);
                continue;
            }
            let request = Request {
                url: e.hook.url.clone(),
                secret: e.hook.secret.clone(),
                event_id: event.id.to_string(),
                body: Arc::new(event_json(&event).into_bytes()),
            };
            let Some(outcome) = attempt(shared, &mut stop, request).await else {
                return End::Release;
            };
            let failed = !outcome.ok();
            e.record(shared, event.id, outcome);
            if failed {
                if e.failed_too_long(shared) {
                    return e.disable(shared).await;
                }
                if let Some(end) = e.save_or_end(shared).await {
                    return end;
                }
                break;
            }
            if e.saved_at.elapsed() >= SAVE_EVERY {
                let before = e.hook.updated_at;
                if let Some(end) = e.save_or_end(shared).await {
                    return end;
                }
                if e.hook.updated_at != before {
                    break; // PATCHed: the rest of the batch goes by the new settings.
                }
            }
        }
    }
}

/// Waits for `limit`, a wake-up or the stop, whichever comes first.
async fn wait(stop: &mut watch::Receiver<bool>, wake: &mut watch::Receiver<u64>, limit: Duration) {
    tokio::select! {
        _ = stop.changed() => {}
        _ = wake::changed_within(wake, limit) => {}
    }
}

async fn read_batch(shared: &Shared, e: &Endpoint) -> Result<Vec<events::Event>, ServiceError> {
    let (instance, after) = (e.hook.instance_id, e.hook.delivered_through);
    let marks = shared.pool.durable_marks();
    crate::service::read(&shared.pool, move |conn| {
        let found = events::after(conn, instance, after, BATCH, &EventFilter::default())?;
        if let Some(last) = found.last() {
            events::ensure_durable(conn, &marks, instance, last.id)?;
        }
        Ok(found)
    })
    .await
}

/// One attempt on a blocking thread; `None` when the dispatcher stopped meanwhile (the
/// attempt is abandoned: the event is delivered again later).
async fn attempt(shared: &Shared, stop: &mut watch::Receiver<bool>, r: Request) -> Option<Outcome> {
    let client = shared.client.clone();
    let task = tokio::task::spawn_blocking(move || client.send(&r));
    tokio::select! {
        _ = stop.changed() => None,
        done = task => Some(done.unwrap_or_else(|e| Outcome {
            status: None,
            duration: Duration::ZERO,
            error: Some(format!("the delivery thread failed: {e}")),
        })),
    }
}

/// The wait before retry number `failures` (1 for the first): `base` doubling, at most
/// `max`, with ±20% jitter so that endpoints failing together do not retry together.
pub fn backoff(failures: i32, base_ms: u64, max_ms: u64) -> Duration {
    let doublings = failures.clamp(1, 40) as u32 - 1;
    let ms = base_ms
        .saturating_mul(1u64 << doublings.min(40))
        .min(max_ms) as f64;
    let jittered = ms * rand::thread_rng().gen_range(0.8..1.2);
    Duration::from_millis((jittered as u64).min(max_ms))
}

fn later(d: Duration) -> NaiveDateTime {
    db::now() + chrono::Duration::from_std(d).unwrap_or_default()
}

impl Endpoint {
    fn new(hook: Webhook) -> Self {
        Self {
            types: super::parse_types(hook.types.as_deref()),
            hook,
            unsaved: Vec::new(),
            dirty: false,
            saved_at: Instant::now(),
            last_error: None,
        }
    }

    fn advance(&mut self, id: EventId) {
        self.hook.delivered_through = id;
        self.dirty = true;
    }

    /// Logs an attempt and moves on (a 2xx) or schedules the retry.
    fn record(&mut self, shared: &Shared, event: EventId, o: Outcome) {
        let h = &mut self.hook;
        let now = db::now();
        let attempt = h.failed_attempts + 1;
        let next_retry_at = if o.ok() {
            h.failed_attempts = 0;
            h.failing_since = None;
            h.next_attempt_at = None;
            None
        } else {
            h.failed_attempts = attempt;
            h.failing_since.get_or_insert(now);
            let s = &shared.settings;
            let at = later(backoff(attempt, s.retry_base_ms, s.retry_max_ms));
            h.next_attempt_at = Some(at);
            self.last_error.clone_from(&o.error);
            Some(at)
        };
        let ok = o.ok();
        self.unsaved.push(NewDelivery {
            instance_id: h.instance_id,
            webhook_id: h.id,
            event_id: event,
            attempt,
            status_code: o.status.map(i32::from),
            duration_ms: o.duration.as_millis().min(i64::MAX as u128) as i64,
            error: o.error,
            next_retry_at,
            created_at: now,
        });
        if ok {
            self.advance(event);
        }
        self.dirty = true;
    }

    fn failed_too_long(&self, shared: &Shared) -> bool {
        let window = chrono::Duration::milliseconds(shared.settings.failure_window_ms as i64);
        self.hook
            .failing_since
            .is_some_and(|since| db::now() - since >= window)
    }

    /// Writes progress back (renewing the lease) and takes in a PATCH made meanwhile.
    async fn save(&mut self, shared: &Shared) -> Result<bool, ServiceError> {
        let h = &self.hook;
        let (instance, id, owner) = (h.instance_id, h.id, shared.owner.clone());
        let (through, seen) = (h.delivered_through, h.updated_at);
        let (failing_since, failed_attempts, next_attempt_at) =
            (h.failing_since, h.failed_attempts, h.next_attempt_at);
        let lease_until = later(shared.lease());
        let rows = self.unsaved.clone();
        let found = crate::service::write(&shared.pool, move |conn| {
            db::write_transaction(conn, |conn| {
                let progress = Progress {
                    owner: &owner,
                    delivered_through: through,
                    lease_until,
                    seen,
                    failing_since,
                    failed_attempts,
                    next_attempt_at,
                };
                let found = webhooks::save_progress(conn, instance, id, &progress)?;
                if found.is_some() {
                    webhook_deliveries::insert(conn, &rows)?;
                }
                Ok::<_, ServiceError>(found)
            })
        })
        .await?;
        self.saved_at = Instant::now();
        let Some(row) = found else {
            return Ok(false);
        };
        self.unsaved.clear();
        self.dirty = false;
        if row.updated_at != self.hook.updated_at {
            self.types = super::parse_types(row.types.as_deref());
            // The cursor is this task's alone; everything else is the row's.
            let through = self.hook.delivered_through;
            self.hook = row;
            self.hook.delivered_through = through;
        }
        Ok(true)
    }

    /// `save`, and why the task must end, if it must.
    async fn save_or_end(&mut self, shared: &Shared) -> Option<End> {
        loop {
            match self.save(shared).await {
                Ok(true) => return None,
                Ok(false) => return Some(End::Lost),
                Err(err) => {
                    tracing::warn!(error = %err, webhook = self.hook.id, "webhooks: saving progress failed");
                    if *shared.stop.borrow() {
                        return Some(End::Release);
                    }
                    tokio::time::sleep(DB_RETRY).await;
                }
            }
        }
    }

    /// After the failure window: the endpoint disabled, with its reason.
    async fn disable(&mut self, shared: &Shared) -> End {
        if let Some(end) = self.save_or_end(shared).await {
            return end;
        }
        if !self.failed_too_long(shared) {
            return End::Release; // a PATCH reset it meanwhile: the next task goes on
        }
        let h = &self.hook;
        let last = self.last_error.clone().unwrap_or_default();
        let reason = format!(
            "deliveries failed without a success for {} s since {}Z (last: {last})",
            shared.settings.failure_window_ms / 1000,
            h.failing_since
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_default(),
        );
        let (instance, id, owner, seen) = (h.instance_id, h.id, shared.owner.clone(), h.updated_at);
        let done = crate::service::write(&shared.pool, move |conn| {
            db::write_transaction(conn, |conn| {
                Ok::<_, ServiceError>(webhooks::disable(
                    conn,
                    instance,
                    id,
                    &owner,
                    seen,
                    &reason,
                    db::now(),
                )?)
            })
        })
        .await;
        match done {
            Ok(true) => tracing::warn!(
                webhook = id,
                "webhooks: endpoint disabled after its failure window"
            ),
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, webhook = id, "webhooks: disabling failed"),
        }
        End::Lost
    }
}
