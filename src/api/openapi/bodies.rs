//! The request bodies (API.md §4) as the parsers of `api::*` accept them, as types for
//! the description only: they describe, they do not parse (the parsers report every
//! problem of every object with its index, which serde cannot).

use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use crate::api::views::{pair, string, text, ConfigurablePermissions, IdInput, Principal, Role};
use crate::domain::limits::{
    MAX_AVATAR_URL, MAX_BULK, MAX_DESCRIPTION, MAX_INSTANCE_NAME, MAX_NAME, MAX_USERNAME,
    MIN_INSTANCE_NAME,
};

/// A new user (`api::users`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserNew {
    #[schema(schema_with = username)]
    pub username: String,
    #[schema(schema_with = text::<MAX_NAME>)]
    pub name: Option<String>,
    #[schema(schema_with = email)]
    pub email: Option<String>,
    #[schema(schema_with = avatar_url)]
    pub avatar_url: Option<String>,
    #[schema(nullable = false)]
    pub principal: Option<Principal>,
}

/// The fields of a user to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    #[schema(schema_with = username)]
    pub username: Option<String>,
    #[schema(schema_with = text::<MAX_NAME>)]
    pub name: Option<String>,
    #[schema(schema_with = email)]
    pub email: Option<String>,
    #[schema(schema_with = avatar_url)]
    pub avatar_url: Option<String>,
    #[schema(nullable = false)]
    pub principal: Option<Principal>,
}

/// A new group (`api::groups`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupNew {
    #[schema(schema_with = group_name)]
    pub name: String,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
}

/// The fields of a group to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupChanges {
    #[schema(schema_with = group_name)]
    pub name: Option<String>,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
}

/// A new membership (`api::memberships`, `api::plain_memberships`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipNew {
    pub user_id: IdInput,
    pub group_id: IdInput,
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// Omitted: every permission enabled.
    pub configurable_permissions: Option<ConfigurablePermissions>,
}

/// The fields of a membership to change; `user_id` and `group_id` cannot change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipChanges {
    #[schema(nullable = false)]
    pub role: Option<Role>,
    pub configurable_permissions: Option<ConfigurablePermissions>,
}

/// A new information barrier (`api::barriers`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BarrierNew {
    /// Exactly two distinct groups.
    #[schema(schema_with = pair::<IdInput>)]
    pub group_ids: [IdInput; 2],
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
}

/// A new instance (`api::instances`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceNew {
    #[schema(schema_with = instance_name)]
    pub name: String,
    /// Null or omitted: empty.
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
}

/// The fields of an instance to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceChanges {
    #[schema(schema_with = instance_name)]
    pub name: Option<String>,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
}

/// A new API key (`api::keys`): an admin key, or a user key bound to one user.
#[derive(ToSchema)]
#[serde(untagged)]
pub enum ApiKeyNew {
    #[schema(title = "admin key")]
    #[serde(deny_unknown_fields)]
    Admin {
        #[schema(inline)]
        role: AdminKey,
        #[schema(schema_with = text::<MAX_DESCRIPTION>)]
        description: Option<String>,
    },
    #[schema(title = "user key")]
    #[serde(deny_unknown_fields)]
    User {
        #[schema(inline)]
        role: UserKey,
        user_id: IdInput,
        #[schema(schema_with = text::<MAX_DESCRIPTION>)]
        description: Option<String>,
    },
}

#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdminKey {
    Admin,
}

#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserKey {
    User,
}

/// Declares the create body of a resource that takes one object or a bulk:
/// `{"<singular>": {...}}` or `{"<plural>": [{...}, ...]}` (1 to 100, all or nothing).
macro_rules! create_body {
    ($(#[$doc:meta])* $name:ident { $one:ident: $new:ty, $one_title:tt; $many:ident, $many_title:tt }) => {
        $(#[$doc])*
        #[derive(ToSchema)]
        #[serde(untagged)]
        pub enum $name {
            #[schema(title = $one_title)]
            #[serde(deny_unknown_fields)]
            One { $one: $new },
            #[schema(title = $many_title)]
            #[serde(deny_unknown_fields)]
            Many {
                #[schema(schema_with = bulk::<$new>)]
                $many: Vec<$new>,
            },
        }
    };
}

create_body!(
    /// `{"user": {...}}` or `{"users": [{...}, ...]}`.
    UserCreate { user: UserNew, "one user"; users, "1 to 100 users, all or nothing" }
);
create_body!(
    /// `{"group": {...}}` or `{"groups": [{...}, ...]}`.
    GroupCreate { group: GroupNew, "one group"; groups, "1 to 100 groups, all or nothing" }
);
create_body!(
    /// `{"membership": {...}}` or `{"memberships": [{...}, ...]}`.
    MembershipCreate {
        membership: MembershipNew, "one membership";
        memberships, "1 to 100 memberships, all or nothing"
    }
);
create_body!(
    /// `{"barrier": {...}}` or `{"barriers": [{...}, ...]}`.
    BarrierCreate { barrier: BarrierNew, "one barrier"; barriers, "1 to 100 barriers, all or nothing" }
);

/// `{"instance": {...}}`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceCreate {
    pub instance: InstanceNew,
}

/// `{"api_key": {...}}`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyCreate {
    pub api_key: ApiKeyNew,
}

/// `{"user": {...}}` with the fields to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub user: UserChanges,
}

/// `{"group": {...}}` with the fields to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupUpdate {
    pub group: GroupChanges,
}

/// `{"membership": {...}}` with the fields to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipUpdate {
    pub membership: MembershipChanges,
}

/// `{"instance": {...}}` with the fields to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceUpdate {
    pub instance: InstanceChanges,
}

/// Syncano's add (`api::group_users`): `{"user": <id>}` or `{"users": [<id>, ...]}`
/// (1 to 100, all or nothing), with an optional role and permissions for all of them.
#[derive(ToSchema)]
#[serde(untagged)]
pub enum GroupUsersCreate {
    #[schema(title = "one user")]
    #[serde(deny_unknown_fields)]
    One {
        user: IdInput,
        #[schema(nullable = false)]
        role: Option<Role>,
        configurable_permissions: Option<ConfigurablePermissions>,
    },
    #[schema(title = "1 to 100 users, all or nothing")]
    #[serde(deny_unknown_fields)]
    Many {
        #[schema(schema_with = bulk::<IdInput>)]
        users: Vec<IdInput>,
        #[schema(nullable = false)]
        role: Option<Role>,
        configurable_permissions: Option<ConfigurablePermissions>,
    },
}

/// `on_conflict` of a membership create.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    Error,
    Ignore,
}

// ---- Field schemas with the limits of `domain::limits` ----

/// `domain::Email`'s limit, in bytes.
const MAX_EMAIL: usize = 254;

/// At least one character that is not White_Space (what `str::trim` removes), spelled
/// out: `\s` means other things in other regular expression engines.
const NOT_BLANK: &str = r"^[^\x00]*[^\x00\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$";

/// `domain::Username`: 1 to 150 characters, each a letter or digit as Rust's
/// `char::is_alphanumeric` has it (Unicode Alphabetic or Numeric) or one of `. @ + - _`.
/// The pattern is exact for ASCII; beyond ASCII it admits every character, since
/// regular expression engines disagree on Unicode properties.
fn username() -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(MAX_USERNAME))
        .pattern(Some(r"^(?:[A-Za-z0-9.@+_-]|[^\x00-\x7f])+$"))
        .description(Some(
            "1-150 characters, each . @ + - _ or a letter or digit of any script (what \
             Rust's char::is_alphanumeric accepts: Unicode Alphabetic or Numeric; the \
             pattern checks ASCII only); unique in the instance",
        ))
        .examples(["geralt"])
}

/// `domain::GroupName`: 1 to 255 characters, not blank.
fn group_name() -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(MAX_NAME))
        .pattern(Some(NOT_BLANK))
        .description(Some("1-255 characters, not blank; unique in the instance"))
        .examples(["witchers"])
}

/// `domain::InstanceName`.
pub fn instance_name() -> ObjectBuilder {
    string()
        .min_length(Some(MIN_INSTANCE_NAME))
        .max_length(Some(MAX_INSTANCE_NAME))
        .pattern(Some(format!(
            "^[a-z0-9][a-z0-9-]{{{},{}}}$",
            MIN_INSTANCE_NAME - 1,
            MAX_INSTANCE_NAME - 1
        )))
        .description(Some(
            "2-63 of a-z, 0-9 and -, starting with a letter or digit",
        ))
        .examples(["acme"])
}

/// `domain::Email`.
fn email() -> ObjectBuilder {
    text::<MAX_EMAIL>()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .description(Some("a valid e-mail address of at most 254 bytes, or null"))
}

/// `domain::AvatarUrl`.
fn avatar_url() -> ObjectBuilder {
    text::<MAX_AVATAR_URL>()
        .format(Some(SchemaFormat::Custom("uri".into())))
        .pattern(Some("^[hH][tT][tT][pP][sS]?://"))
        .description(Some(
            "an http(s) URL with a host, of at most 2048 bytes, or null",
        ))
}

/// A bulk: 1 to `MAX_BULK` of `T` (`api::body::one_or_many`).
fn bulk<T: ToSchema>() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(RefOr::Ref(
            utoipa::openapi::Ref::from_schema_name(T::name()),
        ))
        .min_items(Some(1))
        .max_items(Some(MAX_BULK))
}
