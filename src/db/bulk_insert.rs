//! The bulk insert of memberships as a query type of its own, so that diesel prepares
//! it once per connection and caches it by its SQL text.
//!
//! - PostgreSQL: `INSERT … SELECT FROM UNNEST` of seven column arrays: the same text
//!   whatever the number of rows. (`diesel::sql_query` marks itself unsafe to cache:
//!   written with it, the INSERT was parsed and planned again on every request, as
//!   PostgreSQL's statement log showed: `parse <unnamed>` before each `execute`.)
//! - SQLite: a multi-row `VALUES` list of one of a few fixed sizes (see
//!   `SqliteBulkInsert`). diesel's own multi-row insert is never cached, and preparing
//!   a 100-row, 700-parameter statement took about 0.4 ms, inside the write lock, on
//!   every bulk.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::{PgConnection, QueryResult, SqliteConnection};

use super::memberships::NewMembership;
use crate::domain::{GroupId, InstanceId, UserId};

/// The RETURNING columns in order, so rows decode by position (as `Membership`'s
/// `Queryable`), not by looking up each column's name in each row.
type Returned = (
    BigInt,
    BigInt,
    BigInt,
    BigInt,
    Text,
    Nullable<Text>,
    Timestamp,
    Timestamp,
);

const RETURNING: &str = " RETURNING instance_id, id, user_id, group_id, role, \
     configurable_permissions, created_at, updated_at";

/// What happens to rows that cannot or may not go in.
pub enum Guard<'a> {
    /// Nothing: a unique or foreign-key violation fails the statement.
    None,
    /// Rows whose (user, group) exists are skipped.
    SkipExisting,
    /// No row goes in if a barrier of the instance touches one of these groups.
    UnlessBarred {
        instance_id: InstanceId,
        group_ids: &'a [GroupId],
    },
}

pub struct BulkInsert<'a> {
    instance_ids: Vec<InstanceId>,
    user_ids: Vec<UserId>,
    group_ids: Vec<GroupId>,
    roles: Vec<&'a str>,
    permissions: Vec<Option<&'a str>>,
    created_at: Vec<NaiveDateTime>,
    updated_at: Vec<NaiveDateTime>,
    guard: Guard<'a>,
}

impl<'a> BulkInsert<'a> {
    pub fn new(rows: &'a [NewMembership], guard: Guard<'a>) -> Self {
        Self {
            instance_ids: rows.iter().map(|r| r.instance_id).collect(),
            user_ids: rows.iter().map(|r| r.user_id).collect(),
            group_ids: rows.iter().map(|r| r.group_id).collect(),
            roles: rows.iter().map(|r| r.role.as_str()).collect(),
            permissions: rows
                .iter()
                .map(|r| r.configurable_permissions.as_deref())
                .collect(),
            created_at: rows.iter().map(|r| r.created_at.0).collect(),
            updated_at: rows.iter().map(|r| r.updated_at.0).collect(),
            guard,
        }
    }
}

impl QueryFragment<Pg> for BulkInsert<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if let Guard::UnlessBarred {
            instance_id,
            group_ids,
        } = &self.guard
        {
            out.push_sql(
                "WITH barred AS (SELECT EXISTS (SELECT 1 FROM barriers WHERE instance_id = ",
            );
            out.push_bind_param::<BigInt, _>(instance_id)?;
            out.push_sql(" AND (group_a_id = ANY(");
            out.push_bind_param::<Array<BigInt>, _>(group_ids)?;
            out.push_sql(") OR group_b_id = ANY(");
            out.push_bind_param::<Array<BigInt>, _>(group_ids)?;
            out.push_sql("))) AS b) ");
        }
        out.push_sql(
            "INSERT INTO memberships (instance_id, user_id, group_id, role, \
             configurable_permissions, created_at, updated_at) SELECT * FROM UNNEST(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.instance_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.user_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.group_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.roles)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.permissions)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.updated_at)?;
        out.push_sql(") AS u");
        match self.guard {
            Guard::None => {}
            Guard::SkipExisting => {
                out.push_sql(" ON CONFLICT (instance_id, user_id, group_id) DO NOTHING")
            }
            Guard::UnlessBarred { .. } => out.push_sql(" WHERE NOT (SELECT b FROM barred)"),
        }
        out.push_sql(RETURNING);
        Ok(())
    }
}

crate::hand_written_statement!(BulkInsert<'_>, PgConnection, Returned);

/// SQLite's bulk insert: a multi-row `VALUES` list of exactly `rows.len()` rows, one of
/// a few fixed sizes (`sqlite_chunks`), so that its text, and its prepared statement on
/// the writer connection, is one of a few: diesel caches a statement by its text.
///
/// (An `INSERT … SELECT FROM json_each(?)` of one JSON array of rows also had one text
/// whatever the number of rows, but SQLite then wrote each row back out as JSON text and
/// parsed it again for each of its seven columns, all inside the write lock: a third of
/// Roster's instructions per bulk of 100 on SQLite, engine included, by callgrind.)
pub struct SqliteBulkInsert<'a> {
    rows: &'a [NewMembership],
    skip_existing: bool,
}

/// The row counts SQLite's bulk insert is prepared for: a full bulk of 100 in one
/// statement, any other number in pieces of 64, 32, …, 1 rows (at most 8 statement
/// texts per connection, whatever the sizes clients send).
const SQLITE_CHUNKS: [usize; 8] = [100, 64, 32, 16, 8, 4, 2, 1];

/// `rows` cut into pieces of the sizes of `SQLITE_CHUNKS`, in order.
pub fn sqlite_chunks(rows: &[NewMembership]) -> Vec<&[NewMembership]> {
    let mut out = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let n = SQLITE_CHUNKS
            .into_iter()
            .find(|n| *n <= rest.len())
            .unwrap_or(1);
        let (chunk, tail) = rest.split_at(n);
        out.push(chunk);
        rest = tail;
    }
    out
}

impl<'a> SqliteBulkInsert<'a> {
    /// One piece of `sqlite_chunks`.
    pub fn new(rows: &'a [NewMembership], skip_existing: bool) -> Self {
        Self {
            rows,
            skip_existing,
        }
    }
}

impl QueryFragment<Sqlite> for SqliteBulkInsert<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO memberships (instance_id, user_id, group_id, role, \
             configurable_permissions, created_at, updated_at) VALUES ",
        );
        for (i, r) in self.rows.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            out.push_bind_param::<BigInt, _>(&r.instance_id)?;
            out.push_sql(", ");
            out.push_bind_param::<BigInt, _>(&r.user_id)?;
            out.push_sql(", ");
            out.push_bind_param::<BigInt, _>(&r.group_id)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&r.role)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&r.configurable_permissions)?;
            out.push_sql(", ");
            out.push_bind_param::<Timestamp, _>(&r.created_at)?;
            out.push_sql(", ");
            out.push_bind_param::<Timestamp, _>(&r.updated_at)?;
            out.push_sql(")");
        }
        if self.skip_existing {
            out.push_sql(" ON CONFLICT (instance_id, user_id, group_id) DO NOTHING");
        }
        out.push_sql(RETURNING);
        Ok(())
    }
}

crate::hand_written_statement!(SqliteBulkInsert<'_>, SqliteConnection, Returned);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::time::Ts;

    #[test]
    fn sqlite_chunks_cover_the_rows_in_order_with_few_sizes() {
        let t = Ts::from(crate::db::now());
        let rows: Vec<NewMembership> = (0..250)
            .map(|i| NewMembership {
                instance_id: InstanceId(1),
                user_id: UserId(i),
                group_id: GroupId(1),
                role: crate::domain::Role::Member,
                configurable_permissions: None,
                created_at: t,
                updated_at: t,
            })
            .collect();
        for n in 0..=rows.len() {
            let chunks = sqlite_chunks(&rows[..n]);
            let ids: Vec<i64> = chunks
                .iter()
                .flat_map(|c| c.iter().map(|r| r.user_id.get()))
                .collect();
            assert_eq!(ids, (0..n as i64).collect::<Vec<_>>());
            assert!(chunks.iter().all(|c| SQLITE_CHUNKS.contains(&c.len())));
        }
        assert_eq!(sqlite_chunks(&rows[..100]).len(), 1);
    }
}
