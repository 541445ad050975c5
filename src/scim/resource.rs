//! Users and groups as SCIM resources (RFC 7643 §4, API.md §12), their `meta` and
//! ETag, and the `attributes` / `excludedAttributes` projection (RFC 7644 §3.9).

use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};

use super::filter::parse_attr_path;
use crate::db::group_members::Member;
use crate::db::groups::Group;
use crate::db::users::User;
use crate::domain::Rfc3339;
use crate::service::provisioning::version;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// The weak ETag of an object last changed at `updated_at` (`meta.version`).
pub fn etag(updated_at: NaiveDateTime) -> String {
    format!("W/\"{}\"", version(updated_at))
}

fn time(t: NaiveDateTime) -> Value {
    json!(Rfc3339(t).to_string())
}

fn meta(kind: &str, location: String, created: NaiveDateTime, updated: NaiveDateTime) -> Value {
    json!({
        "resourceType": kind,
        "created": time(created),
        "lastModified": time(updated),
        "location": location,
        "version": etag(updated),
    })
}

pub fn user_location(base: &str, id: impl std::fmt::Display) -> String {
    format!("{base}/Users/{id}")
}

pub fn group_location(base: &str, id: impl std::fmt::Display) -> String {
    format!("{base}/Groups/{id}")
}

pub fn user_json(base: &str, u: &User) -> Value {
    let mut o = Map::new();
    o.insert("schemas".into(), json!([USER_SCHEMA]));
    o.insert("id".into(), json!(u.id.to_string()));
    if let Some(x) = &u.external_id {
        o.insert("externalId".into(), json!(x));
    }
    o.insert("userName".into(), json!(u.username));
    if let Some(name) = &u.name {
        o.insert("name".into(), json!({ "formatted": name }));
        o.insert("displayName".into(), json!(name));
    }
    if let Some(email) = &u.email {
        // Only the value is stored (not its type or primary flag), so only it is shown.
        o.insert("emails".into(), json!([{ "value": email }]));
    }
    if let Some(url) = &u.avatar_url {
        o.insert("photos".into(), json!([{ "value": url }]));
    }
    o.insert("active".into(), json!(u.active));
    o.insert(
        "meta".into(),
        meta(
            "User",
            user_location(base, u.id),
            u.created_at.0,
            u.updated_at.0,
        ),
    );
    Value::Object(o)
}

/// A group; `members` when they were loaded (`None`: left out by the request), with
/// each member's `display` (its username) when `display` (`returned: request`).
pub fn group_json(base: &str, g: &Group, members: Option<&[Member]>, display: bool) -> Value {
    let mut o = Map::new();
    o.insert("schemas".into(), json!([GROUP_SCHEMA]));
    o.insert("id".into(), json!(g.id.to_string()));
    if let Some(x) = &g.external_id {
        o.insert("externalId".into(), json!(x));
    }
    o.insert("displayName".into(), json!(g.name));
    if let Some(members) = members {
        let list: Vec<Value> = members
            .iter()
            .filter(|m| m.group_id == g.id)
            .map(|m| {
                let mut member = json!({
                    "value": m.user_id.to_string(),
                    "type": "User",
                    "$ref": user_location(base, m.user_id),
                });
                if display {
                    member["display"] = json!(m.username);
                }
                member
            })
            .collect();
        o.insert("members".into(), Value::Array(list));
    }
    o.insert(
        "meta".into(),
        meta(
            "Group",
            group_location(base, g.id),
            g.created_at.0,
            g.updated_at.0,
        ),
    );
    Value::Object(o)
}

/// Which attributes a response shows (RFC 7644 §3.9): `id`, `schemas` and `meta` always.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    /// `attributes`: only these (lower-cased `name` or `name.sub`).
    pub only: Option<Vec<String>>,
    /// `excludedAttributes`: all but these.
    pub without: Vec<String>,
}

const ALWAYS: &[&str] = &["id", "schemas", "meta"];

impl Projection {
    /// From the two parameters' comma-separated lists (schema URNs allowed).
    pub fn parse(attributes: Option<&str>, excluded: Option<&str>) -> Self {
        let list = |s: &str| -> Vec<String> {
            s.split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .filter_map(|a| parse_attr_path(a).ok())
                .map(|p| p.dotted())
                .collect()
        };
        Self {
            only: attributes.map(list).filter(|l| !l.is_empty()),
            without: excluded.map(list).unwrap_or_default(),
        }
    }

    /// Whether `attributes` names `name` (lower-cased `a` or `a.b`) itself, as an
    /// attribute returned only on request needs.
    pub fn requests(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_some_and(|only| only.iter().any(|a| a == name))
    }

    /// Whether the response would show attribute `name` (lower-cased, top level).
    pub fn shows(&self, name: &str) -> bool {
        let top = |a: &String| a.split('.').next() == Some(name);
        if self.without.iter().any(|a| a == name) {
            return false;
        }
        match &self.only {
            Some(only) => only.iter().any(top),
            None => true,
        }
    }

    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(o) = resource else {
            return resource;
        };
        let mut out = Map::new();
        for (key, value) in o {
            let lower = key.to_ascii_lowercase();
            if ALWAYS.contains(&lower.as_str()) {
                out.insert(key, value);
                continue;
            }
            if !self.shows(&lower) {
                continue;
            }
            let subs = |list: &[String]| -> Vec<String> {
                list.iter()
                    .filter_map(|a| a.strip_prefix(&format!("{lower}.")).map(str::to_string))
                    .collect()
            };
            let keep = self.only.as_deref().map(subs).unwrap_or_default();
            let drop = subs(&self.without);
            out.insert(key, trim_subs(value, &keep, &drop));
        }
        Value::Object(out)
    }
}

/// Keeps the sub-attributes in `keep` (all when empty) and removes those in `drop`, in
/// an object or in each object of an array.
fn trim_subs(value: Value, keep: &[String], drop: &[String]) -> Value {
    if keep.is_empty() && drop.is_empty() {
        return value;
    }
    let trim = |o: Map<String, Value>| -> Value {
        Value::Object(
            o.into_iter()
                .filter(|(k, _)| {
                    let k = k.to_ascii_lowercase();
                    (keep.is_empty() || keep.contains(&k)) && !drop.contains(&k)
                })
                .collect(),
        )
    };
    match value {
        Value::Object(o) => trim(o),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| match v {
                    Value::Object(o) => trim(o),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_keeps_what_is_asked_and_what_is_always_returned() {
        let r = json!({"schemas": [], "id": "1", "meta": {}, "userName": "a",
                       "name": {"formatted": "A", "givenName": "x"}, "emails": [{"value": "e", "type": "work"}]});
        let p = Projection::parse(Some("userName,name.formatted"), None);
        assert_eq!(
            p.apply(r.clone()),
            json!({"schemas": [], "id": "1", "meta": {}, "userName": "a", "name": {"formatted": "A"}})
        );
        let p = Projection::parse(None, Some("emails.type,name,id"));
        assert_eq!(
            p.apply(r),
            json!({"schemas": [], "id": "1", "meta": {}, "userName": "a", "emails": [{"value": "e"}]})
        );
        let p = Projection::parse(
            None,
            Some("urn:ietf:params:scim:schemas:core:2.0:Group:members"),
        );
        assert!(!p.shows("members"));
        assert!(p.shows("displayname"));
    }
}
