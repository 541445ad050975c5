//! Query parameters: include, fields, filters, order, paging and the cursor (API.md §5).

mod cursor;

use std::collections::HashMap;

use crate::db::listing::{Common, SortField, Window};
use crate::domain::{parse_id_str, parse_timestamp};
use crate::error::ApiError;

pub use crate::domain::limits::{DEFAULT_PER_PAGE, MAX_IDS, MAX_OFFSET, MAX_PER_PAGE};
pub use cursor::Cursor;

/// What a resource's list accepts.
pub struct ListSpec {
    /// Filters besides `ids`, `created_after` and `updated_after`.
    pub filters: &'static [&'static str],
    /// `order` fields besides `id`, `created_at` (and `updated_at` where `has_updated`).
    pub name_field: Option<&'static str>,
    pub has_updated: bool,
    pub includes: &'static [&'static str],
    pub fields: &'static [&'static str],
}

const LIST_PARAMS: &[&str] = &[
    "ids",
    "created_after",
    "updated_after",
    "order",
    "page",
    "per_page",
    "cursor",
    "include",
    "fields",
];

/// The parameters that take a comma-separated list. Given more than once, their lists
/// are merged (`include=user&include=group` is `include=user,group`), which is how most
/// generated clients send an array (OpenAPI's default `style: form, explode: true`).
pub const ARRAY_PARAMS: &[&str] = &["ids", "include", "fields"];

/// The raw query string as a map: the values of an array parameter given more than once
/// joined with commas; any other parameter given twice is a 400.
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::bad_request("the query string is malformed"))?;
        let mut map = HashMap::new();
        for (k, v) in pairs {
            if k.contains('\0') || v.contains('\0') {
                return Err(ApiError::bad_param(
                    &k,
                    "query parameters must not contain the NUL character (U+0000)",
                ));
            }
            match map.get_mut(&k) {
                None => {
                    map.insert(k, v);
                }
                Some(list) if ARRAY_PARAMS.contains(&k.as_str()) => {
                    let list: &mut String = list;
                    list.push(',');
                    list.push_str(&v);
                }
                Some(_) => {
                    return Err(ApiError::bad_param(
                        &k,
                        format!("query parameter {k} is given more than once"),
                    ))
                }
            }
        }
        Ok(Self(map))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// 400 for any parameter not in `allowed`.
    pub fn only(&self, allowed: &[&[&str]]) -> Result<(), ApiError> {
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        for name in names {
            if !allowed.iter().any(|set| set.contains(&name.as_str())) {
                return Err(ApiError::bad_param(
                    name,
                    format!("unknown query parameter {name}"),
                ));
            }
        }
        Ok(())
    }

    /// `include=a,b`: each must be one of `allowed`; unknown names are a 400.
    pub fn includes(&self, allowed: &[&'static str]) -> Result<Vec<&'static str>, ApiError> {
        let Some(raw) = self.get("include") else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for name in raw.split(',') {
            let known = allowed.iter().find(|a| **a == name).ok_or_else(|| {
                let hint = if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                };
                ApiError::bad_param(
                    "include",
                    format!("unknown include {name:?}; allowed: {hint}"),
                )
            })?;
            if !out.contains(known) {
                out.push(*known);
            }
        }
        Ok(out)
    }

    /// `fields=a,b`: the attributes to keep (`id` always kept).
    pub fn fields(&self, allowed: &[&str]) -> Result<Option<Vec<String>>, ApiError> {
        let Some(raw) = self.get("fields") else {
            return Ok(None);
        };
        let mut out = vec!["id".to_string()];
        for name in raw.split(',') {
            if !allowed.contains(&name) {
                return Err(ApiError::bad_param(
                    "fields",
                    format!("unknown field {name:?}; allowed: {}", allowed.join(", ")),
                ));
            }
            if !out.iter().any(|f| f == name) {
                out.push(name.to_string());
            }
        }
        Ok(Some(out))
    }

    pub fn id(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                parse_id_str(v).ok_or_else(|| {
                    ApiError::bad_param(name, format!("{name} must be a positive integer ID"))
                })
            })
            .transpose()
    }

    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_param(
                            name,
                            format!("{name} must be an integer from {min} to {max}"),
                        )
                    })
            })
            .transpose()
    }

    pub fn time(&self, name: &str) -> Result<Option<chrono::NaiveDateTime>, ApiError> {
        self.get(name)
            .map(|v| {
                parse_timestamp(v).ok_or_else(|| {
                    ApiError::bad_param(name, format!("{name} must be an RFC 3339 timestamp"))
                })
            })
            .transpose()
    }

    /// Everything a list takes. Resource filters are returned raw for the resource to parse.
    pub fn list(&self, spec: &ListSpec) -> Result<ListParams, ApiError> {
        self.only(&[LIST_PARAMS, spec.filters])?;
        let ids = self
            .get("ids")
            .map(|raw| {
                let ids = raw
                    .split(',')
                    .map(|s| {
                        parse_id_str(s).ok_or_else(|| {
                            ApiError::bad_param(
                                "ids",
                                "ids must be comma-separated positive integer IDs",
                            )
                        })
                    })
                    .collect::<Result<Vec<i64>, _>>()?;
                if ids.len() > MAX_IDS {
                    return Err(ApiError::bad_param(
                        "ids",
                        format!("ids may name at most {MAX_IDS} IDs"),
                    ));
                }
                Ok(ids)
            })
            .transpose()?;
        let common = Common {
            ids,
            created_after: self.time("created_after")?,
            updated_after: self.time("updated_after")?,
        };
        if !spec.has_updated && common.updated_after.is_some() {
            return Err(ApiError::bad_param(
                "updated_after",
                "this resource has no updated_at",
            ));
        }
        let per_page = self
            .int("per_page", 1, MAX_PER_PAGE)?
            .unwrap_or(DEFAULT_PER_PAGE);
        let order = self
            .get("order")
            .map(|o| parse_order(o, spec))
            .transpose()?;
        let (field, desc, after, page_number) = match self.get("cursor") {
            Some(token) => {
                if self.get("page").is_some() {
                    return Err(ApiError::bad_param(
                        "cursor",
                        "give either page or cursor, not both",
                    ));
                }
                let cursor = Cursor::decode(token, spec)?;
                if order.is_some_and(|(f, d)| (f, d) != (cursor.field, cursor.desc)) {
                    return Err(ApiError::bad_param(
                        "order",
                        "order must match the cursor's order (or be left out)",
                    ));
                }
                (cursor.field, cursor.desc, Some(cursor.after), None)
            }
            None => {
                let (field, desc) = order.unwrap_or((SortField::Id, false));
                (
                    field,
                    desc,
                    None,
                    Some(self.int("page", 1, i64::MAX / MAX_PER_PAGE)?.unwrap_or(1)),
                )
            }
        };
        let offset = (page_number.unwrap_or(1) - 1) * per_page;
        if offset > MAX_OFFSET {
            return Err(ApiError::bad_param(
                "page",
                format!("the offset (page - 1) * per_page may be at most {MAX_OFFSET}; use the cursor (meta.next_cursor) to go deeper"),
            ));
        }
        Ok(ListParams {
            common,
            window: Window {
                field,
                desc,
                after,
                offset,
                limit: per_page,
            },
            page_number,
            per_page,
            includes: self.includes(spec.includes)?,
            fields: self.fields(spec.fields)?,
        })
    }
}

fn parse_order(raw: &str, spec: &ListSpec) -> Result<(SortField, bool), ApiError> {
    let (name, dir) = raw.split_once(':').unwrap_or((raw, "asc"));
    let desc = match dir {
        "asc" => false,
        "desc" => true,
        _ => {
            return Err(ApiError::bad_param(
                "order",
                "order must be field:asc or field:desc",
            ))
        }
    };
    let allowed = order_fields(spec);
    if !allowed.contains(&name) {
        return Err(ApiError::bad_param(
            "order",
            format!("cannot order by {name:?}; allowed: {}", allowed.join(", ")),
        ));
    }
    SortField::parse(name)
        .map(|f| (f, desc))
        .ok_or_else(|| ApiError::bad_param("order", format!("cannot order by {name:?}")))
}

fn order_fields(spec: &ListSpec) -> Vec<&'static str> {
    let mut v = vec!["id", "created_at"];
    if spec.has_updated {
        v.push("updated_at");
    }
    if let Some(n) = spec.name_field {
        v.push(n);
    }
    v
}

/// A parsed list request.
pub struct ListParams {
    pub common: Common,
    pub window: Window,
    /// `None` when the page was asked for by cursor.
    pub page_number: Option<i64>,
    pub per_page: i64,
    pub includes: Vec<&'static str>,
    pub fields: Option<Vec<String>>,
}

#[cfg(test)]
mod tests;
