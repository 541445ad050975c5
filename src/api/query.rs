//! Query parameters: include, fields, filters, order, paging and the cursor (API.md §5).

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::db::listing::{After, Common, SortField, SortValue, Window};
use crate::domain::{parse_id_str, parse_timestamp};
use crate::error::ApiError;

pub use crate::domain::limits::{DEFAULT_PER_PAGE, MAX_IDS, MAX_OFFSET, MAX_PER_PAGE};

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

/// The raw query string as a map; a parameter given twice is a 400.
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
            if map.contains_key(&k) {
                return Err(ApiError::bad_param(
                    &k,
                    format!("query parameter {k} is given more than once"),
                ));
            }
            map.insert(k, v);
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

    fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
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

    fn time(&self, name: &str) -> Result<Option<chrono::NaiveDateTime>, ApiError> {
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

/// The opaque position after the last row of a page, in the page's order.
pub struct Cursor {
    pub field: SortField,
    pub desc: bool,
    pub after: After,
}

fn field_name(f: SortField) -> &'static str {
    match f {
        SortField::Id => "id",
        SortField::CreatedAt => "created_at",
        SortField::UpdatedAt => "updated_at",
        SortField::Name => "name",
    }
}

impl Cursor {
    pub fn encode(&self) -> String {
        let v = match &self.after.value {
            SortValue::Id => Value::Null,
            SortValue::Time(t) => json!(t.and_utc().timestamp_micros()),
            SortValue::Text(s) => json!(s),
        };
        let raw = json!({"f": field_name(self.field), "d": self.desc, "v": v, "i": self.after.id});
        URL_SAFE_NO_PAD.encode(raw.to_string())
    }

    pub fn decode(token: &str, spec: &ListSpec) -> Result<Self, ApiError> {
        let bad = || {
            ApiError::bad_param(
                "cursor",
                "cursor is not valid for this list; use meta.next_cursor as given",
            )
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim_end_matches('='))
            .map_err(|_| bad())?;
        let raw: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let field = raw
            .get("f")
            .and_then(Value::as_str)
            .and_then(SortField::parse)
            .ok_or_else(bad)?;
        let allowed = order_fields(spec);
        let field_ok = match field {
            SortField::Id | SortField::CreatedAt => true,
            SortField::UpdatedAt => spec.has_updated,
            SortField::Name => spec.name_field.is_some(),
        };
        if !field_ok || allowed.is_empty() {
            return Err(bad());
        }
        let desc = raw.get("d").and_then(Value::as_bool).ok_or_else(bad)?;
        let id = raw
            .get("i")
            .and_then(Value::as_i64)
            .filter(|i| *i >= 0)
            .ok_or_else(bad)?;
        let v = raw.get("v").ok_or_else(bad)?;
        let value = match field {
            SortField::Id => SortValue::Id,
            SortField::CreatedAt | SortField::UpdatedAt => {
                let micros = v.as_i64().ok_or_else(bad)?;
                SortValue::Time(
                    chrono::DateTime::from_timestamp_micros(micros)
                        .ok_or_else(bad)?
                        .naive_utc(),
                )
            }
            SortField::Name => SortValue::Text(v.as_str().ok_or_else(bad)?.to_string()),
        };
        Ok(Self {
            field,
            desc,
            after: After { value, id },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec = ListSpec {
        filters: &["username"],
        name_field: Some("username"),
        has_updated: true,
        includes: &["memberships"],
        fields: &["username", "name"],
    };

    #[test]
    fn defaults_and_limits() {
        let p = Params::parse("").unwrap().list(&SPEC).unwrap();
        assert_eq!(
            (p.per_page, p.window.offset, p.page_number),
            (20, 0, Some(1))
        );
        assert!(Params::parse("per_page=201").unwrap().list(&SPEC).is_err());
        assert!(Params::parse("per_page=0").unwrap().list(&SPEC).is_err());
        assert!(Params::parse("page=501&per_page=20")
            .unwrap()
            .list(&SPEC)
            .is_ok());
        assert!(Params::parse("page=502&per_page=20")
            .unwrap()
            .list(&SPEC)
            .is_err());
        assert!(Params::parse("bogus=1").unwrap().list(&SPEC).is_err());
        assert!(Params::parse("include=nope").unwrap().list(&SPEC).is_err());
        assert!(Params::parse("order=email:asc")
            .unwrap()
            .list(&SPEC)
            .is_err());
        assert!(Params::parse("ids=1,x").unwrap().list(&SPEC).is_err());
        // Lists name every item exactly: no empty or padded items (Schemathesis).
        for bad in [
            "ids=",
            "ids=1,,2",
            "ids=1,%202",
            "include=",
            "include=memberships,",
            "include=%20memberships",
            "fields=",
            "fields=username,,name",
        ] {
            assert!(Params::parse(bad).unwrap().list(&SPEC).is_err(), "{bad}");
        }
        assert!(
            Params::parse("ids=1,2&include=memberships&fields=username,name")
                .unwrap()
                .list(&SPEC)
                .is_ok()
        );
        assert!(Params::parse("a=1&a=2").is_err());
        assert!(Params::parse("username=a%00b").is_err());
        assert!(Params::parse("a%00=1").is_err());
    }

    #[test]
    fn cursor_round_trip() {
        let c = Cursor {
            field: SortField::Name,
            desc: true,
            after: After {
                value: SortValue::Text("geralt".into()),
                id: 7,
            },
        };
        let back = Cursor::decode(&c.encode(), &SPEC).unwrap();
        assert_eq!(
            (back.field, back.desc, back.after),
            (c.field, c.desc, c.after)
        );
        assert!(Cursor::decode("garbage", &SPEC).is_err());
    }
}
