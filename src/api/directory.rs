//! The REST routes of users and groups (API.md §3): one generic set of handlers; each
//! resource says only how its bodies and filters read (`Door`, in `users.rs` and
//! `groups.rs`). The rules are `service::directory`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::body::{take_objects, take_patch, FieldReader, JsonBody};
use super::caller::InstanceCaller;
use super::common::{created_body, json_response, page_envelope, params, path_id, rows_envelope};
use super::envelope::Envelope;
use super::idempotency;
use super::include::apply_owned;
use super::query::{ListSpec, Params};
use super::render::Row;
use crate::db::listing::Common;
use crate::domain::{InstanceId, UserId};
use crate::error::{ApiError, ErrorItem};
use crate::service::access::{require, Action};
use crate::service::directory::{self, Batch, Kind, WithMemberships};
use crate::state::AppState;

/// How one resource's requests read.
pub trait Door: 'static {
    type Kind: Kind<Row: Row + Sync>;
    const SINGULAR: &'static str;
    const PLURAL: &'static str;
    const SPEC: ListSpec;

    /// One new object; `None` (with its problems recorded) when it is not valid.
    fn parse_new(
        value: Value,
        index: Option<usize>,
        instance_id: InstanceId,
        errors: &mut Vec<ErrorItem>,
    ) -> Option<<Self::Kind as Kind>::New>;

    /// The fields a PATCH changes (problems recorded in the reader).
    fn parse_changes(r: &mut FieldReader) -> <Self::Kind as Kind>::Changes;

    /// The list's filter from its query parameters.
    fn filter(
        raw: &Params,
        common: Common,
        viewer: Option<UserId>,
    ) -> Result<<Self::Kind as Kind>::Filter, ApiError>;
}

const ONE: &[&str] = &["include", "fields"];

type RowOf<D> = <<D as Door>::Kind as Kind>::Row;

/// The envelope of rows and their includes.
fn envelope<D: Door>(found: WithMemberships<RowOf<D>>) -> Envelope {
    let mut env = rows_envelope(&found.rows);
    let ids: Vec<i64> = found.rows.iter().map(Row::id).collect();
    apply_owned(found.owned.as_ref(), D::Kind::OWNER, &ids, &mut env);
    env
}

pub async fn create<D: Door>(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(who.caller, D::Kind::CREATE)?;
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(D::SPEC.includes)?, p.fields(D::SPEC.fields)?);
    let objects = take_objects(body.0, D::SINGULAR, D::PLURAL)?;
    let instance_id = who.instance.id;
    let mut errors = Vec::new();
    let bulk = objects.bulk;
    let rows = objects
        .items
        .into_iter()
        .enumerate()
        .map(|(i, v)| D::parse_new(v, bulk.then_some(i), instance_id, &mut errors))
        .collect();
    let batch = Batch::<D::Kind> { rows, bulk, errors };
    let (pool, actor) = (state.pool.clone(), who.actor);
    idempotency::guard(&state, &req, instance_id, &body.1, |pending| async move {
        let render = move |made| created_body(envelope::<D>(made), &fields);
        let body = directory::create::<D::Kind>(
            &pool,
            actor,
            instance_id,
            batch,
            includes,
            pending,
            render,
        )
        .await?;
        Ok(json_response(StatusCode::CREATED, body))
    })
    .await
}

pub async fn list<D: Door>(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    require(who.caller, Action::ReadDirectory)?;
    let raw = params(&req)?;
    let p = raw.list(&D::SPEC)?;
    let filter = D::filter(&raw, p.common.clone(), who.caller.viewer())?;
    let (page, owned) = directory::list::<D::Kind>(
        &state.pool,
        who.instance.id,
        filter,
        p.window.clone(),
        p.includes.clone(),
    )
    .await?;
    let mut env = page_envelope(&page, &p);
    let ids: Vec<i64> = page.rows.iter().map(Row::id).collect();
    apply_owned(owned.as_ref(), D::Kind::OWNER, &ids, &mut env);
    env.keep_fields(&p.fields);
    env.respond(StatusCode::OK)
}

pub async fn get<D: Door>(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(D::SPEC.includes)?, p.fields(D::SPEC.fields)?);
    let id = path_id(&req, "id")?;
    let found =
        directory::get::<D::Kind>(&state.pool, who.caller, who.instance.id, id, includes).await?;
    let mut env = envelope::<D>(found);
    env.keep_fields(&fields);
    env.respond(StatusCode::OK)
}

pub async fn update<D: Door>(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(D::SPEC.includes)?, p.fields(D::SPEC.fields)?);
    let id = path_id(&req, "id")?;
    let map = take_patch(body.0, D::SINGULAR)?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let changes = D::parse_changes(&mut r);
    let changes = if r.finish() { Ok(changes) } else { Err(errors) };
    let found = directory::update::<D::Kind>(
        &state.pool,
        who.actor,
        who.instance.id,
        id,
        changes,
        includes,
    )
    .await?;
    let mut env = envelope::<D>(found);
    env.keep_fields(&fields);
    env.respond(StatusCode::OK)
}

/// Deletes the object with what depends on it.
pub async fn delete<D: Door>(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let id = path_id(&req, "id")?;
    directory::delete::<D::Kind>(&state.pool, who.actor, who.instance.id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
