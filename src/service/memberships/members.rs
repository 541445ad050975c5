//! A group's attributes and member set changed together, in one write transaction
//! (a SCIM PATCH or PUT of a group, API.md §12): the attribute changes, removals and
//! additions all commit or none does. Additions follow the create engine's rules: every
//! added user must exist, no barrier may be crossed; adding a member twice and removing
//! a non-member change nothing. Additions go in with the bulk INSERT, removals with one
//! DELETE, whatever their number.

use std::collections::BTreeSet;
use std::collections::HashSet;

use super::diagnose::barrier_violations;
use super::{Batch, Input};
use crate::db::group_members::{self, Member};
use crate::db::groups::{self, Group, GroupChanges, NewGroup};
use crate::db::memberships::{self, NewMembership};
use crate::db::{self, barriers, now, users, AnyConnection, DbPool};
use crate::domain::{GroupId, InstanceId, Permissions, Role, UserId};
use crate::service::access::{require, Action};
use crate::service::directory::Groups;
use crate::service::error::{duplicate_of, ErrorItem, Result, ServiceError};
use crate::service::events::{Actor, Log};
use crate::service::provisioning::{check_version, not_taken, unique_fields, Precondition};

/// One change of a member set, applied in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberOp {
    Add(Vec<UserId>),
    Remove(Vec<UserId>),
    /// Every member removed (a PUT's or a `replace`'s start, `remove` of `members`).
    Clear,
}

/// What a PATCH or PUT of a group does.
#[derive(Debug, Default)]
pub struct GroupWrite {
    /// The attribute changes, if any (`updated_at` is set here).
    pub changes: Option<GroupChanges>,
    pub members: Vec<MemberOp>,
    pub precondition: Precondition,
}

/// The group after a write, with its members.
pub struct WithMembers {
    pub group: Group,
    pub members: Vec<Member>,
}

/// Creates a group with these members, in one transaction.
pub async fn create_group(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    new: NewGroup,
    members: Vec<UserId>,
) -> Result<WithMembers> {
    require(actor.caller, Action::CreateGroups)?;
    require(actor.caller, Action::WriteMemberships)?;
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            not_taken::<Groups>(conn, instance_id, &new)?;
            let group = groups::insert_many(conn, std::slice::from_ref(&new))
                .map_err(duplicate_of(unique_fields::<Groups>()))?
                .pop()
                .ok_or_else(|| ServiceError::Internal("the group was not returned".into()))?;
            let mut log = Log::new(&actor, instance_id);
            log.created(&group);
            let wanted: BTreeSet<UserId> = members.into_iter().collect();
            add(conn, instance_id, group.id, &wanted, &mut log)?;
            log.save(conn)?;
            let members = group_members::of_groups(conn, instance_id, &[group.id])?;
            Ok(WithMembers { group, members })
        })
    })
    .await
}

/// Applies `write` to group `id`: `404` if it does not exist, the precondition, then the
/// attribute changes, removals and additions, all in one transaction.
pub async fn write_group(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: GroupId,
    write: GroupWrite,
) -> Result<WithMembers> {
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let before = groups::find(conn, instance_id, id, actor.caller.viewer())?
                .ok_or(ServiceError::NotFound)?;
            require(actor.caller, Action::UpdateGroup)?;
            require(actor.caller, Action::WriteMemberships)?;
            check_version(&write.precondition, before.updated_at.0)?;
            let current: BTreeSet<UserId> = group_members::user_ids(conn, instance_id, id)?
                .into_iter()
                .collect();
            let mut wanted = current.clone();
            for op in &write.members {
                match op {
                    MemberOp::Add(ids) => wanted.extend(ids.iter().copied()),
                    MemberOp::Remove(ids) => ids.iter().for_each(|u| {
                        wanted.remove(u);
                    }),
                    MemberOp::Clear => wanted.clear(),
                }
            }
            let gone: Vec<UserId> = current.difference(&wanted).copied().collect();
            let new: BTreeSet<UserId> = wanted.difference(&current).copied().collect();
            let mut log = Log::new(&actor, instance_id);
            if write.changes.is_some() || !gone.is_empty() || !new.is_empty() {
                // A change of members changes the group's version (its ETag) too.
                let changes = write.changes.unwrap_or(GroupChanges {
                    updated_at: Some(now()),
                    ..GroupChanges::default()
                });
                let after = groups::update(conn, instance_id, id, &changes)
                    .map_err(duplicate_of(unique_fields::<Groups>()))?;
                log.updated(&before, &after);
            }
            let removed = group_members::remove(conn, instance_id, id, &gone)?;
            for m in &removed {
                log.deleted(m);
            }
            add(conn, instance_id, id, &new, &mut log)?;
            log.save(conn)?;
            let group = groups::find(conn, instance_id, id, None)?.ok_or(ServiceError::NotFound)?;
            let members = group_members::of_groups(conn, instance_id, &[id])?;
            Ok(WithMembers { group, members })
        })
    })
    .await
}

/// Makes `new` (users not yet members) members of the group: every one must exist, and
/// no barrier may be crossed (checked after the INSERT, under the barriers' lock, as the
/// create engine does), else nothing is added and the transaction fails.
fn add(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    group_id: GroupId,
    new: &BTreeSet<UserId>,
    log: &mut Log,
) -> Result<()> {
    if new.is_empty() {
        return Ok(());
    }
    let ids: Vec<UserId> = new.iter().copied().collect();
    let found: HashSet<UserId> = users::existing_ids(conn, instance_id, &ids)?
        .into_iter()
        .collect();
    let missing: Vec<ErrorItem> = ids
        .iter()
        .filter(|u| !found.contains(u))
        .map(|u| {
            ErrorItem::new("missing_reference", format!("user {u} does not exist")).field("members")
        })
        .collect();
    if !missing.is_empty() {
        return Err(ServiceError::problems(missing));
    }
    let t = now();
    let permissions = Permissions::default();
    let rows: Vec<NewMembership> = ids
        .iter()
        .map(|&user_id| NewMembership {
            instance_id,
            user_id,
            group_id,
            role: Role::Member,
            configurable_permissions: permissions.to_stored(),
            created_at: t.into(),
            updated_at: t.into(),
        })
        .collect();
    let inserted = memberships::insert_many_skipping_existing(conn, &rows)?;
    let fences = barriers::touching(conn, instance_id, &[group_id], true)?;
    if !fences.is_empty() {
        let batch = Batch {
            inputs: ids
                .iter()
                .map(|&user_id| {
                    Some(Input {
                        user_id,
                        group_id,
                        role: Role::Member,
                        permissions: permissions.clone(),
                    })
                })
                .collect(),
            refs: Vec::new(),
            bulk: false,
            errors: Vec::new(),
            user_field: "members",
        };
        let violations = barrier_violations(conn, instance_id, &batch, &fences, &HashSet::new())?;
        if !violations.is_empty() {
            let items = violations
                .into_iter()
                .map(|(i, other)| {
                    ErrorItem::new(
                        "forbidden_by_policy",
                        format!(
                            "an information barrier forbids user {} in group {group_id} while in group {other}",
                            ids[i]
                        ),
                    )
                    .field("members")
                })
                .collect();
            return Err(ServiceError::problems(items));
        }
    }
    log.created_all(&inserted);
    Ok(())
}
