//! The SCIM 2.0 door (RFC 7643/7644, API.md §12): `/instances/{instance}/scim/v2/`
//! for identity providers, over the same `service/` as REST. Never SQL.
//!
//! | module | what |
//! |---|---|
//! | `auth` | the bearer key, resolved by `service::access`; `source: scim` |
//! | `error` | `ScimError`: the one mapping to the SCIM error form |
//! | `filter` | the filter grammar and PATCH paths |
//! | `query` | list parameters; filters as typed storage conditions |
//! | `resource` | users and groups as resources, `meta`, ETags, projections |
//! | `patch` | PATCH operations |
//! | `users`, `groups`, `discovery` | the routes |

pub mod auth;
pub mod discovery;
pub mod error;
pub mod filter;
pub mod groups;
pub mod patch;
pub mod query;
pub mod resource;
pub mod root;
pub mod users;

use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::api::body::JsonBody;
use crate::domain::parse_id_str;
use crate::error::ApiError;
use crate::service::provisioning::Precondition;
use error::ScimError;
use query::ListQuery;
use resource::LIST_SCHEMA;

/// The media type of every SCIM response (requests may also send `application/json`).
pub const SCIM_JSON: &str = "application/scim+json";

/// A request body: JSON (`application/scim+json` or `application/json`), or the
/// extractor's error, answered in SCIM's form.
pub type Body = Result<JsonBody, ApiError>;

fn body_of(body: Body) -> Result<Value, ScimError> {
    Ok(body?.0)
}

fn params(req: &HttpRequest) -> Result<Vec<(String, String)>, ScimError> {
    serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ScimError::invalid_syntax(format!("bad query string: {e}")))
}

/// The `{id}` of the path; an id that is not a number names nothing.
fn path_id(req: &HttpRequest) -> Result<i64, ScimError> {
    req.match_info()
        .get("id")
        .and_then(parse_id_str)
        .ok_or_else(ScimError::not_found)
}

/// The versions an ETag header lists (`W/"v"` or `"v"`); `None` for `*`.
fn tags(req: &HttpRequest, name: header::HeaderName) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for value in req.headers().get_all(name) {
        for tag in String::from_utf8_lossy(value.as_bytes()).split(',') {
            let tag = tag.trim();
            if tag == "*" {
                return None;
            }
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            out.push(tag.trim_matches('"').to_string());
        }
    }
    Some(out)
}

/// `If-Match` as the write's precondition (RFC 7644 §3.14).
fn precondition(req: &HttpRequest) -> Precondition {
    match tags(req, header::IF_MATCH) {
        Some(v) if !v.is_empty() => Precondition::OneOf(v),
        _ => Precondition::Any,
    }
}

/// Whether `If-None-Match` names the current `etag` (a GET is then `304`).
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    if !req.headers().contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    match tags(req, header::IF_NONE_MATCH) {
        None => true,
        Some(v) => v.iter().any(|t| format!("W/\"{t}\"") == etag),
    }
}

/// A SCIM response: `application/scim+json`, with the ETag where there is one.
fn respond(status: StatusCode, body: Value, etag: Option<String>) -> HttpResponse {
    let mut r = HttpResponse::build(status);
    if let Some(tag) = etag {
        r.insert_header((header::ETAG, tag));
    }
    if status == StatusCode::NOT_MODIFIED {
        return r.finish();
    }
    r.insert_header((header::CONTENT_TYPE, SCIM_JSON));
    r.body(body.to_string())
}

fn list_response(total: i64, start_index: i64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// A `POST /.search` body (RFC 7644 §3.4.3) as list parameters.
fn search_query(body: Value) -> Result<ListQuery, ScimError> {
    let Value::Object(o) = body else {
        return Err(ScimError::invalid_syntax(
            "the body must be a SearchRequest object",
        ));
    };
    let mut params = Vec::new();
    for (k, v) in o {
        let text = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
            _ => continue,
        };
        params.push((k, text));
    }
    ListQuery::from_params(&params)
}

async fn not_found() -> Result<HttpResponse, ScimError> {
    Err(ScimError::not_found())
}

async fn method_not_allowed() -> Result<HttpResponse, ScimError> {
    Err(ScimError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        "this method is not served here",
    ))
}

const BASE: &str = "/instances/{instance}/scim/v2";

/// Registers the SCIM routes, in a scope of their own: a request elsewhere is matched
/// against the scope's prefix once, not against each SCIM path (actix matches dynamic
/// paths with a regular expression each). An unknown path under the base is a SCIM `404`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut scope = web::scope(BASE).default_service(web::to(not_found));
    macro_rules! route {
        ($path:literal, $($method:ident => $handler:path),+) => {
            scope = scope.service(
                web::resource($path)
                    $(.route(web::method(Method::$method).to($handler)))+
                    .default_service(web::to(method_not_allowed)),
            );
        };
    }
    route!("", GET => root::list);
    route!("/.search", POST => root::search);
    route!("/ServiceProviderConfig", GET => discovery::service_provider_config);
    route!("/ResourceTypes", GET => discovery::list_resource_types);
    route!("/ResourceTypes/{id}", GET => discovery::get_resource_type);
    route!("/Schemas", GET => discovery::list_schemas);
    route!("/Schemas/{id}", GET => discovery::get_schema);
    route!("/Users", GET => users::list, POST => users::create);
    route!("/Users/.search", POST => users::search);
    route!("/Users/{id}", GET => users::get, PUT => users::replace, PATCH => users::patch, DELETE => users::delete);
    route!("/Groups", GET => groups::list, POST => groups::create);
    route!("/Groups/.search", POST => groups::search);
    route!("/Groups/{id}", GET => groups::get, PUT => groups::replace, PATCH => groups::patch, DELETE => groups::delete);
    cfg.service(scope);
}
