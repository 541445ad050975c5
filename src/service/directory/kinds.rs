//! The two kinds of `directory`: users and groups, each with its table's queries and
//! its unique fields.

use diesel::QueryResult;

use super::unique::Unique;
use super::{Kind, Window};
use crate::db::groups::{self, Group, GroupChanges, GroupFilter, NewGroup};
use crate::db::listing::Page;
use crate::db::users::{self, NewUser, User, UserChanges, UserFilter};
use crate::db::{self, AnyConnection};
use crate::domain::{GroupId, InstanceId, UserId};
use crate::service::access::Action;
use crate::service::events::Log;
use crate::service::sideloads::{Owner, Owners};

pub struct Users;
pub struct Groups;

impl Kind for Users {
    type Id = UserId;
    type Row = User;
    type New = NewUser;
    type Changes = UserChanges;
    type Filter = UserFilter;
    const CREATE: Action = Action::CreateUsers;
    const UPDATE: Action = Action::UpdateUser;
    const DELETE: Action = Action::DeleteUser;
    const OWNER: Owner = Owner::User;

    fn id(row: &User) -> UserId {
        row.id
    }
    fn owners(ids: &[UserId]) -> Owners<'_> {
        Owners::Users(ids)
    }
    fn uniques() -> [Unique<Self>; 2] {
        [
            Unique {
                field: "username",
                of: |new| Some(&new.username),
                taken: users::taken_names,
            },
            Unique {
                field: "external_id",
                of: |new| new.external_id.as_deref(),
                taken: users::taken_external_ids,
            },
        ]
    }
    fn insert_many(conn: &mut AnyConnection, rows: &[NewUser]) -> QueryResult<Vec<User>> {
        users::insert_many(conn, rows)
    }
    fn find(
        c: &mut AnyConnection,
        i: InstanceId,
        id: UserId,
        v: Option<UserId>,
    ) -> QueryResult<Option<User>> {
        users::find(c, i, id, v)
    }
    fn list(
        c: &mut AnyConnection,
        i: InstanceId,
        f: &UserFilter,
        w: &Window,
    ) -> QueryResult<Page<User>> {
        users::list(c, i, f, w)
    }
    fn viewer_of(filter: &UserFilter) -> Option<UserId> {
        filter.visible_to
    }
    fn update(
        c: &mut AnyConnection,
        i: InstanceId,
        id: UserId,
        ch: &UserChanges,
    ) -> QueryResult<User> {
        users::update(c, i, id, ch)
    }
    fn delete(conn: &mut AnyConnection, instance_id: InstanceId, id: UserId) -> QueryResult<usize> {
        users::delete(conn, instance_id, id)
    }
    fn cascade(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        id: UserId,
        log: &mut Log,
    ) -> QueryResult<()> {
        log.cascaded(&db::memberships::of_users(conn, instance_id, &[id], None)?);
        log.cascaded(&db::keys::of_user(conn, instance_id, id)?);
        Ok(())
    }
}

impl Kind for Groups {
    type Id = GroupId;
    type Row = Group;
    type New = NewGroup;
    type Changes = GroupChanges;
    type Filter = GroupFilter;
    const CREATE: Action = Action::CreateGroups;
    const UPDATE: Action = Action::UpdateGroup;
    const DELETE: Action = Action::DeleteGroup;
    const OWNER: Owner = Owner::Group;

    fn id(row: &Group) -> GroupId {
        row.id
    }
    fn owners(ids: &[GroupId]) -> Owners<'_> {
        Owners::Groups(ids)
    }
    fn uniques() -> [Unique<Self>; 2] {
        [
            Unique {
                field: "name",
                of: |new| Some(&new.name),
                taken: groups::taken_names,
            },
            Unique {
                field: "external_id",
                of: |new| new.external_id.as_deref(),
                taken: groups::taken_external_ids,
            },
        ]
    }
    fn insert_many(conn: &mut AnyConnection, rows: &[NewGroup]) -> QueryResult<Vec<Group>> {
        groups::insert_many(conn, rows)
    }
    fn find(
        c: &mut AnyConnection,
        i: InstanceId,
        id: GroupId,
        v: Option<UserId>,
    ) -> QueryResult<Option<Group>> {
        groups::find(c, i, id, v)
    }
    fn list(
        c: &mut AnyConnection,
        i: InstanceId,
        f: &GroupFilter,
        w: &Window,
    ) -> QueryResult<Page<Group>> {
        groups::list(c, i, f, w)
    }
    fn viewer_of(filter: &GroupFilter) -> Option<UserId> {
        filter.visible_to
    }
    fn update(
        c: &mut AnyConnection,
        i: InstanceId,
        id: GroupId,
        ch: &GroupChanges,
    ) -> QueryResult<Group> {
        groups::update(c, i, id, ch)
    }
    fn delete(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        id: GroupId,
    ) -> QueryResult<usize> {
        groups::delete(conn, instance_id, id)
    }
    fn cascade(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        id: GroupId,
        log: &mut Log,
    ) -> QueryResult<()> {
        log.cascaded(&db::memberships::of_groups(conn, instance_id, &[id], None)?);
        log.cascaded(&db::barriers::of_group(conn, instance_id, id)?);
        Ok(())
    }
}
