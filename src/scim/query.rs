//! A list's query (RFC 7644 §3.4.2): `filter`, `startIndex`, `count`, `attributes`,
//! `excludedAttributes`; and a filter turned into the storage's typed conditions on the
//! mapped columns (API.md §12), so the database does the filtering.

use chrono::NaiveDateTime;

use super::error::ScimError;
use super::filter::{self, AttrPath, CompareOp, Filter, Literal};
use super::resource::Projection;
use crate::db::conditions::{Cond, GroupField, Op, Operand, UserField};
use crate::domain::{parse_id_str, parse_timestamp};

/// Results per page when `count` is not given, and at most.
pub const DEFAULT_COUNT: i64 = 100;
pub const MAX_COUNT: i64 = 200;

/// A list request, from the query string or a `POST /.search` body.
#[derive(Debug, Default)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    /// 1-based.
    pub start_index: i64,
    pub count: i64,
    pub projection: Projection,
}

impl ListQuery {
    /// From the raw parameters (names compared without case).
    pub fn from_params(params: &[(String, String)]) -> Result<Self, ScimError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let number = |name: &str| -> Result<Option<i64>, ScimError> {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<i64>()
                        .map_err(|_| ScimError::invalid_value(format!("{name} must be an integer")))
                })
                .transpose()
        };
        let filter = get("filter")
            .map(|f| filter::parse(f).map_err(|e| ScimError::invalid_filter(e.0)))
            .transpose()?;
        Ok(Self {
            filter,
            // RFC 7644 §3.4.2.4: below 1 is 1; a negative count is 0.
            start_index: number("startIndex")?.unwrap_or(1).max(1),
            count: number("count")?
                .unwrap_or(DEFAULT_COUNT)
                .clamp(0, MAX_COUNT),
            projection: Projection::parse(get("attributes"), get("excludedAttributes")),
        })
    }

    pub fn offset(&self) -> i64 {
        self.start_index - 1
    }
}

fn op_of(op: CompareOp) -> Op {
    match op {
        CompareOp::Eq => Op::Eq,
        CompareOp::Ne => Op::Ne,
        CompareOp::Co => Op::Co,
        CompareOp::Sw => Op::Sw,
        CompareOp::Ew => Op::Ew,
        CompareOp::Gt => Op::Gt,
        CompareOp::Ge => Op::Ge,
        CompareOp::Lt => Op::Lt,
        CompareOp::Le => Op::Le,
    }
}

/// How an attribute of a resource is stored.
enum Target<F> {
    /// A text column.
    Text(F),
    /// The numeric id column (written in SCIM as a string).
    Id(F),
    /// Ids of related objects that a resource may have none of (a group's members).
    Ref(F),
    Time(F),
    /// A boolean column.
    Bool(F),
    /// A value every resource has, the same for all (`emails.type` is always `work`).
    Fixed(Literal),
    /// No stored value on any resource.
    Absent,
}

fn unknown(path: &AttrPath) -> ScimError {
    ScimError::invalid_filter(format!(
        "unknown attribute {:?} in the filter",
        path.dotted()
    ))
}

/// A comparison of `target` with a literal as a condition; type mismatches the RFC
/// calls errors are `invalidFilter`.
fn compare<F: Copy>(
    target: Target<F>,
    op: CompareOp,
    value: &Literal,
    name: &str,
) -> Result<Cond<F>, ScimError> {
    let bad = |why: &str| ScimError::invalid_filter(format!("{name} {}: {why}", op.as_str()));
    let text_op = matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew);
    if *value == Literal::Null {
        // `eq null` is "has no value", `ne null` "has one".
        let present = present(target);
        return match op {
            CompareOp::Eq => Ok(Cond::Not(Box::new(present))),
            CompareOp::Ne => Ok(present),
            _ => Err(bad("null compares only with eq or ne")),
        };
    }
    match target {
        Target::Text(f) => match value {
            Literal::Str(s) => Ok(Cond::Cmp(f, op_of(op), Operand::Text(s.clone()))),
            _ => Err(bad("the value must be a string")),
        },
        Target::Id(f) | Target::Ref(f) => {
            let Literal::Str(s) = value else {
                return Err(bad("the value must be a string"));
            };
            if text_op {
                return Err(bad("ids compare only with eq, ne, gt, ge, lt, le"));
            }
            match parse_id_str(s) {
                Some(i) => Ok(Cond::Cmp(f, op_of(op), Operand::Int(i))),
                // No object has an id that is not a number.
                None if op == CompareOp::Ne => Ok(Cond::True),
                None if op == CompareOp::Eq => Ok(Cond::False),
                None => Err(bad("the value must be an id")),
            }
        }
        Target::Time(f) => {
            let Literal::Str(s) = value else {
                return Err(bad("the value must be a dateTime string"));
            };
            let t: NaiveDateTime =
                parse_timestamp(s).ok_or_else(|| bad("the value must be an RFC 3339 dateTime"))?;
            if text_op {
                return Err(bad("dateTimes compare only with eq, ne, gt, ge, lt, le"));
            }
            Ok(Cond::Cmp(f, op_of(op), Operand::Time(t)))
        }
        Target::Bool(f) => match (value, op) {
            (Literal::Bool(b), CompareOp::Eq | CompareOp::Ne) => {
                Ok(Cond::Cmp(f, op_of(op), Operand::Bool(*b)))
            }
            (Literal::Bool(_), _) => Err(bad("booleans compare only with eq or ne")),
            _ => Err(bad("the value must be true or false")),
        },
        Target::Fixed(fixed) => fixed_compare(&fixed, op, value).map_err(bad),
        Target::Absent => match op {
            CompareOp::Ne => Ok(Cond::True),
            _ => Ok(Cond::False),
        },
    }
}

/// A comparison whose left side is the same on every resource, decided here.
fn fixed_compare<F>(
    fixed: &Literal,
    op: CompareOp,
    value: &Literal,
) -> Result<Cond<F>, &'static str> {
    let holds = match (fixed, value) {
        (Literal::Bool(a), Literal::Bool(b)) => match op {
            CompareOp::Eq => a == b,
            CompareOp::Ne => a != b,
            _ => return Err("booleans compare only with eq or ne"),
        },
        (Literal::Str(a), Literal::Str(b)) => {
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            match op {
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
                CompareOp::Co => a.contains(&b),
                CompareOp::Sw => a.starts_with(&b),
                CompareOp::Ew => a.ends_with(&b),
                CompareOp::Gt => a > b,
                CompareOp::Ge => a >= b,
                CompareOp::Lt => a < b,
                CompareOp::Le => a <= b,
            }
        }
        _ => return Err("the value has the wrong type"),
    };
    Ok(if holds { Cond::True } else { Cond::False })
}

fn present<F>(target: Target<F>) -> Cond<F> {
    match target {
        Target::Text(f) | Target::Ref(f) => Cond::Present(f),
        Target::Id(_) | Target::Time(_) | Target::Bool(_) | Target::Fixed(_) => Cond::True,
        Target::Absent => Cond::False,
    }
}

/// Where an attribute (within a value path's attribute, if any) is stored.
type Resolve<F> = dyn Fn(Option<&str>, &AttrPath) -> Result<Target<F>, ScimError>;

/// Walks a filter, asking `resolve` where each (value-path context, attribute) lives.
fn translate<F: Copy>(
    f: &Filter,
    within: Option<&str>,
    resolve: &Resolve<F>,
) -> Result<Cond<F>, ScimError> {
    Ok(match f {
        Filter::And(a, b) => Cond::And(
            Box::new(translate(a, within, resolve)?),
            Box::new(translate(b, within, resolve)?),
        ),
        Filter::Or(a, b) => Cond::Or(
            Box::new(translate(a, within, resolve)?),
            Box::new(translate(b, within, resolve)?),
        ),
        Filter::Not(a) => Cond::Not(Box::new(translate(a, within, resolve)?)),
        Filter::Present(p) => present(resolve(within, p)?),
        Filter::Compare { path, op, value } => {
            compare(resolve(within, path)?, *op, value, &path.dotted())?
        }
        Filter::ValuePath { attr, filter } => {
            if within.is_some() || attr.sub.is_some() {
                return Err(ScimError::invalid_filter("value filters do not nest"));
            }
            translate(filter, Some(&attr.name), resolve)?
        }
    })
}

const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:user";
const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:group";

fn check_uri(path: &AttrPath, urn: &str) -> Result<(), ScimError> {
    match &path.uri {
        Some(u) if !u.eq_ignore_ascii_case(urn) => Err(unknown(path)),
        _ => Ok(()),
    }
}

fn user_target(within: Option<&str>, p: &AttrPath) -> Result<Target<UserField>, ScimError> {
    use UserField as U;
    check_uri(p, USER_URN)?;
    let (name, sub) = match within {
        Some(outer) if p.sub.is_none() => (outer, Some(p.name.as_str())),
        Some(_) => return Err(unknown(p)),
        None => (p.name.as_str(), p.sub.as_deref()),
    };
    Ok(match (name, sub) {
        ("id", None) => Target::Id(U::Id),
        ("username", None) => Target::Text(U::Username),
        ("displayname", None) | ("name", Some("formatted")) => Target::Text(U::Name),
        ("emails", None | Some("value")) => Target::Text(U::Email),
        ("emails", Some("type")) => Target::Fixed(Literal::Str("work".into())),
        ("emails", Some("primary")) => Target::Fixed(Literal::Bool(true)),
        ("photos", None | Some("value")) => Target::Text(U::AvatarUrl),
        ("photos", Some("type")) => Target::Fixed(Literal::Str("photo".into())),
        ("active", None) => Target::Bool(U::Active),
        ("externalid", None) => Target::Text(U::ExternalId),
        ("name", Some("givenname" | "familyname" | "middlename")) => Target::Absent,
        ("meta", Some("created")) => Target::Time(U::CreatedAt),
        ("meta", Some("lastmodified")) => Target::Time(U::UpdatedAt),
        ("meta", Some("resourcetype")) => Target::Fixed(Literal::Str("User".into())),
        _ => return Err(unknown(p)),
    })
}

fn group_target(within: Option<&str>, p: &AttrPath) -> Result<Target<GroupField>, ScimError> {
    use GroupField as G;
    check_uri(p, GROUP_URN)?;
    let (name, sub) = match within {
        Some(outer) if p.sub.is_none() => (outer, Some(p.name.as_str())),
        Some(_) => return Err(unknown(p)),
        None => (p.name.as_str(), p.sub.as_deref()),
    };
    Ok(match (name, sub) {
        ("id", None) => Target::Id(G::Id),
        ("displayname", None) => Target::Text(G::Name),
        ("externalid", None) => Target::Text(G::ExternalId),
        ("members", None | Some("value")) => Target::Ref(G::Member),
        ("meta", Some("created")) => Target::Time(G::CreatedAt),
        ("meta", Some("lastmodified")) => Target::Time(G::UpdatedAt),
        ("meta", Some("resourcetype")) => Target::Fixed(Literal::Str("Group".into())),
        _ => return Err(unknown(p)),
    })
}

pub fn user_condition(f: Option<&Filter>) -> Result<Cond<UserField>, ScimError> {
    f.map_or(Ok(Cond::True), |f| translate(f, None, &user_target))
}

pub fn group_condition(f: Option<&Filter>) -> Result<Cond<GroupField>, ScimError> {
    let cond = f.map_or(Ok(Cond::True), |f| translate(f, None, &group_target))?;
    check_members(&cond)?;
    Ok(cond)
}

/// `members` compares by equality only (`members[value eq "5"]`, `members pr`).
fn check_members(c: &Cond<GroupField>) -> Result<(), ScimError> {
    match c {
        Cond::Cmp(GroupField::Member, op, _) if !matches!(op, Op::Eq | Op::Ne) => Err(
            ScimError::invalid_filter("members compare only with eq or ne"),
        ),
        Cond::And(a, b) | Cond::Or(a, b) => {
            check_members(a)?;
            check_members(b)
        }
        Cond::Not(a) => check_members(a),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(f: &str) -> Result<Cond<UserField>, ScimError> {
        user_condition(Some(&filter::parse(f).unwrap()))
    }

    #[test]
    fn filters_become_conditions_on_columns() {
        assert_eq!(
            user(r#"userName eq "Bob""#).unwrap(),
            Cond::Cmp(UserField::Username, Op::Eq, Operand::Text("Bob".into()))
        );
        assert_eq!(
            user(r#"emails[type eq "work" and value ew "@x.org"]"#).unwrap(),
            Cond::And(
                Box::new(Cond::True),
                Box::new(Cond::Cmp(
                    UserField::Email,
                    Op::Ew,
                    Operand::Text("@x.org".into())
                ))
            )
        );
        assert_eq!(user(r#"id eq "abc""#).unwrap(), Cond::False);
        assert_eq!(
            user("displayName eq null").unwrap(),
            Cond::Not(Box::new(Cond::Present(UserField::Name)))
        );
    }

    #[test]
    fn unknown_attributes_and_wrong_types_are_invalid_filters() {
        for bad in [
            r#"nickName eq "x""#,
            r#"urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x""#,
            r#"userName eq 5"#,
            r#"active gt true"#,
            r#"meta.lastModified gt "yesterday""#,
            r#"emails[value eq "a" and emails[type eq "b"]]"#,
        ] {
            let f = filter::parse(bad).unwrap();
            let e = user_condition(Some(&f)).unwrap_err();
            assert_eq!(e.scim_type, Some("invalidFilter"), "{bad}");
        }
        let f = filter::parse(r#"members gt "3""#).unwrap();
        assert!(group_condition(Some(&f)).is_err());
    }
}
