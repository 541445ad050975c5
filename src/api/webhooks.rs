//! `/instances/{instance}/webhooks`: endpoints (the secret shown once) and each one's
//! delivery log (API.md §10). Account and instance admin keys only.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::body::{take_patch, FieldReader, JsonBody};
use super::caller::InstanceCaller;
use super::common::{page_envelope, params, path_id, respond, rows_envelope, unprocessable};
use super::idempotency;
use super::query::ListSpec;
use super::render::Row;
use crate::db::listing::{SortField, SortValue};
use crate::domain::{parse_text, EventType, MAX_DESCRIPTION};
use crate::error::ApiError;
use crate::service::access::{require, Action};
use crate::service::objects::ObjectJson;
use crate::service::webhooks::{self, target, Delivery, Webhook, WebhookPatch, WebhookRequest};
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &[],
    name_field: None,
    has_updated: true,
    includes: &[],
    fields: &[
        "url",
        "types",
        "description",
        "enabled",
        "disabled_reason",
        "delivered_through",
        "failing_since",
        "next_attempt_at",
        "created_at",
        "updated_at",
    ],
};

pub const DELIVERIES: ListSpec = ListSpec {
    filters: &[],
    name_field: None,
    has_updated: false,
    includes: &[],
    fields: &[
        "webhook_id",
        "event_id",
        "attempt",
        "status_code",
        "duration_ms",
        "error",
        "next_retry_at",
        "created_at",
    ],
};

impl Row for Webhook {
    const PLURAL: &'static str = "webhooks";
    fn id(&self) -> i64 {
        self.id
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        ObjectJson::write_json(self, out)
    }
    fn sort_value(&self, field: SortField) -> SortValue {
        match field {
            SortField::Id => SortValue::Id,
            SortField::UpdatedAt => SortValue::Time(self.updated_at),
            SortField::CreatedAt | SortField::Name => SortValue::Time(self.created_at),
        }
    }
}

impl Row for Delivery {
    const PLURAL: &'static str = "webhook_deliveries";
    fn id(&self) -> i64 {
        self.id
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        ObjectJson::write_json(self, out)
    }
    fn sort_value(&self, field: SortField) -> SortValue {
        match field {
            SortField::Id => SortValue::Id,
            _ => SortValue::Time(self.created_at),
        }
    }
}

fn url(v: &Value) -> Result<url::Url, String> {
    let s = v
        .as_str()
        .ok_or("url must be an http or https URL with a host, of at most 2048 characters")?;
    target::parse_url(s)
}

/// `types`: an array of §9 event types; null for every type.
fn types(v: &Value) -> Result<Option<Vec<EventType>>, String> {
    let all: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    let message = || {
        format!(
            "types must be null (every type) or a non-empty array of event types: {}",
            all.join(", ")
        )
    };
    match v {
        Value::Null => Ok(None),
        Value::Array(items) if !items.is_empty() => {
            let mut out = Vec::new();
            for item in items {
                let t = item
                    .as_str()
                    .and_then(EventType::parse_str)
                    .ok_or_else(message)?;
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            Ok(Some(out))
        }
        _ => Err(message()),
    }
}

fn enabled(v: &Value) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| "enabled must be true or false".into())
}

#[utoipa::path(post, path = "/instances/{instance}/webhooks", operation_id = "createWebhook", tag = "webhooks",
    summary = "Create a webhook endpoint (its signing secret is shown once)", request_body = super::openapi::webhooks::WebhookCreate,
    responses((status = 201, description = "Created, with the signing secret", body = super::openapi::envelopes::WebhookEnvelope), super::openapi::errors::Create))]
pub async fn create(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(who.caller, Action::CreateWebhook)?;
    params(&req)?.only(&[])?;
    let map = take_patch(body.0, "webhook")?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let url = r.required("url", url);
    let types = r.optional("types", types).flatten();
    let description = r
        .optional("description", |v| parse_text(v, MAX_DESCRIPTION))
        .flatten();
    let enabled = r.optional("enabled", enabled).unwrap_or(true);
    let (true, Some(url)) = (r.finish(), url) else {
        return Err(unprocessable(errors));
    };
    let request = WebhookRequest {
        url,
        types,
        description,
        enabled,
    };
    let (instance_id, caller) = (who.instance.id, who.caller);
    let allow_private = state.settings.webhooks.allow_private;
    let pool = state.pool.clone();
    idempotency::guard(&state, &req, instance_id, &body.1, |pending| async move {
        let render = |w: &Webhook| Ok(rows_envelope(std::slice::from_ref(w)).into_body()?);
        let (made, body) = webhooks::create(
            &pool,
            caller,
            instance_id,
            request,
            allow_private,
            pending,
            render,
        )
        .await?;
        let mut value: Value = serde_json::from_str(&body)
            .map_err(|e| ApiError::Internal(format!("a webhook's envelope did not parse: {e}")))?;
        value["webhooks"][made.id.to_string()]["secret"] = json!(made.secret);
        Ok(respond(StatusCode::CREATED, value))
    })
    .await
}

#[utoipa::path(get, path = "/instances/{instance}/webhooks", operation_id = "listWebhooks", tag = "webhooks",
    summary = "List webhook endpoints (never their secrets)", params(super::openapi::query::Webhooks),
    responses((status = 200, description = "A page of webhook endpoints", body = super::openapi::envelopes::WebhookEnvelope), super::openapi::errors::AdminRead))]
pub async fn list(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?.list(&SPEC)?;
    let page = webhooks::list(
        &state.pool,
        who.caller,
        who.instance.id,
        p.common.clone(),
        p.window.clone(),
    )
    .await?;
    let mut env = page_envelope(&page, &p);
    env.keep_fields(&p.fields);
    env.respond(StatusCode::OK)
}

#[utoipa::path(get, path = "/instances/{instance}/webhooks/{id}", operation_id = "getWebhook", tag = "webhooks",
    summary = "Get a webhook endpoint", params(super::openapi::query::Webhook),
    responses((status = 200, description = "The endpoint", body = super::openapi::envelopes::WebhookEnvelope), super::openapi::errors::AdminRead))]
pub async fn get(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[&["fields"]])?;
    let fields = p.fields(SPEC.fields)?;
    let id: i64 = path_id(&req, "id")?;
    let row = webhooks::get(&state.pool, who.caller, who.instance.id, id).await?;
    let mut env = rows_envelope(&[row]);
    env.keep_fields(&fields);
    env.respond(StatusCode::OK)
}

#[utoipa::path(patch, path = "/instances/{instance}/webhooks/{id}", operation_id = "updateWebhook", tag = "webhooks",
    summary = "Update a webhook endpoint (a new url or enabled: true also clears its failure state)",
    request_body = super::openapi::webhooks::WebhookUpdate,
    responses((status = 200, description = "The endpoint as updated", body = super::openapi::envelopes::WebhookEnvelope), super::openapi::errors::Update))]
pub async fn update(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let id: i64 = path_id(&req, "id")?;
    let map = take_patch(body.0, "webhook")?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let patch = WebhookPatch {
        url: r.optional("url", url),
        types: r.optional("types", types),
        description: r.optional("description", |v| parse_text(v, MAX_DESCRIPTION)),
        enabled: r.optional("enabled", enabled),
    };
    if !r.finish() {
        return Err(unprocessable(errors));
    }
    let allow_private = state.settings.webhooks.allow_private;
    let row = webhooks::update(
        &state.pool,
        who.caller,
        who.instance.id,
        id,
        patch,
        allow_private,
    )
    .await?;
    rows_envelope(&[row]).respond(StatusCode::OK)
}

#[utoipa::path(delete, path = "/instances/{instance}/webhooks/{id}", operation_id = "deleteWebhook", tag = "webhooks",
    summary = "Delete a webhook endpoint and its delivery log",
    responses((status = 204, description = "Deleted; no body"), super::openapi::errors::Delete))]
pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let id: i64 = path_id(&req, "id")?;
    webhooks::delete(&state.pool, who.caller, who.instance.id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/instances/{instance}/webhooks/{id}/deliveries", operation_id = "listWebhookDeliveries", tag = "webhooks",
    summary = "The endpoint's delivery attempts, newest first", params(super::openapi::query::WebhookDeliveries),
    responses((status = 200, description = "A page of delivery attempts", body = super::openapi::envelopes::WebhookDeliveryEnvelope), super::openapi::errors::AdminRead))]
pub async fn deliveries(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let raw = params(&req)?;
    let mut p = raw.list(&DELIVERIES)?;
    if raw.get("order").is_none() && raw.get("cursor").is_none() {
        p.window.desc = true; // newest first
    }
    let id: i64 = path_id(&req, "id")?;
    let page = webhooks::deliveries(
        &state.pool,
        who.caller,
        who.instance.id,
        id,
        p.common.clone(),
        p.window.clone(),
    )
    .await?;
    let mut env = page_envelope(&page, &p);
    env.keep_fields(&p.fields);
    env.respond(StatusCode::OK)
}
