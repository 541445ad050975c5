//! The `instances` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::listing::{Common, Page, Window};
use super::schema::{idempotency_records, instances};
use super::{now, AnyConnection, Db};
use crate::domain::InstanceId;
use crate::{apply_common, apply_window, per_backend};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instances)]
pub struct Instance {
    pub id: InstanceId,
    pub name: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = instances, treat_none_as_default_value = false)]
struct NewInstance<'a> {
    name: &'a str,
    description: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, name: &str, description: &str) -> QueryResult<Instance> {
    let t = now();
    let row = NewInstance {
        name,
        description,
        created_at: t,
        updated_at: t,
    };
    per_backend!(conn, |c| diesel::insert_into(instances::table)
        .values(&row)
        .returning(Instance::as_returning())
        .get_result(c))
}

pub fn find_by_name(conn: &mut AnyConnection, name: &str) -> QueryResult<Option<Instance>> {
    instances::table
        .filter(instances::name.eq(name))
        .select(Instance::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut AnyConnection,
    common: &Common,
    name: Option<&str>,
    w: &Window,
) -> QueryResult<Page<Instance>> {
    let base = || {
        let mut q = instances::table.into_boxed::<Db>();
        apply_common!(q, instances, common);
        if let Some(n) = name {
            q = q.filter(instances::name.eq(n.to_string()));
        }
        q
    };
    let total: i64 = base().count().get_result(conn)?;
    let mut q = base().select(Instance::as_select());
    apply_window!(
        q,
        w,
        instances::id,
        instances::created_at,
        instances::updated_at,
        instances::name,
        super::listing::sort_text
    );
    Ok(Page::from_rows(q.load(conn)?, total, w.limit))
}

#[derive(AsChangeset)]
#[diesel(table_name = instances)]
pub struct InstanceChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut AnyConnection, id: InstanceId) -> QueryResult<Option<Instance>> {
    instances::table
        .filter(instances::id.eq(id))
        .select(Instance::as_select())
        .first(conn)
        .optional()
}

pub fn update(
    conn: &mut AnyConnection,
    id: InstanceId,
    changes: &InstanceChanges,
) -> QueryResult<Instance> {
    per_backend!(conn, |c| diesel::update(
        instances::table.filter(instances::id.eq(id))
    )
    .set(changes)
    .returning(Instance::as_returning())
    .get_result(c))
}

/// Removes the instance and, by cascade, every row of the tenant.
pub fn delete(conn: &mut AnyConnection, id: InstanceId) -> QueryResult<usize> {
    super::events::delete_instance(conn, id)?;
    super::webhooks::delete_instance(conn, id)?;
    diesel::delete(idempotency_records::table.filter(idempotency_records::instance_id.eq(id)))
        .execute(conn)?;
    diesel::delete(instances::table.filter(instances::id.eq(id))).execute(conn)
}
