//! `/Users` (RFC 7644 §3.3–§3.6, API.md §12): `userName` = username, `displayName` and
//! `name.formatted` = name, the primary `emails` value = email, the first `photos`
//! value = avatar_url. Unknown attributes are ignored.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::auth::ScimCaller;
use super::error::ScimError;
use super::patch::{field, operations, OpKind};
use super::query::{user_condition, ListQuery};
use super::resource::{etag, user_json, user_location, Projection};
use super::{body_of, list_response, not_modified, params, path_id, precondition, respond, Body};
use crate::db::now;
use crate::db::users::{NewUser, UserChanges};
use crate::domain::{
    parse_active, parse_text, AvatarUrl, Email, ExternalId, Principal, UserId, Username, MAX_NAME,
};
use crate::service::provisioning;
use crate::service::ErrorItem;
use crate::state::AppState;

/// The stored attributes a body or PATCH sets: `Some(value)` where it sets one (JSON
/// `null` clears), as yet unparsed.
#[derive(Debug, Default)]
struct UserEdit {
    username: Option<Value>,
    name: Option<Value>,
    email: Option<Value>,
    avatar_url: Option<Value>,
    active: Option<Value>,
    external_id: Option<Value>,
}

/// `name.formatted`, else "givenName familyName" of a `name` object.
fn formatted(name: &Value) -> Value {
    let Value::Object(o) = name else {
        return name.clone();
    };
    if let Some(f) = field(o, "formatted") {
        return f.clone();
    }
    let parts: Vec<&str> = ["givenName", "middleName", "familyName"]
        .iter()
        .filter_map(|k| field(o, k).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        Value::Null
    } else {
        Value::String(parts.join(" "))
    }
}

/// The value of a multi-valued attribute's primary entry, else its first; a bare string
/// or object is taken as the one entry.
fn primary_value(v: &Value) -> Value {
    let value_of = |e: &Value| match e {
        Value::Object(o) => field(o, "value").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    match v {
        Value::Array(items) => items
            .iter()
            .find(|e| {
                e.as_object()
                    .and_then(|o| field(o, "primary"))
                    .and_then(Value::as_bool)
                    == Some(true)
            })
            .or_else(|| items.first())
            .map(value_of)
            .unwrap_or(Value::Null),
        other => value_of(other),
    }
}

impl UserEdit {
    /// The attributes of a resource object. `whole` (POST, PUT): an attribute left out is
    /// cleared; else (a PATCH without a path) only those given change.
    fn of_object(o: &Map<String, Value>, whole: bool) -> Self {
        let cleared = || whole.then_some(Value::Null);
        let name = field(o, "displayName")
            .filter(|v| !v.is_null())
            .cloned()
            .or_else(|| field(o, "name").map(formatted))
            .or_else(cleared);
        Self {
            username: field(o, "userName").cloned().or_else(cleared),
            name,
            email: field(o, "emails").map(primary_value).or_else(cleared),
            avatar_url: field(o, "photos").map(primary_value).or_else(cleared),
            active: field(o, "active").cloned(),
            external_id: field(o, "externalId").cloned().or_else(cleared),
        }
    }

    fn merge(&mut self, later: UserEdit) {
        macro_rules! take {
            ($($f:ident),*) => { $(if later.$f.is_some() { self.$f = later.$f; })* };
        }
        take!(username, name, email, avatar_url, active, external_id);
    }

    /// Applies one PATCH operation.
    fn apply(
        &mut self,
        kind: OpKind,
        path: Option<&super::filter::PatchPath>,
        value: Option<Value>,
    ) {
        let value = if kind == OpKind::Remove {
            Value::Null
        } else {
            value.unwrap_or(Value::Null)
        };
        let Some(path) = path else {
            if let Value::Object(o) = &value {
                self.merge(Self::of_object(o, false));
            }
            return;
        };
        let attr = &path.attr;
        if attr
            .uri
            .as_deref()
            .is_some_and(|u| !u.eq_ignore_ascii_case(super::resource::USER_SCHEMA))
        {
            return; // an extension's attribute: not stored, ignored
        }
        let sub = attr.sub.as_deref().or(path.sub.as_deref());
        // `emails`, `emails[type eq "work"]`: entries; `emails.value`,
        // `emails[type eq "work"].value`: the value itself. Either way the one email.
        let entry = |v: Value| if sub.is_none() { primary_value(&v) } else { v };
        match (attr.name.as_str(), sub) {
            ("username", None) => self.username = Some(value),
            ("displayname", None) => self.name = Some(value),
            ("name", None) => self.name = Some(formatted(&value)),
            ("name", Some("formatted")) => self.name = Some(value),
            ("emails", None | Some("value")) => self.email = Some(entry(value)),
            ("photos", None | Some("value")) => self.avatar_url = Some(entry(value)),
            ("active", None) => self.active = Some(value),
            ("externalid", None) => self.external_id = Some(value),
            _ => {} // not stored: ignored, as RFC 7644 §3.5.2 allows
        }
    }

    /// The changes to store, or every problem found.
    fn changes(self) -> Result<UserChanges, Vec<ErrorItem>> {
        let mut errors = Vec::new();
        fn check<T>(errors: &mut Vec<ErrorItem>, field: &str, r: Result<T, String>) -> Option<T> {
            r.map_err(|m| errors.push(ErrorItem::invalid(field, m)))
                .ok()
        }
        let changes = UserChanges {
            username: self
                .username
                .and_then(|v| check(&mut errors, "userName", Username::parse(&v)))
                .map(Username::into_inner),
            name: self
                .name
                .and_then(|v| check(&mut errors, "displayName", parse_text(&v, MAX_NAME))),
            email: self
                .email
                .and_then(|v| check(&mut errors, "emails", Email::parse(&v)))
                .map(|e| e.map(Email::into_inner)),
            avatar_url: self
                .avatar_url
                .and_then(|v| check(&mut errors, "photos", AvatarUrl::parse(&v)))
                .map(|a| a.map(AvatarUrl::into_inner)),
            principal: None,
            active: self
                .active
                .and_then(|v| check(&mut errors, "active", parse_active(&v))),
            external_id: self
                .external_id
                .and_then(|v| check(&mut errors, "externalId", ExternalId::parse(&v)))
                .map(|x| x.map(ExternalId::into_inner)),
            updated_at: Some(now()),
        };
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(errors)
        }
    }
}

fn object(body: Value) -> Result<Map<String, Value>, ScimError> {
    match body {
        Value::Object(o) => Ok(o),
        _ => Err(ScimError::invalid_syntax("the body must be a User object")),
    }
}

fn invalid(errors: Vec<ErrorItem>) -> ScimError {
    crate::service::ServiceError::problems(errors).into()
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
    let cond = user_condition(q.filter.as_ref())?;
    let found = provisioning::find_users(
        &state.pool,
        who.caller(),
        who.instance.id,
        cond,
        q.offset(),
        q.count,
    )
    .await?;
    let resources = found
        .rows
        .iter()
        .map(|u| q.projection.apply(user_json(&who.base, u)))
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
    if field(&o, "userName").is_none_or(Value::is_null) {
        return Err(ScimError::invalid_value("userName is required"));
    }
    let changes = UserEdit::of_object(&o, true).changes().map_err(invalid)?;
    let t = now();
    let new = NewUser {
        instance_id: who.instance.id,
        username: changes.username.unwrap_or_default(),
        name: changes.name.flatten(),
        email: changes.email.flatten(),
        avatar_url: changes.avatar_url.flatten(),
        principal: Principal::User,
        active: changes.active.unwrap_or(true),
        external_id: changes.external_id.flatten(),
        created_at: t.into(),
        updated_at: t.into(),
    };
    let user =
        provisioning::create_user(&state.pool, who.actor.clone(), who.instance.id, new).await?;
    let projection = projection_of(&req)?;
    let mut response = respond(
        StatusCode::CREATED,
        projection.apply(user_json(&who.base, &user)),
        Some(etag(user.updated_at.0)),
    );
    if let Ok(v) =
        actix_web::http::header::HeaderValue::from_str(&user_location(&who.base, user.id))
    {
        response
            .headers_mut()
            .insert(actix_web::http::header::LOCATION, v);
    }
    Ok(response)
}

fn projection_of(req: &HttpRequest) -> Result<Projection, ScimError> {
    Ok(ListQuery::from_params(&params(req)?)?.projection)
}

fn user_id(req: &HttpRequest) -> Result<UserId, ScimError> {
    path_id(req).map(UserId::from)
}

pub async fn get(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ScimError> {
    let id = user_id(&req)?;
    let user = provisioning::user(&state.pool, who.caller(), who.instance.id, id).await?;
    let tag = etag(user.updated_at.0);
    if not_modified(&req, &tag) {
        return Ok(respond(StatusCode::NOT_MODIFIED, Value::Null, Some(tag)));
    }
    let body = projection_of(&req)?.apply(user_json(&who.base, &user));
    Ok(respond(StatusCode::OK, body, Some(tag)))
}

async fn write(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
    changes: Result<UserChanges, Vec<ErrorItem>>,
) -> Result<HttpResponse, ScimError> {
    let id = user_id(&req)?;
    let user = provisioning::update_user(
        &state.pool,
        who.actor.clone(),
        who.instance.id,
        id,
        changes,
        precondition(&req),
    )
    .await?;
    let body = projection_of(&req)?.apply(user_json(&who.base, &user));
    Ok(respond(StatusCode::OK, body, Some(etag(user.updated_at.0))))
}

pub async fn replace(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ScimError> {
    let o = object(body_of(body)?)?;
    if field(&o, "userName").is_none_or(Value::is_null) {
        return Err(ScimError::invalid_value("userName is required"));
    }
    let changes = UserEdit::of_object(&o, true).changes();
    write(state, who, req, changes).await
}

pub async fn patch(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ScimError> {
    let mut edit = UserEdit::default();
    for op in operations(body_of(body)?)? {
        edit.apply(op.kind, op.path.as_ref(), op.value);
    }
    write(state, who, req, edit.changes()).await
}

pub async fn delete(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ScimError> {
    let id = user_id(&req)?;
    provisioning::delete_user(
        &state.pool,
        who.actor.clone(),
        who.instance.id,
        id,
        precondition(&req),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
