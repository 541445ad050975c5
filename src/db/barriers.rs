//! The `barriers` table: two groups no user may be in at once.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::Sqlite;

use super::listing::{Common, Page, Window};
use super::schema::{barriers, memberships};
use super::{AnyConnection, Db};
use crate::domain::{BarrierId, GroupId, InstanceId, UserId};
use crate::{apply_window, per_backend};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = barriers)]
pub struct Barrier {
    pub instance_id: InstanceId,
    pub id: BarrierId,
    pub group_a_id: GroupId,
    pub group_b_id: GroupId,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = barriers, treat_none_as_default_value = false)]
pub struct NewBarrier {
    pub instance_id: InstanceId,
    pub group_a_id: GroupId,
    pub group_b_id: GroupId,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The barriers with a side in `group_ids`, as (group_a, group_b) pairs. With `lock`
/// on PostgreSQL the rows are locked until commit, so two writers that could together
/// break a barrier take turns (SQLite's write transactions already do).
pub fn touching(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    group_ids: &[GroupId],
    lock: bool,
) -> QueryResult<Vec<(GroupId, GroupId)>> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    let q = barriers::table
        .filter(barriers::instance_id.eq(instance_id))
        .filter(
            barriers::group_a_id
                .eq_any(group_ids)
                .or(barriers::group_b_id.eq_any(group_ids)),
        )
        .select((barriers::group_a_id, barriers::group_b_id));
    match conn {
        AnyConnection::Postgresql(c) if lock => q.for_update().load(c),
        AnyConnection::Sqlite(c) => SqliteTouching {
            instance_id,
            group_ids: super::json_ids(group_ids),
        }
        .load(c),
        other => q.load(other),
    }
}

/// `touching` on SQLite, where it runs inside the write lock: the groups as one JSON
/// array, so the statement stays prepared (an `IN (?, ?, …)` list of 100 groups,
/// twice, was prepared anew on every bulk).
struct SqliteTouching {
    instance_id: InstanceId,
    group_ids: String,
}

impl QueryFragment<Sqlite> for SqliteTouching {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("SELECT group_a_id, group_b_id FROM barriers WHERE instance_id = ");
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(" AND (group_a_id IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.group_ids)?;
        out.push_sql(")) OR group_b_id IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.group_ids)?;
        out.push_sql(")))");
        Ok(())
    }
}

crate::hand_written_statement!(SqliteTouching, SqliteConnection, (BigInt, BigInt));

/// Users who are members of both groups (at most `limit`).
pub fn violators(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    group_a: GroupId,
    group_b: GroupId,
    limit: i64,
) -> QueryResult<Vec<UserId>> {
    let other = diesel::alias!(memberships as other);
    let in_b = other
        .filter(other.field(memberships::instance_id).eq(instance_id))
        .filter(other.field(memberships::group_id).eq(group_b))
        .select(other.field(memberships::user_id));
    memberships::table
        .filter(memberships::instance_id.eq(instance_id))
        .filter(memberships::group_id.eq(group_a))
        .filter(memberships::user_id.eq_any(in_b))
        .select(memberships::user_id)
        .order(memberships::user_id.asc())
        .limit(limit)
        .load(conn)
}

/// Blocks membership writes until commit on PostgreSQL, so no membership can slip
/// past a barrier being created (SQLite's write transactions already serialize).
pub fn lock_memberships(conn: &mut AnyConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        AnyConnection::Postgresql(c) => c.batch_execute("LOCK TABLE memberships IN SHARE MODE"),
        AnyConnection::Sqlite(_) => Ok(()),
    }
}

pub fn insert(conn: &mut AnyConnection, row: &NewBarrier) -> QueryResult<Barrier> {
    per_backend!(conn, |c| diesel::insert_into(barriers::table)
        .values(row)
        .returning(Barrier::as_returning())
        .get_result(c))
}

pub fn find(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: BarrierId,
) -> QueryResult<Option<Barrier>> {
    barriers::table
        .filter(barriers::instance_id.eq(instance_id))
        .filter(barriers::id.eq(id))
        .select(Barrier::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    common: &Common,
    group_id: Option<GroupId>,
    w: &Window,
) -> QueryResult<Page<Barrier>> {
    let base = || {
        let mut q = barriers::table
            .filter(barriers::instance_id.eq(instance_id))
            .into_boxed::<Db>();
        if let Some(ids) = &common.ids {
            q = q.filter(barriers::id.eq_any(ids.clone()));
        }
        if let Some(t) = common.created_after {
            q = q.filter(barriers::created_at.gt(t));
        }
        if let Some(g) = group_id {
            q = q.filter(barriers::group_a_id.eq(g).or(barriers::group_b_id.eq(g)));
        }
        q
    };
    let total: i64 = base().count().get_result(conn)?;
    let mut q = base().select(Barrier::as_select());
    apply_window!(
        q,
        w,
        barriers::id,
        barriers::created_at,
        barriers::created_at,
        barriers::created_at,
        super::listing::sort_time
    );
    Ok(Page::from_rows(q.load(conn)?, total, w.limit))
}

/// Every barrier with `group_id` on a side (removed with the group).
pub fn of_group(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    group_id: GroupId,
) -> QueryResult<Vec<Barrier>> {
    barriers::table
        .filter(barriers::instance_id.eq(instance_id))
        .filter(
            barriers::group_a_id
                .eq(group_id)
                .or(barriers::group_b_id.eq(group_id)),
        )
        .order(barriers::id.asc())
        .select(Barrier::as_select())
        .load(conn)
}

pub fn delete(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: BarrierId,
) -> QueryResult<usize> {
    diesel::delete(
        barriers::table
            .filter(barriers::instance_id.eq(instance_id))
            .filter(barriers::id.eq(id)),
    )
    .execute(conn)
}
