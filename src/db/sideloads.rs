//! `include=user` and `include=group`: the users and the groups of a page or a bulk in
//! one round trip (a `UNION ALL` of the two lookups), prepared once per connection. As
//! two statements they cost a second round trip and a second executor start and end,
//! on every bulk create and every membership list page with both includes.
//!
//! Each lookup joins the unnested IDs to the table rather than filtering the table
//! with `id = ANY($ids)`: for the generic plan of a prepared statement PostgreSQL
//! guesses ten array elements, and with 1,000 groups it chose a sequential scan that
//! compares every group with every ID (100,000 comparisons, 1.1 ms of a 1.4 ms
//! statement under `EXPLAIN ANALYZE`; joined, 0.4 ms). The sideload SELECT was the
//! largest part of a bulk create's PostgreSQL time beyond the INSERT. pgbench at 8
//! clients sending Roster's three statements alone (key, sideloads, INSERT): 3.95–4.48
//! ms of PostgreSQL CPU per 100 rows with `= ANY`, 3.69–3.73 joined; the INSERT alone
//! 3.08–3.33 (four runs each, `bench/bench.py`'s `roster_statements_sql`).

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::{PgConnection, QueryResult, Queryable, RunQueryDsl, SqliteConnection};

use super::{json_ids, AnyConnection};

use super::groups::Group;
use super::time::Ts;
use super::users::User;
use crate::domain::{GroupId, InstanceId, Principal, UserId};

struct UsersAndGroups<'a> {
    instance_id: InstanceId,
    user_ids: &'a [UserId],
    group_ids: &'a [GroupId],
}

impl QueryFragment<Pg> for UsersAndGroups<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "SELECT TRUE AS is_user, u.instance_id, u.id, u.username AS a, u.name AS b, \
             u.email AS c, u.avatar_url AS d, u.principal AS e, u.active AS f, \
             u.external_id AS g, u.created_at, u.updated_at FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.user_ids)?;
        out.push_sql(") AS x (id) JOIN users u ON u.instance_id = ");
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(
            " AND u.id = x.id UNION ALL SELECT FALSE, g.instance_id, g.id, g.name, \
             g.description, NULL, NULL, NULL, NULL, g.external_id, g.created_at, g.updated_at \
             FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.group_ids)?;
        out.push_sql(") AS y (id) JOIN groups g ON g.instance_id = ");
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(" AND g.id = y.id");
        Ok(())
    }
}

// The selected columns in order, so rows decode by position.
type Columns = (
    Bool,
    BigInt,
    BigInt,
    Text,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Bool>,
    Nullable<Text>,
    Timestamp,
    Timestamp,
);

crate::hand_written_statement!(UsersAndGroups<'_>, PgConnection, Columns);

/// SQLite's form: the IDs as JSON arrays, so the statement text is the same whatever
/// their number and stays prepared (diesel's `IN (?, ?, …)` list is never cached: it
/// was prepared anew, with 100 parameters per list, on every bulk create and list page).
struct SqliteUsersAndGroups {
    instance_id: InstanceId,
    user_ids: String,
    group_ids: String,
}

impl QueryFragment<Sqlite> for SqliteUsersAndGroups {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(
            "SELECT 1, instance_id, id, username, name, email, avatar_url, principal, active, \
             external_id, created_at, updated_at FROM users WHERE instance_id = ",
        );
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(" AND id IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.user_ids)?;
        out.push_sql(
            ")) UNION ALL SELECT 0, instance_id, id, name, description, NULL, NULL, NULL, NULL, \
             external_id, created_at, updated_at FROM groups WHERE instance_id = ",
        );
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(" AND id IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.group_ids)?;
        out.push_sql("))");
        Ok(())
    }
}

crate::hand_written_statement!(SqliteUsersAndGroups, SqliteConnection, Columns);

/// A row of either table: a user's (username, name, email, avatar_url, principal, active,
/// external_id) or a group's (name, description, and external_id in g) in the columns a
/// to g.
#[derive(Queryable)]
struct Row {
    is_user: bool,
    instance_id: InstanceId,
    id: i64,
    a: String,
    b: Option<String>,
    c: Option<String>,
    d: Option<String>,
    e: Option<Principal>,
    f: Option<bool>,
    g: Option<String>,
    created_at: Ts,
    updated_at: Ts,
}

/// The users with `user_ids` and the groups with `group_ids` of one instance. The IDs
/// must be distinct (both callers make them so): on PostgreSQL the join returns a row
/// for each ID given.
pub fn users_and_groups(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    user_ids: &[UserId],
    group_ids: &[GroupId],
) -> QueryResult<(Vec<User>, Vec<Group>)> {
    let rows: Vec<Row> = match conn {
        AnyConnection::Postgresql(c) => UsersAndGroups {
            instance_id,
            user_ids,
            group_ids,
        }
        .load(c)?,
        AnyConnection::Sqlite(c) => SqliteUsersAndGroups {
            instance_id,
            user_ids: json_ids(user_ids),
            group_ids: json_ids(group_ids),
        }
        .load(c)?,
    };
    let (mut users, mut groups) = (Vec::new(), Vec::new());
    for r in rows {
        if r.is_user {
            let (Some(principal), Some(active)) = (r.e, r.f) else {
                return Err(diesel::result::Error::DeserializationError(
                    "a user row without a principal or active".into(),
                ));
            };
            users.push(User {
                instance_id: r.instance_id,
                id: UserId(r.id),
                username: r.a,
                name: r.b,
                email: r.c,
                avatar_url: r.d,
                principal,
                active,
                external_id: r.g,
                created_at: r.created_at,
                updated_at: r.updated_at,
            });
        } else {
            groups.push(Group {
                instance_id: r.instance_id,
                id: GroupId(r.id),
                name: r.a,
                description: r.b,
                external_id: r.g,
                created_at: r.created_at,
                updated_at: r.updated_at,
            });
        }
    }
    Ok((users, groups))
}
