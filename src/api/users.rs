//! Users: people or service accounts of an instance.

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
use crate::db::users::{self, NewUser, UserChanges, UserFilter};
use crate::db::{self, now};
use crate::domain::{AvatarUrl, Email, Principal, Username};
use crate::error::{ApiError, ErrorItem};
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &["username", "principal"],
    name_field: Some("username"),
    has_updated: true,
    includes: &["memberships", "memberships.group"],
    fields: &[
        "username",
        "name",
        "email",
        "avatar_url",
        "principal",
        "created_at",
        "updated_at",
    ],
};
const ONE: &[&str] = &["include", "fields"];

fn name(v: &Value) -> Result<Option<String>, String> {
    crate::domain::parse_text(v, 255)
}

/// Parses one new user; `None` (with errors recorded) when it is not valid.
fn parse_new(
    value: Value,
    index: Option<usize>,
    instance_id: i64,
    errors: &mut Vec<ErrorItem>,
) -> Option<NewUser> {
    let mut r = FieldReader::new(value, index, "user", errors)?;
    let username = r.required("username", Username::parse);
    let name = r.optional("name", name).flatten();
    let email = r.optional("email", Email::parse).flatten();
    let avatar_url = r.optional("avatar_url", AvatarUrl::parse).flatten();
    let principal = r
        .optional("principal", Principal::parse)
        .unwrap_or(Principal::User);
    let ok = r.finish();
    let t = now();
    (ok && username.is_some()).then(|| NewUser {
        instance_id,
        username: username.map(Username::into_inner).unwrap_or_default(),
        name,
        email: email.map(Email::into_inner),
        avatar_url: avatar_url.map(AvatarUrl::into_inner),
        principal: principal.as_str().to_string(),
        created_at: t.into(),
        updated_at: t.into(),
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
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let objects = take_objects(body.0, "user", "users")?;
    let instance_id = who.instance.id;
    let mut errors = Vec::new();
    let parsed: Vec<Option<NewUser>> = objects
        .items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_new(v.clone(), objects.index(i), instance_id, &mut errors))
        .collect();
    let names = parsed
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.as_ref().map(|u| (i, u.username.clone())));
    for (later, first) in repeats(names) {
        errors.push(
            ErrorItem::new(
                "duplicate",
                format!("username is already used by the object at index {first}"),
            )
            .field("username")
            .at(objects.index(later)),
        );
    }
    let bulk = objects.bulk;
    let pool = state.pool.clone();
    idempotency::guard(&state, &req, instance_id, &body.1, |pending| async move {
        let value = db::run(&pool, move |conn| {
            db::write_transaction(conn, |conn| {
                let wanted: Vec<String> = parsed
                    .iter()
                    .flatten()
                    .map(|u| u.username.clone())
                    .collect();
                let taken = users::taken_usernames(conn, instance_id, &wanted)?;
                for (i, u) in parsed.iter().enumerate() {
                    if u.as_ref().is_some_and(|u| taken.contains(&u.username)) {
                        errors.push(
                            ErrorItem::new("duplicate", "username is already taken")
                                .field("username")
                                .at(bulk.then_some(i)),
                        );
                    }
                }
                if !errors.is_empty() {
                    return Err(unprocessable(errors));
                }
                let rows: Vec<NewUser> = parsed.into_iter().flatten().collect();
                let rows = users::insert_many(conn, &rows)
                    .map_err(|e| duplicate_on("username")(e.into()))?;
                let mut env = rows_envelope(&rows);
                let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
                include::for_users(conn, instance_id, &ids, &includes, None, &mut env)?;
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
    let principal = raw
        .get("principal")
        .map(|v| {
            Principal::parse_str(v)
                .map(|p| p.as_str().to_string())
                .ok_or_else(|| {
                    ApiError::bad_param("principal", "principal must be user or service_account")
                })
        })
        .transpose()?;
    let filter = UserFilter {
        common: p.common.clone(),
        username: raw.get("username").map(str::to_string),
        principal,
        visible_to: who.caller.viewer(),
    };
    let instance_id = who.instance.id;
    let env = db::run(&state.pool, move |conn| {
        db::read_transaction(conn, |conn| {
            let page = users::list(conn, instance_id, &filter, &p.window)?;
            let mut env = page_envelope(&page, &p);
            let ids: Vec<i64> = page.rows.iter().map(|u| u.id).collect();
            include::for_users(
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
            let user = users::find(conn, instance_id, id, viewer)?.ok_or(ApiError::NotFound)?;
            let mut env = rows_envelope(&[user]);
            include::for_users(conn, instance_id, &[id], &includes, viewer, &mut env)?;
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
    let map = take_patch(body.0, "user")?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let changes = UserChanges {
        username: r
            .optional("username", Username::parse)
            .map(Username::into_inner),
        name: r.optional("name", name),
        email: r
            .optional("email", Email::parse)
            .map(|e| e.map(Email::into_inner)),
        avatar_url: r
            .optional("avatar_url", AvatarUrl::parse)
            .map(|a| a.map(AvatarUrl::into_inner)),
        principal: r
            .optional("principal", Principal::parse)
            .map(|p| p.as_str().to_string()),
        updated_at: Some(now()),
    };
    let valid = r.finish();
    let caller = who.caller;
    let mut env = db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            users::find(conn, instance_id, id, viewer)?.ok_or(ApiError::NotFound)?;
            caller.require_admin()?;
            if !valid {
                return Err(unprocessable(errors));
            }
            let user = users::update(conn, instance_id, id, &changes)
                .map_err(|e| duplicate_on("username")(e.into()))?;
            let mut env = rows_envelope(&[user]);
            include::for_users(conn, instance_id, &[id], &includes, viewer, &mut env)?;
            Ok(env)
        })
    })
    .await?;
    env.keep_fields(&fields);
    Ok(env.respond(StatusCode::OK))
}

/// Deletes the user with its memberships and keys.
pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let (instance_id, id, caller) = (who.instance.id, path_id(&req, "id")?, who.caller);
    db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            users::find(conn, instance_id, id, caller.viewer())?.ok_or(ApiError::NotFound)?;
            caller.require_admin()?;
            users::delete(conn, instance_id, id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
