//! The `groups` table.

use chrono::NaiveDateTime;

use super::time::Ts;
use diesel::prelude::*;

use super::listing::{Common, Page, Window};
use super::schema::{groups, memberships};
use super::{AnyConnection, Db};
use crate::{apply_common, apply_window, per_backend};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups)]
pub struct Group {
    pub instance_id: i64,
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = groups, treat_none_as_default_value = false)]
pub struct NewGroup {
    pub instance_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = groups)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub common: Common,
    pub name: Option<String>,
    /// Only the groups this user belongs to.
    pub visible_to: Option<i64>,
}

/// Of `names`, the group names already taken in the instance.
pub fn taken_names(
    conn: &mut AnyConnection,
    instance_id: i64,
    names: &[String],
) -> QueryResult<Vec<String>> {
    groups::table
        .filter(groups::instance_id.eq(instance_id))
        .filter(groups::name.eq_any(names))
        .select(groups::name)
        .load(conn)
}

pub fn insert_many(conn: &mut AnyConnection, rows: &[NewGroup]) -> QueryResult<Vec<Group>> {
    per_backend!(conn, |c| diesel::insert_into(groups::table)
        .values(rows)
        .returning(Group::as_returning())
        .get_results(c))
}

pub fn find(
    conn: &mut AnyConnection,
    instance_id: i64,
    id: i64,
    visible_to: Option<i64>,
) -> QueryResult<Option<Group>> {
    let filter = GroupFilter {
        common: Common {
            ids: Some(vec![id]),
            ..Default::default()
        },
        visible_to,
        ..Default::default()
    };
    filtered(instance_id, &filter)
        .select(Group::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(
    conn: &mut AnyConnection,
    instance_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<Group>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    groups::table
        .filter(groups::instance_id.eq(instance_id))
        .filter(groups::id.eq_any(ids))
        .select(Group::as_select())
        .load(conn)
}

pub fn existing_ids(
    conn: &mut AnyConnection,
    instance_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<i64>> {
    groups::table
        .filter(groups::instance_id.eq(instance_id))
        .filter(groups::id.eq_any(ids))
        .select(groups::id)
        .load(conn)
}

fn filtered(instance_id: i64, f: &GroupFilter) -> groups::BoxedQuery<'static, Db> {
    let mut q = groups::table
        .filter(groups::instance_id.eq(instance_id))
        .into_boxed::<Db>();
    apply_common!(q, groups, f.common);
    if let Some(n) = &f.name {
        q = q.filter(groups::name.eq(n.clone()));
    }
    if let Some(viewer) = f.visible_to {
        let mine = memberships::table
            .filter(memberships::instance_id.eq(instance_id))
            .filter(memberships::user_id.eq(viewer))
            .select(memberships::group_id);
        q = q.filter(groups::id.eq_any(mine));
    }
    q
}

pub fn list(
    conn: &mut AnyConnection,
    instance_id: i64,
    f: &GroupFilter,
    w: &Window,
) -> QueryResult<Page<Group>> {
    let total: i64 = filtered(instance_id, f).count().get_result(conn)?;
    let mut q = filtered(instance_id, f).select(Group::as_select());
    apply_window!(
        q,
        w,
        groups::id,
        groups::created_at,
        groups::updated_at,
        groups::name,
        super::listing::sort_text
    );
    Ok(Page::from_rows(q.load(conn)?, total, w.limit))
}

pub fn update(
    conn: &mut AnyConnection,
    instance_id: i64,
    id: i64,
    changes: &GroupChanges,
) -> QueryResult<Group> {
    per_backend!(conn, |c| diesel::update(
        groups::table
            .filter(groups::instance_id.eq(instance_id))
            .filter(groups::id.eq(id))
    )
    .set(changes)
    .returning(Group::as_returning())
    .get_result(c))
}

/// Deletes the group; its memberships and barriers go with it by cascade.
pub fn delete(conn: &mut AnyConnection, instance_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        groups::table
            .filter(groups::instance_id.eq(instance_id))
            .filter(groups::id.eq(id)),
    )
    .execute(conn)
}
