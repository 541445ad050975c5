//! Each resource as the JSON object clients see (IDs as strings, RFC 3339 UTC times).

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;

use super::envelope::Obj;
use crate::db::barriers::Barrier;
use crate::db::groups::Group;
use crate::db::instances::Instance;
use crate::db::keys::ApiKey;
use crate::db::listing::{SortField, SortValue};
use crate::db::memberships::Membership;
use crate::db::users::User;
use crate::domain::{ser_id, Permissions, Rfc3339};

// Each resource's JSON, serialized straight from the row (field order is the order
// clients see).

#[derive(Serialize)]
struct InstanceJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    name: &'a str,
    description: &'a str,
    created_at: Rfc3339,
    updated_at: Rfc3339,
}

#[derive(Serialize)]
struct ApiKeyJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    role: &'a str,
    user_id: Option<IdStr>,
    description: Option<&'a str>,
    prefix: &'a str,
    created_at: Rfc3339,
    revoked_at: Option<Rfc3339>,
}

#[derive(Serialize)]
struct UserJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    username: &'a str,
    name: Option<&'a str>,
    email: Option<&'a str>,
    avatar_url: Option<&'a str>,
    principal: &'a str,
    created_at: Rfc3339,
    updated_at: Rfc3339,
}

#[derive(Serialize)]
struct GroupJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    name: &'a str,
    description: Option<&'a str>,
    created_at: Rfc3339,
    updated_at: Rfc3339,
}

#[derive(Serialize)]
struct MembershipJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    #[serde(serialize_with = "ser_id")]
    user_id: i64,
    #[serde(serialize_with = "ser_id")]
    group_id: i64,
    role: &'a str,
    configurable_permissions: Value,
    created_at: Rfc3339,
    updated_at: Rfc3339,
}

#[derive(Serialize)]
struct BarrierJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    group_ids: [IdStr; 2],
    description: Option<&'a str>,
    created_at: Rfc3339,
}

/// An ID inside an `Option` or an array, as a string.
struct IdStr(i64);

impl Serialize for IdStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_id(&self.0, s)
    }
}

fn at(t: impl Into<NaiveDateTime>) -> Rfc3339 {
    Rfc3339(t.into())
}

pub fn instance(i: &Instance) -> Obj {
    Obj::render(&InstanceJson {
        id: i.id,
        name: &i.name,
        description: &i.description,
        created_at: at(i.created_at),
        updated_at: at(i.updated_at),
    })
}

pub fn api_key(k: &ApiKey) -> Obj {
    Obj::render(&ApiKeyJson {
        id: k.id,
        role: &k.role,
        user_id: k.user_id.map(IdStr),
        description: k.description.as_deref(),
        prefix: &k.prefix,
        created_at: at(k.created_at),
        revoked_at: k.revoked_at.map(Rfc3339),
    })
}

pub fn user(u: &User) -> Obj {
    Obj::render(&UserJson {
        id: u.id,
        username: &u.username,
        name: u.name.as_deref(),
        email: u.email.as_deref(),
        avatar_url: u.avatar_url.as_deref(),
        principal: &u.principal,
        created_at: at(u.created_at),
        updated_at: at(u.updated_at),
    })
}

pub fn group(g: &Group) -> Obj {
    Obj::render(&GroupJson {
        id: g.id,
        name: &g.name,
        description: g.description.as_deref(),
        created_at: at(g.created_at),
        updated_at: at(g.updated_at),
    })
}

pub fn membership(m: &Membership) -> Obj {
    Obj::render(&MembershipJson {
        id: m.id,
        user_id: m.user_id,
        group_id: m.group_id,
        role: &m.role,
        configurable_permissions: Permissions::from_stored(m.configurable_permissions.as_deref())
            .to_json(),
        created_at: at(m.created_at),
        updated_at: at(m.updated_at),
    })
}

pub fn barrier(b: &Barrier) -> Obj {
    Obj::render(&BarrierJson {
        id: b.id,
        group_ids: [IdStr(b.group_a_id), IdStr(b.group_b_id)],
        description: b.description.as_deref(),
        created_at: at(b.created_at),
    })
}

fn time(t: impl Into<chrono::NaiveDateTime>) -> SortValue {
    SortValue::Time(t.into())
}

/// A stored row as the API shows it: its ID, its JSON, its position in an order.
pub trait Row {
    const PLURAL: &'static str;
    fn id(&self) -> i64;
    fn render(&self) -> Obj;
    fn sort_value(&self, field: SortField) -> SortValue;
}

macro_rules! row {
    ($t:ty, $plural:literal, $render:ident, $name:expr, $updated:expr) => {
        impl Row for $t {
            const PLURAL: &'static str = $plural;
            fn id(&self) -> i64 {
                self.id
            }
            fn render(&self) -> Obj {
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
