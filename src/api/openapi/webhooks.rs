//! Webhooks (API.md §10) for the description: the endpoint and the delivery attempt as
//! the server writes them (`service::webhooks::json`), and the request bodies as
//! `api::webhooks` parses them.

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat};
use utoipa::ToSchema;

use crate::api::views::{string, text, Id, Time};
use crate::domain::{EventType, MAX_DESCRIPTION};
use crate::service::webhooks::target::MAX_URL;

/// A §9 event type.
pub struct WebhookEventType;

impl utoipa::PartialSchema for WebhookEventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let all: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        string()
            .enum_values(Some(all))
            .description(Some("an event type of the change feed"))
            .into()
    }
}

impl ToSchema for WebhookEventType {}

fn url() -> ObjectBuilder {
    string()
        .max_length(Some(MAX_URL))
        .format(Some(SchemaFormat::Custom("uri".into())))
        .pattern(Some("^[hH][tT][tT][pP][sS]?://"))
        .description(Some(
            "an http(s) URL with a host, of at most 2048 bytes, whose addresses are public",
        ))
}

/// An event id, or `"0"` before the instance's first event.
fn event_cursor() -> ObjectBuilder {
    string()
        .pattern(Some("^(0|[1-9][0-9]{0,18})$"))
        .description(Some(
            "an event id as a string of digits; \"0\" before any event",
        ))
}

fn types() -> ArrayBuilder {
    // Null is taken (and means every type), as the response shows it.
    ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::Array,
            utoipa::openapi::schema::Type::Null,
        ]))
        .items(utoipa::openapi::Ref::from_schema_name("WebhookEventType"))
        .min_items(Some(1))
        .description(Some("the event types delivered; null: every type"))
}

/// A webhook endpoint; its signing secret only in the create response.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub id: Id,
    #[schema(schema_with = url)]
    pub url: String,
    /// The event types delivered; null: every type.
    #[schema(required)]
    pub types: Option<Vec<WebhookEventType>>,
    #[schema(schema_with = text::<MAX_DESCRIPTION>, required)]
    pub description: Option<String>,
    pub enabled: bool,
    /// Why Roster disabled the endpoint (after failing for the failure window).
    #[schema(required)]
    pub disabled_reason: Option<String>,
    /// The last event delivered (or skipped as not of `types`); events after it follow.
    #[schema(schema_with = event_cursor)]
    pub delivered_through: String,
    /// Since when deliveries have failed without a success; null while they succeed.
    #[schema(required)]
    pub failing_since: Option<Time>,
    /// When the failed event is tried again.
    #[schema(required)]
    pub next_attempt_at: Option<Time>,
    pub created_at: Time,
    pub updated_at: Time,
    /// The signing secret (`whsec_` + base64 of 32 bytes): only in the create response.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = "^whsec_[A-Za-z0-9+/]{43}=$")]
    pub secret: Option<String>,
}

/// One delivery attempt of an event to an endpoint.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookDelivery {
    pub id: Id,
    pub webhook_id: Id,
    pub event_id: Id,
    /// 1 for the event's first attempt, one more for each retry.
    #[schema(minimum = 1)]
    pub attempt: i32,
    /// The receiver's status; null when it did not answer.
    #[schema(required)]
    pub status_code: Option<i32>,
    #[schema(minimum = 0)]
    pub duration_ms: i64,
    /// Why the attempt failed; null for a 2xx.
    #[schema(required)]
    pub error: Option<String>,
    /// When the event is tried again; null after a 2xx or when the endpoint was disabled.
    #[schema(required)]
    pub next_retry_at: Option<Time>,
    pub created_at: Time,
}

/// A new webhook endpoint.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookNew {
    #[schema(schema_with = url)]
    pub url: String,
    /// Omitted or null: every type.
    #[schema(schema_with = types)]
    pub types: Option<Vec<WebhookEventType>>,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
    /// Default true.
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
}

/// The fields of an endpoint to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChanges {
    #[schema(schema_with = url)]
    pub url: Option<String>,
    #[schema(schema_with = types)]
    pub types: Option<Vec<WebhookEventType>>,
    #[schema(schema_with = text::<MAX_DESCRIPTION>)]
    pub description: Option<String>,
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
}

/// `{"webhook": {...}}`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookCreate {
    pub webhook: WebhookNew,
}

/// `{"webhook": {...}}` with the fields to change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookUpdate {
    pub webhook: WebhookChanges,
}
