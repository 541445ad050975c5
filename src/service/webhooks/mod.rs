//! Webhooks (API.md §10): an instance's endpoints (account and admin keys only), their
//! delivery log, and the dispatcher that delivers the change feed (§9) to them.
//!
//! | module | what |
//! |---|---|
//! | `target` | which URLs and addresses may be targets |
//! | `sign` | the secret and the Standard Webhooks signature |
//! | `send` | one signed HTTP attempt |
//! | `dispatch` | the background task: leases endpoints, one task each |
//! | `worker` | one endpoint's deliveries: order, retries, disabling |
//! | `json` | the endpoint and the attempt as the API shows them |

mod dispatch;
mod json;
pub mod send;
pub mod sign;
pub mod target;
mod worker;

pub use dispatch::Dispatcher;
pub use worker::backoff;

use super::access::{require, Action, Caller, Grant};
use super::error::{ErrorItem, Result, ServiceError};
use super::idempotency::{self, Pending};
use crate::db::listing::{Common, Page, Window};
pub use crate::db::webhook_deliveries::Delivery;
pub use crate::db::webhooks::Webhook;
use crate::db::webhooks::{self, NewWebhook, WebhookChanges};
use crate::db::{self, events, now, webhook_deliveries, DbPool};
use crate::domain::{EventType, InstanceId};

/// The stored form of `types`: a comma list, `None` for every type.
pub fn types_text(types: &Option<Vec<EventType>>) -> Option<String> {
    types.as_ref().map(|t| {
        let words: Vec<&str> = t.iter().map(|k| k.as_str()).collect();
        words.join(",")
    })
}

/// `types` as stored, read back (a word Roster no longer has is dropped).
pub fn parse_types(stored: Option<&str>) -> Option<Vec<EventType>> {
    stored.map(|s| s.split(',').filter_map(EventType::parse_str).collect())
}

/// A new endpoint as asked for (parsed by the door).
pub struct WebhookRequest {
    pub url: url::Url,
    pub types: Option<Vec<EventType>>,
    pub description: Option<String>,
    pub enabled: bool,
}

/// A PATCH (an outer `None` leaves the field as it is).
#[derive(Default)]
pub struct WebhookPatch {
    pub url: Option<url::Url>,
    pub types: Option<Option<Vec<EventType>>>,
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// Checks the URL's addresses now (DNS, on a blocking thread): `422` on `url`.
async fn check_target(url: url::Url, allow_private: bool) -> Result<url::Url> {
    let checked =
        tokio::task::spawn_blocking(move || target::check_url(&url, allow_private).map(|_| url))
            .await
            .map_err(|e| ServiceError::Internal(format!("the URL check failed: {e}")))?;
    checked.map_err(|message| ServiceError::one(ErrorItem::invalid("url", message)))
}

fn admin_only(caller: Caller, action: Action) -> Result<()> {
    match require(caller, action)? {
        Grant::Full => Ok(()),
        Grant::Nothing => Err(ServiceError::NotFound),
    }
}

/// Creates an endpoint that receives the events committed after it; its secret is
/// returned beside the row (shown once), and `render`'s answer, without it, is recorded
/// for `pending` (a replay shows the endpoint without its secret, as API keys do).
pub async fn create(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    request: WebhookRequest,
    allow_private: bool,
    pending: Option<Pending>,
    render: impl FnOnce(&Webhook) -> Result<String> + Send + 'static,
) -> Result<(Webhook, String)> {
    require(caller, Action::CreateWebhook)?;
    let url = check_target(request.url, allow_private).await?;
    let made = crate::service::write(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let t = now();
            let delivered_through = events::last(conn, instance_id)?;
            let row = webhooks::insert(
                conn,
                &NewWebhook {
                    instance_id,
                    url: url.to_string(),
                    types: types_text(&request.types),
                    description: request.description,
                    enabled: request.enabled,
                    secret: sign::generate_secret(),
                    created_at: t,
                    updated_at: t,
                    delivered_through,
                    failed_attempts: 0,
                },
            )?;
            let body = render(&row)?;
            idempotency::record(conn, pending.as_ref(), 201, &body)?;
            Ok::<_, ServiceError>((row, body))
        })
    })
    .await?;
    pool.wakes().wake(instance_id);
    Ok(made)
}

pub async fn list(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    common: Common,
    window: Window,
) -> Result<Page<Webhook>> {
    let common = match require(caller, Action::ListWebhooks)? {
        Grant::Full => common,
        Grant::Nothing => Common::nothing(),
    };
    crate::service::read(pool, move |conn| {
        Ok(webhooks::list(conn, instance_id, &common, &window)?)
    })
    .await
}

pub async fn get(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    id: i64,
) -> Result<Webhook> {
    admin_only(caller, Action::ReadWebhook)?;
    crate::service::read(pool, move |conn| {
        webhooks::find(conn, instance_id, id)?.ok_or(ServiceError::NotFound)
    })
    .await
}

/// Applies a PATCH. A new URL or `enabled: true` also clears the failure state (and a
/// disabling's reason), so the next attempt comes at once, from the endpoint's cursor.
pub async fn update(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    id: i64,
    patch: WebhookPatch,
    allow_private: bool,
) -> Result<Webhook> {
    admin_only(caller, Action::UpdateWebhook)?;
    let url = match patch.url {
        Some(u) => Some(check_target(u, allow_private).await?),
        None => None,
    };
    let reset = url.is_some() || patch.enabled == Some(true);
    let changes = WebhookChanges {
        url: url.map(|u| u.to_string()),
        types: patch.types.map(|t| types_text(&t)),
        description: patch.description,
        enabled: patch.enabled,
        disabled_reason: reset.then_some(None),
        failing_since: reset.then_some(None),
        failed_attempts: reset.then_some(0),
        next_attempt_at: reset.then_some(None),
        updated_at: Some(now()),
    };
    let row = crate::service::write(pool, move |conn| {
        webhooks::update(conn, instance_id, id, &changes)?.ok_or(ServiceError::NotFound)
    })
    .await?;
    // The endpoint's task takes the change in at once rather than at its next save.
    pool.wakes().wake(instance_id);
    Ok(row)
}

pub async fn delete(pool: &DbPool, caller: Caller, instance_id: InstanceId, id: i64) -> Result<()> {
    admin_only(caller, Action::DeleteWebhook)?;
    let n = crate::service::write(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            Ok::<_, ServiceError>(webhooks::delete(conn, instance_id, id)?)
        })
    })
    .await?;
    if n == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// The endpoint's attempts in the window's order (newest first unless asked otherwise).
pub async fn deliveries(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    id: i64,
    common: Common,
    window: Window,
) -> Result<Page<Delivery>> {
    admin_only(caller, Action::ReadWebhook)?;
    crate::service::read(pool, move |conn| {
        if webhooks::find(conn, instance_id, id)?.is_none() {
            return Err(ServiceError::NotFound);
        }
        Ok(webhook_deliveries::list(
            conn,
            instance_id,
            id,
            &common,
            &window,
        )?)
    })
    .await
}
