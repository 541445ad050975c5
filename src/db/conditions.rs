//! Typed conditions on users and groups (what the SCIM door's filters become), built
//! into boxed queries for both backends: comparisons on mapped columns, presence,
//! and/or/not. Every condition is two-valued: a comparison with a NULL column is false
//! (`ne` true), never NULL, so `not` means "every other row".

use chrono::NaiveDateTime;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel::IntoSql;

use super::groups::Group;
use super::schema::{groups, memberships, users};
use super::users::User;
use super::{AnyConnection, Db};
use crate::domain::{InstanceId, UserId};

diesel::define_sql_function! {
    /// `lower(text)` on both backends (SQLite's folds ASCII only; each backend folds
    /// both sides of a comparison alike).
    fn lower(x: Text) -> Text;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    /// Contains, starts with, ends with: LIKE with the value's `%`, `_` and `\` escaped.
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Text(String),
    Int(i64),
    Bool(bool),
    Time(NaiveDateTime),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond<F> {
    True,
    False,
    Cmp(F, Op, Operand),
    /// The column has a (non-empty) value.
    Present(F),
    And(Box<Cond<F>>, Box<Cond<F>>),
    Or(Box<Cond<F>>, Box<Cond<F>>),
    Not(Box<Cond<F>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Id,
    /// Compared case-insensitively (RFC 7643 `caseExact: false`), as are `Name`, `Email`.
    Username,
    Name,
    Email,
    AvatarUrl,
    Active,
    /// Compared exactly (RFC 7643: `caseExact: true`).
    ExternalId,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupField {
    Id,
    /// Case-insensitive.
    Name,
    /// Compared exactly.
    ExternalId,
    CreatedAt,
    UpdatedAt,
    /// The group has this user (an `Int` user id) as a member; `Eq` only.
    Member,
}

type Boxed<'a, T> = Box<dyn BoxableExpression<T, Db, SqlType = Bool> + 'a>;

fn constant<'a, T: 'a>(v: bool) -> Boxed<'a, T> {
    Box::new(v.into_sql::<Bool>())
}

/// `\`, `%` and `_` escaped for a LIKE pattern with `ESCAPE '\'`.
fn like_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn pattern(op: Op, s: &str) -> String {
    let e = like_escaped(s);
    match op {
        Op::Sw => format!("{e}%"),
        Op::Ew => format!("%{e}"),
        _ => format!("%{e}%"),
    }
}

/// A comparison of the text expression `$c` (repeated in each arm) with `$v` wrapped
/// by `$lit`.
macro_rules! text_ops {
    ($op:expr, $v:expr, $c:expr, $lit:expr) => {{
        let v: String = $v;
        match $op {
            Op::Eq => Box::new($c.eq($lit(v))) as Boxed<_>,
            Op::Ne => Box::new($c.ne($lit(v))),
            Op::Gt => Box::new($c.gt($lit(v))),
            Op::Ge => Box::new($c.ge($lit(v))),
            Op::Lt => Box::new($c.lt($lit(v))),
            Op::Le => Box::new($c.le($lit(v))),
            op => Box::new($c.like($lit(pattern(op, &v))).escape('\\')),
        }
    }};
}

/// A text column: folded to lower case on both sides when `$fold`; a nullable column
/// matches only where it has a value, except for `ne`.
macro_rules! text_column {
    ($col:expr, nullable, $fold:expr, $op:expr, $v:expr) => {{
        let inner: Boxed<_> = text_column!($col.assume_not_null(), plain, $fold, $op, $v);
        if $op == Op::Ne {
            Box::new($col.is_null().or(inner)) as Boxed<_>
        } else {
            Box::new($col.is_not_null().and(inner))
        }
    }};
    ($col:expr, plain, $fold:expr, $op:expr, $v:expr) => {{
        if $fold {
            text_ops!($op, $v, lower($col), |s: String| lower(s))
        } else {
            text_ops!($op, $v, $col, |s: String| s)
        }
    }};
}

/// An ordered non-text column compared with a value of its type.
macro_rules! ordered {
    ($col:expr, $op:expr, $v:expr) => {
        match $op {
            Op::Eq => Box::new($col.eq($v)) as Boxed<_>,
            Op::Ne => Box::new($col.ne($v)),
            Op::Gt => Box::new($col.gt($v)),
            Op::Ge => Box::new($col.ge($v)),
            Op::Lt => Box::new($col.lt($v)),
            Op::Le => Box::new($col.le($v)),
            Op::Co | Op::Sw | Op::Ew => constant(false),
        }
    };
}

/// A nullable text column holds a non-empty value.
macro_rules! present {
    ($col:expr) => {
        Box::new($col.is_not_null().and($col.assume_not_null().ne("")))
    };
}

/// The boolean tree around the leaves `leaf` builds.
fn tree<'a, F: Copy, T: 'a>(
    cond: &Cond<F>,
    leaf: &dyn Fn(&Cond<F>) -> Boxed<'a, T>,
) -> Boxed<'a, T> {
    match cond {
        Cond::True => constant(true),
        Cond::False => constant(false),
        Cond::And(a, b) => Box::new(tree(a, leaf).and(tree(b, leaf))),
        Cond::Or(a, b) => Box::new(tree(a, leaf).or(tree(b, leaf))),
        Cond::Not(a) => Box::new(diesel::dsl::not(tree(a, leaf))),
        leaf_cond => leaf(leaf_cond),
    }
}

fn user_leaf(cond: &Cond<UserField>) -> Boxed<'static, users::table> {
    use UserField as F;
    match cond {
        Cond::Present(F::Name) => present!(users::name),
        Cond::Present(F::Email) => present!(users::email),
        Cond::Present(F::AvatarUrl) => present!(users::avatar_url),
        Cond::Present(F::ExternalId) => present!(users::external_id),
        Cond::Present(_) => constant(true),
        Cond::Cmp(field, op, value) => match (field, value) {
            (F::Id, Operand::Int(i)) => ordered!(users::id, *op, *i),
            (F::Username, Operand::Text(s)) => {
                text_column!(users::username, plain, true, *op, s.clone())
            }
            (F::Name, Operand::Text(s)) => {
                text_column!(users::name, nullable, true, *op, s.clone())
            }
            (F::Email, Operand::Text(s)) => {
                text_column!(users::email, nullable, true, *op, s.clone())
            }
            (F::AvatarUrl, Operand::Text(s)) => {
                text_column!(users::avatar_url, nullable, false, *op, s.clone())
            }
            (F::ExternalId, Operand::Text(s)) => {
                text_column!(users::external_id, nullable, false, *op, s.clone())
            }
            (F::Active, Operand::Bool(b)) => match op {
                Op::Eq => Box::new(users::active.eq(*b)),
                Op::Ne => Box::new(users::active.ne(*b)),
                _ => constant(false),
            },
            (F::CreatedAt, Operand::Time(t)) => ordered!(users::created_at, *op, *t),
            (F::UpdatedAt, Operand::Time(t)) => ordered!(users::updated_at, *op, *t),
            _ => constant(*op == Op::Ne),
        },
        _ => constant(false),
    }
}

fn group_leaf(
    instance_id: InstanceId,
) -> impl Fn(&Cond<GroupField>) -> Boxed<'static, groups::table> {
    move |cond| {
        use GroupField as F;
        match cond {
            Cond::Present(F::Member) => Box::new(
                groups::id.eq_any(
                    memberships::table
                        .filter(memberships::instance_id.eq(instance_id))
                        .select(memberships::group_id),
                ),
            ),
            Cond::Present(F::ExternalId) => present!(groups::external_id),
            Cond::Present(_) => constant(true),
            Cond::Cmp(field, op, value) => match (field, value) {
                (F::Id, Operand::Int(i)) => ordered!(groups::id, *op, *i),
                (F::ExternalId, Operand::Text(s)) => {
                    text_column!(groups::external_id, nullable, false, *op, s.clone())
                }
                (F::Name, Operand::Text(s)) => {
                    text_column!(groups::name, plain, true, *op, s.clone())
                }
                (F::CreatedAt, Operand::Time(t)) => ordered!(groups::created_at, *op, *t),
                (F::UpdatedAt, Operand::Time(t)) => ordered!(groups::updated_at, *op, *t),
                (F::Member, Operand::Int(u)) if matches!(op, Op::Eq | Op::Ne) => {
                    let with_member = memberships::table
                        .filter(memberships::instance_id.eq(instance_id))
                        .filter(memberships::user_id.eq(UserId::from(*u)))
                        .select(memberships::group_id);
                    if *op == Op::Eq {
                        Box::new(groups::id.eq_any(with_member))
                    } else {
                        Box::new(diesel::dsl::not(groups::id.eq_any(with_member)))
                    }
                }
                _ => constant(*op == Op::Ne),
            },
            _ => constant(false),
        }
    }
}

/// A page of the instance's users matching `cond`, by id, and how many match.
pub fn users_matching(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    cond: &Cond<UserField>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<User>, i64)> {
    let q = || {
        users::table
            .filter(users::instance_id.eq(instance_id))
            .filter(tree(cond, &user_leaf))
            .into_boxed::<Db>()
    };
    let total: i64 = q().count().get_result(conn)?;
    let rows = q()
        .select(User::as_select())
        .order(users::id.asc())
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// A page of the instance's groups matching `cond`, by id, and how many match.
pub fn groups_matching(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    cond: &Cond<GroupField>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Group>, i64)> {
    let leaf = group_leaf(instance_id);
    let q = || {
        groups::table
            .filter(groups::instance_id.eq(instance_id))
            .filter(tree(cond, &leaf))
            .into_boxed::<Db>()
    };
    let total: i64 = q().count().get_result(conn)?;
    let rows = q()
        .select(Group::as_select())
        .order(groups::id.asc())
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(pattern(Op::Co, "a%b_c\\"), "%a\\%b\\_c\\\\%");
        assert_eq!(pattern(Op::Sw, "x"), "x%");
        assert_eq!(pattern(Op::Ew, "x"), "%x");
    }
}
