//! The request bodies (API.md §4) as the parsers of `api::*` accept them, as types for
//! the description only: they describe, they do not parse (the parsers report every
//! problem of every object with its index, which serde cannot).

//!
//! Every variant is a named schema (`UserCreateOne`, `UserCreateBulk`, `AdminKeyNew`, ...)
//! so that generated clients get one type per shape, named after it.

use utoipa::ToSchema;

use super::patterns::{avatar_url, bulk, email, group_name, instance_name, username};
use crate::api::views::{
    external_id, pair, text, ConfigurablePermissions, IdInput, Principal, Role,
};
use crate::domain::limits::{MAX_DESCRIPTION, MAX_NAME};

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
    /// Default true. False: the user keeps its memberships, but its user keys are
    /// refused (401) until it is active again.
    #[schema(nullable = false)]
    pub active: Option<bool>,
    #[schema(schema_with = external_id)]
    pub external_id: Option<String>,
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
    /// False: the user keeps its memberships, but its user keys are refused (401) until
    /// it is active again.
    #[schema(nullable = false)]
    pub active: Option<bool>,
    #[schema(schema_with = external_id)]
    pub external_id: Option<String>,
}

/// A new group (`api::groups`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupNew {
    #[schema(schema_with = group_name)]
    pub name: String,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
    #[schema(schema_with = external_id)]
    pub external_id: Option<String>,
}

/// The fields of a group to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupChanges {
    #[schema(schema_with = group_name)]
    pub name: Option<String>,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
    #[schema(schema_with = external_id)]
    pub external_id: Option<String>,
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
    Admin(AdminKeyNew),
    User(UserKeyNew),
}

/// A new admin key: everything inside its instance.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminKeyNew {
    #[schema(inline)]
    pub role: AdminKey,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
}

/// A new user key: acts as its user (API.md §6).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserKeyNew {
    #[schema(inline)]
    pub role: UserKey,
    pub user_id: IdInput,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
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
/// `{"<singular>": {...}}` (`<Name>One`) or `{"<plural>": [{...}, ...]}` (`<Name>Bulk`,
/// 1 to 100, all or nothing).
macro_rules! create_body {
    ($(#[$doc:meta])* $name:ident, $one_name:ident, $many_name:ident {
        $one:ident: $new:ty, $one_doc:literal; $many:ident, $many_doc:literal
    }) => {
        $(#[$doc])*
        #[derive(ToSchema)]
        #[serde(untagged)]
        pub enum $name {
            One($one_name),
            Many($many_name),
        }

        #[doc = $one_doc]
        #[derive(ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $one_name {
            pub $one: $new,
        }

        #[doc = $many_doc]
        #[derive(ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $many_name {
            #[schema(schema_with = bulk::<$new>)]
            pub $many: Vec<$new>,
        }
    };
}

create_body!(
    /// `{"user": {...}}` or `{"users": [{...}, ...]}`.
    UserCreate, UserCreateOne, UserCreateBulk {
        user: UserNew, "`{\"user\": {...}}`: one user.";
        users, "`{\"users\": [{...}, ...]}`: 1 to 100 users, all or nothing."
    }
);
create_body!(
    /// `{"group": {...}}` or `{"groups": [{...}, ...]}`.
    GroupCreate, GroupCreateOne, GroupCreateBulk {
        group: GroupNew, "`{\"group\": {...}}`: one group.";
        groups, "`{\"groups\": [{...}, ...]}`: 1 to 100 groups, all or nothing."
    }
);
create_body!(
    /// `{"membership": {...}}` or `{"memberships": [{...}, ...]}`.
    MembershipCreate, MembershipCreateOne, MembershipCreateBulk {
        membership: MembershipNew, "`{\"membership\": {...}}`: one membership.";
        memberships, "`{\"memberships\": [{...}, ...]}`: 1 to 100 memberships, all or nothing."
    }
);
create_body!(
    /// `{"barrier": {...}}` or `{"barriers": [{...}, ...]}`.
    BarrierCreate, BarrierCreateOne, BarrierCreateBulk {
        barrier: BarrierNew, "`{\"barrier\": {...}}`: one barrier.";
        barriers, "`{\"barriers\": [{...}, ...]}`: 1 to 100 barriers, all or nothing."
    }
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
    One(GroupUsersCreateOne),
    Many(GroupUsersCreateBulk),
}

/// `{"user": <id>}`: one user into the group.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupUsersCreateOne {
    pub user: IdInput,
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// Omitted: every permission enabled.
    pub configurable_permissions: Option<ConfigurablePermissions>,
}

/// `{"users": [<id>, ...]}`: 1 to 100 users into the group, all or nothing.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupUsersCreateBulk {
    #[schema(schema_with = bulk::<IdInput>)]
    pub users: Vec<IdInput>,
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// Omitted: every permission enabled.
    pub configurable_permissions: Option<ConfigurablePermissions>,
}

/// `on_conflict` of a membership create.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    Error,
    Ignore,
}
