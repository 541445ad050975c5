//! Each resource as the JSON object clients see (IDs as strings, RFC 3339 UTC times).

use serde_json::{json, Map, Value};

use crate::db::barriers::Barrier;
use crate::db::groups::Group;
use crate::db::instances::Instance;
use crate::db::keys::ApiKey;
use crate::db::listing::{SortField, SortValue};
use crate::db::memberships::Membership;
use crate::db::users::User;
use crate::domain::{id_json, opt_timestamp_json, timestamp_json, Permissions};

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

pub fn instance(i: &Instance) -> Map<String, Value> {
    object(json!({
        "id": id_json(i.id),
        "name": i.name,
        "description": i.description,
        "created_at": timestamp_json(i.created_at),
        "updated_at": timestamp_json(i.updated_at),
    }))
}

pub fn api_key(k: &ApiKey) -> Map<String, Value> {
    object(json!({
        "id": id_json(k.id),
        "role": k.role,
        "user_id": k.user_id.map(id_json),
        "description": k.description,
        "prefix": k.prefix,
        "created_at": timestamp_json(k.created_at),
        "revoked_at": opt_timestamp_json(k.revoked_at),
    }))
}

pub fn user(u: &User) -> Map<String, Value> {
    object(json!({
        "id": id_json(u.id),
        "username": u.username,
        "name": u.name,
        "email": u.email,
        "avatar_url": u.avatar_url,
        "principal": u.principal,
        "created_at": timestamp_json(u.created_at),
        "updated_at": timestamp_json(u.updated_at),
    }))
}

pub fn group(g: &Group) -> Map<String, Value> {
    object(json!({
        "id": id_json(g.id),
        "name": g.name,
        "description": g.description,
        "created_at": timestamp_json(g.created_at),
        "updated_at": timestamp_json(g.updated_at),
    }))
}

pub fn membership(m: &Membership) -> Map<String, Value> {
    object(json!({
        "id": id_json(m.id),
        "user_id": id_json(m.user_id),
        "group_id": id_json(m.group_id),
        "role": m.role,
        "configurable_permissions": Permissions::from_stored(m.configurable_permissions.as_deref()).to_json(),
        "created_at": timestamp_json(m.created_at),
        "updated_at": timestamp_json(m.updated_at),
    }))
}

pub fn barrier(b: &Barrier) -> Map<String, Value> {
    object(json!({
        "id": id_json(b.id),
        "group_ids": [id_json(b.group_a_id), id_json(b.group_b_id)],
        "description": b.description,
        "created_at": timestamp_json(b.created_at),
    }))
}

fn time(t: impl Into<chrono::NaiveDateTime>) -> SortValue {
    SortValue::Time(t.into())
}

/// A stored row as the API shows it: its ID, its JSON, its position in an order.
pub trait Row {
    const PLURAL: &'static str;
    fn id(&self) -> i64;
    fn render(&self) -> Map<String, Value>;
    fn sort_value(&self, field: SortField) -> SortValue;
}

macro_rules! row {
    ($t:ty, $plural:literal, $render:ident, $name:expr, $updated:expr) => {
        impl Row for $t {
            const PLURAL: &'static str = $plural;
            fn id(&self) -> i64 {
                self.id
            }
            fn render(&self) -> Map<String, Value> {
                $render(self)
            }
            fn sort_value(&self, field: SortField) -> SortValue {
                let name: fn(&$t) -> SortValue = $name;
                let updated: fn(&$t) -> SortValue = $updated;
                match field {
                    SortField::Id => SortValue::Id,
                    SortField::CreatedAt => time(self.created_at),
                    SortField::UpdatedAt => updated(self),
                    SortField::Name => name(self),
                }
            }
        }
    };
}

row!(
    Instance,
    "instances",
    instance,
    |r| SortValue::Text(r.name.clone()),
    |r| time(r.updated_at)
);
row!(
    ApiKey,
    "api_keys",
    api_key,
    |r| SortValue::Text(r.prefix.clone()),
    |r| time(r.created_at)
);
row!(
    User,
    "users",
    user,
    |r| SortValue::Text(r.username.clone()),
    |r| time(r.updated_at)
);
row!(
    Group,
    "groups",
    group,
    |r| SortValue::Text(r.name.clone()),
    |r| time(r.updated_at)
);
row!(
    Membership,
    "memberships",
    membership,
    |r| time(r.created_at),
    |r| time(r.updated_at)
);
row!(Barrier, "barriers", barrier, |r| time(r.created_at), |r| {
    time(r.created_at)
});
