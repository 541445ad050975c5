//! The change feed and audit trail (API.md §9): what each write records (`record`),
//! each event's JSON (`json`), and reading the feed (`read`, `wait`).

mod json;
mod record;

use std::time::Duration;

pub use json::{event_json, write_event};
pub use record::{Actor, Log, Recorded, Typed};

use super::access::{require, Action, Caller};
use super::error::{Result, ServiceError};
pub use crate::db::events::{Event, EventFilter};
use crate::db::{self, events, DbPool};
use crate::domain::{EventId, InstanceId};

/// A read of the feed.
#[derive(Debug, Clone)]
pub struct Query {
    pub after: EventId,
    pub limit: i64,
    pub filter: EventFilter,
    /// Long-poll: wait this long for a first matching event.
    pub wait: Option<Duration>,
}

/// A page of the feed, and where the next read starts.
pub struct Page {
    pub events: Vec<Event>,
    pub next_after: EventId,
}

/// The events after `q.after` that the caller may read, waiting up to `q.wait` for the
/// first one. `410` when `after` is older than what retention kept.
pub async fn read(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    mut q: Query,
) -> Result<Page> {
    require(caller, Action::ReadEvents)?;
    q.filter.visible_to = caller.viewer();
    let deadline = q.wait.map(|w| tokio::time::Instant::now() + w);
    // Subscribed before the first read: a commit between the read and the wait wakes it.
    let mut wake = deadline.map(|_| pool.wakes().subscribe(instance_id));
    loop {
        let q2 = q.clone();
        let marks = pool.durable_marks();
        let events = crate::service::read(pool, move |conn| {
            let events = db::read_transaction(conn, |conn| {
                let bounds = events::bounds(conn, instance_id)?;
                if q2.after < bounds.purged_through {
                    return Err(ServiceError::CursorExpired(format!(
                        "events up to {} are no longer kept; read from after={} or later",
                        bounds.purged_through.get(),
                        bounds.purged_through.get()
                    )));
                }
                Ok(events::after(
                    conn,
                    instance_id,
                    q2.after,
                    q2.limit,
                    &q2.filter,
                )?)
            })?;
            if let Some(e) = events.last() {
                events::ensure_durable(conn, &marks, instance_id, e.id)?;
            }
            Ok(events)
        })
        .await?;
        let done = !events.is_empty() || deadline.is_none_or(|d| tokio::time::Instant::now() >= d);
        if done {
            let next_after = events.last().map(|e| e.id).unwrap_or(q.after);
            return Ok(Page { events, next_after });
        }
        if let (Some(d), Some(rx)) = (deadline, wake.as_mut()) {
            let left = d.saturating_duration_since(tokio::time::Instant::now());
            db::wake::changed_within(rx, left.min(db::wake::SAFETY_NET)).await;
        }
    }
}

/// The instance's last event id (where a stream without a cursor starts).
pub async fn last(pool: &DbPool, instance_id: InstanceId) -> Result<EventId> {
    crate::service::read(pool, move |conn| Ok(events::last(conn, instance_id)?)).await
}

/// Retention: removes events older than `days` days, a batch at a time; how many went.
pub async fn purge(pool: &DbPool, days: u32) -> Result<usize> {
    let cutoff = db::now() - chrono::Duration::days(i64::from(days));
    let mut total = 0;
    loop {
        let n = crate::service::write(pool, move |conn| {
            db::write_transaction(conn, |conn| {
                Ok::<_, ServiceError>(events::purge_before(conn, cutoff, 10_000)?)
            })
        })
        .await?;
        total += n;
        if n == 0 {
            return Ok(total);
        }
    }
}
