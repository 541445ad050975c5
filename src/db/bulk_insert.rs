//! PostgreSQL's bulk insert of memberships, `INSERT … SELECT FROM UNNEST` of seven
//! column arrays, as a query type of its own so that diesel prepares it once per
//! connection and caches it by its SQL text. The statement text is the same whatever
//! the number of rows. (`diesel::sql_query` marks itself unsafe to cache: written with
//! it, the INSERT was parsed and planned again on every request, as PostgreSQL's
//! statement log showed: `parse <unnamed>` before each `execute`.)

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

use super::memberships::NewMembership;

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
    roles: Vec<String>,
    permissions: Vec<Option<String>>,
    created_at: Vec<NaiveDateTime>,
    updated_at: Vec<NaiveDateTime>,
    guard: Guard<'a>,
}

impl<'a> BulkInsert<'a> {
    pub fn new(rows: &[NewMembership], guard: Guard<'a>) -> Self {
        Self {
            instance_ids: rows.iter().map(|r| r.instance_id).collect(),
            user_ids: rows.iter().map(|r| r.user_id).collect(),
            group_ids: rows.iter().map(|r| r.group_id).collect(),
            roles: rows.iter().map(|r| r.role.clone()).collect(),
            permissions: rows
                .iter()
                .map(|r| r.configurable_permissions.clone())
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
        out.push_sql(
            " RETURNING instance_id, id, user_id, group_id, role, configurable_permissions, \
             created_at, updated_at",
        );
        Ok(())
    }
}

// No static query ID: the three guards give three statement texts, and diesel then
// keys its cache by the SQL text (and bind types) instead of by this type.
impl QueryId for BulkInsert<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

// The RETURNING columns in order, so rows decode by position (as `Membership`'s
// `Queryable`), not by looking up each column's name in each row.
impl Query for BulkInsert<'_> {
    type SqlType = (
        BigInt,
        BigInt,
        BigInt,
        BigInt,
        Text,
        Nullable<Text>,
        Timestamp,
        Timestamp,
    );
}

impl RunQueryDsl<PgConnection> for BulkInsert<'_> {}
