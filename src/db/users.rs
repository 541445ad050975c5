//! The `users` table.

use chrono::NaiveDateTime;

use super::time::Ts;
use diesel::prelude::*;

use super::listing::{Common, Page, Window};
use super::schema::{memberships, users};
use super::{AnyConnection, Db};
use crate::apply_common;
use crate::domain::{InstanceId, Principal, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub instance_id: InstanceId,
    pub id: UserId,
    pub username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub principal: Principal,
    pub active: bool,
    pub external_id: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct NewUser {
    pub instance_id: InstanceId,
    pub username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub principal: Principal,
    pub active: bool,
    pub external_id: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub username: Option<String>,
    pub name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub principal: Option<Principal>,
    pub active: Option<bool>,
    pub external_id: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub common: Common,
    pub username: Option<String>,
    pub principal: Option<Principal>,
    pub external_id: Option<String>,
    pub active: Option<bool>,
    /// Only users this user may see (itself and members of its groups).
    pub visible_to: Option<UserId>,
}

crate::directory_queries!(
    users,
    User,
    UserId,
    NewUser,
    UserChanges,
    UserFilter,
    username
);

fn filtered(instance_id: InstanceId, f: &UserFilter) -> users::BoxedQuery<'static, Db> {
    let mut q = users::table
        .filter(users::instance_id.eq(instance_id))
        .into_boxed::<Db>();
    apply_common!(q, users, f.common);
    if let Some(u) = &f.username {
        q = q.filter(users::username.eq(u.clone()));
    }
    if let Some(p) = &f.principal {
        q = q.filter(users::principal.eq(*p));
    }
    if let Some(x) = &f.external_id {
        q = q.filter(users::external_id.eq(x.clone()));
    }
    if let Some(a) = f.active {
        q = q.filter(users::active.eq(a));
    }
    if let Some(viewer) = f.visible_to {
        let my_groups = memberships::table
            .filter(memberships::instance_id.eq(instance_id))
            .filter(memberships::user_id.eq(viewer))
            .select(memberships::group_id);
        let fellow_members = diesel::alias!(memberships as fellow);
        let fellows = fellow_members
            .filter(
                fellow_members
                    .field(memberships::instance_id)
                    .eq(instance_id),
            )
            .filter(
                fellow_members
                    .field(memberships::group_id)
                    .eq_any(my_groups),
            )
            .select(fellow_members.field(memberships::user_id));
        q = q.filter(users::id.eq(viewer).or(users::id.eq_any(fellows)));
    }
    q
}
