//! What every list query shares: common filters, order, offset or keyset window.

use chrono::NaiveDateTime;

/// A field a list may be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Id,
    CreatedAt,
    UpdatedAt,
    /// `username` for users, `name` for groups and instances.
    Name,
}

impl SortField {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "id" => Some(Self::Id),
            "created_at" => Some(Self::CreatedAt),
            "updated_at" => Some(Self::UpdatedAt),
            "name" | "username" => Some(Self::Name),
            _ => None,
        }
    }
}

/// The value of the sort field in the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Id,
    Time(NaiveDateTime),
    Text(String),
}

/// Where the next page starts: strictly after (value, id) in the list's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub value: SortValue,
    pub id: i64,
}

#[derive(Debug, Clone)]
pub struct Window {
    pub field: SortField,
    pub desc: bool,
    pub after: Option<After>,
    pub offset: i64,
    pub limit: i64,
}

/// Filters every list takes.
#[derive(Debug, Clone, Default)]
pub struct Common {
    pub ids: Option<Vec<i64>>,
    pub created_after: Option<NaiveDateTime>,
    pub updated_after: Option<NaiveDateTime>,
}

impl Common {
    /// Filters that match no row (a list the caller may see none of).
    pub fn nothing() -> Self {
        Self {
            ids: Some(Vec::new()),
            ..Self::default()
        }
    }
}

/// A page of rows, the number of matches, and whether more rows follow.
#[derive(Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub has_more: bool,
}

impl<T> Page<T> {
    /// Trims the one extra row fetched to learn whether more follow.
    pub fn from_rows(mut rows: Vec<T>, total: i64, limit: i64) -> Self {
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        Self {
            rows,
            total,
            has_more,
        }
    }
}

/// Applies `ids`, `created_after` and `updated_after` to a boxed query of table `$t`.
#[macro_export]
macro_rules! apply_common {
    ($q:ident, $t:ident, $common:expr) => {{
        if let Some(ids) = &$common.ids {
            $q = $q.filter($t::id.eq_any(ids.clone()));
        }
        if let Some(t) = $common.created_after {
            $q = $q.filter($t::created_at.gt(t));
        }
        if let Some(t) = $common.updated_after {
            $q = $q.filter($t::updated_at.gt(t));
        }
    }};
}

/// The sort value of a cursor as a time (for time-ordered fields).
pub fn sort_time(v: &SortValue) -> NaiveDateTime {
    match v {
        SortValue::Time(t) => *t,
        _ => NaiveDateTime::MIN,
    }
}

/// The sort value of a cursor as text (for name-ordered fields).
pub fn sort_text(v: &SortValue) -> String {
    match v {
        SortValue::Text(s) => s.clone(),
        _ => String::new(),
    }
}

/// Orders a boxed query by the window's field (then id) and applies the keyset
/// condition of its cursor. `$name` is the column `SortField::Name` maps to and
/// `$name_value` reads a cursor value for it (`sort_text` or `sort_time`).
#[macro_export]
macro_rules! apply_window {
    ($q:ident, $w:expr, $id:expr, $created:expr, $updated:expr, $name:expr, $name_value:path) => {{
        use $crate::db::listing::{sort_time, SortField};
        macro_rules! by {
            ($col:expr, $v:expr) => {{
                match (&$w.after, $w.desc) {
                    (Some(a), false) => {
                        let v = $v(&a.value);
                        $q = $q.filter($col.gt(v.clone()).or($col.eq(v).and($id.gt(a.id))));
                    }
                    (Some(a), true) => {
                        let v = $v(&a.value);
                        $q = $q.filter($col.lt(v.clone()).or($col.eq(v).and($id.lt(a.id))));
                    }
                    (None, _) => {}
                }
                $q = if $w.desc {
                    $q.order(($col.desc(), $id.desc()))
                } else {
                    $q.order(($col.asc(), $id.asc()))
                };
            }};
        }
        match $w.field {
            SortField::Id => {
                match (&$w.after, $w.desc) {
                    (Some(a), false) => $q = $q.filter($id.gt(a.id)),
                    (Some(a), true) => $q = $q.filter($id.lt(a.id)),
                    (None, _) => {}
                }
                $q = if $w.desc {
                    $q.order($id.desc())
                } else {
                    $q.order($id.asc())
                };
            }
            SortField::CreatedAt => by!($created, sort_time),
            SortField::UpdatedAt => by!($updated, sort_time),
            SortField::Name => by!($name, $name_value),
        }
        if $w.offset > 0 {
            $q = $q.offset($w.offset);
        }
        $q = $q.limit($w.limit + 1);
    }};
}
