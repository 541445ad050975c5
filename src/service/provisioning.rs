//! Provisioning by an identity provider (the SCIM door, API.md §12): lists by typed
//! conditions, and writes of users that check the object's version first. The rules are
//! the REST door's (`directory`, `memberships`): the same validation, uniqueness,
//! events; only admin keys provision. Groups with their members: `memberships::members`.

use chrono::NaiveDateTime;

use super::access::{require, Caller};
use super::directory::{Groups, Kind, Users};
use super::error::{duplicate_of, ErrorItem, Result, ServiceError};
use super::events::{Actor, Log};
use crate::db::conditions::{self, Cond, GroupField, UserField};
use crate::db::group_members::{self, Member};
use crate::db::groups::Group;
use crate::db::users::{self, NewUser, User, UserChanges};
use crate::db::{self, DbPool};
use crate::domain::{GroupId, InstanceId, UserId};

/// What a write expects of the object's version (`updated_at`, see `version`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Precondition {
    #[default]
    Any,
    /// One of these versions.
    OneOf(Vec<String>),
}

/// The object's version: its `updated_at` in microseconds since the epoch.
pub fn version(updated_at: NaiveDateTime) -> String {
    updated_at.and_utc().timestamp_micros().to_string()
}

/// `Stale` unless the version is one the precondition allows.
pub fn check_version(p: &Precondition, updated_at: NaiveDateTime) -> Result<()> {
    match p {
        Precondition::OneOf(v) if !v.contains(&version(updated_at)) => Err(ServiceError::Stale),
        _ => Ok(()),
    }
}

/// The names of a kind's unique fields (`username`/`name`, `external_id`).
pub fn unique_fields<K: Kind>() -> [&'static str; 2] {
    K::uniques().map(|u| u.field)
}

/// `duplicate` unless every unique value of `new` is free in the instance.
pub fn not_taken<K: Kind>(
    conn: &mut crate::db::AnyConnection,
    instance_id: InstanceId,
    new: &K::New,
) -> Result<()> {
    for unique in K::uniques() {
        let Some(value) = (unique.of)(new) else {
            continue;
        };
        if !(unique.taken)(conn, instance_id, &[value.to_string()])?.is_empty() {
            return Err(ServiceError::one(
                ErrorItem::new("duplicate", format!("{} is already taken", unique.field))
                    .field(unique.field),
            ));
        }
    }
    Ok(())
}

fn admin_only(caller: Caller) -> Result<()> {
    if caller.is_user() {
        return Err(ServiceError::forbidden(
            "provisioning takes an instance admin key",
        ));
    }
    Ok(())
}

/// A page of matches and how many there are in all, with the groups' members.
pub struct Found<R> {
    pub rows: Vec<R>,
    pub total: i64,
    pub members: Vec<Member>,
}

/// The users matching `cond`, `offset` and `limit` in id order.
pub async fn find_users(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    cond: Cond<UserField>,
    offset: i64,
    limit: i64,
) -> Result<Found<User>> {
    admin_only(caller)?;
    crate::service::read(pool, move |conn| {
        let (rows, total) = conditions::users_matching(conn, instance_id, &cond, offset, limit)?;
        Ok(Found {
            rows,
            total,
            members: Vec::new(),
        })
    })
    .await
}

/// The groups matching `cond`, with their members when `with_members`.
pub async fn find_groups(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    cond: Cond<GroupField>,
    offset: i64,
    limit: i64,
    with_members: bool,
) -> Result<Found<Group>> {
    admin_only(caller)?;
    crate::service::read(pool, move |conn| {
        db::read_transaction(conn, |conn| {
            let (rows, total) =
                conditions::groups_matching(conn, instance_id, &cond, offset, limit)?;
            let members = if with_members {
                let ids: Vec<GroupId> = rows.iter().map(|g| g.id).collect();
                group_members::of_groups(conn, instance_id, &ids)?
            } else {
                Vec::new()
            };
            Ok(Found {
                rows,
                total,
                members,
            })
        })
    })
    .await
}

/// One user.
pub async fn user(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    id: UserId,
) -> Result<User> {
    admin_only(caller)?;
    crate::service::read(pool, move |conn| {
        users::find(conn, instance_id, id, None)?.ok_or(ServiceError::NotFound)
    })
    .await
}

/// One group, with its members when `with_members`.
pub async fn group(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    id: GroupId,
    with_members: bool,
) -> Result<(Group, Vec<Member>)> {
    admin_only(caller)?;
    crate::service::read(pool, move |conn| {
        db::read_transaction(conn, |conn| {
            let g = crate::db::groups::find(conn, instance_id, id, None)?
                .ok_or(ServiceError::NotFound)?;
            let members = if with_members {
                group_members::of_groups(conn, instance_id, &[id])?
            } else {
                Vec::new()
            };
            Ok((g, members))
        })
    })
    .await
}

/// Creates a user: the username must not be taken.
pub async fn create_user(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    new: NewUser,
) -> Result<User> {
    admin_only(actor.caller)?;
    require(actor.caller, Users::CREATE)?;
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            not_taken::<Users>(conn, instance_id, &new)?;
            let user = users::insert_many(conn, std::slice::from_ref(&new))
                .map_err(duplicate_of(unique_fields::<Users>()))?
                .pop()
                .ok_or_else(|| ServiceError::Internal("the user was not returned".into()))?;
            let mut log = Log::new(&actor, instance_id);
            log.created(&user);
            log.save(conn)?;
            Ok(user)
        })
    })
    .await
}

/// Changes a user (a PATCH or PUT): `404`, then the precondition, then the problems
/// found while parsing `changes`.
pub async fn update_user(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: UserId,
    changes: std::result::Result<UserChanges, Vec<ErrorItem>>,
    precondition: Precondition,
) -> Result<User> {
    admin_only(actor.caller)?;
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let before = users::find(conn, instance_id, id, None)?.ok_or(ServiceError::NotFound)?;
            require(actor.caller, Users::UPDATE)?;
            check_version(&precondition, before.updated_at.0)?;
            let changes = changes.map_err(ServiceError::problems)?;
            let after = users::update(conn, instance_id, id, &changes)
                .map_err(duplicate_of(unique_fields::<Users>()))?;
            let mut log = Log::new(&actor, instance_id);
            log.updated(&before, &after);
            log.save(conn)?;
            Ok(after)
        })
    })
    .await
}

/// Deletes a user or group with what depends on it, as REST does, after the
/// precondition.
pub async fn delete<K: Kind>(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: K::Id,
    precondition: Precondition,
    updated_at: fn(&K::Row) -> NaiveDateTime,
) -> Result<()> {
    admin_only(actor.caller)?;
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let row = K::find(conn, instance_id, id, None)?.ok_or(ServiceError::NotFound)?;
            require(actor.caller, K::DELETE)?;
            check_version(&precondition, updated_at(&row))?;
            let mut log = Log::new(&actor, instance_id);
            K::cascade(conn, instance_id, id, &mut log)?;
            log.deleted(&row);
            K::delete(conn, instance_id, id)?;
            log.save(conn)?;
            Ok(())
        })
    })
    .await
}

/// `delete` of a user.
pub async fn delete_user(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: UserId,
    precondition: Precondition,
) -> Result<()> {
    delete::<Users>(pool, actor, instance_id, id, precondition, |u| {
        u.updated_at.0
    })
    .await
}

/// `delete` of a group.
pub async fn delete_group(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: GroupId,
    precondition: Precondition,
) -> Result<()> {
    delete::<Groups>(pool, actor, instance_id, id, precondition, |g| {
        g.updated_at.0
    })
    .await
}
