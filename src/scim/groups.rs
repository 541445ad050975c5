//! `/Groups` (RFC 7644 §3.3–§3.6, API.md §12): `displayName` = name, `members` = the
//! group's memberships. A PATCH or PUT changes the attributes and the member set in one
//! transaction (`service::memberships::members`), in the forms Okta and Entra send.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::auth::ScimCaller;
use super::error::ScimError;
use super::filter::{CompareOp, Filter, Literal, PatchPath};
use super::patch::{field, operations, OpKind};
use super::query::{group_condition, ListQuery};
use super::resource::{etag, group_json, group_location, Projection, GROUP_SCHEMA};
use super::{body_of, list_response, not_modified, params, path_id, precondition, respond, Body};
use crate::db::groups::{GroupChanges, NewGroup};
use crate::db::now;
use crate::domain::{parse_id, ExternalId, GroupId, GroupName, UserId};
use crate::service::memberships::members::{self, GroupWrite, MemberOp, WithMembers};
use crate::service::provisioning;
use crate::state::AppState;

/// The user ids of a `members` value: an array of `{"value": id}` (or one such object).
fn member_ids(v: &Value) -> Result<Vec<UserId>, ScimError> {
    let one = |e: &Value| -> Result<UserId, ScimError> {
        let id = match e {
            Value::Object(o) => field(o, "value").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        parse_id(&id)
            .map(UserId::from)
            .map_err(|_| ScimError::invalid_value(format!("members: {id} is not a user id")))
    };
    match v {
        Value::Array(items) => items.iter().map(one).collect(),
        Value::Null => Ok(Vec::new()),
        other => Ok(vec![one(other)?]),
    }
}

/// The users a filtered path names: `value eq "id"`, possibly joined by `or`.
fn filtered_ids(f: &Filter, out: &mut Vec<UserId>) -> Result<(), ScimError> {
    match f {
        Filter::Or(a, b) => {
            filtered_ids(a, out)?;
            filtered_ids(b, out)
        }
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } if path.name == "value" && path.sub.is_none() => {
            let id = match value {
                Literal::Str(s) => Value::String(s.clone()),
                Literal::Num(n) => serde_json::json!(n),
                _ => Value::Null,
            };
            out.extend(member_ids(&id)?);
            Ok(())
        }
        _ => Err(ScimError::invalid_filter(
            "a members filter names members by value eq \"id\"",
        )),
    }
}

/// The name to store: a `displayName` value.
fn name_of(v: &Value) -> Result<String, ScimError> {
    GroupName::parse(v)
        .map(GroupName::into_inner)
        .map_err(|m| ScimError::invalid_value(format!("displayName: {m}")))
}

/// An `externalId` value to store (`null` clears it).
fn external_id_of(v: &Value) -> Result<Option<String>, ScimError> {
    ExternalId::parse(v)
        .map(|x| x.map(ExternalId::into_inner))
        .map_err(|m| ScimError::invalid_value(format!("externalId: {m}")))
}

/// What a PATCH or PUT does to a group.
#[derive(Default)]
struct GroupEdit {
    name: Option<String>,
    external_id: Option<Option<String>>,
    members: Vec<MemberOp>,
}

impl GroupEdit {
    /// The attributes of a group object: `whole` (PUT) replaces the member set; else (a
    /// PATCH without a path) `add` adds the members it names and `replace` replaces them.
    fn object(
        &mut self,
        o: &Map<String, Value>,
        kind: OpKind,
        whole: bool,
    ) -> Result<(), ScimError> {
        if let Some(v) = field(o, "displayName") {
            self.name = Some(name_of(v)?);
        }
        match field(o, "externalId") {
            Some(v) => self.external_id = Some(external_id_of(v)?),
            None if whole => self.external_id = Some(None),
            None => {}
        }
        match field(o, "members") {
            Some(v) => {
                if whole || kind == OpKind::Replace {
                    self.members.push(MemberOp::Clear);
                }
                self.members.push(MemberOp::Add(member_ids(v)?));
            }
            None if whole => self.members.push(MemberOp::Clear),
            None => {}
        }
        Ok(())
    }

    fn apply(
        &mut self,
        kind: OpKind,
        path: Option<&PatchPath>,
        value: Option<Value>,
    ) -> Result<(), ScimError> {
        let Some(path) = path else {
            return match value {
                Some(Value::Object(o)) => self.object(&o, kind, false),
                _ => Err(ScimError::invalid_value("the value must be an object")),
            };
        };
        if path
            .attr
            .uri
            .as_deref()
            .is_some_and(|u| !u.eq_ignore_ascii_case(GROUP_SCHEMA))
        {
            return Ok(()); // an extension's attribute: not stored, ignored
        }
        let value = value.unwrap_or(Value::Null);
        match (
            path.attr.name.as_str(),
            path.attr.sub.as_deref(),
            &path.filter,
            kind,
        ) {
            ("displayname", None, None, OpKind::Remove) => Err(ScimError::invalid_value(
                "displayName is required and cannot be removed",
            )),
            ("displayname", None, None, _) => {
                self.name = Some(name_of(&value)?);
                Ok(())
            }
            ("externalid", None, None, OpKind::Remove) => {
                self.external_id = Some(None);
                Ok(())
            }
            ("externalid", None, None, _) => {
                self.external_id = Some(external_id_of(&value)?);
                Ok(())
            }
            ("members", None, None, OpKind::Add) => {
                self.members.push(MemberOp::Add(member_ids(&value)?));
                Ok(())
            }
            ("members", None, None, OpKind::Replace) => {
                self.members.push(MemberOp::Clear);
                self.members.push(MemberOp::Add(member_ids(&value)?));
                Ok(())
            }
            // Entra: `remove` of `members` with the members to remove as the value;
            // without a value, every member.
            ("members", None, None, OpKind::Remove) => {
                let ids = member_ids(&value)?;
                self.members.push(if value.is_null() {
                    MemberOp::Clear
                } else {
                    MemberOp::Remove(ids)
                });
                Ok(())
            }
            // Okta: `members[value eq "42"]`.
            ("members", None, Some(filter), OpKind::Remove) if path.sub.is_none() => {
                let mut ids = Vec::new();
                filtered_ids(filter, &mut ids)?;
                self.members.push(MemberOp::Remove(ids));
                Ok(())
            }
            ("members", _, _, _) => Err(ScimError::invalid_path(
                "members are added, replaced or removed as a whole or by value",
            )),
            _ => Ok(()), // not stored: ignored
        }
    }

    fn into_write(self, precondition: provisioning::Precondition) -> GroupWrite {
        GroupWrite {
            changes: (self.name.is_some() || self.external_id.is_some()).then(|| GroupChanges {
                name: self.name,
                description: None,
                external_id: self.external_id,
                updated_at: Some(now()),
            }),
            members: self.members,
            precondition,
        }
    }
}

fn object(body: Value) -> Result<Map<String, Value>, ScimError> {
    match body {
        Value::Object(o) => Ok(o),
        _ => Err(ScimError::invalid_syntax("the body must be a Group object")),
    }
}

fn group_id(req: &HttpRequest) -> Result<GroupId, ScimError> {
    path_id(req).map(GroupId::from)
}

fn projection_of(req: &HttpRequest) -> Result<Projection, ScimError> {
    Ok(ListQuery::from_params(&params(req)?)?.projection)
}

fn answer(status: StatusCode, base: &str, found: &WithMembers, p: &Projection) -> HttpResponse {
    let display = p.requests("members.display");
    let body = p.apply(group_json(
        base,
        &found.group,
        Some(&found.members),
        display,
    ));
    respond(status, body, Some(etag(found.group.updated_at.0)))
}

pub async fn list(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ScimError> {
    let q = ListQuery::from_params(&params(&req)?)?;
    run_list(state, who, q).await
}

pub async fn search(
    state: web::Data<AppState>,
    who: ScimCaller,
    body: Body,
) -> Result<HttpResponse, ScimError> {
    let q = super::search_query(body_of(body)?)?;
    run_list(state, who, q).await
}

async fn run_list(
    state: web::Data<AppState>,
    who: ScimCaller,
    q: ListQuery,
) -> Result<HttpResponse, ScimError> {
    let cond = group_condition(q.filter.as_ref())?;
    let with_members = q.projection.shows("members");
    let found = provisioning::find_groups(
        &state.pool,
        who.caller(),
        who.instance.id,
        cond,
        q.offset(),
        q.count,
        with_members,
    )
    .await?;
    let members = with_members.then_some(found.members.as_slice());
    let display = q.projection.requests("members.display");
    let resources = found
        .rows
        .iter()
        .map(|g| {
            q.projection
                .apply(group_json(&who.base, g, members, display))
        })
        .collect();
    Ok(respond(
        StatusCode::OK,
        list_response(found.total, q.start_index, resources),
        None,
    ))
}

pub async fn create(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ScimError> {
    let o = object(body_of(body)?)?;
    let name = match field(&o, "displayName") {
        None | Some(Value::Null) => {
            return Err(ScimError::invalid_value("displayName is required"))
        }
        Some(v) => name_of(v)?,
    };
    let external_id = field(&o, "externalId")
        .map(external_id_of)
        .transpose()?
        .flatten();
    let member_list = field(&o, "members")
        .map(member_ids)
        .transpose()?
        .unwrap_or_default();
    let t = now();
    let new = NewGroup {
        instance_id: who.instance.id,
        name,
        description: None,
        external_id,
        created_at: t.into(),
        updated_at: t.into(),
    };
    let found = members::create_group(
        &state.pool,
        who.actor.clone(),
        who.instance.id,
        new,
        member_list,
    )
    .await?;
    let mut response = answer(
        StatusCode::CREATED,
        &who.base,
        &found,
        &projection_of(&req)?,
    );
    if let Ok(v) = header::HeaderValue::from_str(&group_location(&who.base, found.group.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

pub async fn get(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ScimError> {
    let id = group_id(&req)?;
    let projection = projection_of(&req)?;
    let with_members = projection.shows("members");
    let (group, found_members) =
        provisioning::group(&state.pool, who.caller(), who.instance.id, id, with_members).await?;
    let tag = etag(group.updated_at.0);
    if not_modified(&req, &tag) {
        return Ok(respond(StatusCode::NOT_MODIFIED, Value::Null, Some(tag)));
    }
    let members = with_members.then_some(found_members.as_slice());
    let display = projection.requests("members.display");
    let body = projection.apply(group_json(&who.base, &group, members, display));
    Ok(respond(StatusCode::OK, body, Some(tag)))
}

async fn write(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
    edit: GroupEdit,
) -> Result<HttpResponse, ScimError> {
    let id = group_id(&req)?;
    let projection = projection_of(&req)?;
    let found = members::write_group(
        &state.pool,
        who.actor.clone(),
        who.instance.id,
        id,
        edit.into_write(precondition(&req)),
    )
    .await?;
    Ok(answer(StatusCode::OK, &who.base, &found, &projection))
}

pub async fn replace(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ScimError> {
    let o = object(body_of(body)?)?;
    if field(&o, "displayName").is_none_or(Value::is_null) {
        return Err(ScimError::invalid_value("displayName is required"));
    }
    let mut edit = GroupEdit::default();
    edit.object(&o, OpKind::Replace, true)?;
    write(state, who, req, edit).await
}

pub async fn patch(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ScimError> {
    let mut edit = GroupEdit::default();
    for op in operations(body_of(body)?)? {
        edit.apply(op.kind, op.path.as_ref(), op.value)?;
    }
    write(state, who, req, edit).await
}

pub async fn delete(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ScimError> {
    let id = group_id(&req)?;
    provisioning::delete_group(
        &state.pool,
        who.actor.clone(),
        who.instance.id,
        id,
        precondition(&req),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
