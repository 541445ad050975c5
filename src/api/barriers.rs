//! Information barriers: two groups no user may be in at once (Box).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::body::{repeats, take_objects, FieldReader, JsonBody};
use super::common::{
    created, json_response, page_envelope, params, path_id, rows_envelope, unprocessable,
};
use super::idempotency;
use super::query::ListSpec;
use crate::auth::InstanceCaller;
use crate::db::barriers::{self, NewBarrier};
use crate::db::{self, groups, now};
use crate::domain::{parse_id, parse_text};
use crate::error::{ApiError, ErrorItem};
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &["group_id"],
    name_field: None,
    has_updated: false,
    includes: &[],
    fields: &["group_ids", "description", "created_at"],
};

fn group_pair(v: &Value) -> Result<(i64, i64), String> {
    let message = "group_ids must be an array of exactly two distinct group IDs";
    let ids = v.as_array().filter(|a| a.len() == 2).ok_or(message)?;
    let a = parse_id(&ids[0]).map_err(|_| message.to_string())?;
    let b = parse_id(&ids[1]).map_err(|_| message.to_string())?;
    if a == b {
        return Err(message.into());
    }
    Ok((a.min(b), a.max(b)))
}

fn parse_new(
    value: Value,
    index: Option<usize>,
    instance_id: i64,
    errors: &mut Vec<ErrorItem>,
) -> Option<NewBarrier> {
    let mut r = FieldReader::new(value, index, "barrier", errors)?;
    let pair = r.required("group_ids", group_pair);
    let description = r.optional("description", |v| parse_text(v, 4096)).flatten();
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

pub async fn create(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    who.caller.require_admin()?;
    let p = params(&req)?;
    p.only(&[&["fields"]])?;
    let fields = p.fields(SPEC.fields)?;
    let objects = take_objects(body.0, "barrier", "barriers")?;
    let instance_id = who.instance.id;
    let mut errors = Vec::new();
    let parsed: Vec<Option<NewBarrier>> = objects
        .items
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse_new(v, objects.bulk.then_some(i), instance_id, &mut errors))
        .collect();
    let bulk = objects.bulk;
    let pool = state.pool.clone();
    idempotency::guard(&state, &req, instance_id, &body.1, |pending| async move {
        let value = db::run(&pool, move |conn| {
            db::write_transaction(conn, |conn| {
                barriers::lock_memberships(conn)?;
                let all_groups: Vec<i64> = parsed
                    .iter()
                    .flatten()
                    .flat_map(|b| [b.group_a_id, b.group_b_id])
                    .collect();
                let existing = barriers::touching(conn, instance_id, &all_groups, false)?;
                let pairs = parsed
                    .iter()
                    .enumerate()
                    .filter_map(|(i, b)| b.as_ref().map(|b| (i, (b.group_a_id, b.group_b_id))));
                for (later, first) in repeats(pairs) {
                    let item = ErrorItem::new(
                        "duplicate",
                        format!("the same groups are given at index {first}"),
                    );
                    errors.push(item.field("group_ids").at(bulk.then_some(later)));
                }
                for (i, b) in parsed.iter().enumerate() {
                    let Some(b) = b else { continue };
                    let at = bulk.then_some(i);
                    let found =
                        groups::existing_ids(conn, instance_id, &[b.group_a_id, b.group_b_id])?;
                    for g in [b.group_a_id, b.group_b_id]
                        .into_iter()
                        .filter(|g| !found.contains(g))
                    {
                        errors.push(
                            ErrorItem::new(
                                "missing_reference",
                                format!("group {g} does not exist"),
                            )
                            .field("group_ids")
                            .at(at),
                        );
                    }
                    if existing.contains(&(b.group_a_id, b.group_b_id)) {
                        errors.push(
                            ErrorItem::new(
                                "duplicate",
                                "a barrier between these groups already exists",
                            )
                            .field("group_ids")
                            .at(at),
                        );
                    }
                    if found.len() < 2 {
                        continue;
                    }
                    if let Some(user) =
                        barriers::violators(conn, instance_id, b.group_a_id, b.group_b_id, 1)?
                            .first()
                    {
                        errors.push(
                            ErrorItem::new(
                                "forbidden_by_policy",
                                format!(
                                    "user {user} is a member of both groups {} and {}",
                                    b.group_a_id, b.group_b_id
                                ),
                            )
                            .field("group_ids")
                            .at(at),
                        );
                    }
                }
                if !errors.is_empty() {
                    return Err(unprocessable(errors));
                }
                let mut made = Vec::new();
                for (i, b) in parsed.iter().enumerate() {
                    let Some(b) = b else { continue };
                    // A racing create of the same barrier committed after the check.
                    let row =
                        barriers::insert(conn, b).map_err(|err| match ApiError::from(err) {
                            ApiError::Unprocessable(items)
                                if items.iter().all(|x| x.kind == "duplicate") =>
                            {
                                ApiError::one(
                                    ErrorItem::new(
                                        "duplicate",
                                        "a barrier between these groups already exists",
                                    )
                                    .field("group_ids")
                                    .at(bulk.then_some(i)),
                                )
                            }
                            other => other,
                        })?;
                    made.push(row);
                }
                created(conn, pending.as_ref(), rows_envelope(&made), &fields)
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
    who.caller.require_admin()?;
    let raw = params(&req)?;
    let p = raw.list(&SPEC)?;
    let group_id = raw.id("group_id")?;
    let instance_id = who.instance.id;
    let (page, p) = db::run(&state.pool, move |conn| {
        Ok((
            barriers::list(conn, instance_id, &p.common, group_id, &p.window)?,
            p,
        ))
    })
    .await?;
    let mut env = page_envelope(&page, &p);
    env.keep_fields(&p.fields);
    Ok(env.respond(StatusCode::OK))
}

pub async fn get(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    who.caller.require_admin()?;
    let p = params(&req)?;
    p.only(&[&["fields"]])?;
    let fields = p.fields(SPEC.fields)?;
    let (instance_id, id) = (who.instance.id, path_id(&req, "id")?);
    let row = db::run(&state.pool, move |conn| {
        barriers::find(conn, instance_id, id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    let mut env = rows_envelope(&[row]);
    env.keep_fields(&fields);
    Ok(env.respond(StatusCode::OK))
}

pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    who.caller.require_admin()?;
    params(&req)?.only(&[])?;
    let (instance_id, id) = (who.instance.id, path_id(&req, "id")?);
    let n = db::run(&state.pool, move |conn| {
        Ok(barriers::delete(conn, instance_id, id)?)
    })
    .await?;
    if n == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}
