//! Groups of an instance.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::body::{repeats, take_objects, take_patch, FieldReader, JsonBody};
use super::common::{
    created, duplicate_on, json_response, page_envelope, params, path_id, rows_envelope,
    unprocessable,
};
use super::idempotency;
use super::include;
use super::query::ListSpec;
use crate::auth::InstanceCaller;
use crate::db::groups::{self, GroupChanges, GroupFilter, NewGroup};
use crate::db::{self, now};
use crate::domain::{parse_text, GroupName};
use crate::error::{ApiError, ErrorItem};
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &["name"],
    name_field: Some("name"),
    has_updated: true,
    includes: &["memberships", "memberships.user"],
    fields: &["name", "description", "created_at", "updated_at"],
};
const ONE: &[&str] = &["include", "fields"];

fn description(v: &Value) -> Result<Option<String>, String> {
    parse_text(v, 4096)
}

fn parse_new(
    value: Value,
    index: Option<usize>,
    instance_id: i64,
    errors: &mut Vec<ErrorItem>,
) -> Option<NewGroup> {
    let mut r = FieldReader::new(value, index, "group", errors)?;
    let name = r.required("name", GroupName::parse);
    let description = r.optional("description", description).flatten();
    let ok = r.finish();
    let t = now();
    match (ok, name) {
        (true, Some(name)) => Some(NewGroup {
            instance_id,
            name: name.into_inner(),
            description,
            created_at: t.into(),
            updated_at: t.into(),
        }),
        _ => None,
    }
}

pub async fn create(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    who.caller.require_admin()?;
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let objects = take_objects(body.0, "group", "groups")?;
    let instance_id = who.instance.id;
    let mut errors = Vec::new();
    let parsed: Vec<Option<NewGroup>> = objects
        .items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_new(v.clone(), objects.index(i), instance_id, &mut errors))
        .collect();
    let names = parsed
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.as_ref().map(|g| (i, g.name.clone())));
    for (later, first) in repeats(names) {
        errors.push(
            ErrorItem::new(
                "duplicate",
                format!("name is already used by the object at index {first}"),
            )
            .field("name")
            .at(objects.index(later)),
        );
    }
    let bulk = objects.bulk;
    let pool = state.pool.clone();
    idempotency::guard(&state, &req, instance_id, &body.1, |pending| async move {
        let value = db::run(&pool, move |conn| {
            db::write_transaction(conn, |conn| {
                let wanted: Vec<String> = parsed.iter().flatten().map(|g| g.name.clone()).collect();
                let taken = groups::taken_names(conn, instance_id, &wanted)?;
                for (i, g) in parsed.iter().enumerate() {
                    if g.as_ref().is_some_and(|g| taken.contains(&g.name)) {
                        errors.push(
                            ErrorItem::new("duplicate", "name is already taken")
                                .field("name")
                                .at(bulk.then_some(i)),
                        );
                    }
                }
                if !errors.is_empty() {
                    return Err(unprocessable(errors));
                }
                let rows: Vec<NewGroup> = parsed.into_iter().flatten().collect();
                let rows =
                    groups::insert_many(conn, &rows).map_err(|e| duplicate_on("name")(e.into()))?;
                let mut env = rows_envelope(&rows);
                let ids: Vec<i64> = rows.iter().map(|g| g.id).collect();
                include::for_groups(conn, instance_id, &ids, &includes, None, &mut env)?;
                created(conn, pending.as_ref(), env, &fields)
            })
        })
        .await?;
        Ok(json_response(StatusCode::CREATED, value))
    })
    .await
}

pub async fn list(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let raw = params(&req)?;
    let p = raw.list(&SPEC)?;
    let filter = GroupFilter {
        common: p.common.clone(),
        name: raw.get("name").map(str::to_string),
        visible_to: who.caller.viewer(),
    };
    let instance_id = who.instance.id;
    let env = db::run(&state.pool, move |conn| {
        db::read_transaction(conn, |conn| {
            let page = groups::list(conn, instance_id, &filter, &p.window)?;
            let mut env = page_envelope(&page, &p);
            let ids: Vec<i64> = page.rows.iter().map(|g| g.id).collect();
            include::for_groups(
                conn,
                instance_id,
                &ids,
                &p.includes,
                filter.visible_to,
                &mut env,
            )?;
            env.keep_fields(&p.fields);
            Ok::<_, ApiError>(env)
        })
    })
    .await?;
    Ok(env.respond(StatusCode::OK))
}

pub async fn get(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let (instance_id, id, viewer) = (who.instance.id, path_id(&req, "id")?, who.caller.viewer());
    let mut env = db::run(&state.pool, move |conn| {
        db::read_transaction(conn, |conn| {
            let group = groups::find(conn, instance_id, id, viewer)?.ok_or(ApiError::NotFound)?;
            let mut env = rows_envelope(&[group]);
            include::for_groups(conn, instance_id, &[id], &includes, viewer, &mut env)?;
            Ok::<_, ApiError>(env)
        })
    })
    .await?;
    env.keep_fields(&fields);
    Ok(env.respond(StatusCode::OK))
}

pub async fn update(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let (instance_id, id, viewer) = (who.instance.id, path_id(&req, "id")?, who.caller.viewer());
    let map = take_patch(body.0, "group")?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let changes = GroupChanges {
        name: r
            .optional("name", GroupName::parse)
            .map(GroupName::into_inner),
        description: r.optional("description", description),
        updated_at: Some(now()),
    };
    let valid = r.finish();
    let caller = who.caller;
    let mut env = db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            groups::find(conn, instance_id, id, viewer)?.ok_or(ApiError::NotFound)?;
            caller.require_admin()?;
            if !valid {
                return Err(unprocessable(errors));
            }
            let group = groups::update(conn, instance_id, id, &changes)
                .map_err(|e| duplicate_on("name")(e.into()))?;
            let mut env = rows_envelope(&[group]);
            include::for_groups(conn, instance_id, &[id], &includes, viewer, &mut env)?;
            Ok(env)
        })
    })
    .await?;
    env.keep_fields(&fields);
    Ok(env.respond(StatusCode::OK))
}

/// Deletes the group with its memberships and barriers.
pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let (instance_id, id, caller) = (who.instance.id, path_id(&req, "id")?, who.caller);
    db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            groups::find(conn, instance_id, id, caller.viewer())?.ok_or(ApiError::NotFound)?;
            caller.require_admin()?;
            groups::delete(conn, instance_id, id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
