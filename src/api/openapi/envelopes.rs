//! The envelopes (written by `api::envelope`), the health answers and the §7 error
//! body (written by `crate::error`), as types for the description only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Type};
use utoipa::ToSchema;

use crate::api::views::{integer, string, ApiKey, Barrier, Group, Id, Instance, Membership, User};
use crate::domain::limits::{MAX_BULK, MAX_PER_PAGE};

/// The `meta` of every envelope: a create or a read of one object is one page.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The number of matches (of a list: in all pages).
    #[schema(minimum = 0)]
    pub count: i64,
    #[schema(minimum = 0)]
    pub page_count: i64,
    /// Null on a page asked for by cursor.
    #[schema(minimum = 1, required)]
    pub page_number: Option<i64>,
    #[schema(schema_with = page_size)]
    pub page_size: i64,
    /// Pass as `?cursor=` for the next page; null on the last.
    #[schema(required)]
    pub next_cursor: Option<String>,
    /// Membership creates: how many rows this request made (see `on_conflict`).
    #[schema(schema_with = bulk_count)]
    pub created: Option<usize>,
}

/// Declares the envelope of one resource: its primary map and the maps `include`
/// sideloads beside it (each present only when included).
macro_rules! envelope {
    ($(#[$doc:meta])* $name:ident { $primary:ident: $view:ty $(, $side:ident: $side_view:ty)* }) => {
        $(#[$doc])*
        #[derive(ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The number of matches (of a list: in all pages).
            #[schema(minimum = 0)]
            pub count: i64,
            pub meta: Meta,
            /// The primary objects, in order.
            #[schema(schema_with = $name::results)]
            pub results: Vec<Id>,
            pub $primary: BTreeMap<Id, $view>,
            $(
                #[schema(nullable = false)]
                pub $side: Option<BTreeMap<Id, $side_view>>,
            )*
        }

        impl $name {
            fn results() -> ArrayBuilder {
                results(stringify!($primary))
            }
        }
    };
}

/// `results`: `{"key": "<plural>", "id": "<id>"}` for each primary object, in order.
fn results(plural: &str) -> ArrayBuilder {
    let key = string().enum_values(Some([plural]));
    let entry = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("key", key)
        .property("id", utoipa::openapi::Ref::from_schema_name(Id::name()))
        .required("key")
        .required("id")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    ArrayBuilder::new().items(entry)
}

envelope!(
    /// Kantata-style envelope of users; `include` sideloads memberships and groups.
    UserEnvelope { users: User, memberships: Membership, groups: Group }
);
envelope!(
    /// Kantata-style envelope of groups; `include` sideloads memberships and users.
    GroupEnvelope { groups: Group, memberships: Membership, users: User }
);
envelope!(
    /// Kantata-style envelope of memberships; `include` sideloads users and groups.
    MembershipEnvelope { memberships: Membership, users: User, groups: Group }
);
envelope!(
    /// Kantata-style envelope of barriers.
    BarrierEnvelope { barriers: Barrier }
);
envelope!(
    /// Kantata-style envelope of API keys.
    ApiKeyEnvelope { api_keys: ApiKey }
);
envelope!(
    /// Kantata-style envelope of instances.
    InstanceEnvelope { instances: Instance }
);

/// `{"status": "ok"}`: the process is up.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Live {
    #[schema(inline)]
    pub status: LiveStatus,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveStatus {
    Ok,
}

/// `{"status": "ready"}`: the database answers.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ready {
    #[schema(inline)]
    pub status: ReadyStatus,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadyStatus {
    Ready,
}

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

/// Every error type of API.md §7 (the statuses that carry each: `Error<status>`).
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

fn page_size() -> ObjectBuilder {
    integer(1, MAX_PER_PAGE)
}

fn bulk_count() -> ObjectBuilder {
    integer(0, MAX_BULK as i64).description(Some(
        "membership creates: how many rows this request made (see on_conflict)",
    ))
}

fn bulk_index() -> ObjectBuilder {
    integer(0, MAX_BULK as i64 - 1).description(Some("the object of a bulk the error is about"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
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
            }
        }
    }
}
