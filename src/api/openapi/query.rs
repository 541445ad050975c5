//! The query parameters of the lists (`Users`, ...) and of the reads and writes of one
//! object (`User`, ...), each from its handler's `ListSpec` (`api::query`). What a
//! resource's `include`, `fields` and `order` take are named schemas (`UserInclude`,
//! `UserField`, `UserOrder`), so that generated clients have one type for each.
//!
//! Arrays are described in OpenAPI's default form for query parameters (`style: form`,
//! `explode: true`: `include=user&include=group`), which generated clients send; the
//! server also takes `include=user,group` (`api::query::ARRAY_PARAMS`).

use serde_json::json;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr, Required};
use utoipa::IntoParams;

use super::r;
use crate::api::edge::MAX_URI_BYTES;
use crate::api::query::{ListSpec, DEFAULT_PER_PAGE, MAX_IDS, MAX_OFFSET, MAX_PER_PAGE};
use crate::api::views::{self, string, Id, NO_NUL};
use crate::api::{barriers, group_users, groups, instances, keys, memberships, users, webhooks};

fn query(name: &str, schema: impl Into<RefOr<Schema>>, description: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .schema(Some(schema))
        .description(Some(description))
}

/// A list: repeated (`include=user&include=group`, as described) or comma-separated
/// (`include=user,group`), or both, merged.
fn array(name: &str, items: RefOr<Schema>, description: &str) -> Parameter {
    let array = ArrayBuilder::new().items(items).min_items(Some(1));
    let description =
        format!("{description}; repeat the parameter or separate the values with commas (or both)");
    query(name, array, &description)
        .style(Some(ParameterStyle::Form))
        .explode(Some(true))
        .build()
}

fn named(resource: &str, what: &str) -> RefOr<Schema> {
    Ref::from_schema_name(format!("{resource}{what}")).into()
}

/// `include` and `fields`: what a read or write of one object takes.
fn object_params(resource: &str, spec: &ListSpec) -> Vec<Parameter> {
    let mut out = Vec::new();
    if !spec.includes.is_empty() {
        let description = "associations to sideload beside the primary objects";
        out.push(array("include", named(resource, "Include"), description));
    }
    let description = "only these attributes of the primary objects (id is always returned): \
                       the answer is then the Fields envelope";
    out.push(array("fields", named(resource, "Field"), description));
    out
}

/// The `order` values of a list.
fn orders(spec: &ListSpec) -> Vec<String> {
    let mut fields = vec!["id", "created_at"];
    fields.extend(spec.has_updated.then_some("updated_at"));
    fields.extend(spec.name_field);
    fields
        .iter()
        .flat_map(|f| [f.to_string(), format!("{f}:asc"), format!("{f}:desc")])
        .collect()
}

/// The resources whose lists and objects take parameters, with their specs.
const RESOURCES: &[(&str, &ListSpec)] = &[
    ("Instance", &instances::SPEC),
    ("ApiKey", &keys::SPEC),
    ("User", &users::SPEC),
    ("Group", &groups::SPEC),
    ("Membership", &memberships::SPEC),
    ("Barrier", &barriers::SPEC),
    ("Webhook", &webhooks::SPEC),
    ("WebhookDelivery", &webhooks::DELIVERIES),
];

/// The named schemas the parameters refer to: `<Resource>Include` (where there are
/// includes), `<Resource>Field` and `<Resource>Order`.
pub fn schemas() -> Vec<(String, RefOr<Schema>)> {
    let mut out = Vec::new();
    for (resource, spec) in RESOURCES {
        let mut add = |what: &str, values: Vec<String>, description: String| {
            let schema = string()
                .enum_values(Some(values))
                .description(Some(description));
            out.push((format!("{resource}{what}"), schema.into()));
        };
        if !spec.includes.is_empty() {
            let values = spec.includes.iter().map(|s| s.to_string()).collect();
            add(
                "Include",
                values,
                format!("What include= sideloads beside {resource}s"),
            );
        }
        let values = spec.fields.iter().map(|s| s.to_string()).collect();
        add(
            "Field",
            values,
            format!("A field of a {resource} for fields="),
        );
        add(
            "Order",
            orders(spec),
            format!("How order= sorts {resource}s (field or field:asc|desc)"),
        );
    }
    out
}

fn no_nul() -> RefOr<Schema> {
    string().pattern(Some(NO_NUL)).into()
}

fn filter(name: &str) -> Parameter {
    let (schema, description) = match name {
        "user_id" => (r::<Id>(), "only the memberships of this user"),
        "group_id" => (r::<Id>(), "only those of this group"),
        "role" => (r::<views::Role>(), "only this role"),
        "principal" => (r::<views::Principal>(), "only this kind of user"),
        "username" => (no_nul(), "only the user with this username"),
        "external_id" => (
            no_nul(),
            "only the one with this external_id (exactly as given)",
        ),
        "active" => (
            ObjectBuilder::new().schema_type(Type::Boolean).into(),
            "only active (true) or only inactive (false) users: exactly true or false",
        ),
        _ => (no_nul(), "only the one with this name"),
    };
    query(name, schema, description).build()
}

/// Everything a list takes (`api::query::Params::list`).
fn list_params(resource: &str, spec: &ListSpec) -> Vec<Parameter> {
    let time = || string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)));
    // No maxItems: with long IDs the request line reaches its limit (414) before the
    // count does, so a schema that said 1000 would promise requests the server refuses.
    let ids = format!(
        "only these IDs: at most {MAX_IDS} (400 beyond), within the request line's limit of \
         {MAX_URI_BYTES} bytes (414 beyond)"
    );
    let mut out = vec![array("ids", r::<Id>(), &ids)];
    out.extend(spec.filters.iter().map(|f| filter(f)));
    let after = "only objects created after this time (RFC 3339)";
    out.push(query("created_after", time(), after).build());
    if spec.has_updated {
        let after = "only objects changed after this time (RFC 3339), for sync scripts";
        out.push(query("updated_after", time(), after).build());
    }
    let order = named(resource, "Order");
    out.push(query("order", order, "field:asc or field:desc (default id:asc)").build());
    // No `default`: a client that sent it on every call could not use the cursor.
    let page = views::integer(1, MAX_OFFSET + 1);
    let paging = format!(
        "page number from 1 (1 when left out); the offset (page - 1) * per_page may be at \
         most {MAX_OFFSET} (400 beyond): use the cursor to go deeper; not with cursor"
    );
    out.push(query("page", page, &paging).build());
    let per_page = views::integer(1, MAX_PER_PAGE).default(Some(json!(DEFAULT_PER_PAGE)));
    out.push(query("per_page", per_page, "page size").build());
    let cursor = string().pattern(Some("^[A-Za-z0-9_-]+$"));
    let next = "meta.next_cursor of the previous page: the next page, at the same cost at \
                any depth; not with page";
    out.push(query("cursor", cursor, next).build());
    out.extend(object_params(resource, spec));
    out
}
macro_rules! from_specs {
    ($make:ident: $($name:ident = $resource:literal $spec:path),+ $(,)?) => {$(
        pub struct $name;
        impl IntoParams for $name {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                $make($resource, &$spec)
            }
        }
    )+};
}

from_specs!(list_params:
    Instances = "Instance" instances::SPEC,
    ApiKeys = "ApiKey" keys::SPEC,
    Users = "User" users::SPEC,
    Groups = "Group" groups::SPEC,
    Memberships = "Membership" memberships::SPEC,
    GroupUsers = "Membership" group_users::GROUP_USERS,
    UserGroups = "Membership" group_users::USER_GROUPS,
    Barriers = "Barrier" barriers::SPEC,
    Webhooks = "Webhook" webhooks::SPEC,
    WebhookDeliveries = "WebhookDelivery" webhooks::DELIVERIES,
);
from_specs!(object_params:
    Instance = "Instance" instances::SPEC,
    User = "User" users::SPEC,
    Group = "Group" groups::SPEC,
    Membership = "Membership" memberships::SPEC,
    Barrier = "Barrier" barriers::SPEC,
    Webhook = "Webhook" webhooks::SPEC,
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists under groups and users name the memberships' named schemas, so they
    /// must take exactly what the memberships' list takes.
    #[test]
    fn the_membership_lists_share_their_values() {
        for spec in [&group_users::GROUP_USERS, &group_users::USER_GROUPS] {
            assert_eq!(spec.includes, memberships::SPEC.includes);
            assert_eq!(spec.fields, memberships::SPEC.fields);
            assert_eq!(orders(spec), orders(&memberships::SPEC));
        }
    }
}
