//! The errors of API.md §7: the one `Error` body (its `type` one of `ErrorType`), one
//! reusable response per status (`#/components/responses/NotFound`, ...) saying when it
//! is answered and which types it carries, and the sets of them that kinds of operation
//! answer (`Read`, `Create`, ...), for `responses(...)`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Components, ObjectBuilder};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{IntoResponses, ToSchema};

use super::r;
use crate::api::views::{integer, string};
use crate::domain::limits::MAX_BULK;

/// The body of every error, whatever its status.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Error)]
pub struct ErrorBody {
    #[schema(min_items = 1)]
    pub errors: Vec<ErrorEntry>,
}

/// One problem.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    pub message: String,
    /// The field or parameter the error is about.
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// The object of a bulk the error is about.
    #[schema(schema_with = bulk_index)]
    pub index: Option<usize>,
}

/// Every error type of API.md §7 (the responses say which statuses carry which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    Conflict,
    CursorExpired,
    PayloadTooLarge,
    UriTooLong,
    UnsupportedMediaType,
    Invalid,
    MissingReference,
    Duplicate,
    ForbiddenByPolicy,
    TooMany,
    IdempotencyMismatch,
    RateLimited,
    HeadersTooLarge,
    Unavailable,
    Internal,
}

/// Every error status of API.md §7: its response's name, when it is answered, and the
/// types it carries.
pub const STATUSES: &[(u16, &str, &str, &[ErrorType])] = {
    use ErrorType::*;
    &[
        (400, "BadRequest", "A bad query parameter, a body that is not JSON, an unknown include, an offset over 10,000", &[BadRequest]),
        (401, "Unauthorized", "No key, an unknown key or a revoked key", &[Unauthorized]),
        (403, "Forbidden", "The key may see the resource but not do this", &[Forbidden]),
        (404, "NotFound", "No such instance or object, or not visible to this key", &[NotFound]),
        (405, "MethodNotAllowed", "A method the path does not serve; Allow lists those it does. \
            Named on every operation because OpenAPI describes only the methods a path serves", &[MethodNotAllowed]),
        (408, "RequestTimeout", "The request head or body arrived too slowly", &[RequestTimeout]),
        (409, "Conflict", "A request with the same Idempotency-Key is still being processed", &[Conflict]),
        (410, "CursorExpired", "An events cursor older than the retention (ROSTER_EVENT_RETENTION_DAYS)", &[CursorExpired]),
        (413, "PayloadTooLarge", "The body is over the configured limit (1 MiB by default)", &[PayloadTooLarge]),
        (414, "UriTooLong", "The request line is over the limit", &[UriTooLong]),
        (415, "UnsupportedMediaType", "The body is not sent as application/json, or in a Content-Encoding other than gzip or identity", &[UnsupportedMediaType]),
        (422, "Unprocessable", "Object-level problems, each with its field and (in a bulk) index; nothing was written", &[Invalid, MissingReference, Duplicate, ForbiddenByPolicy, TooMany, IdempotencyMismatch]),
        (429, "RateLimited", "Too many requests; see Retry-After", &[RateLimited]),
        (431, "HeadersTooLarge", "Too many or too large request headers", &[HeadersTooLarge]),
        (500, "Internal", "A bug; the message reveals no internals", &[Internal]),
        (503, "Unavailable", "The database cannot be reached; nothing was written", &[Unavailable]),
    ]
};

/// The errors the HTTP layer (`api::edge`, the router) may answer on any route.
pub const EDGE_STATUSES: &[u16] = &[405, 408, 414, 431];

/// The reusable response of an error status.
pub fn error_response(status: u16) -> RefOr<Response> {
    let name = STATUSES
        .iter()
        .find(|s| s.0 == status)
        .map_or("Internal", |s| s.1);
    Ref::new(format!("#/components/responses/{name}")).into()
}

/// Adds the response of every error status to the components.
pub fn add_responses(components: &mut Components) {
    for (status, name, what, types) in STATUSES {
        let names: Vec<String> = types
            .iter()
            .filter_map(|t| serde_json::to_value(t).ok())
            .filter_map(|v| v.as_str().map(|s| format!("`{s}`")))
            .collect();
        let description = format!("{what} (`errors[].type`: {})", names.join(", "));
        let mut b = ResponseBuilder::new().description(description).content(
            "application/json",
            ContentBuilder::new().schema(Some(r::<ErrorBody>())).build(),
        );
        let header = |what: &str| {
            HeaderBuilder::new()
                .schema(Some(string()))
                .description(Some(what))
                .build()
        };
        match status {
            401 => {
                b = b.header(
                    "WWW-Authenticate",
                    header("the schemes a key may be sent in"),
                )
            }
            405 => b = b.header("Allow", header("the methods the path serves")),
            429 => b = b.header("Retry-After", header("whole seconds to wait")),
            _ => {}
        }
        let mut response = b.build();
        common_headers(&mut response);
        components
            .responses
            .insert(name.to_string(), response.into());
    }
}

/// The headers of every response the server sends.
pub fn common_headers(response: &mut Response) {
    let id = HeaderBuilder::new()
        .schema(Some(string()))
        .description(Some("the request's ID, as logged"));
    let count = HeaderBuilder::new()
        .schema(Some(string().pattern(Some("^[0-9]+$"))))
        .description(Some("how many SQL statements the request sent"));
    response
        .headers
        .insert("X-Request-Id".into(), id.build().into());
    response
        .headers
        .insert("X-Query-Count".into(), count.build().into());
}

macro_rules! error_sets {
    ($($(#[$doc:meta])* $name:ident: [$($status:literal),+];)+) => {$(
        $(#[$doc])*
        pub struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                [$($status),+].map(|s| (s.to_string(), error_response(s))).into()
            }
        }
    )+};
}

error_sets! {
    /// `/healthz`: only a bug.
    Live: [500];
    /// `/readyz`.
    Ready: [500, 503];
    /// `GET /instances`: any key, which sees what it may.
    AccountList: [400, 401, 429, 500, 503];
    /// Reads in an instance: a user key sees less, never a 403.
    Read: [400, 401, 404, 429, 500, 503];
    /// The change feed: a user key reads less, never a 403; an old cursor is a 410.
    Feed: [400, 401, 404, 410, 429, 500, 503];
    /// Reads only admin keys may make (API keys, barriers).
    AdminRead: [400, 401, 403, 404, 429, 500, 503];
    Delete: [400, 401, 403, 404, 429, 500, 503];
    Update: [400, 401, 403, 404, 413, 415, 422, 429, 500, 503];
    Create: [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503];
    /// `POST /instances`: the account key's, outside any instance.
    CreateInstance: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503];
}

fn bulk_index() -> ObjectBuilder {
    integer(0, MAX_BULK as i64 - 1)
        .description(Some("the object of a bulk the error is about, from 0"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use actix_web::ResponseError;
    use serde_json::Value;

    #[test]
    fn every_error_the_server_sends_has_its_type() {
        let errors = [
            ApiError::bad_request("x"),
            ApiError::Unauthorized,
            ApiError::forbidden("x"),
            ApiError::NotFound,
            ApiError::MethodNotAllowed,
            ApiError::PayloadTooLarge(1),
            ApiError::UnsupportedMediaType,
            ApiError::UnsupportedEncoding("br".into()),
            ApiError::RequestTimeout,
            ApiError::UriTooLong(1),
            ApiError::HeadersTooLarge,
            ApiError::Conflict("x".into()),
            ApiError::RateLimited {
                retry_after_secs: 1,
            },
            ApiError::Unavailable("x".into()),
            ApiError::Internal("x".into()),
            ApiError::invalid("field", "x"),
        ];
        for e in errors {
            for item in e.items() {
                let parsed: Result<ErrorType, _> = serde_json::from_value(Value::from(item.kind));
                assert!(parsed.is_ok(), "{}", item.kind);
                let status = e.status_code().as_u16();
                let listed = STATUSES.iter().find(|s| s.0 == status);
                assert!(
                    listed.is_some_and(|s| s.3.contains(&parsed.unwrap())),
                    "{} with {status}",
                    item.kind
                );
            }
        }
    }
}
