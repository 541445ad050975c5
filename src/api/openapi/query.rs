//! The query parameters of the lists (`Users`, ...) and of the reads and writes of one
//! object (`User`, ...), each from its handler's `ListSpec` (`api::query`).

use serde_json::json;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, Schema, SchemaFormat};
use utoipa::openapi::{RefOr, Required};
use utoipa::IntoParams;

use super::r;
use crate::api::edge::MAX_URI_BYTES;
use crate::api::query::{ListSpec, DEFAULT_PER_PAGE, MAX_IDS, MAX_OFFSET, MAX_PER_PAGE};
use crate::api::views::{self, string, Id, NO_NUL};
use crate::api::{barriers, group_users, groups, instances, keys, memberships, users};

fn query(name: &str, schema: impl Into<RefOr<Schema>>, description: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .schema(Some(schema))
        .description(Some(description))
}

/// A comma-separated list (`include=user,group`).
fn csv(name: &str, items: RefOr<Schema>, max: Option<usize>, description: &str) -> Parameter {
    let array = ArrayBuilder::new()
        .items(items)
        .min_items(Some(1))
        .max_items(max);
    query(name, array, description)
        .style(Some(ParameterStyle::Form))
        .explode(Some(false))
        .build()
}

fn names<'a>(values: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    string().enum_values(Some(values)).into()
}

/// `include` and `fields`: what a read or write of one object takes.
fn object_params(spec: &ListSpec) -> Vec<Parameter> {
    let mut out = Vec::new();
    if !spec.includes.is_empty() {
        let description = "associations to sideload beside the primary objects";
        out.push(csv(
            "include",
            names(spec.includes.iter().copied()),
            None,
            description,
        ));
    }
    let description = "only these attributes of the primary objects (id is always returned)";
    out.push(csv(
        "fields",
        names(spec.fields.iter().copied()),
        None,
        description,
    ));
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
        _ => (no_nul(), "only the one with this name"),
    };
    query(name, schema, description).build()
}

/// Everything a list takes (`api::query::Params::list`).
fn list_params(spec: &ListSpec) -> Vec<Parameter> {
    let time = || string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)));
    // No maxItems: with long IDs the request line reaches its limit (414) before the
    // count does, so a schema that said 1000 would promise requests the server refuses.
    let ids = format!(
        "only these IDs: at most {MAX_IDS} (400 beyond), within the request line's limit of \
         {MAX_URI_BYTES} bytes (414 beyond)"
    );
    let mut out = vec![csv("ids", r::<Id>(), None, &ids)];
    out.extend(spec.filters.iter().map(|f| filter(f)));
    let after = "only objects created after this time (RFC 3339)";
    out.push(query("created_after", time(), after).build());
    if spec.has_updated {
        let after = "only objects changed after this time (RFC 3339), for sync scripts";
        out.push(query("updated_after", time(), after).build());
    }
    let mut fields = vec!["id", "created_at"];
    fields.extend(spec.has_updated.then_some("updated_at"));
    fields.extend(spec.name_field);
    let orders = fields
        .iter()
        .flat_map(|f| [f.to_string(), format!("{f}:asc"), format!("{f}:desc")]);
    let order = string().enum_values(Some(orders));
    out.push(query("order", order, "field:asc or field:desc (default id:asc)").build());
    let page = views::integer(1, MAX_OFFSET + 1).default(Some(json!(1)));
    let paging = format!(
        "page number from 1; the offset (page - 1) * per_page may be at most {MAX_OFFSET} \
         (400 beyond): use the cursor to go deeper; not with cursor"
    );
    out.push(query("page", page, &paging).build());
    let per_page = views::integer(1, MAX_PER_PAGE).default(Some(json!(DEFAULT_PER_PAGE)));
    out.push(query("per_page", per_page, "page size").build());
    let cursor = string().pattern(Some("^[A-Za-z0-9_-]+$"));
    let next = "meta.next_cursor of the previous page: the next page, at the same cost at \
                any depth; not with page";
    out.push(query("cursor", cursor, next).build());
    out.extend(object_params(spec));
    out
}
macro_rules! from_specs {
    ($make:ident: $($name:ident = $spec:path),+ $(,)?) => {$(
        pub struct $name;
        impl IntoParams for $name {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                $make(&$spec)
            }
        }
    )+};
}

from_specs!(list_params:
    Instances = instances::SPEC,
    ApiKeys = keys::SPEC,
    Users = users::SPEC,
    Groups = groups::SPEC,
    Memberships = memberships::SPEC,
    GroupUsers = group_users::GROUP_USERS,
    UserGroups = group_users::USER_GROUPS,
    Barriers = barriers::SPEC,
);
from_specs!(object_params:
    Instance = instances::SPEC,
    User = users::SPEC,
    Group = groups::SPEC,
    Membership = memberships::SPEC,
    Barrier = barriers::SPEC,
);
