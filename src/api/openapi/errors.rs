//! The error responses of API.md §7: what each status means and the types it carries
//! (`Error<status>`, the one `Error` body narrowed), and the sets of them that kinds of
//! operation answer (`Read`, `Create`, ...), for `responses(...)`.

use std::collections::BTreeMap;

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, ObjectBuilder, Ref, Schema};
use utoipa::openapi::{ContentBuilder, RefOr};
use utoipa::IntoResponses;

use super::envelopes::{ErrorBody, ErrorType};
use super::r;
use crate::api::views::string;

/// Every error status of API.md §7: when it is answered, and the types it carries.
pub const STATUSES: &[(u16, &str, &[ErrorType])] = {
    use ErrorType::*;
    &[
        (400, "A bad query parameter, a body that is not JSON, an unknown include, an offset over 10,000", &[BadRequest]),
        (401, "No key, an unknown key or a revoked key", &[Unauthorized]),
        (403, "The key may see the resource but not do this", &[Forbidden]),
        (404, "No such instance or object, or not visible to this key", &[NotFound]),
        (405, "A method the route does not serve (see Allow)", &[MethodNotAllowed]),
        (408, "The request head or body arrived too slowly", &[RequestTimeout]),
        (409, "A request with the same Idempotency-Key is still being processed", &[Conflict]),
        (413, "The body is over the configured limit (1 MiB by default)", &[PayloadTooLarge]),
        (414, "The request line is over the limit", &[UriTooLong]),
        (415, "The body is not sent as application/json, or in a Content-Encoding other than gzip or identity", &[UnsupportedMediaType]),
        (422, "Object-level problems, each with its field and (in a bulk) index; nothing was written", &[Invalid, MissingReference, Duplicate, ForbiddenByPolicy, TooMany, IdempotencyMismatch]),
        (429, "Too many requests; see Retry-After", &[RateLimited]),
        (431, "Too many or too large request headers", &[HeadersTooLarge]),
        (500, "A bug; the message reveals no internals", &[Internal]),
        (503, "The database cannot be reached; nothing was written", &[Unavailable]),
    ]
};

/// The errors the HTTP layer (`api::edge`) may answer on any route.
pub const EDGE_STATUSES: &[u16] = &[408, 414, 431];

pub fn error_response(status: u16) -> RefOr<Response> {
    let what = STATUSES
        .iter()
        .find(|s| s.0 == status)
        .map_or("An error", |s| s.1);
    let schema = Ref::from_schema_name(format!("Error{status}"));
    let mut b = ResponseBuilder::new().description(what).content(
        "application/json",
        ContentBuilder::new().schema(Some(schema)).build(),
    );
    let header = || HeaderBuilder::new().schema(Some(string())).build();
    match status {
        401 => b = b.header("WWW-Authenticate", header()),
        429 => b = b.header("Retry-After", header()),
        _ => {}
    }
    b.build().into()
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
    /// Reads only admin keys may make (API keys, barriers).
    AdminRead: [400, 401, 403, 404, 429, 500, 503];
    Delete: [400, 401, 403, 404, 429, 500, 503];
    Update: [400, 401, 403, 404, 413, 415, 422, 429, 500, 503];
    Create: [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503];
    /// `POST /instances`: the account key's, outside any instance.
    CreateInstance: [400, 401, 403, 409, 413, 415, 422, 429, 500, 503];
}

/// `Error<status>`: the §7 body with the types that status carries.
pub fn error_schema(types: &[ErrorType]) -> Schema {
    let names = types.iter().filter_map(|t| serde_json::to_value(t).ok());
    let kind = string().enum_values(Some(names));
    let entry = ObjectBuilder::new().property("type", kind);
    let narrowed = ObjectBuilder::new().property("errors", ArrayBuilder::new().items(entry));
    AllOfBuilder::new()
        .item(r::<ErrorBody>())
        .item(narrowed)
        .build()
        .into()
}
