//! The `webhooks` table: an instance's endpoints (API.md §10), each with its delivery
//! cursor, its failure state and the lease that lets one process at a time deliver to
//! it (`service::webhooks::dispatch` says how they are used).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::listing::{Common, Page, Window};
use super::schema::{webhook_deliveries, webhooks};
use super::{AnyConnection, Db};
use crate::domain::{EventId, InstanceId};
use crate::{apply_common, apply_window, per_backend};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub instance_id: InstanceId,
    pub id: i64,
    pub url: String,
    /// Comma-separated event types; `None`: every type.
    pub types: Option<String>,
    pub description: Option<String>,
    pub enabled: bool,
    pub secret: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub disabled_reason: Option<String>,
    /// The last event delivered (2xx) or skipped (not of `types`).
    pub delivered_through: EventId,
    pub failing_since: Option<NaiveDateTime>,
    pub failed_attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhooks, treat_none_as_default_value = false)]
pub struct NewWebhook {
    pub instance_id: InstanceId,
    pub url: String,
    pub types: Option<String>,
    pub description: Option<String>,
    pub enabled: bool,
    pub secret: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub delivered_through: EventId,
    pub failed_attempts: i32,
}

/// A PATCH, and the dispatcher's own changes (an outer `None` leaves a column as it is).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub types: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub failing_since: Option<Option<NaiveDateTime>>,
    pub failed_attempts: Option<i32>,
    pub next_attempt_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, row: &NewWebhook) -> QueryResult<Webhook> {
    per_backend!(conn, |c| diesel::insert_into(webhooks::table)
        .values(row)
        .returning(Webhook::as_returning())
        .get_result(c))
}

pub fn find(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: i64,
) -> QueryResult<Option<Webhook>> {
    webhooks::table
        .filter(webhooks::instance_id.eq(instance_id))
        .filter(webhooks::id.eq(id))
        .select(Webhook::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    common: &Common,
    w: &Window,
) -> QueryResult<Page<Webhook>> {
    let base = || {
        let mut q = webhooks::table
            .filter(webhooks::instance_id.eq(instance_id))
            .into_boxed::<Db>();
        apply_common!(q, webhooks, common);
        q
    };
    let total: i64 = base().count().get_result(conn)?;
    let mut q = base().select(Webhook::as_select());
    apply_window!(
        q,
        w,
        webhooks::id,
        webhooks::created_at,
        webhooks::updated_at,
        webhooks::created_at,
        super::listing::sort_time
    );
    Ok(Page::from_rows(q.load(conn)?, total, w.limit))
}

/// Applies `changes`; `None` when there is no such endpoint.
pub fn update(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: i64,
    changes: &WebhookChanges,
) -> QueryResult<Option<Webhook>> {
    per_backend!(conn, |c| diesel::update(
        webhooks::table
            .filter(webhooks::instance_id.eq(instance_id))
            .filter(webhooks::id.eq(id))
    )
    .set(changes)
    .returning(Webhook::as_returning())
    .get_result(c)
    .optional())
}

/// Removes the endpoint and its delivery log; how many endpoints went (0 or 1).
pub fn delete(conn: &mut AnyConnection, instance_id: InstanceId, id: i64) -> QueryResult<usize> {
    diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::instance_id.eq(instance_id))
            .filter(webhook_deliveries::webhook_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        webhooks::table
            .filter(webhooks::instance_id.eq(instance_id))
            .filter(webhooks::id.eq(id)),
    )
    .execute(conn)
}

/// Every endpoint and delivery of an instance (with the instance, API.md §3).
pub fn delete_instance(conn: &mut AnyConnection, instance_id: InstanceId) -> QueryResult<()> {
    diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::instance_id.eq(instance_id)),
    )
    .execute(conn)?;
    diesel::delete(webhooks::table.filter(webhooks::instance_id.eq(instance_id))).execute(conn)?;
    Ok(())
}

/// The enabled endpoints `owner` may lease now: no one's, expired, or already its own.
pub fn leasable(
    conn: &mut AnyConnection,
    owner: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<(InstanceId, i64)>> {
    webhooks::table
        .filter(webhooks::enabled.eq(true))
        .filter(
            webhooks::lease_owner
                .is_null()
                .or(webhooks::lease_until.lt(now))
                .or(webhooks::lease_owner.eq(owner)),
        )
        .select((webhooks::instance_id, webhooks::id))
        .load(conn)
}

/// Takes the endpoint's lease for `owner` until `until`, if no other process holds a
/// live one (one conditional UPDATE: of two processes trying at once, one wins); the
/// endpoint as leased, or `None`.
pub fn acquire(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: i64,
    owner: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Option<Webhook>> {
    let n = diesel::update(
        webhooks::table
            .filter(webhooks::instance_id.eq(instance_id))
            .filter(webhooks::id.eq(id))
            .filter(webhooks::enabled.eq(true))
            .filter(
                webhooks::lease_owner
                    .is_null()
                    .or(webhooks::lease_until.lt(now))
                    .or(webhooks::lease_owner.eq(owner)),
            ),
    )
    .set((
        webhooks::lease_owner.eq(owner),
        webhooks::lease_until.eq(until),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    find(conn, instance_id, id)
}

/// What a delivering process writes back: its cursor and lease always; the failure
/// state only if no PATCH came since it last read the endpoint (`seen`), so that a
/// PATCH's reset is never overwritten.
pub struct Progress<'a> {
    pub owner: &'a str,
    pub delivered_through: EventId,
    pub lease_until: NaiveDateTime,
    pub seen: NaiveDateTime,
    pub failing_since: Option<NaiveDateTime>,
    pub failed_attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
}

/// Writes `p` for the endpoint while `p.owner` holds its lease; the endpoint as it now
/// is, or `None` when the lease is gone (taken over, or the endpoint deleted).
pub fn save_progress(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: i64,
    p: &Progress,
) -> QueryResult<Option<Webhook>> {
    let mine = || {
        webhooks::table
            .filter(webhooks::instance_id.eq(instance_id))
            .filter(webhooks::id.eq(id))
            .filter(webhooks::lease_owner.eq(p.owner))
    };
    let n = diesel::update(mine())
        .set((
            webhooks::delivered_through.eq(p.delivered_through),
            webhooks::lease_until.eq(p.lease_until),
        ))
        .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    diesel::update(mine().filter(webhooks::updated_at.eq(p.seen)))
        .set((
            webhooks::failing_since.eq(p.failing_since),
            webhooks::failed_attempts.eq(p.failed_attempts),
            webhooks::next_attempt_at.eq(p.next_attempt_at),
        ))
        .execute(conn)?;
    find(conn, instance_id, id)
}

/// Disables the endpoint after its failure window, unless a PATCH came since `seen`;
/// gives up the lease either way. Whether it was disabled.
pub fn disable(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: i64,
    owner: &str,
    seen: NaiveDateTime,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        webhooks::table
            .filter(webhooks::instance_id.eq(instance_id))
            .filter(webhooks::id.eq(id))
            .filter(webhooks::lease_owner.eq(owner))
            .filter(webhooks::updated_at.eq(seen)),
    )
    .set((
        webhooks::enabled.eq(false),
        webhooks::disabled_reason.eq(reason),
        webhooks::next_attempt_at.eq(None::<NaiveDateTime>),
        webhooks::updated_at.eq(now),
    ))
    .execute(conn)?;
    release(conn, instance_id, id, owner)?;
    Ok(n == 1)
}

/// Gives up `owner`'s lease of the endpoint (stopping, or the endpoint disabled).
pub fn release(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: i64,
    owner: &str,
) -> QueryResult<()> {
    diesel::update(
        webhooks::table
            .filter(webhooks::instance_id.eq(instance_id))
            .filter(webhooks::id.eq(id))
            .filter(webhooks::lease_owner.eq(owner)),
    )
    .set((
        webhooks::lease_owner.eq(None::<String>),
        webhooks::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}
