//! What the server sends, as types: one view per resource, built `From` its row and
//! serialized exactly as the server writes it. `render.rs` writes the same JSON by hand
//! (measurably faster), and its property tests hold the two to each other. The views
//! are also the schemas of `/openapi.json` (`api::openapi`), with every field the server
//! always writes required (null where it has no value); `api::openapi::shapes` derives
//! from each the shape of a `fields=` answer (`UserFields`, ...), in which only `id` is.

mod schema;

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{
    KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::domain::limits::{MAX_DESCRIPTION, MAX_NAME, MAX_PERMISSION_KEY, MAX_PERMISSION_KEYS};
use crate::domain::{ser_id, Permissions, Rfc3339};
use crate::service::{barriers, directory, instances, keys, memberships};
pub use schema::{decimal_range_pattern, external_id, integer, pair, string, text, NO_NUL};

// ---- Values ----

/// An ID as the API writes it: a positive 64-bit integer as a string of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Id(pub i64);

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_id(&self.0, s)
    }
}

impl PartialSchema for Id {
    fn schema() -> RefOr<Schema> {
        string()
            .pattern(Some(decimal_range_pattern(i64::MAX as u64)))
            .description(Some(
                "a positive 64-bit integer, written as a string of digits",
            ))
            .examples(["1"])
            .into()
    }
}

impl ToSchema for Id {}

/// An ID in a request: a string of digits or a number (`domain::parse_id`).
pub struct IdInput;

impl PartialSchema for IdInput {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Id::schema())
            .item(integer(1, i64::MAX))
            .description(Some("an ID, as a string or as a number"))
            .into()
    }
}

impl ToSchema for IdInput {}

/// A time as the API writes it: RFC 3339 in UTC (`domain::Rfc3339`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time(pub NaiveDateTime);

impl Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Rfc3339(self.0).serialize(s)
    }
}

impl PartialSchema for Time {
    fn schema() -> RefOr<Schema> {
        string()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("RFC 3339 in UTC"))
            .into()
    }
}

impl ToSchema for Time {}

fn time(t: impl Into<NaiveDateTime>) -> Time {
    Time(t.into())
}

/// Box's configurable permissions of a membership (API.md §2): each key `true` or
/// `false`, omitted keys enabled (`{}` enables every permission); `null` beside it
/// disables every permission. The server enforces `can_manage_members`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigurablePermissions(pub Map<String, Value>);

impl PartialSchema for ConfigurablePermissions {
    fn schema() -> RefOr<Schema> {
        let key = format!("^[a-z][a-z0-9_]{{0,{}}}$", MAX_PERMISSION_KEY - 1);
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(Schema::Object(string().pattern(Some(key)).build())))
            .additional_properties(Some(ObjectBuilder::new().schema_type(Type::Boolean)))
            .max_properties(Some(MAX_PERMISSION_KEYS))
            .description(Some(
                "Box's configurable permissions of an admin member: each key true or false, \
                 omitted keys enabled ({} enables every permission); null instead of the \
                 object disables every permission. The server enforces can_manage_members.",
            ))
            .examples([serde_json::json!({"can_manage_members": true})])
            .into()
    }
}

impl ToSchema for ConfigurablePermissions {}

/// A stored `configurable_permissions` as the API shows it (`Permissions::from_stored`:
/// anything but an object reads as every permission disabled, `null`).
fn permissions(stored: Option<&str>) -> Option<ConfigurablePermissions> {
    match Permissions::from_stored(stored) {
        Permissions::Disabled => None,
        Permissions::Given(map) => Some(ConfigurablePermissions(map)),
    }
}

/// A user: `user` (the default) or `service_account`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Principal {
    User,
    ServiceAccount,
}

/// A membership's role: `member` (the default) or `admin`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Admin,
}

/// What an API key may do: `admin` (everything in its instance) or `user` (act as its
/// user).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyRole {
    Admin,
    User,
}

// ---- Response views ----

/// A person or service account of an instance.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: Id,
    pub username: String,
    #[schema(schema_with = text::<MAX_NAME>, required)]
    pub name: Option<String>,
    #[schema(required)]
    pub email: Option<String>,
    #[schema(required)]
    pub avatar_url: Option<String>,
    #[schema(value_type = Principal)]
    pub principal: String,
    /// False: the user keeps its memberships, but its user keys are refused (401).
    pub active: bool,
    #[schema(schema_with = external_id, required)]
    pub external_id: Option<String>,
    pub created_at: Time,
    pub updated_at: Time,
    /// With `include=memberships`: the user's memberships, sideloaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub membership_ids: Option<Vec<Id>>,
}

impl From<&directory::User> for User {
    fn from(u: &directory::User) -> Self {
        Self {
            id: Id(u.id.get()),
            username: u.username.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            avatar_url: u.avatar_url.clone(),
            principal: u.principal.as_str().to_string(),
            active: u.active,
            external_id: u.external_id.clone(),
            created_at: time(u.created_at),
            updated_at: time(u.updated_at),
            membership_ids: None,
        }
    }
}

/// A group of an instance.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: Id,
    pub name: String,
    #[schema(schema_with = text::<MAX_DESCRIPTION>, required)]
    pub description: Option<String>,
    #[schema(schema_with = external_id, required)]
    pub external_id: Option<String>,
    pub created_at: Time,
    pub updated_at: Time,
    /// With `include=memberships`: the group's memberships, sideloaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub membership_ids: Option<Vec<Id>>,
}

impl From<&directory::Group> for Group {
    fn from(g: &directory::Group) -> Self {
        Self {
            id: Id(g.id.get()),
            name: g.name.clone(),
            description: g.description.clone(),
            external_id: g.external_id.clone(),
            created_at: time(g.created_at),
            updated_at: time(g.updated_at),
            membership_ids: None,
        }
    }
}

/// A user's membership of a group.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    pub id: Id,
    pub user_id: Id,
    pub group_id: Id,
    #[schema(value_type = Role)]
    pub role: String,
    #[schema(required)]
    pub configurable_permissions: Option<ConfigurablePermissions>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<&memberships::Membership> for Membership {
    fn from(m: &memberships::Membership) -> Self {
        Self {
            id: Id(m.id.get()),
            user_id: Id(m.user_id.get()),
            group_id: Id(m.group_id.get()),
            role: m.role.as_str().to_string(),
            configurable_permissions: permissions(m.configurable_permissions.as_deref()),
            created_at: time(m.created_at),
            updated_at: time(m.updated_at),
        }
    }
}

/// An information barrier: two groups no user may be in at once.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Barrier {
    pub id: Id,
    /// The two groups, in ascending order.
    #[schema(schema_with = pair::<Id>)]
    pub group_ids: [Id; 2],
    #[schema(schema_with = text::<MAX_DESCRIPTION>, required)]
    pub description: Option<String>,
    pub created_at: Time,
}

impl From<&barriers::Barrier> for Barrier {
    fn from(b: &barriers::Barrier) -> Self {
        Self {
            id: Id(b.id.get()),
            group_ids: [Id(b.group_a_id.get()), Id(b.group_b_id.get())],
            description: b.description.clone(),
            created_at: time(b.created_at),
        }
    }
}

/// An API key of an instance, never with its secret but in its create response.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    pub id: Id,
    #[schema(value_type = KeyRole)]
    pub role: String,
    /// The user a user key acts as; null for admin keys.
    #[schema(required)]
    pub user_id: Option<Id>,
    #[schema(schema_with = text::<MAX_DESCRIPTION>, required)]
    pub description: Option<String>,
    /// The first 8 characters of the key.
    pub prefix: String,
    pub created_at: Time,
    #[schema(required)]
    pub revoked_at: Option<Time>,
    /// The secret: only in the create response, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = "^rk_[A-Za-z0-9]{32,}$")]
    pub key: Option<String>,
}

impl From<&keys::ApiKey> for ApiKey {
    fn from(k: &keys::ApiKey) -> Self {
        Self {
            id: Id(k.id.get()),
            role: k.role.as_str().to_string(),
            user_id: k.user_id.map(|u| Id(u.get())),
            description: k.description.clone(),
            prefix: k.prefix.clone(),
            created_at: time(k.created_at),
            revoked_at: k.revoked_at.map(Time),
            key: None,
        }
    }
}

/// An instance: a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub id: Id,
    pub name: String,
    pub description: String,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<&instances::Instance> for Instance {
    fn from(i: &instances::Instance) -> Self {
        Self {
            id: Id(i.id.get()),
            name: i.name.clone(),
            description: i.description.clone(),
            created_at: time(i.created_at),
            updated_at: time(i.updated_at),
        }
    }
}
