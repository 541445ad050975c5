//! `/instances/{instance}/api_keys`: issue (the secret shown once), list, revoke.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::body::{take_patch, FieldReader, JsonBody};
use super::caller::InstanceCaller;
use super::common::{page_envelope, params, path_id, respond, rows_envelope, unprocessable};
use super::idempotency;
use super::query::ListSpec;
use crate::domain::{parse_id, parse_text, KeyRole, UserId, MAX_DESCRIPTION};
use crate::error::ApiError;
use crate::service::access::{require, Action};
use crate::service::keys::{self, KeyRequest};
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &[],
    name_field: None,
    has_updated: false,
    includes: &[],
    fields: &[
        "role",
        "user_id",
        "description",
        "prefix",
        "created_at",
        "revoked_at",
    ],
};

fn role(v: &Value) -> Result<KeyRole, String> {
    v.as_str()
        .and_then(KeyRole::parse_str)
        .ok_or_else(|| "role must be one of: admin, user".into())
}

#[utoipa::path(post, path = "/instances/{instance}/api_keys", operation_id = "createApiKey", tag = "api keys",
    summary = "Issue an API key (its secret is shown once)", request_body = super::openapi::bodies::ApiKeyCreate,
    responses((status = 201, description = "Created, with the secret key", body = super::openapi::envelopes::ApiKeyEnvelope), super::openapi::errors::Create))]
pub async fn create(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(who.caller, Action::IssueKey)?;
    params(&req)?.only(&[])?;
    let map = take_patch(body.0, "api_key")?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let role = r.required("role", role);
    let user_id = r.optional("user_id", |v| parse_id(v).map(UserId));
    let description = r
        .optional("description", |v| parse_text(v, MAX_DESCRIPTION))
        .flatten();
    if let Some(role) = role {
        let request = KeyRequest {
            role,
            user_id,
            description: None,
        };
        if let Some(problem) = request.check() {
            r.error(problem);
        }
    }
    let (true, Some(role)) = (r.finish(), role) else {
        return Err(unprocessable(errors));
    };
    let request = KeyRequest {
        role,
        user_id,
        description,
    };
    let (instance_id, actor) = (who.instance.id, who.actor);
    let pool = state.pool.clone();
    idempotency::guard(&state, &req, instance_id, &body.1, |pending| async move {
        // The secret is stored only as a hash, so a replay shows the key without it.
        let render = |key: &keys::ApiKey| Ok(rows_envelope(std::slice::from_ref(key)).into_body()?);
        let (issued, body) =
            keys::issue(&pool, actor, instance_id, request, pending, render).await?;
        let mut value: Value = serde_json::from_str(&body)
            .map_err(|e| ApiError::Internal(format!("a key's envelope did not parse: {e}")))?;
        value["api_keys"][issued.key.id.to_string()]["key"] = json!(issued.secret);
        Ok(respond(StatusCode::CREATED, value))
    })
    .await
}

#[utoipa::path(get, path = "/instances/{instance}/api_keys", operation_id = "listApiKeys", tag = "api keys",
    summary = "List API keys (never their secrets)", params(super::openapi::query::ApiKeys),
    responses((status = 200, description = "A page of API keys", body = super::openapi::envelopes::ApiKeyEnvelope), super::openapi::errors::AdminRead))]
pub async fn list(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?.list(&SPEC)?;
    let page = keys::list(
        &state.pool,
        who.caller,
        who.instance.id,
        p.common.clone(),
        p.window.clone(),
    )
    .await?;
    let mut env = page_envelope(&page, &p);
    env.keep_fields(&p.fields);
    env.respond(StatusCode::OK)
}

/// Revokes the key: it stops working on the very next request.
#[utoipa::path(delete, path = "/instances/{instance}/api_keys/{id}", operation_id = "revokeApiKey", tag = "api keys",
    summary = "Revoke an API key",
    responses((status = 204, description = "Revoked (again): the key stays listed with revoked_at"), super::openapi::errors::Delete))]
pub async fn revoke(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req, "id")?;
    keys::revoke(&state.pool, who.actor, who.instance.id, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
