//! Information barriers (API.md §2, as in Box): two groups no user may be in at once.
//! Creating one checks that nobody is in both already; `memberships` enforces it on
//! every later write.

use super::access::{require, Action, Caller, Grant};
use super::bulk::repeats;
use super::error::{ErrorItem, Result, ServiceError};
use super::events::{Actor, Log};
use super::idempotency::{self, Pending};
use crate::db::barriers;
pub use crate::db::barriers::{Barrier, NewBarrier};
use crate::db::listing::{Common, Page, Window};
use crate::db::{self, groups, AnyConnection, DbPool};
use crate::domain::{BarrierId, GroupId, InstanceId};

/// The barriers of a create request, in order (`None` where an object failed to
/// parse), and the problems found while parsing.
pub struct NewBarriers {
    pub rows: Vec<Option<NewBarrier>>,
    pub bulk: bool,
    pub errors: Vec<ErrorItem>,
}

/// Creates every barrier or none; `render` makes the answer, recorded for `pending`.
pub async fn create(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    new: NewBarriers,
    pending: Option<Pending>,
    render: impl FnOnce(&[Barrier]) -> Result<String> + Send + 'static,
) -> Result<String> {
    require(actor.caller, Action::CreateBarriers)?;
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let made = insert_checked(conn, instance_id, new)?;
            let mut log = Log::new(&actor, instance_id);
            log.created_all(&made);
            let body = render(&made)?;
            idempotency::record(conn, pending.as_ref(), 201, &body)?;
            log.save(conn)?;
            Ok(body)
        })
    })
    .await
}

/// Checks every object (groups exist, no repeat, no such barrier yet, nobody in both
/// groups) with memberships locked against new rows, then inserts them all.
fn insert_checked(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    new: NewBarriers,
) -> Result<Vec<Barrier>> {
    let NewBarriers {
        rows: parsed,
        bulk,
        mut errors,
    } = new;
    barriers::lock_memberships(conn)?;
    let all_groups: Vec<GroupId> = parsed
        .iter()
        .flatten()
        .flat_map(|b| [b.group_a_id, b.group_b_id])
        .collect();
    let existing = barriers::touching(conn, instance_id, &all_groups, false)?;
    let pairs = parsed
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.as_ref().map(|b| (i, (b.group_a_id, b.group_b_id))));
    for (later, first) in repeats(pairs) {
        let item = ErrorItem::new(
            "duplicate",
            format!("the same groups are given at index {first}"),
        );
        errors.push(item.field("group_ids").at(bulk.then_some(later)));
    }
    for (i, b) in parsed.iter().enumerate() {
        let Some(b) = b else { continue };
        let at = bulk.then_some(i);
        let found = groups::existing_ids(conn, instance_id, &[b.group_a_id, b.group_b_id])?;
        for g in [b.group_a_id, b.group_b_id]
            .into_iter()
            .filter(|g| !found.contains(g))
        {
            errors.push(
                ErrorItem::new("missing_reference", format!("group {g} does not exist"))
                    .field("group_ids")
                    .at(at),
            );
        }
        if existing.contains(&(b.group_a_id, b.group_b_id)) {
            errors.push(already_exists(at));
        }
        if found.len() < 2 {
            continue;
        }
        if let Some(user) =
            barriers::violators(conn, instance_id, b.group_a_id, b.group_b_id, 1)?.first()
        {
            errors.push(
                ErrorItem::new(
                    "forbidden_by_policy",
                    format!(
                        "user {user} is a member of both groups {} and {}",
                        b.group_a_id, b.group_b_id
                    ),
                )
                .field("group_ids")
                .at(at),
            );
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::problems(errors));
    }
    let mut made = Vec::new();
    for (i, b) in parsed.iter().enumerate() {
        let Some(b) = b else { continue };
        // A racing create of the same barrier committed after the check.
        let row = barriers::insert(conn, b).map_err(|err| match ServiceError::from(err) {
            ServiceError::Invalid(items) if items.iter().all(|x| x.kind == "duplicate") => {
                ServiceError::one(already_exists(bulk.then_some(i)))
            }
            other => other,
        })?;
        made.push(row);
    }
    Ok(made)
}

fn already_exists(at: Option<usize>) -> ErrorItem {
    ErrorItem::new("duplicate", "a barrier between these groups already exists")
        .field("group_ids")
        .at(at)
}

pub async fn list(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    common: Common,
    group_id: Option<GroupId>,
    window: Window,
) -> Result<Page<Barrier>> {
    let common = match require(caller, Action::ListBarriers)? {
        Grant::Full => common,
        Grant::Nothing => Common::nothing(),
    };
    crate::service::read(pool, move |conn| {
        Ok(barriers::list(
            conn,
            instance_id,
            &common,
            group_id,
            &window,
        )?)
    })
    .await
}

pub async fn get(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    id: BarrierId,
) -> Result<Barrier> {
    if require(caller, Action::ReadBarrier)? == Grant::Nothing {
        return Err(ServiceError::NotFound);
    }
    crate::service::read(pool, move |conn| {
        barriers::find(conn, instance_id, id)?.ok_or(ServiceError::NotFound)
    })
    .await
}

pub async fn delete(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: BarrierId,
) -> Result<()> {
    if require(actor.caller, Action::DeleteBarrier)? == Grant::Nothing {
        return Err(ServiceError::NotFound);
    }
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let row = barriers::find(conn, instance_id, id)?.ok_or(ServiceError::NotFound)?;
            barriers::delete(conn, instance_id, id)?;
            let mut log = Log::new(&actor, instance_id);
            log.deleted(&row);
            log.save(conn)?;
            Ok(())
        })
    })
    .await
}
