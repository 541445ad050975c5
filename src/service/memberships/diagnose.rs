//! Finding every problem of every object of a refused create: missing users and
//! groups, existing pairs, barriers (API.md §4: every error reported, with its index).

use std::collections::HashSet;

use super::Batch;
use crate::db::{barriers, groups, memberships, users, AnyConnection};
use crate::domain::{GroupId, InstanceId, UserId};
use crate::service::bulk::distinct;
use crate::service::error::{ErrorItem, Result};

/// For each object that would put its user in both groups of a barrier (counting the
/// objects before it in the batch), its index and the other group.
pub(super) fn barrier_violations(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    batch: &Batch,
    fences: &[(GroupId, GroupId)],
    skip: &HashSet<usize>,
) -> Result<Vec<(usize, GroupId)>> {
    let other_side = |g: GroupId| {
        fences.iter().filter_map(move |&(a, b)| {
            if a == g {
                Some(b)
            } else if b == g {
                Some(a)
            } else {
                None
            }
        })
    };
    let others = distinct(
        batch
            .valid()
            .flat_map(|(_, x)| other_side(x.group_id).collect::<Vec<_>>()),
    );
    let user_ids = distinct(batch.valid().map(|(_, x)| x.user_id));
    let mut held: HashSet<(UserId, GroupId)> =
        memberships::among(conn, instance_id, &user_ids, &others)?
            .into_iter()
            .map(|m| (m.user_id, m.group_id))
            .collect();
    let mut out = Vec::new();
    for (i, x) in batch.valid() {
        if skip.contains(&i) {
            continue;
        }
        if let Some(other) = other_side(x.group_id).find(|o| held.contains(&(x.user_id, *o))) {
            out.push((i, other));
            continue;
        }
        held.insert((x.user_id, x.group_id));
    }
    Ok(out)
}

/// Finds every problem of every object: missing users and groups, existing pairs, barriers.
pub(super) fn diagnose(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    batch: &Batch,
    ignore_existing: bool,
    errors: &mut Vec<ErrorItem>,
) -> Result<()> {
    let user_ids = distinct(batch.refs.iter().filter_map(|r| r.0));
    let group_ids = distinct(batch.refs.iter().filter_map(|r| r.1));
    let users: HashSet<UserId> = users::existing_ids(conn, instance_id, &user_ids)?
        .into_iter()
        .collect();
    let groups: HashSet<GroupId> = groups::existing_ids(conn, instance_id, &group_ids)?
        .into_iter()
        .collect();
    // Objects that failed to parse: report their missing references too.
    for (i, (user, group)) in batch
        .refs
        .iter()
        .enumerate()
        .filter(|(i, _)| batch.inputs[*i].is_none())
    {
        let at = batch.index(i);
        if let Some(u) = user.filter(|u| !users.contains(u)) {
            errors.push(
                ErrorItem::new("missing_reference", format!("user {u} does not exist"))
                    .field(batch.user_field)
                    .at(at),
            );
        }
        if let Some(g) = group.filter(|g| !groups.contains(g)) {
            errors.push(
                ErrorItem::new("missing_reference", format!("group {g} does not exist"))
                    .field("group_id")
                    .at(at),
            );
        }
    }
    let existing: HashSet<(UserId, GroupId)> =
        memberships::among(conn, instance_id, &user_ids, &group_ids)?
            .into_iter()
            .map(|m| (m.user_id, m.group_id))
            .collect();
    let already_failed: HashSet<usize> = errors.iter().filter_map(|e| e.index).collect();
    let mut skip = HashSet::new();
    for (i, x) in batch.valid() {
        let at = batch.index(i);
        let mut failed = already_failed.contains(&i) && batch.bulk;
        if !users.contains(&x.user_id) {
            errors.push(
                ErrorItem::new(
                    "missing_reference",
                    format!("user {} does not exist", x.user_id),
                )
                .field(batch.user_field)
                .at(at),
            );
            failed = true;
        }
        if !groups.contains(&x.group_id) {
            errors.push(
                ErrorItem::new(
                    "missing_reference",
                    format!("group {} does not exist", x.group_id),
                )
                .field("group_id")
                .at(at),
            );
            failed = true;
        }
        if existing.contains(&(x.user_id, x.group_id)) {
            if !ignore_existing {
                errors.push(
                    ErrorItem::new(
                        "duplicate",
                        format!(
                            "user {} is already a member of group {}",
                            x.user_id, x.group_id
                        ),
                    )
                    .field(batch.user_field)
                    .at(at),
                );
            }
            failed = true;
        }
        if failed {
            skip.insert(i);
        }
    }
    let fences = barriers::touching(conn, instance_id, &group_ids, false)?;
    for (i, other) in barrier_violations(conn, instance_id, batch, &fences, &skip)? {
        let Some(x) = batch.inputs[i].as_ref() else {
            continue;
        };
        errors.push(
            ErrorItem::new(
                "forbidden_by_policy",
                format!(
                    "an information barrier forbids user {} in group {} while in group {other}",
                    x.user_id, x.group_id
                ),
            )
            .field("group_id")
            .at(batch.index(i)),
        );
    }
    Ok(())
}
