//! The envelopes (written by `api::envelope`) and the health answers, as types for the
//! description only.
//!
//! Each resource has two envelopes: `UserEnvelope`, whose users are whole `User`s (every
//! field the server always writes is required), and `UserFieldsEnvelope`, whose users are
//! `UserFields` (only `id` required), the answer to `fields=`. An operation that takes
//! `fields` answers `anyOf` the two (`rules.rs`); one that does not, the first alone.
//! Sideloads are whole objects in both: `fields` shapes the primary objects only.

use std::borrow::Cow;

use serde::Serialize;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::webhooks::{Webhook, WebhookDelivery};
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

/// Declares `<View>Fields`: the view as a `fields=` answer has it, `id` and the fields
/// asked for (every property of the view, only `id` required).
macro_rules! fields_views {
    ($($name:ident: $view:ty;)+) => {$(
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                only_id_required(<$view as PartialSchema>::schema(), <$view as ToSchema>::name())
            }
        }

        impl ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                <$view as ToSchema>::schemas(schemas);
            }
        }
    )+};
}

fn only_id_required(schema: RefOr<Schema>, view: Cow<'static, str>) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut object)) = schema else {
        return schema;
    };
    object.required.retain(|name| name == "id");
    object.description = Some(format!(
        "{view} as an answer to `fields=` has it: `id` and the fields asked for."
    ));
    RefOr::T(Schema::Object(object))
}

fields_views! {
    UserFields: User;
    GroupFields: Group;
    MembershipFields: Membership;
    BarrierFields: Barrier;
    ApiKeyFields: ApiKey;
    InstanceFields: Instance;
    WebhookFields: Webhook;
    WebhookDeliveryFields: WebhookDelivery;
}

/// Declares a map of objects keyed by their IDs (`{"17": {...}}`), as envelopes hold them.
macro_rules! id_maps {
    ($($name:ident: $view:ident;)+) => {$(
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                id_map(&$view::name())
            }
        }

        impl ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                schemas.push(($view::name().into(), $view::schema()));
                $view::schemas(schemas);
            }
        }
    )+};
}

fn id_map(view: &str) -> RefOr<Schema> {
    let key = match Id::schema() {
        RefOr::T(schema) => Some(schema),
        RefOr::Ref(_) => None,
    };
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(format!("{view}s by ID")))
        .additional_properties(Some(AdditionalProperties::RefOr(RefOr::Ref(
            Ref::from_schema_name(view),
        ))))
        .property_names(key)
        .into()
}

id_maps! {
    UserMap: User;
    GroupMap: Group;
    MembershipMap: Membership;
    BarrierMap: Barrier;
    ApiKeyMap: ApiKey;
    InstanceMap: Instance;
    UserFieldsMap: UserFields;
    GroupFieldsMap: GroupFields;
    MembershipFieldsMap: MembershipFields;
    BarrierFieldsMap: BarrierFields;
    ApiKeyFieldsMap: ApiKeyFields;
    InstanceFieldsMap: InstanceFields;
    WebhookMap: Webhook;
    WebhookFieldsMap: WebhookFields;
    WebhookDeliveryMap: WebhookDelivery;
    WebhookDeliveryFieldsMap: WebhookDeliveryFields;
}

/// Declares `<View>Result`: `{"key": "<plural>", "id": "<id>"}`, an entry of `results`.
macro_rules! results {
    ($($name:ident: $plural:literal;)+) => {$(
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                result($plural)
            }
        }

        impl ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                schemas.push((Id::name().into(), Id::schema()));
            }
        }
    )+};
}

fn result(plural: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(format!(
            "One of the primary objects, in order: {plural}"
        )))
        .property("key", string().enum_values(Some([plural])))
        .property("id", Ref::from_schema_name(Id::name()))
        .required("key")
        .required("id")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .into()
}

results! {
    UserResult: "users";
    GroupResult: "groups";
    MembershipResult: "memberships";
    BarrierResult: "barriers";
    ApiKeyResult: "api_keys";
    InstanceResult: "instances";
    WebhookResult: "webhooks";
    WebhookDeliveryResult: "webhook_deliveries";
}

/// Declares the two envelopes of one resource: its primary map and the maps `include`
/// sideloads beside it (each present only when included).
macro_rules! envelopes {
    ($(
        $(#[$doc:meta])*
        $name:ident, $fields_name:ident {
            $primary:ident: $map:ty, $fields_map:ty, $result:ty $(, $side:ident: $side_map:ty)*
        }
    )+) => {$(
        $(#[$doc])*
        #[derive(ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The number of matches (of a list: in all pages).
            #[schema(minimum = 0)]
            pub count: i64,
            pub meta: Meta,
            /// The primary objects, in order.
            pub results: Vec<$result>,
            pub $primary: $map,
            $(
                #[schema(nullable = false)]
                pub $side: Option<$side_map>,
            )*
        }

        $(#[$doc])*
        /// As answered with `fields=`: the primary objects carry `id` and the fields asked
        /// for.
        #[derive(ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $fields_name {
            /// The number of matches (of a list: in all pages).
            #[schema(minimum = 0)]
            pub count: i64,
            pub meta: Meta,
            /// The primary objects, in order.
            pub results: Vec<$result>,
            pub $primary: $fields_map,
            $(
                #[schema(nullable = false)]
                pub $side: Option<$side_map>,
            )*
        }
    )+};
}

envelopes! {
    /// Kantata-style envelope of users; `include` sideloads memberships and groups.
    UserEnvelope, UserFieldsEnvelope {
        users: UserMap, UserFieldsMap, UserResult, memberships: MembershipMap, groups: GroupMap
    }
    /// Kantata-style envelope of groups; `include` sideloads memberships and users.
    GroupEnvelope, GroupFieldsEnvelope {
        groups: GroupMap, GroupFieldsMap, GroupResult, memberships: MembershipMap, users: UserMap
    }
    /// Kantata-style envelope of memberships; `include` sideloads users and groups.
    MembershipEnvelope, MembershipFieldsEnvelope {
        memberships: MembershipMap, MembershipFieldsMap, MembershipResult, users: UserMap,
        groups: GroupMap
    }
    /// Kantata-style envelope of barriers.
    BarrierEnvelope, BarrierFieldsEnvelope { barriers: BarrierMap, BarrierFieldsMap, BarrierResult }
    /// Kantata-style envelope of API keys.
    ApiKeyEnvelope, ApiKeyFieldsEnvelope { api_keys: ApiKeyMap, ApiKeyFieldsMap, ApiKeyResult }
    /// Kantata-style envelope of instances.
    InstanceEnvelope, InstanceFieldsEnvelope {
        instances: InstanceMap, InstanceFieldsMap, InstanceResult
    }
    /// Kantata-style envelope of webhook endpoints.
    WebhookEnvelope, WebhookFieldsEnvelope { webhooks: WebhookMap, WebhookFieldsMap, WebhookResult }
    /// Kantata-style envelope of a webhook endpoint's delivery attempts.
    WebhookDeliveryEnvelope, WebhookDeliveryFieldsEnvelope {
        webhook_deliveries: WebhookDeliveryMap, WebhookDeliveryFieldsMap, WebhookDeliveryResult
    }
}

/// The `fields=` envelope of each envelope (for `rules.rs`, which names both in the
/// answers of the operations that take `fields`).
pub fn fields_envelope(envelope: &str) -> Option<String> {
    let known = [
        UserEnvelope::name(),
        GroupEnvelope::name(),
        MembershipEnvelope::name(),
        BarrierEnvelope::name(),
        ApiKeyEnvelope::name(),
        InstanceEnvelope::name(),
        WebhookEnvelope::name(),
        WebhookDeliveryEnvelope::name(),
    ];
    let stem = envelope.strip_suffix("Envelope")?;
    known
        .iter()
        .any(|k| k == envelope)
        .then(|| format!("{stem}FieldsEnvelope"))
}

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

fn page_size() -> ObjectBuilder {
    integer(1, MAX_PER_PAGE)
}

fn bulk_count() -> ObjectBuilder {
    integer(0, MAX_BULK as i64).description(Some(
        "membership creates: how many rows this request made (see on_conflict)",
    ))
}
