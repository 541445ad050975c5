//! The bulk insert of memberships as a query type of its own, so that diesel prepares
//! it once per connection and caches it by its SQL text: the statement text is the same
//! whatever the number of rows.
//!
//! - PostgreSQL: `INSERT … SELECT FROM UNNEST` of seven column arrays.
//!   (`diesel::sql_query` marks itself unsafe to cache: written with it, the INSERT was
//!   parsed and planned again on every request, as PostgreSQL's statement log showed:
//!   `parse <unnamed>` before each `execute`.)
//! - SQLite: `INSERT … SELECT FROM json_each(?)` of one JSON array of rows. diesel's
//!   own multi-row `VALUES` insert is never cached (its text depends on the number of
//!   rows), and preparing a 100-row, 700-parameter statement took about 0.4 ms, inside
//!   the write lock, on every bulk; `bench/sqlite_ceiling.py`, whose statement is
//!   cached, does not pay it.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::{PgConnection, QueryResult, SqliteConnection};

use super::memberships::NewMembership;
use super::time::format_sqlite;

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
        instance_id: i64,
        group_ids: &'a [i64],
    },
}

pub struct BulkInsert<'a> {
    instance_ids: Vec<i64>,
    user_ids: Vec<i64>,
    group_ids: Vec<i64>,
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

/// SQLite's bulk insert: the rows as one JSON array of
/// `[instance_id, user_id, group_id, role, permissions, created_at, updated_at]`,
/// timestamps in the text form `Ts` writes, so stored values are byte for byte what a
/// bound `Ts` stores. `json_each` yields the rows in array order.
pub struct SqliteBulkInsert {
    rows: String,
    skip_existing: bool,
}

impl SqliteBulkInsert {
    pub fn new(rows: &[NewMembership], skip_existing: bool) -> QueryResult<Self> {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.instance_id,
                    r.user_id,
                    r.group_id,
                    r.role.as_str(),
                    r.configurable_permissions.as_deref(),
                    format_sqlite(r.created_at.0),
                    format_sqlite(r.updated_at.0),
                )
            })
            .collect();
        let rows = serde_json::to_string(&rows)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        Ok(Self {
            rows,
            skip_existing,
        })
    }
}

impl QueryFragment<Sqlite> for SqliteBulkInsert {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO memberships (instance_id, user_id, group_id, role, \
             configurable_permissions, created_at, updated_at) \
             SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, \
             r.value ->> 4, r.value ->> 5, r.value ->> 6 FROM json_each(",
        );
        out.push_bind_param::<Text, _>(&self.rows)?;
        // `WHERE true`: SQLite's grammar needs it between a SELECT and ON CONFLICT.
        out.push_sql(") AS r WHERE true");
        if self.skip_existing {
            out.push_sql(" ON CONFLICT (instance_id, user_id, group_id) DO NOTHING");
        }
        out.push_sql(RETURNING);
        Ok(())
    }
}

crate::hand_written_statement!(SqliteBulkInsert, SqliteConnection, Returned);
