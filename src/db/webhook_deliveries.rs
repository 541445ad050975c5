//! The `webhook_deliveries` table: every delivery attempt of a webhook endpoint.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::listing::{Common, Page, Window};
use super::schema::webhook_deliveries;
use super::{AnyConnection, Db};
use crate::domain::{EventId, InstanceId};
use crate::{apply_window, per_backend};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub instance_id: InstanceId,
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: EventId,
    /// 1 for an event's first attempt, then one more for each retry.
    pub attempt: i32,
    /// The receiver's status, when it answered at all.
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    /// Why the attempt failed (`None` for a 2xx).
    pub error: Option<String>,
    /// When the event is tried again (`None` after a 2xx, or when the endpoint was
    /// disabled instead).
    pub next_retry_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries, treat_none_as_default_value = false)]
pub struct NewDelivery {
    pub instance_id: InstanceId,
    pub webhook_id: i64,
    pub event_id: EventId,
    pub attempt: i32,
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub next_retry_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Rows per INSERT (9 parameters each).
const ROWS: usize = 500;

pub fn insert(conn: &mut AnyConnection, rows: &[NewDelivery]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS) {
        per_backend!(&mut *conn, |c| diesel::insert_into(
            webhook_deliveries::table
        )
        .values(chunk)
        .execute(c))?;
    }
    Ok(())
}

/// A page of the endpoint's attempts in the window's order.
pub fn list(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    webhook_id: i64,
    common: &Common,
    w: &Window,
) -> QueryResult<Page<Delivery>> {
    let base = || {
        let mut q = webhook_deliveries::table
            .filter(webhook_deliveries::instance_id.eq(instance_id))
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .into_boxed::<Db>();
        if let Some(ids) = &common.ids {
            q = q.filter(webhook_deliveries::id.eq_any(ids.clone()));
        }
        if let Some(t) = common.created_after {
            q = q.filter(webhook_deliveries::created_at.gt(t));
        }
        q
    };
    let total: i64 = base().count().get_result(conn)?;
    let mut q = base().select(Delivery::as_select());
    apply_window!(
        q,
        w,
        webhook_deliveries::id,
        webhook_deliveries::created_at,
        webhook_deliveries::created_at,
        webhook_deliveries::created_at,
        super::listing::sort_time
    );
    Ok(Page::from_rows(q.load(conn)?, total, w.limit))
}

/// Removes attempts logged before `cutoff`, at most `batch`; how many went.
pub fn purge_before(
    conn: &mut AnyConnection,
    cutoff: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old: Vec<(InstanceId, i64)> = webhook_deliveries::table
        .filter(webhook_deliveries::created_at.lt(cutoff))
        .select((webhook_deliveries::instance_id, webhook_deliveries::id))
        .limit(batch)
        .load(conn)?;
    let mut by_instance: std::collections::BTreeMap<InstanceId, Vec<i64>> = Default::default();
    for (instance_id, id) in old {
        by_instance.entry(instance_id).or_default().push(id);
    }
    let mut removed = 0;
    for (instance_id, ids) in by_instance {
        removed += diesel::delete(
            webhook_deliveries::table
                .filter(webhook_deliveries::instance_id.eq(instance_id))
                .filter(webhook_deliveries::id.eq_any(ids)),
        )
        .execute(conn)?;
    }
    Ok(removed)
}
