//! A webhook endpoint and a delivery attempt as the API shows them. The secret is never
//! part of an endpoint's JSON: the create response adds it, once (`api::webhooks`).

use serde::Serialize;

use crate::db::webhook_deliveries::Delivery;
use crate::db::webhooks::Webhook;
use crate::domain::{ser_id, Rfc3339};
use crate::service::objects::{write_json, ObjectJson};

#[derive(Serialize)]
struct WebhookJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    url: &'a str,
    /// `null`: every event type.
    types: Option<Vec<&'a str>>,
    description: Option<&'a str>,
    enabled: bool,
    disabled_reason: Option<&'a str>,
    /// The last event delivered (or skipped as not of `types`); `"0"` before any.
    #[serde(serialize_with = "ser_id")]
    delivered_through: i64,
    failing_since: Option<Rfc3339>,
    next_attempt_at: Option<Rfc3339>,
    created_at: Rfc3339,
    updated_at: Rfc3339,
}

#[derive(Serialize)]
struct DeliveryJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    #[serde(serialize_with = "ser_id")]
    webhook_id: i64,
    #[serde(serialize_with = "ser_id")]
    event_id: i64,
    attempt: i32,
    status_code: Option<i32>,
    duration_ms: i64,
    error: Option<&'a str>,
    next_retry_at: Option<Rfc3339>,
    created_at: Rfc3339,
}

impl ObjectJson for Webhook {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_json(
            out,
            &WebhookJson {
                id: self.id,
                url: &self.url,
                types: self
                    .types
                    .as_deref()
                    .map(|t| t.split(',').filter(|s| !s.is_empty()).collect()),
                description: self.description.as_deref(),
                enabled: self.enabled,
                disabled_reason: self.disabled_reason.as_deref(),
                delivered_through: self.delivered_through.get(),
                failing_since: self.failing_since.map(Rfc3339),
                next_attempt_at: self.next_attempt_at.map(Rfc3339),
                created_at: Rfc3339(self.created_at),
                updated_at: Rfc3339(self.updated_at),
            },
        )
    }
}

impl ObjectJson for Delivery {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_json(
            out,
            &DeliveryJson {
                id: self.id,
                webhook_id: self.webhook_id,
                event_id: self.event_id.get(),
                attempt: self.attempt,
                status_code: self.status_code,
                duration_ms: self.duration_ms,
                error: self.error.as_deref(),
                next_retry_at: self.next_retry_at.map(Rfc3339),
                created_at: Rfc3339(self.created_at),
            },
        )
    }
}
