//! Information barriers: two groups no user may be in at once (Box).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::body::{take_objects, FieldReader, JsonBody};
use super::caller::InstanceCaller;
use super::common::{created_body, json_response, page_envelope, params, path_id, rows_envelope};
use super::idempotency;
use super::query::ListSpec;
use crate::db::now;
use crate::domain::{parse_id, parse_text, GroupId, InstanceId, MAX_DESCRIPTION};
use crate::error::{ApiError, ErrorItem};
use crate::service::access::{require, Action};
use crate::service::barriers::{self, NewBarrier, NewBarriers};
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &["group_id"],
    name_field: None,
    has_updated: false,
    includes: &[],
    fields: &["group_ids", "description", "created_at"],
};

fn group_pair(v: &Value) -> Result<(GroupId, GroupId), String> {
    let message = "group_ids must be an array of exactly two distinct group IDs";
    let ids = v.as_array().filter(|a| a.len() == 2).ok_or(message)?;
    let a = parse_id(&ids[0]).map_err(|_| message.to_string())?;
    let b = parse_id(&ids[1]).map_err(|_| message.to_string())?;
    if a == b {
        return Err(message.into());
    }
    Ok((GroupId(a.min(b)), GroupId(a.max(b))))
}

fn parse_new(
    value: Value,
    index: Option<usize>,
    instance_id: InstanceId,
    errors: &mut Vec<ErrorItem>,
) -> Option<NewBarrier> {
    let mut r = FieldReader::new(value, index, "barrier", errors)?;
    let pair = r.required("group_ids", group_pair);
    let description = r
        .optional("description", |v| parse_text(v, MAX_DESCRIPTION))
        .flatten();
    let ok = r.finish();
    let (a, b) = pair?;
    ok.then(|| NewBarrier {
        instance_id,
        group_a_id: a,
        group_b_id: b,
        description,
        created_at: now(),
    })
}

#[utoipa::path(post, path = "/instances/{instance}/barriers", operation_id = "createBarriers", tag = "barriers",
    summary = "Create one information barrier or a bulk of 1 to 100", params(super::openapi::query::Barrier),
    request_body = super::openapi::bodies::BarrierCreate,
    responses((status = 201, description = "Created, in request order", body = super::openapi::envelopes::BarrierEnvelope), super::openapi::errors::Create))]
pub async fn create(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(who.caller, Action::CreateBarriers)?;
    let p = params(&req)?;
    p.only(&[&["fields"]])?;
    let fields = p.fields(SPEC.fields)?;
    let objects = take_objects(body.0, "barrier", "barriers")?;
    let instance_id = who.instance.id;
    let mut errors = Vec::new();
    let rows: Vec<Option<NewBarrier>> = objects
        .items
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse_new(v, objects.bulk.then_some(i), instance_id, &mut errors))
        .collect();
    let new = NewBarriers {
        rows,
        bulk: objects.bulk,
        errors,
    };
    let (pool, actor) = (state.pool.clone(), who.actor);
    idempotency::guard(&state, &req, instance_id, &body.1, |pending| async move {
        let render = move |made: &[barriers::Barrier]| created_body(rows_envelope(made), &fields);
        let body = barriers::create(&pool, actor, instance_id, new, pending, render).await?;
        Ok(json_response(StatusCode::CREATED, body))
    })
    .await
}

#[utoipa::path(get, path = "/instances/{instance}/barriers", operation_id = "listBarriers", tag = "barriers",
    summary = "List information barriers", params(super::openapi::query::Barriers),
    responses((status = 200, description = "A page of barriers", body = super::openapi::envelopes::BarrierEnvelope), super::openapi::errors::AdminRead))]
pub async fn list(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let raw = params(&req)?;
    let p = raw.list(&SPEC)?;
    let group_id = raw.id("group_id")?.map(GroupId);
    let page = barriers::list(
        &state.pool,
        who.caller,
        who.instance.id,
        p.common.clone(),
        group_id,
        p.window.clone(),
    )
    .await?;
    let mut env = page_envelope(&page, &p);
    env.keep_fields(&p.fields);
    env.respond(StatusCode::OK)
}

#[utoipa::path(get, path = "/instances/{instance}/barriers/{id}", operation_id = "getBarrier", tag = "barriers",
    summary = "Get an information barrier", params(super::openapi::query::Barrier),
    responses((status = 200, description = "The barrier", body = super::openapi::envelopes::BarrierEnvelope), super::openapi::errors::AdminRead))]
pub async fn get(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[&["fields"]])?;
    let fields = p.fields(SPEC.fields)?;
    let id = path_id(&req, "id")?;
    let row = barriers::get(&state.pool, who.caller, who.instance.id, id).await?;
    let mut env = rows_envelope(&[row]);
    env.keep_fields(&fields);
    env.respond(StatusCode::OK)
}

#[utoipa::path(delete, path = "/instances/{instance}/barriers/{id}", operation_id = "deleteBarrier", tag = "barriers",
    summary = "Delete an information barrier",
    responses((status = 204, description = "Deleted; no body"), super::openapi::errors::Delete))]
pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let id = path_id(&req, "id")?;
    barriers::delete(&state.pool, who.actor, who.instance.id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
