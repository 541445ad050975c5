//! Instances (tenants, API.md §1 and §3): the account key creates, changes and deletes
//! them; every key of an instance reads it; DELETE removes all the tenant's data.

use super::access::{require, Action, Caller};
use super::error::{duplicate_on, Result, ServiceError};
use super::events::{Actor, Log};
use super::idempotency::{self, Pending};
pub use crate::db::instances::Instance;
use crate::db::instances::{self, InstanceChanges};
use crate::db::listing::{Common, Page, Window};
use crate::db::{self, now, AnyConnection, DbPool};
use crate::domain::{EventType, InstanceId};

/// Creates an instance inside the caller's transaction (REST and the CLI).
pub fn create_on(conn: &mut AnyConnection, name: &str, description: &str) -> Result<Instance> {
    instances::insert(conn, name, description).map_err(|e| duplicate_on("name")(e.into()))
}

pub async fn create(
    pool: &DbPool,
    caller: Caller,
    name: String,
    description: String,
    pending: Option<Pending>,
    render: impl FnOnce(&Instance) -> Result<String> + Send + 'static,
) -> Result<String> {
    require(caller, Action::CreateInstance)?;
    crate::service::write(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let row = create_on(conn, &name, &description)?;
            let body = render(&row)?;
            idempotency::record(conn, pending.as_ref(), 201, &body)?;
            Ok(body)
        })
    })
    .await
}

/// The instances the key may see: all for the account key, else its own (`own`).
pub async fn list(
    pool: &DbPool,
    own: Option<String>,
    common: Common,
    name: Option<String>,
    window: Window,
) -> Result<Page<Instance>> {
    let name = match own {
        None => name,
        Some(own) => match name {
            Some(n) if n != own => Some(String::new()),
            _ => Some(own),
        },
    };
    crate::service::read(pool, move |conn| {
        Ok(instances::list(conn, &common, name.as_deref(), &window)?)
    })
    .await
}

/// Changes an instance (`instance.updated` in its feed).
pub async fn update(
    pool: &DbPool,
    actor: Actor,
    id: InstanceId,
    name: Option<String>,
    description: Option<String>,
) -> Result<Instance> {
    require(actor.caller, Action::UpdateInstance)
        .map_err(|_| ServiceError::forbidden("only the account key may change an instance"))?;
    crate::service::write_recorded(pool, id, move |conn| {
        db::write_transaction(conn, |conn| {
            let before = instances::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let changes = InstanceChanges {
                name,
                description,
                updated_at: now(),
            };
            let after = instances::update(conn, id, &changes)
                .map_err(|e| duplicate_on("name")(e.into()))?;
            let mut log = Log::new(&actor, id);
            log.changed(EventType::InstanceUpdated, &before, &after);
            log.save(conn)?;
            Ok(after)
        })
    })
    .await
}

pub async fn delete(pool: &DbPool, caller: Caller, id: InstanceId) -> Result<()> {
    require(caller, Action::DeleteInstance)
        .map_err(|_| ServiceError::forbidden("only the account key may delete an instance"))?;
    crate::service::write(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            Ok::<_, ServiceError>(instances::delete(conn, id)?)
        })
    })
    .await?;
    Ok(())
}

/// An instance by name (the CLI).
pub fn find_on(conn: &mut AnyConnection, name: &str) -> Result<Option<Instance>> {
    Ok(instances::find_by_name(conn, name)?)
}
