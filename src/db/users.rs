//! The `users` table.

use chrono::NaiveDateTime;

use super::time::Ts;
use diesel::prelude::*;

use super::listing::{Common, Page, Window};
use super::schema::{memberships, users};
use super::{AnyConnection, Db};
use crate::{apply_common, apply_window, per_backend};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub instance_id: i64,
    pub id: i64,
    pub username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub principal: String,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct NewUser {
    pub instance_id: i64,
    pub username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub principal: String,
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
    pub principal: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub common: Common,
    pub username: Option<String>,
    pub principal: Option<String>,
    /// Only users this user may see (itself and members of its groups).
    pub visible_to: Option<i64>,
}

/// Of `names`, the usernames already taken in the instance.
pub fn taken_usernames(
    conn: &mut AnyConnection,
    instance_id: i64,
    names: &[String],
) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::instance_id.eq(instance_id))
        .filter(users::username.eq_any(names))
        .select(users::username)
        .load(conn)
}

/// Inserts all rows in one statement; rows come back in insertion order.
pub fn insert_many(conn: &mut AnyConnection, rows: &[NewUser]) -> QueryResult<Vec<User>> {
    per_backend!(conn, |c| diesel::insert_into(users::table)
        .values(rows)
        .returning(User::as_returning())
        .get_results(c))
}

pub fn find(
    conn: &mut AnyConnection,
    instance_id: i64,
    id: i64,
    visible_to: Option<i64>,
) -> QueryResult<Option<User>> {
    let filter = UserFilter {
        common: Common {
            ids: Some(vec![id]),
            ..Default::default()
        },
        visible_to,
        ..Default::default()
    };
    filtered(instance_id, &filter)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The users with these IDs, in any order.
pub fn find_many(
    conn: &mut AnyConnection,
    instance_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    users::table
        .filter(users::instance_id.eq(instance_id))
        .filter(users::id.eq_any(ids))
        .select(User::as_select())
        .load(conn)
}

/// Of `ids`, the ones that exist in the instance.
pub fn existing_ids(
    conn: &mut AnyConnection,
    instance_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<i64>> {
    users::table
        .filter(users::instance_id.eq(instance_id))
        .filter(users::id.eq_any(ids))
        .select(users::id)
        .load(conn)
}

fn filtered(instance_id: i64, f: &UserFilter) -> users::BoxedQuery<'static, Db> {
    let mut q = users::table
        .filter(users::instance_id.eq(instance_id))
        .into_boxed::<Db>();
    apply_common!(q, users, f.common);
    if let Some(u) = &f.username {
        q = q.filter(users::username.eq(u.clone()));
    }
    if let Some(p) = &f.principal {
        q = q.filter(users::principal.eq(p.clone()));
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

pub fn list(
    conn: &mut AnyConnection,
    instance_id: i64,
    f: &UserFilter,
    w: &Window,
) -> QueryResult<Page<User>> {
    let total: i64 = filtered(instance_id, f).count().get_result(conn)?;
    let mut q = filtered(instance_id, f).select(User::as_select());
    apply_window!(
        q,
        w,
        users::id,
        users::created_at,
        users::updated_at,
        users::username,
        super::listing::sort_text
    );
    Ok(Page::from_rows(q.load(conn)?, total, w.limit))
}

pub fn update(
    conn: &mut AnyConnection,
    instance_id: i64,
    id: i64,
    changes: &UserChanges,
) -> QueryResult<User> {
    per_backend!(conn, |c| diesel::update(
        users::table
            .filter(users::instance_id.eq(instance_id))
            .filter(users::id.eq(id))
    )
    .set(changes)
    .returning(User::as_returning())
    .get_result(c))
}

/// Deletes the user; memberships and keys go with it by cascade.
pub fn delete(conn: &mut AnyConnection, instance_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        users::table
            .filter(users::instance_id.eq(instance_id))
            .filter(users::id.eq(id)),
    )
    .execute(conn)
}
