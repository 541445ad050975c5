//! The OpenAPI 3.1 description of the API, derived with utoipa, served at
//! `/openapi.json`, with Swagger UI (assets compiled into the binary) at `/docs`:
//!
//! - the operations are the `#[utoipa::path]`s of the handlers (of stubs in
//!   `directory.rs` for the generic handlers of users and groups); a test holds them to
//!   `api::ROUTES` both ways;
//! - the schemas are the views of `api::views` (what the server sends), the envelopes
//!   and errors of `envelopes.rs` and the request bodies of `bodies.rs`;
//! - the query parameters come from the handlers' `ListSpec`s (`query.rs`), the error
//!   responses from one table (`errors.rs`), and what every route shares is applied
//!   once (`rules.rs`).

pub mod bodies;
mod directory;
pub mod envelopes;
pub mod errors;
pub mod events;
mod hoist;
pub mod patterns;
pub mod query;
mod rules;
pub mod webhooks;

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa::openapi::schema::{Ref, Schema};
use utoipa::openapi::RefOr;
use utoipa::{OpenApi, ToSchema};
use utoipa_swagger_ui::{Config, SwaggerUi};

use rules::Rules;

/// A reference to a named schema.
fn r<T: ToSchema>() -> RefOr<Schema> {
    Ref::from_schema_name(T::name()).into()
}

/// Where the description and the UI are served (outside `api::ROUTES`: no key needed).
pub const OPENAPI_PATH: &str = "/openapi.json";
pub const DOCS_PATH: &str = "/docs";

const DESCRIPTION: &str = "\
Multi-tenant users, groups and group memberships (the contract is API.md).

Every request but `/healthz`, `/readyz` and this description carries an API key, as \
`X-API-KEY: <key>` or `Authorization: Bearer <key>`. Responses are Kantata OX style \
envelopes: `results` lists the primary objects in order, each object lives once in a \
map keyed by its ID under its plural name, and `include` sideloads associations beside \
it. IDs are strings of digits; requests accept a string or a number. Creates take the \
singular key for one object or the plural key for a bulk of 1 to 100, all or nothing. \
Every `POST` takes an `Idempotency-Key` for safe retries. Errors have the body \
`{\"errors\": [{\"type\", \"message\", \"field\"?, \"index\"?}]}` (`Error`). `HEAD` is \
served wherever `GET` is; any other method a route does not serve is a 405 \
`method_not_allowed` with an `Allow` header.";

#[derive(OpenApi)]
#[openapi(
    info(title = "Roster", description = DESCRIPTION),
    servers((url = "/", description = "this server")),
    paths(
        super::health::healthz, super::health::readyz,
        super::instances::create, super::instances::list, super::instances::get,
        super::instances::update, super::instances::delete,
        super::keys::create, super::keys::list, super::keys::revoke,
        directory::create_users, directory::list_users, directory::get_user,
        directory::update_user, directory::delete_user,
        super::group_users::list_user_groups,
        directory::create_groups, directory::list_groups, directory::get_group,
        directory::update_group, directory::delete_group,
        super::group_users::add_users, super::group_users::list_group_users,
        super::group_users::get_pair, super::group_users::remove_pair,
        super::memberships::create, super::memberships::list, super::memberships::get,
        super::memberships::update, super::memberships::delete,
        super::barriers::create, super::barriers::list, super::barriers::get,
        super::barriers::delete,
        super::events::list, super::events::stream,
        super::webhooks::create, super::webhooks::list, super::webhooks::get,
        super::webhooks::update, super::webhooks::delete, super::webhooks::deliveries,
        serve_openapi,
    ),
    // The schemas named only from `schema_with` functions, parameters, error responses
    // and `rules.rs` (the `fields=` envelopes), which utoipa cannot follow; every other
    // one it collects from the operations.
    components(schemas(
        bodies::UserNew, bodies::GroupNew, bodies::MembershipNew, bodies::BarrierNew,
        bodies::OnConflict, super::views::IdInput, errors::ErrorBody,
        envelopes::UserFieldsEnvelope, envelopes::GroupFieldsEnvelope,
        envelopes::MembershipFieldsEnvelope, envelopes::BarrierFieldsEnvelope,
        envelopes::ApiKeyFieldsEnvelope, envelopes::InstanceFieldsEnvelope,
        envelopes::WebhookFieldsEnvelope, envelopes::WebhookDeliveryFieldsEnvelope,
        webhooks::WebhookNew, webhooks::WebhookChanges, webhooks::WebhookEventType,
    )),
    modifiers(&Rules),
    security(("api_key" = []), ("bearer" = [])),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "instances", description = "Tenants; the account key manages them"),
        (name = "api keys", description = "Keys of an instance: admin keys and user keys"),
        (name = "users", description = "People and service accounts of an instance"),
        (name = "groups", description = "Groups of an instance"),
        (name = "memberships", description = "Who is in which group, with a role and permissions"),
        (name = "barriers", description = "Two groups no user may be in at once"),
        (name = "events", description = "The change feed and audit trail: every committed change, once, in commit order"),
        (name = "webhooks", description = "Endpoints the change feed is delivered to, signed (Standard Webhooks)"),
        (name = "documentation", description = "This description"),
    )
)]
pub struct ApiDoc;

/// The description as served, built once.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        // Serializing a built document cannot fail in practice; if it ever does, say so
        // in the §7 form rather than panic.
        ApiDoc::openapi().to_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI description did not serialize");
            r#"{"errors":[{"type":"internal","message":"an internal error occurred"}]}"#.to_string()
        })
    })
}

#[utoipa::path(get, path = "/openapi.json", operation_id = "openapi", tag = "documentation",
    summary = "This description", security(),
    responses((status = 200, description = "This OpenAPI 3.1 description",
        body = inline(std::collections::BTreeMap<String, serde_json::Value>))))]
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
    // HEAD is served wherever GET is (API.md §7), here too.
    let only_get = || web::to(|| super::method_not_allowed(&["GET", "HEAD"]));
    cfg.service(
        web::resource(OPENAPI_PATH)
            .route(web::get().to(serve_openapi))
            .route(web::head().to(serve_openapi))
            .default_service(only_get()),
    )
    .service(
        web::resource(DOCS_PATH)
            .route(web::get().to(docs_home))
            .route(web::head().to(docs_home))
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
