//! The operations of users and groups. Their handlers are generic
//! (`api::directory::create::<UsersDoor>`, ...), so each route is described on a stub
//! here, which exists only for its `#[utoipa::path]`.
#![allow(dead_code)]

use super::bodies::{GroupCreate, GroupUpdate, UserCreate, UserUpdate};
use super::envelopes::{GroupEnvelope, UserEnvelope};
use super::{errors, query};

const USERS: &str = "/instances/{instance}/users";
const USER: &str = "/instances/{instance}/users/{id}";
const GROUPS: &str = "/instances/{instance}/groups";
const GROUP: &str = "/instances/{instance}/groups/{id}";

#[utoipa::path(post, path = USERS, operation_id = "createUsers", tag = "users",
    summary = "Create one user or a bulk of 1 to 100", params(query::User), request_body = UserCreate,
    responses((status = 201, description = "Created, in request order", body = UserEnvelope), errors::Create))]
fn create_users() {}

#[utoipa::path(get, path = USERS, operation_id = "listUsers", tag = "users", summary = "List users",
    params(query::Users), responses((status = 200, description = "A page of users", body = UserEnvelope), errors::Read))]
fn list_users() {}

#[utoipa::path(get, path = USER, operation_id = "getUser", tag = "users", summary = "Get a user",
    params(query::User), responses((status = 200, description = "The user", body = UserEnvelope), errors::Read))]
fn get_user() {}

#[utoipa::path(patch, path = USER, operation_id = "updateUser", tag = "users", summary = "Change a user",
    params(query::User), request_body = UserUpdate,
    responses((status = 200, description = "The changed user", body = UserEnvelope), errors::Update))]
fn update_user() {}

#[utoipa::path(delete, path = USER, operation_id = "deleteUser", tag = "users",
    summary = "Delete a user with its memberships and keys",
    responses((status = 204, description = "Deleted; no body"), errors::Delete))]
fn delete_user() {}

#[utoipa::path(post, path = GROUPS, operation_id = "createGroups", tag = "groups",
    summary = "Create one group or a bulk of 1 to 100", params(query::Group), request_body = GroupCreate,
    responses((status = 201, description = "Created, in request order", body = GroupEnvelope), errors::Create))]
fn create_groups() {}

#[utoipa::path(get, path = GROUPS, operation_id = "listGroups", tag = "groups", summary = "List groups",
    params(query::Groups), responses((status = 200, description = "A page of groups", body = GroupEnvelope), errors::Read))]
fn list_groups() {}

#[utoipa::path(get, path = GROUP, operation_id = "getGroup", tag = "groups", summary = "Get a group",
    params(query::Group), responses((status = 200, description = "The group", body = GroupEnvelope), errors::Read))]
fn get_group() {}

#[utoipa::path(patch, path = GROUP, operation_id = "updateGroup", tag = "groups", summary = "Change a group",
    params(query::Group), request_body = GroupUpdate,
    responses((status = 200, description = "The changed group", body = GroupEnvelope), errors::Update))]
fn update_group() {}

#[utoipa::path(delete, path = GROUP, operation_id = "deleteGroup", tag = "groups",
    summary = "Delete a group with its memberships and barriers",
    responses((status = 204, description = "Deleted; no body"), errors::Delete))]
fn delete_group() {}
