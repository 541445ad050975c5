//! Memberships: the heart of Roster. Creates are validated object by object and
//! written in one transaction, all or nothing (API.md §4).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::body::{parse_json, take_objects, take_patch, FieldReader, JsonBody, JsonBytes};
use super::caller::InstanceCaller;
use super::common::{json_response, page_envelope, params, path_id, rows_envelope, unprocessable};
use super::envelope::Envelope;
use super::idempotency;
use super::include::apply_membership_sideloads;
use super::plain_memberships;
use super::query::{ListParams, ListSpec, Params};
use crate::db::memberships::{Membership, MembershipChanges, MembershipFilter};
use crate::db::now;
use crate::domain::{parse_id, GroupId, InstanceId, Permissions, Role, UserId};
use crate::error::{ApiError, ErrorItem};
use crate::service::access::{require, Action};
use crate::service::memberships::{self, Batch, CreateOptions, Input, Under, Which};
use crate::service::sideloads::MembershipSideloads;
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &["user_id", "group_id", "role"],
    name_field: None,
    has_updated: true,
    includes: &["user", "group"],
    fields: &[
        "user_id",
        "group_id",
        "role",
        "configurable_permissions",
        "created_at",
        "updated_at",
    ],
};
const ONE: &[&str] = &["include", "fields"];
const CREATE: &[&str] = &["include", "fields", "on_conflict"];
/// Parses `role` and `configurable_permissions` (omitted: every permission enabled).
pub fn read_role_and_permissions(r: &mut FieldReader) -> (Option<Role>, Option<Permissions>) {
    let role = r.optional("role", Role::parse).or(Some(Role::Member));
    let permissions = r
        .optional("configurable_permissions", Permissions::parse)
        .or(Some(Permissions::default()));
    (role, permissions)
}

fn parse_input(
    value: Value,
    index: Option<usize>,
    errors: &mut Vec<ErrorItem>,
    refs: &mut Vec<(Option<UserId>, Option<GroupId>)>,
) -> Option<Input> {
    let Some(mut r) = FieldReader::new(value, index, "membership", errors) else {
        refs.push((None, None));
        return None;
    };
    let user_id = r.required("user_id", |v| parse_id(v).map(UserId));
    let group_id = r.required("group_id", |v| parse_id(v).map(GroupId));
    refs.push((user_id, group_id));
    let (role, permissions) = read_role_and_permissions(&mut r);
    if !r.finish() {
        return None;
    }
    Some(Input {
        user_id: user_id?,
        group_id: group_id?,
        role: role?,
        permissions: permissions?,
    })
}

/// What a create request asks for besides the objects.
pub struct Options {
    pub create: CreateOptions,
    pub fields: Option<Vec<String>>,
}

pub fn create_options(p: &Params) -> Result<Options, ApiError> {
    p.only(&[CREATE])?;
    let ignore_existing = match p.get("on_conflict") {
        None | Some("error") => false,
        Some("ignore") => true,
        Some(_) => {
            return Err(ApiError::bad_param(
                "on_conflict",
                "on_conflict must be ignore or error",
            ))
        }
    };
    Ok(Options {
        create: CreateOptions {
            ignore_existing,
            includes: p.includes(SPEC.includes)?,
        },
        fields: p.fields(SPEC.fields)?,
    })
}

#[utoipa::path(post, path = "/instances/{instance}/memberships", operation_id = "createMemberships", tag = "memberships",
    summary = "Create one membership or a bulk of 1 to 100",
    params(super::openapi::query::Membership, ("on_conflict" = Option<super::openapi::bodies::OnConflict>, Query, description = "ignore: a (user, group) \
        that already has a membership is not an error; the existing membership is returned in its place \
        (meta.created counts the new ones)")),
    request_body = super::openapi::bodies::MembershipCreate,
    responses((status = 201, description = "Created, in request order", body = super::openapi::envelopes::MembershipEnvelope), super::openapi::errors::Create))]
pub async fn create(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    // The common shape read straight into types, or the body as a JSON tree (400
    // unless it parses, before the query is looked at, as for every other body).
    let plain = match plain_memberships::read(&body.0) {
        Some(batch) => Ok(batch),
        None => Err(parse_json(&body.0)?),
    };
    let options = create_options(&params(&req)?)?;
    let batch = match plain {
        Ok(batch) => batch,
        Err(value) => read_batch(value)?,
    };
    respond_created(&state, &req, &body.0, &who, batch, options).await
}

/// The general path: any body, every problem of every object reported with its index.
pub(crate) fn read_batch(body: Value) -> Result<Batch, ApiError> {
    let objects = take_objects(body, "membership", "memberships")?;
    let (mut errors, mut refs) = (Vec::new(), Vec::new());
    let inputs = objects
        .items
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse_input(v, objects.bulk.then_some(i), &mut errors, &mut refs))
        .collect();
    Ok(Batch {
        inputs,
        refs,
        bulk: objects.bulk,
        errors,
        user_field: "user_id",
    })
}

/// Runs a create and answers 201 with the envelope (shared with the Syncano route).
pub async fn respond_created(
    state: &AppState,
    req: &HttpRequest,
    raw_body: &[u8],
    who: &InstanceCaller,
    batch: Batch,
    options: Options,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, actor) = (who.instance.id, who.actor.clone());
    let Options { create, fields } = options;
    let pool = state.pool.clone();
    idempotency::guard(state, req, instance_id, raw_body, |pending| async move {
        let render = move |made: memberships::Created<'_>| {
            let mut env = rows_envelope(made.rows);
            env.meta("created", json!(made.made));
            apply_membership_sideloads(made.sideloads, &mut env);
            env.keep_fields(&fields);
            Ok(env.into_body()?)
        };
        let body =
            memberships::create(&pool, actor, instance_id, batch, create, pending, render).await?;
        Ok(json_response(StatusCode::CREATED, body))
    })
    .await
}

/// The envelope of a page of memberships with its sideloads.
pub fn page_of(
    page: &crate::db::listing::Page<Membership>,
    sideloads: &MembershipSideloads,
    p: &ListParams,
) -> Envelope {
    let mut env = page_envelope(page, p);
    apply_membership_sideloads(sideloads, &mut env);
    env.keep_fields(&p.fields);
    env
}

/// One membership with its sideloads.
pub fn one_envelope(m: &Membership, sideloads: &MembershipSideloads) -> Envelope {
    let mut env = rows_envelope(std::slice::from_ref(m));
    apply_membership_sideloads(sideloads, &mut env);
    env
}

/// `role=` as a list filter.
pub fn role_filter(raw: &Params) -> Result<Option<Role>, ApiError> {
    raw.get("role")
        .map(|r| {
            Role::parse_str(r)
                .ok_or_else(|| ApiError::bad_param("role", "role must be member or admin"))
        })
        .transpose()
}

/// A list of memberships (`under`: of one group or one user, the nested routes).
pub async fn list_page(
    state: &AppState,
    filter: MembershipFilter,
    p: ListParams,
    instance_id: InstanceId,
    under: Option<Under>,
) -> Result<HttpResponse, ApiError> {
    let (page, sideloads) = memberships::list(
        &state.pool,
        instance_id,
        filter,
        p.window.clone(),
        p.includes.clone(),
        under,
    )
    .await?;
    page_of(&page, &sideloads, &p).respond(StatusCode::OK)
}

#[utoipa::path(get, path = "/instances/{instance}/memberships", operation_id = "listMemberships", tag = "memberships",
    summary = "List memberships", params(super::openapi::query::Memberships),
    responses((status = 200, description = "A page of memberships", body = super::openapi::envelopes::MembershipEnvelope), super::openapi::errors::Read))]
pub async fn list(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    require(who.caller, Action::ReadDirectory)?;
    let raw = params(&req)?;
    let p = raw.list(&SPEC)?;
    let filter = MembershipFilter {
        common: p.common.clone(),
        user_id: raw.id("user_id")?.map(UserId),
        group_id: raw.id("group_id")?.map(GroupId),
        role: role_filter(&raw)?,
        visible_to: who.caller.viewer(),
    };
    list_page(&state, filter, p, who.instance.id, None).await
}

/// One membership, by ID or by pair.
pub async fn get_one(
    state: &AppState,
    who: &InstanceCaller,
    req: &HttpRequest,
    which: Which,
) -> Result<HttpResponse, ApiError> {
    let p = params(req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let (m, sideloads) =
        memberships::get(&state.pool, who.caller, who.instance.id, which, includes).await?;
    let mut env = one_envelope(&m, &sideloads);
    env.keep_fields(&fields);
    env.respond(StatusCode::OK)
}

#[utoipa::path(get, path = "/instances/{instance}/memberships/{id}", operation_id = "getMembership", tag = "memberships",
    summary = "Get a membership", params(super::openapi::query::Membership),
    responses((status = 200, description = "The membership", body = super::openapi::envelopes::MembershipEnvelope), super::openapi::errors::Read))]
pub async fn get(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let which = Which::Id(path_id(&req, "id")?);
    get_one(&state, &who, &req, which).await
}

fn parse_changes(map: Map<String, Value>) -> Result<MembershipChanges, ApiError> {
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    for fixed in ["user_id", "group_id"] {
        if r.optional(fixed, |_| Ok::<_, String>(())).is_some() {
            r.error(ErrorItem::invalid(
                fixed,
                format!("{fixed} cannot change after creation"),
            ));
        }
    }
    let role = r.optional("role", Role::parse);
    let permissions = r
        .optional("configurable_permissions", Permissions::parse)
        .map(|p| p.to_stored());
    if !r.finish() {
        return Err(unprocessable(errors));
    }
    Ok(MembershipChanges {
        role,
        configurable_permissions: permissions,
        updated_at: Some(now()),
    })
}

#[utoipa::path(patch, path = "/instances/{instance}/memberships/{id}", operation_id = "updateMembership", tag = "memberships",
    summary = "Change a membership's role or permissions", params(super::openapi::query::Membership),
    request_body = super::openapi::bodies::MembershipUpdate,
    responses((status = 200, description = "The changed membership", body = super::openapi::envelopes::MembershipEnvelope), super::openapi::errors::Update))]
pub async fn update(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let id = path_id(&req, "id")?;
    let changes = match take_patch(body.0, "membership").and_then(parse_changes) {
        Ok(changes) => Ok(changes),
        Err(ApiError::Unprocessable(items)) => Err(items),
        Err(other) => return Err(other),
    };
    let (m, sideloads) = memberships::update(
        &state.pool,
        who.actor,
        who.instance.id,
        id,
        changes,
        includes,
    )
    .await?;
    let mut env = one_envelope(&m, &sideloads);
    env.keep_fields(&fields);
    env.respond(StatusCode::OK)
}

#[utoipa::path(delete, path = "/instances/{instance}/memberships/{id}", operation_id = "deleteMembership", tag = "memberships",
    summary = "Delete a membership",
    responses((status = 204, description = "Deleted; no body"), super::openapi::errors::Delete))]
pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let which = Which::Id(path_id(&req, "id")?);
    memberships::delete(&state.pool, who.actor, who.instance.id, which).await?;
    Ok(HttpResponse::NoContent().finish())
}
