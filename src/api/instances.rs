//! Instances (tenants): the account key creates, lists, updates and deletes them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::body::{take_patch, FieldReader, JsonBody};
use super::common::{
    created, duplicate_on, json_response, page_envelope, params, rows_envelope, unprocessable,
};
use super::idempotency;
use super::query::ListSpec;
use crate::auth::{AnyCaller, Caller, InstanceCaller};
use crate::db::instances::{self, InstanceChanges};
use crate::db::keys::KeyOwner;
use crate::db::{self, now};
use crate::domain::{parse_text, InstanceName};
use crate::error::ApiError;
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &["name"],
    name_field: Some("name"),
    has_updated: true,
    includes: &[],
    fields: &["name", "description", "created_at", "updated_at"],
};
const ONE: &[&str] = &["fields"];
const MAX_DESCRIPTION: usize = 4096;

fn description(v: &Value) -> Result<String, String> {
    parse_text(v, MAX_DESCRIPTION).map(Option::unwrap_or_default)
}

pub async fn create(
    state: web::Data<AppState>,
    who: AnyCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    who.require_account()?;
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
    let pool = state.pool.clone();
    idempotency::guard(&state, &req, 0, &body.1, |pending| async move {
        let value = db::run(&pool, move |conn| {
            db::write_transaction(conn, |conn| {
                let row = instances::insert(conn, &name.into_inner(), &desc)
                    .map_err(|e| duplicate_on("name")(e.into()))?;
                created(conn, pending.as_ref(), rows_envelope(&[row]), &fields)
            })
        })
        .await?;
        Ok(json_response(StatusCode::CREATED, value))
    })
    .await
}

pub async fn list(
    state: web::Data<AppState>,
    who: AnyCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?.list(&SPEC)?;
    let name = params(&req)?.get("name").map(str::to_string);
    // An instance key sees only its own instance.
    let name = match &who.owner {
        KeyOwner::Account => name,
        KeyOwner::Instance { instance, .. } => match name {
            Some(n) if n != instance.name => Some(String::new()),
            _ => Some(instance.name.clone()),
        },
    };
    let page = db::run(&state.pool, move |conn| {
        Ok(instances::list(conn, &p.common, name.as_deref(), &p.window).map(|page| (page, p))?)
    })
    .await?;
    let (page, p) = page;
    let mut env = page_envelope(&page, &p);
    env.keep_fields(&p.fields);
    Ok(env.respond(StatusCode::OK))
}

pub async fn get(who: InstanceCaller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[ONE])?;
    let mut env = rows_envelope(&[who.instance]);
    env.keep_fields(&p.fields(SPEC.fields)?);
    Ok(env.respond(StatusCode::OK))
}

pub async fn update(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    if who.caller != Caller::Account {
        return Err(ApiError::forbidden(
            "only the account key may change an instance",
        ));
    }
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
    let id = who.instance.id;
    let row = db::run(&state.pool, move |conn| {
        let changes = InstanceChanges {
            name,
            description,
            updated_at: now(),
        };
        instances::update(conn, id, &changes).map_err(|e| duplicate_on("name")(e.into()))
    })
    .await?;
    let mut env = rows_envelope(&[row]);
    env.keep_fields(&fields);
    Ok(env.respond(StatusCode::OK))
}

pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
) -> Result<HttpResponse, ApiError> {
    if who.caller != Caller::Account {
        return Err(ApiError::forbidden(
            "only the account key may delete an instance",
        ));
    }
    let id = who.instance.id;
    db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| Ok::<_, ApiError>(instances::delete(conn, id)?))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
