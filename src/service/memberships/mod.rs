//! Memberships (API.md §2–§4 and §6): the heart of Roster. A create is validated object
//! by object and written in one transaction, all or nothing (`create`); barriers are
//! enforced on every write; a user key writes only memberships of groups it manages.

mod create;
mod diagnose;
pub mod members;

use std::collections::HashSet;

pub use create::{create, CreateOptions, Created};

use super::access::{require, Action, Caller};
use super::directory::{self, Groups, Users};
use super::error::{ErrorItem, Result, ServiceError};
use super::events::{Actor, Log};
use super::sideloads::MembershipSideloads;
use crate::db::listing::Page;
pub use crate::db::listing::Window;
use crate::db::memberships::{self, MembershipChanges};
pub use crate::db::memberships::{Membership, MembershipFilter};
use crate::db::{self, AnyConnection, DbPool};
use crate::domain::{
    GroupId, InstanceId, MembershipId, Permissions, Role, UserId, CAN_MANAGE_MEMBERS,
};

/// One membership to create, parsed and valid in itself.
#[derive(Debug, Clone)]
pub struct Input {
    pub user_id: UserId,
    pub group_id: GroupId,
    pub role: Role,
    pub permissions: Permissions,
}

/// The objects of a create request, in order; `None` where an object failed to parse.
pub struct Batch {
    pub inputs: Vec<Option<Input>>,
    /// The user and group IDs each object names, even when another of its fields is
    /// invalid, so that missing references are reported for every object.
    pub refs: Vec<(Option<UserId>, Option<GroupId>)>,
    pub bulk: bool,
    pub errors: Vec<ErrorItem>,
    /// The body field that names the user (`user_id`, or Syncano's `user` / `users`).
    pub user_field: &'static str,
}

impl Batch {
    fn index(&self, i: usize) -> Option<usize> {
        self.bulk.then_some(i)
    }

    fn valid(&self) -> impl Iterator<Item = (usize, &Input)> {
        self.inputs
            .iter()
            .enumerate()
            .filter_map(|(i, x)| x.as_ref().map(|x| (i, x)))
    }
}

/// Of `group_ids`, the groups whose members user `me` may manage: it is `admin` there
/// and its membership does not set `can_manage_members` to false (§6).
pub fn managed_groups(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    me: UserId,
    group_ids: &[GroupId],
) -> Result<HashSet<GroupId>> {
    Ok(memberships::among(conn, instance_id, &[me], group_ids)?
        .into_iter()
        .filter(|m| {
            m.role == Role::Admin
                && Permissions::from_stored(m.configurable_permissions.as_deref())
                    .allows(CAN_MANAGE_MEMBERS)
        })
        .map(|m| m.group_id)
        .collect())
}

/// A user key may write memberships only of groups it manages.
fn authorize_managers(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    caller: Caller,
    batch: &Batch,
) -> Result<()> {
    require(caller, Action::WriteMemberships)?;
    let Caller::User(me) = caller else {
        return Ok(());
    };
    let group_ids: Vec<GroupId> = batch.valid().map(|(_, x)| x.group_id).collect();
    let managed = managed_groups(conn, instance_id, me, &group_ids)?;
    match batch.valid().find(|(_, x)| !managed.contains(&x.group_id)) {
        Some((i, x)) => Err(ServiceError::Forbidden {
            message: format!(
                "this key may not manage the members of group {}",
                x.group_id
            ),
            index: batch.index(i),
        }),
        None => Ok(()),
    }
}

/// A page of memberships the caller may see and its sideloads, in one read
/// transaction. `under`: the list of one group's or one user's memberships, `404`
/// unless the caller may see that group or user.
pub async fn list(
    pool: &DbPool,
    instance_id: InstanceId,
    filter: MembershipFilter,
    window: Window,
    includes: Vec<&'static str>,
    under: Option<Under>,
) -> Result<(Page<Membership>, MembershipSideloads)> {
    crate::service::read(pool, move |conn| {
        if let Some(under) = under {
            let viewer = filter.visible_to;
            let found = match under {
                Under::Group(id) => directory::visible::<Groups>(conn, instance_id, id, viewer)?,
                Under::User(id) => directory::visible::<Users>(conn, instance_id, id, viewer)?,
            };
            if !found {
                return Err(ServiceError::NotFound);
            }
        }
        db::read_transaction(conn, |conn| {
            let page = memberships::list(conn, instance_id, &filter, &window)?;
            let sideloads = MembershipSideloads::of(conn, instance_id, &page.rows, &includes)?;
            Ok((page, sideloads))
        })
    })
    .await
}

/// The owner of a nested list: `/groups/{id}/users` or `/users/{id}/groups`.
#[derive(Debug, Clone, Copy)]
pub enum Under {
    Group(GroupId),
    User(UserId),
}

/// Which membership: by its ID, or by its (user, group) pair.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    Id(MembershipId),
    Pair { user_id: UserId, group_id: GroupId },
}

fn find(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    which: Which,
    viewer: Option<UserId>,
) -> Result<Membership> {
    match which {
        Which::Id(id) => memberships::find(conn, instance_id, id, viewer)?,
        Which::Pair { user_id, group_id } => {
            memberships::find_pair(conn, instance_id, user_id, group_id, viewer)?
        }
    }
    .ok_or(ServiceError::NotFound)
}

/// One membership the caller may see, with its sideloads.
pub async fn get(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    which: Which,
    includes: Vec<&'static str>,
) -> Result<(Membership, MembershipSideloads)> {
    require(caller, Action::ReadDirectory)?;
    let viewer = caller.viewer();
    crate::service::read(pool, move |conn| {
        let m = find(conn, instance_id, which, viewer)?;
        let sideloads =
            MembershipSideloads::of(conn, instance_id, std::slice::from_ref(&m), &includes)?;
        Ok((m, sideloads))
    })
    .await
}

/// Changes a membership's role or permissions: an admin key or a manager of its group.
/// `changes` holds the problems found while parsing, reported after the `404`/`403`.
pub async fn update(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: MembershipId,
    changes: std::result::Result<MembershipChanges, Vec<ErrorItem>>,
    includes: Vec<&'static str>,
) -> Result<(Membership, MembershipSideloads)> {
    let caller = actor.caller;
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let before = find(conn, instance_id, Which::Id(id), caller.viewer())?;
            let m = &before;
            if let Caller::User(me) = caller {
                if !managed_groups(conn, instance_id, me, &[m.group_id])?.contains(&m.group_id) {
                    return Err(ServiceError::forbidden(
                        "this key may not manage the members of this group",
                    ));
                }
            }
            let changes = changes.map_err(ServiceError::Invalid)?;
            let m = memberships::update(conn, instance_id, id, &changes)?;
            let mut log = Log::new(&actor, instance_id);
            log.updated(&before, &m);
            log.save(conn)?;
            let sideloads =
                MembershipSideloads::of(conn, instance_id, std::slice::from_ref(&m), &includes)?;
            Ok((m, sideloads))
        })
    })
    .await
}

/// Deletes a membership: an admin key, a manager of the group, or the member itself
/// (leaving a group).
pub async fn delete(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    which: Which,
) -> Result<()> {
    let caller = actor.caller;
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let m = find(conn, instance_id, which, caller.viewer())?;
            if let Caller::User(me) = caller {
                if m.user_id != me
                    && !managed_groups(conn, instance_id, me, &[m.group_id])?.contains(&m.group_id)
                {
                    return Err(ServiceError::forbidden(
                        "this key may not remove other members of this group",
                    ));
                }
            }
            memberships::delete(conn, instance_id, m.id)?;
            let mut log = Log::new(&actor, instance_id);
            log.deleted(&m);
            log.save(conn)?;
            Ok(())
        })
    })
    .await
}

/// `404` unless the caller may see group `group_id` (Syncano's add-users route).
pub async fn group_visible(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    group_id: GroupId,
) -> Result<()> {
    let viewer = caller.viewer();
    let found = crate::service::read(pool, move |conn| {
        directory::visible::<Groups>(conn, instance_id, group_id, viewer)
    })
    .await?;
    if found {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}
