//! The OpenAPI 3.1 description of the API, built with utoipa from the server's own
//! metadata (the list specs of the handlers, the bulk limit, the paging limits), served
//! at `/openapi.json`, with Swagger UI (assets compiled into the binary) at `/docs`.
//!
//! `OPERATIONS` describes every route; a test holds it to `api::ROUTES` both ways.

mod operations;
mod schemas;

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, SecurityRequirement,
};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::query::ListSpec;
use super::{barriers, group_users, groups, instances, keys, memberships, users};

pub use operations::Kind;

/// Where the description and the UI are served (outside `api::ROUTES`: no key needed).
pub const OPENAPI_PATH: &str = "/openapi.json";
pub const DOCS_PATH: &str = "/docs";

/// A resource as the description names it.
pub struct Resource {
    /// The schema name, e.g. `User`.
    pub name: &'static str,
    pub singular: &'static str,
    pub plural: &'static str,
    pub spec: &'static ListSpec,
    /// Creates take the plural key too (API.md §4).
    pub bulk: bool,
    /// Has a PATCH.
    pub updatable: bool,
    pub tag: &'static str,
}

pub const INSTANCE: Resource = Resource {
    name: "Instance",
    singular: "instance",
    plural: "instances",
    spec: &instances::SPEC,
    bulk: false,
    updatable: true,
    tag: "instances",
};
pub const API_KEY: Resource = Resource {
    name: "ApiKey",
    singular: "api_key",
    plural: "api_keys",
    spec: &keys::SPEC,
    bulk: false,
    updatable: false,
    tag: "api keys",
};
pub const USER: Resource = Resource {
    name: "User",
    singular: "user",
    plural: "users",
    spec: &users::SPEC,
    bulk: true,
    updatable: true,
    tag: "users",
};
pub const GROUP: Resource = Resource {
    name: "Group",
    singular: "group",
    plural: "groups",
    spec: &groups::SPEC,
    bulk: true,
    updatable: true,
    tag: "groups",
};
pub const MEMBERSHIP: Resource = Resource {
    name: "Membership",
    singular: "membership",
    plural: "memberships",
    spec: &memberships::SPEC,
    bulk: true,
    updatable: true,
    tag: "memberships",
};
pub const BARRIER: Resource = Resource {
    name: "Barrier",
    singular: "barrier",
    plural: "barriers",
    spec: &barriers::SPEC,
    bulk: true,
    updatable: false,
    tag: "barriers",
};

pub const RESOURCES: &[&Resource] = &[&INSTANCE, &API_KEY, &USER, &GROUP, &MEMBERSHIP, &BARRIER];

/// One described operation.
pub struct Described {
    pub method: &'static str,
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub kind: Kind,
}

const fn op(
    method: &'static str,
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    kind: Kind,
) -> Described {
    Described {
        method,
        path,
        operation_id,
        summary,
        kind,
    }
}

const I: &str = "/instances/{instance}";

/// Every operation of the description, in the order of API.md §3.
#[rustfmt::skip]
pub const OPERATIONS: &[Described] = &[
    op("GET", "/healthz", "healthz", "The process is up", Kind::Health { ready: false }),
    op("GET", "/readyz", "readyz", "The database answers", Kind::Health { ready: true }),
    op("POST", "/instances", "createInstance", "Create an instance (account key)", Kind::Create(&INSTANCE)),
    op("GET", "/instances", "listInstances", "List instances (an instance key sees its own)", Kind::List(&INSTANCE, &instances::SPEC)),
    op("GET", I, "getInstance", "Get an instance", Kind::Get(&INSTANCE)),
    op("PATCH", I, "updateInstance", "Change an instance (account key)", Kind::Update(&INSTANCE)),
    op("DELETE", I, "deleteInstance", "Delete an instance and all its data (account key)", Kind::Delete(&INSTANCE)),
    op("POST", "/instances/{instance}/api_keys", "createApiKey", "Issue an API key (its secret is shown once)", Kind::Create(&API_KEY)),
    op("GET", "/instances/{instance}/api_keys", "listApiKeys", "List API keys (never their secrets)", Kind::List(&API_KEY, &keys::SPEC)),
    op("DELETE", "/instances/{instance}/api_keys/{id}", "revokeApiKey", "Revoke an API key", Kind::Delete(&API_KEY)),
    op("POST", "/instances/{instance}/users", "createUsers", "Create one user or a bulk of 1 to 100", Kind::Create(&USER)),
    op("GET", "/instances/{instance}/users", "listUsers", "List users", Kind::List(&USER, &users::SPEC)),
    op("GET", "/instances/{instance}/users/{id}", "getUser", "Get a user", Kind::Get(&USER)),
    op("PATCH", "/instances/{instance}/users/{id}", "updateUser", "Change a user", Kind::Update(&USER)),
    op("DELETE", "/instances/{instance}/users/{id}", "deleteUser", "Delete a user with its memberships and keys", Kind::Delete(&USER)),
    op("GET", "/instances/{instance}/users/{user_id}/groups", "listUserGroups", "The user's memberships (Box's list of a user's groups)", Kind::List(&MEMBERSHIP, &group_users::USER_GROUPS)),
    op("POST", "/instances/{instance}/groups", "createGroups", "Create one group or a bulk of 1 to 100", Kind::Create(&GROUP)),
    op("GET", "/instances/{instance}/groups", "listGroups", "List groups", Kind::List(&GROUP, &groups::SPEC)),
    op("GET", "/instances/{instance}/groups/{id}", "getGroup", "Get a group", Kind::Get(&GROUP)),
    op("PATCH", "/instances/{instance}/groups/{id}", "updateGroup", "Change a group", Kind::Update(&GROUP)),
    op("DELETE", "/instances/{instance}/groups/{id}", "deleteGroup", "Delete a group with its memberships and barriers", Kind::Delete(&GROUP)),
    op("POST", "/instances/{instance}/groups/{group_id}/users", "addGroupUsers", "Add users to the group (Syncano style)", Kind::AddGroupUsers),
    op("GET", "/instances/{instance}/groups/{group_id}/users", "listGroupUsers", "The group's memberships (Syncano's list of a group's users)", Kind::List(&MEMBERSHIP, &group_users::GROUP_USERS)),
    op("GET", "/instances/{instance}/groups/{group_id}/users/{user_id}", "getGroupUser", "The membership of the user in the group", Kind::Get(&MEMBERSHIP)),
    op("DELETE", "/instances/{instance}/groups/{group_id}/users/{user_id}", "removeGroupUser", "Remove the user from the group", Kind::Delete(&MEMBERSHIP)),
    op("POST", "/instances/{instance}/memberships", "createMemberships", "Create one membership or a bulk of 1 to 100", Kind::Create(&MEMBERSHIP)),
    op("GET", "/instances/{instance}/memberships", "listMemberships", "List memberships", Kind::List(&MEMBERSHIP, &memberships::SPEC)),
    op("GET", "/instances/{instance}/memberships/{id}", "getMembership", "Get a membership", Kind::Get(&MEMBERSHIP)),
    op("PATCH", "/instances/{instance}/memberships/{id}", "updateMembership", "Change a membership's role or permissions", Kind::Update(&MEMBERSHIP)),
    op("DELETE", "/instances/{instance}/memberships/{id}", "deleteMembership", "Delete a membership", Kind::Delete(&MEMBERSHIP)),
    op("POST", "/instances/{instance}/barriers", "createBarriers", "Create one information barrier or a bulk of 1 to 100", Kind::Create(&BARRIER)),
    op("GET", "/instances/{instance}/barriers", "listBarriers", "List information barriers", Kind::List(&BARRIER, &barriers::SPEC)),
    op("GET", "/instances/{instance}/barriers/{id}", "getBarrier", "Get an information barrier", Kind::Get(&BARRIER)),
    op("DELETE", "/instances/{instance}/barriers/{id}", "deleteBarrier", "Delete an information barrier", Kind::Delete(&BARRIER)),
    op("GET", OPENAPI_PATH, "openapi", "This description", Kind::OpenApi),
];

const DESCRIPTION: &str = "\
Multi-tenant users, groups and group memberships (the contract is API.md).

Every request but `/healthz`, `/readyz` and this description carries an API key, as \
`X-API-KEY: <key>` or `Authorization: Bearer <key>`. Responses are Kantata OX style \
envelopes: `results` lists the primary objects in order, each object lives once in a \
map keyed by its ID under its plural name, and `include` sideloads associations beside \
it. IDs are strings of digits; requests accept a string or a number. Creates take the \
singular key for one object or the plural key for a bulk of 1 to 100, all or nothing. \
Every `POST` takes an `Idempotency-Key` for safe retries. Errors have the body \
`{\"errors\": [{\"type\", \"message\", \"field\"?, \"index\"?}]}`.";

/// Builds the description.
pub fn document() -> OpenApi {
    let mut paths = Paths::new();
    for d in OPERATIONS {
        paths.add_path_operation(
            d.path,
            vec![operations::method(d.method)],
            operations::build(d),
        );
    }
    let components = schemas::components(ComponentsBuilder::new())
        .security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-KEY",
                "an account key, an instance admin key or an instance user key (rk_...)",
            ))),
        )
        .security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("the same key as Authorization: Bearer <key>"))
                    .build(),
            ),
        );
    let tags = [
        ("health", "Liveness and readiness"),
        ("instances", "Tenants; the account key manages them"),
        ("api keys", "Keys of an instance: admin keys and user keys"),
        ("users", "People and service accounts of an instance"),
        ("groups", "Groups of an instance"),
        (
            "memberships",
            "Who is in which group, with a role and permissions",
        ),
        ("barriers", "Two groups no user may be in at once"),
        ("documentation", "This description"),
    ]
    .map(|(name, description)| {
        TagBuilder::new()
            .name(name)
            .description(Some(description))
            .build()
    });
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Roster")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(DESCRIPTION))
                .build(),
        )
        .paths(paths)
        .components(Some(components.build()))
        .security(Some([
            SecurityRequirement::new("api_key", Vec::<String>::new()),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ]))
        .tags(Some(tags))
        .build()
}

/// The description as served, built once.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        // Serializing a built document cannot fail in practice; if it ever does, say so
        // in the §7 form rather than panic.
        document().to_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI description did not serialize");
            r#"{"errors":[{"type":"internal","message":"an internal error occurred"}]}"#.to_string()
        })
    })
}

async fn serve_openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(json())
}

/// The UI lives under `/docs/`; `/docs` (which the trailing-slash middleware also makes
/// of `/docs/`) sends the browser to its page, whose assets are relative to it.
async fn docs_home() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/docs/index.html"))
        .finish()
}

/// Registers `/openapi.json`, `/docs` and the UI's assets under `/docs/`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let only_get = || web::to(|| super::method_not_allowed(&["GET"]));
    cfg.service(
        web::resource(OPENAPI_PATH)
            .route(web::get().to(serve_openapi))
            .default_service(only_get()),
    )
    .service(
        web::resource(DOCS_PATH)
            .route(web::get().to(docs_home))
            .default_service(only_get()),
    )
    .service(
        SwaggerUi::new("/docs/{_:.*}").config(
            Config::new([OPENAPI_PATH])
                .try_it_out_enabled(true)
                .persist_authorization(true)
                .display_operation_id(true)
                .display_request_duration(true)
                .filter(true),
        ),
    );
}
