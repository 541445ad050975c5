//! The other route shapes of memberships: Syncano's "users of a group" and Box's
//! "groups of a user". Same semantics and envelope as `/memberships`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::body::{one_or_many, FieldReader, JsonBody, Objects};
use super::caller::InstanceCaller;
use super::common::{params, path_id};
use super::memberships::{
    self as ms, create_options, list_page, read_role_and_permissions, role_filter, SPEC,
};
use super::query::ListSpec;
use crate::db::memberships::MembershipFilter;
use crate::domain::{parse_id, GroupId, UserId};
use crate::error::{ApiError, ErrorItem};
use crate::service::access::{require, Action};
use crate::service::memberships::{self, Batch, Input, Under, Which};
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
    require(who.caller, Action::ReadDirectory)?;
    let raw = params(&req)?;
    let p = raw.list(if by_group { &GROUP_USERS } else { &USER_GROUPS })?;
    let role = role_filter(&raw)?;
    let owner: i64 = path_id(&req, if by_group { "group_id" } else { "user_id" })?;
    let (user_id, group_id, under) = if by_group {
        let group = GroupId(owner);
        (
            raw.id("user_id")?.map(UserId),
            Some(group),
            Under::Group(group),
        )
    } else {
        let user = UserId(owner);
        (
            Some(user),
            raw.id("group_id")?.map(GroupId),
            Under::User(user),
        )
    };
    let filter = MembershipFilter {
        common: p.common.clone(),
        user_id,
        group_id,
        role,
        visible_to: who.caller.viewer(),
    };
    list_page(&state, filter, p, who.instance.id, Some(under)).await
}

/// `GET /groups/{group_id}/users`: the group's memberships.
#[utoipa::path(get, path = "/instances/{instance}/groups/{group_id}/users", operation_id = "listGroupUsers",
    tag = "memberships", summary = "The group's memberships (Syncano's list of a group's users)",
    params(super::openapi::query::GroupUsers),
    responses((status = 200, description = "A page of memberships", body = super::openapi::envelopes::MembershipEnvelope), super::openapi::errors::Read))]
pub async fn list_group_users(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    list_with(state, who, req, true).await
}

/// `GET /users/{user_id}/groups`: the user's memberships.
#[utoipa::path(get, path = "/instances/{instance}/users/{user_id}/groups", operation_id = "listUserGroups",
    tag = "memberships", summary = "The user's memberships (Box's list of a user's groups)",
    params(super::openapi::query::UserGroups),
    responses((status = 200, description = "A page of memberships", body = super::openapi::envelopes::MembershipEnvelope), super::openapi::errors::Read))]
pub async fn list_user_groups(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    list_with(state, who, req, false).await
}

/// Syncano's body: `{"user": id}` or `{"users": [id, ...]}`, with optional `role` and
/// `configurable_permissions` beside it applying to every user named.
fn parse_syncano(body: Value, group_id: GroupId) -> Result<Batch, ApiError> {
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
    let Objects { items: ids, bulk } = one_or_many(one, many, "user", "users", "user IDs")?;
    let field = if bulk { "users" } else { "user" };
    let refs = ids
        .iter()
        .map(|v| (parse_id(v).ok().map(UserId), Some(group_id)))
        .collect();
    let inputs = ids
        .iter()
        .enumerate()
        .map(|(i, v)| match parse_id(v) {
            Ok(user_id) if shared_ok => Some(Input {
                user_id: UserId(user_id),
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
#[utoipa::path(post, path = "/instances/{instance}/groups/{group_id}/users", operation_id = "addGroupUsers",
    tag = "groups", summary = "Add users to the group (Syncano style)",
    params(super::openapi::query::Membership, ("on_conflict" = Option<super::openapi::bodies::OnConflict>, Query, description = "as for createMemberships")),
    request_body = super::openapi::bodies::GroupUsersCreate,
    responses((status = 201, description = "Created, in request order", body = super::openapi::envelopes::MembershipEnvelope), super::openapi::errors::Create))]
pub async fn add_users(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let options = create_options(&params(&req)?)?;
    let group_id = path_id(&req, "group_id")?;
    let batch = parse_syncano(body.0, group_id)?;
    memberships::group_visible(&state.pool, who.caller, who.instance.id, group_id).await?;
    ms::respond_created(&state, &req, &body.1, &who, batch, options).await
}

fn pair(req: &HttpRequest) -> Result<Which, ApiError> {
    Ok(Which::Pair {
        group_id: path_id(req, "group_id")?,
        user_id: path_id(req, "user_id")?,
    })
}

/// `GET /groups/{group_id}/users/{user_id}`: that membership.
#[utoipa::path(get, path = "/instances/{instance}/groups/{group_id}/users/{user_id}", operation_id = "getGroupUser",
    tag = "memberships", summary = "The membership of the user in the group", params(super::openapi::query::Membership),
    responses((status = 200, description = "The membership", body = super::openapi::envelopes::MembershipEnvelope), super::openapi::errors::Read))]
pub async fn get_pair(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let which = pair(&req)?;
    ms::get_one(&state, &who, &req, which).await
}

/// `DELETE /groups/{group_id}/users/{user_id}`: removes the user from the group.
#[utoipa::path(delete, path = "/instances/{instance}/groups/{group_id}/users/{user_id}", operation_id = "removeGroupUser",
    tag = "memberships", summary = "Remove the user from the group",
    responses((status = 204, description = "Deleted; no body"), super::openapi::errors::Delete))]
pub async fn remove_pair(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let which = pair(&req)?;
    memberships::delete(&state.pool, who.actor, who.instance.id, which).await?;
    Ok(HttpResponse::NoContent().finish())
}
