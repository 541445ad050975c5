//! `/instances`: the account key creates, lists, updates and deletes tenants.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::body::{take_patch, FieldReader, JsonBody};
use super::caller::{AnyCaller, InstanceCaller};
use super::common::{
    created_body, json_response, page_envelope, params, rows_envelope, unprocessable,
};
use super::idempotency;
use super::query::ListSpec;
use crate::domain::{parse_text, InstanceName, MAX_DESCRIPTION};
use crate::error::ApiError;
use crate::service::access::{require, Action};
use crate::service::idempotency::ACCOUNT_SCOPE;
use crate::service::instances;
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &["name"],
    name_field: Some("name"),
    has_updated: true,
    includes: &[],
    fields: &["name", "description", "created_at", "updated_at"],
};
const ONE: &[&str] = &["fields"];

fn description(v: &Value) -> Result<String, String> {
    parse_text(v, MAX_DESCRIPTION).map(Option::unwrap_or_default)
}

#[utoipa::path(post, path = "/instances", operation_id = "createInstance", tag = "instances",
    summary = "Create an instance (account key)", params(super::openapi::query::Instance), request_body = super::openapi::bodies::InstanceCreate,
    responses((status = 201, description = "Created", body = super::openapi::envelopes::InstanceEnvelope), super::openapi::errors::CreateInstance))]
pub async fn create(
    state: web::Data<AppState>,
    who: AnyCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(who.caller(), Action::CreateInstance)?;
    let p = params(&req)?;
    p.only(&[ONE])?;
    let fields = p.fields(SPEC.fields)?;
    let map = take_patch(body.0, "instance")?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let name = r.required("name", InstanceName::parse);
    let desc = r.optional("description", description).unwrap_or_default();
    let (true, Some(name)) = (r.finish(), name) else {
        return Err(unprocessable(errors));
    };
    let (pool, caller) = (state.pool.clone(), who.caller());
    idempotency::guard(&state, &req, ACCOUNT_SCOPE, &body.1, |pending| async move {
        let render = move |row: &instances::Instance| {
            created_body(rows_envelope(std::slice::from_ref(row)), &fields)
        };
        let body =
            instances::create(&pool, caller, name.into_inner(), desc, pending, render).await?;
        Ok(json_response(StatusCode::CREATED, body))
    })
    .await
}

#[utoipa::path(get, path = "/instances", operation_id = "listInstances", tag = "instances",
    summary = "List instances (an instance key sees its own)", params(super::openapi::query::Instances),
    responses((status = 200, description = "A page of instances", body = super::openapi::envelopes::InstanceEnvelope), super::openapi::errors::AccountList))]
pub async fn list(
    state: web::Data<AppState>,
    who: AnyCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    require(who.caller(), Action::ListInstances)?;
    let raw = params(&req)?;
    let p = raw.list(&SPEC)?;
    let name = raw.get("name").map(str::to_string);
    let page = instances::list(
        &state.pool,
        who.own_instance(),
        p.common.clone(),
        name,
        p.window.clone(),
    )
    .await?;
    let mut env = page_envelope(&page, &p);
    env.keep_fields(&p.fields);
    env.respond(StatusCode::OK)
}

#[utoipa::path(get, path = "/instances/{instance}", operation_id = "getInstance", tag = "instances",
    summary = "Get an instance", params(super::openapi::query::Instance),
    responses((status = 200, description = "The instance", body = super::openapi::envelopes::InstanceEnvelope), super::openapi::errors::Read))]
pub async fn get(who: InstanceCaller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    require(who.caller, Action::ReadInstance)?;
    let p = params(&req)?;
    p.only(&[ONE])?;
    let mut env = rows_envelope(&[who.instance]);
    env.keep_fields(&p.fields(SPEC.fields)?);
    env.respond(StatusCode::OK)
}

#[utoipa::path(patch, path = "/instances/{instance}", operation_id = "updateInstance", tag = "instances",
    summary = "Change an instance (account key)", params(super::openapi::query::Instance), request_body = super::openapi::bodies::InstanceUpdate,
    responses((status = 200, description = "The changed instance", body = super::openapi::envelopes::InstanceEnvelope), super::openapi::errors::Update))]
pub async fn update(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(who.caller, Action::UpdateInstance)
        .map_err(|_| ApiError::forbidden("only the account key may change an instance"))?;
    let p = params(&req)?;
    p.only(&[ONE])?;
    let fields = p.fields(SPEC.fields)?;
    let map = take_patch(body.0, "instance")?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let name = r
        .optional("name", InstanceName::parse)
        .map(InstanceName::into_inner);
    let description = r.optional("description", description);
    if !r.finish() {
        return Err(unprocessable(errors));
    }
    let row = instances::update(&state.pool, who.actor, who.instance.id, name, description).await?;
    let mut env = rows_envelope(&[row]);
    env.keep_fields(&fields);
    env.respond(StatusCode::OK)
}

#[utoipa::path(delete, path = "/instances/{instance}", operation_id = "deleteInstance", tag = "instances",
    summary = "Delete an instance and all its data (account key)",
    responses((status = 204, description = "Deleted; no body"), super::openapi::errors::Delete))]
pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
) -> Result<HttpResponse, ApiError> {
    instances::delete(&state.pool, who.caller, who.instance.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
