//! The other route shapes of memberships: Syncano's "users of a group" and Box's
//! "groups of a user". Same semantics and envelope as `/memberships`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::body::{FieldReader, JsonBody, MAX_BULK};
use super::common::{params, path_id};
use super::memberships::{
    self as ms, create_options, list_envelope, one_envelope, read_role_and_permissions, Batch,
    Input, SPEC,
};
use super::query::ListSpec;
use crate::auth::InstanceCaller;
use crate::db::memberships::{self, MembershipFilter};
use crate::db::{self, groups, users};
use crate::domain::parse_id;
use crate::error::{ApiError, ErrorItem};
use crate::state::AppState;

/// Lists under a path take the memberships list's parameters but the path's filter.
pub const GROUP_USERS: ListSpec = ListSpec {
    filters: &["user_id", "role"],
    ..SPEC
};
pub const USER_GROUPS: ListSpec = ListSpec {
    filters: &["group_id", "role"],
    ..SPEC
};

async fn list_with(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    by_group: bool,
) -> Result<HttpResponse, ApiError> {
    let raw = params(&req)?;
    let p = raw.list(if by_group { &GROUP_USERS } else { &USER_GROUPS })?;
    let role = raw
        .get("role")
        .map(|r| {
            crate::domain::Role::parse_str(r)
                .map(|r| r.as_str().to_string())
                .ok_or_else(|| ApiError::bad_param("role", "role must be member or admin"))
        })
        .transpose()?;
    let (instance_id, viewer) = (who.instance.id, who.caller.viewer());
    let owner = path_id(&req, if by_group { "group_id" } else { "user_id" })?;
    let filter = MembershipFilter {
        common: p.common.clone(),
        user_id: if by_group {
            raw.id("user_id")?
        } else {
            Some(owner)
        },
        group_id: if by_group {
            Some(owner)
        } else {
            raw.id("group_id")?
        },
        role,
        visible_to: viewer,
    };
    let env = db::run(&state.pool, move |conn| {
        let found = if by_group {
            groups::find(conn, instance_id, owner, viewer)?.is_some()
        } else {
            users::find(conn, instance_id, owner, viewer)?.is_some()
        };
        if !found {
            return Err(ApiError::NotFound);
        }
        list_envelope(conn, instance_id, &filter, &p)
    })
    .await?;
    Ok(env.respond(StatusCode::OK))
}

/// `GET /groups/{group_id}/users`: the group's memberships.
pub async fn list_group_users(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    list_with(state, who, req, true).await
}

/// `GET /users/{user_id}/groups`: the user's memberships.
pub async fn list_user_groups(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    list_with(state, who, req, false).await
}

/// Syncano's body: `{"user": id}` or `{"users": [id, ...]}`, with optional `role` and
/// `configurable_permissions` beside it applying to every user named.
fn parse_syncano(body: Value, group_id: i64) -> Result<Batch, ApiError> {
    let Value::Object(mut map) = body else {
        return Err(ApiError::invalid(
            "user",
            "the body must be an object with a \"user\" or \"users\" key",
        ));
    };
    let one = map.remove("user");
    let many = map.remove("users");
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let (role, permissions) = read_role_and_permissions(&mut r);
    let shared_ok = r.finish();
    let (ids, bulk): (Vec<Value>, bool) = match (one, many) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "users",
                "give either \"user\" or \"users\", not both",
            ))
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "user",
                "the body must have a \"user\" or \"users\" key",
            ))
        }
        (Some(v), None) => (vec![v], false),
        (None, Some(Value::Array(ids))) if ids.is_empty() => {
            return Err(ApiError::invalid(
                "users",
                format!("users must hold 1 to {MAX_BULK} IDs"),
            ))
        }
        (None, Some(Value::Array(ids))) if ids.len() > MAX_BULK => {
            return Err(ApiError::one(
                ErrorItem::new("too_many", format!("at most {MAX_BULK} users are allowed"))
                    .field("users"),
            ))
        }
        (None, Some(Value::Array(ids))) => (ids, true),
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                "users",
                "users must be an array of user IDs",
            ))
        }
    };
    let field = if bulk { "users" } else { "user" };
    let refs = ids
        .iter()
        .map(|v| (parse_id(v).ok(), Some(group_id)))
        .collect();
    let inputs = ids
        .iter()
        .enumerate()
        .map(|(i, v)| match parse_id(v) {
            Ok(user_id) if shared_ok => Some(Input {
                user_id,
                group_id,
                role: role.unwrap_or(crate::domain::Role::Member),
                permissions: permissions.clone().unwrap_or_default(),
            }),
            Ok(_) => None,
            Err(message) => {
                errors.push(ErrorItem::invalid(field, message).at(bulk.then_some(i)));
                None
            }
        })
        .collect();
    Ok(Batch {
        inputs,
        refs,
        bulk,
        errors,
        user_field: field,
    })
}

/// `POST /groups/{group_id}/users`.
pub async fn add_users(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let options = create_options(&params(&req)?)?;
    let group_id = path_id(&req, "group_id")?;
    let batch = parse_syncano(body.0, group_id)?;
    let (instance_id, viewer) = (who.instance.id, who.caller.viewer());
    let found = db::run(&state.pool, move |conn| {
        Ok(groups::find(conn, instance_id, group_id, viewer)?.is_some())
    })
    .await?;
    if !found {
        return Err(ApiError::NotFound);
    }
    ms::respond_created(&state, &req, &body.1, &who, batch, options).await
}

/// `GET /groups/{group_id}/users/{user_id}`: that membership.
pub async fn get_pair(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[&["include", "fields"]])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let (instance_id, viewer) = (who.instance.id, who.caller.viewer());
    let (group_id, user_id) = (path_id(&req, "group_id")?, path_id(&req, "user_id")?);
    let mut env = db::run(&state.pool, move |conn| {
        let m = memberships::find_pair(conn, instance_id, user_id, group_id, viewer)?
            .ok_or(ApiError::NotFound)?;
        one_envelope(conn, instance_id, m, &includes)
    })
    .await?;
    env.keep_fields(&fields);
    Ok(env.respond(StatusCode::OK))
}

/// `DELETE /groups/{group_id}/users/{user_id}`: removes the user from the group.
pub async fn remove_pair(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let (instance_id, caller) = (who.instance.id, who.caller);
    let (group_id, user_id) = (path_id(&req, "group_id")?, path_id(&req, "user_id")?);
    db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let m = memberships::find_pair(conn, instance_id, user_id, group_id, caller.viewer())?
                .ok_or(ApiError::NotFound)?;
            ms::delete_checked(conn, instance_id, caller, &m)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
