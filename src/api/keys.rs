//! Instance API keys: issued by the account key or an instance admin key, shown once.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::body::{take_patch, FieldReader, JsonBody};
use super::common::{page_envelope, params, path_id, respond, rows_envelope, unprocessable};
use super::idempotency;
use super::query::ListSpec;
use super::render::Row;
use crate::auth::{generate_key, hash_key, key_prefix, InstanceCaller};
use crate::db::keys::{self, NewApiKey};
use crate::db::{self, now, users};
use crate::domain::{parse_id, parse_text, KeyRole};
use crate::error::{ApiError, ErrorItem};
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

pub async fn create(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    who.caller.require_admin()?;
    params(&req)?.only(&[])?;
    let map = take_patch(body.0, "api_key")?;
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    let role = r.required("role", role);
    let user_id = r.optional("user_id", parse_id);
    let description = r.optional("description", |v| parse_text(v, 4096)).flatten();
    match (role, user_id) {
        (Some(KeyRole::User), None) => {
            r.error(ErrorItem::invalid("user_id", "a user key needs user_id"))
        }
        (Some(KeyRole::Admin), Some(_)) => r.error(ErrorItem::invalid(
            "user_id",
            "an admin key is not bound to a user",
        )),
        _ => {}
    }
    let (true, Some(role)) = (r.finish(), role) else {
        return Err(unprocessable(errors));
    };
    let instance_id = who.instance.id;
    let secret = generate_key();
    let (hash, prefix) = (hash_key(&secret), key_prefix(&secret));
    let pool = state.pool.clone();
    idempotency::guard(&state, &req, instance_id, &body.1, |pending| async move {
        let value = db::run(&pool, move |conn| {
            db::write_transaction(conn, |conn| {
                if let Some(u) = user_id {
                    if users::existing_ids(conn, instance_id, &[u])?.is_empty() {
                        return Err(ApiError::one(
                            ErrorItem::new("missing_reference", format!("user {u} does not exist"))
                                .field("user_id"),
                        ));
                    }
                }
                let new = NewApiKey {
                    instance_id,
                    role: role.as_str(),
                    user_id,
                    description: description.as_deref(),
                    prefix: &prefix,
                    key_hash: &hash,
                    created_at: now(),
                };
                let row = keys::insert(conn, &new)?;
                tracing::info!(key_id = row.id(), prefix = %row.prefix, "api key issued");
                // The secret is stored only as a hash, so a replay shows the key without it.
                let mut value = rows_envelope(std::slice::from_ref(&row)).into_value();
                idempotency::record(
                    conn,
                    pending.as_ref(),
                    StatusCode::CREATED,
                    &value.to_string(),
                )?;
                value["api_keys"][row.id().to_string()]["key"] = json!(secret);
                Ok(value)
            })
        })
        .await?;
        Ok(respond(StatusCode::CREATED, value))
    })
    .await
}

pub async fn list(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    who.caller.require_admin()?;
    let p = params(&req)?.list(&SPEC)?;
    let instance_id = who.instance.id;
    let (page, p) = db::run(&state.pool, move |conn| {
        Ok((keys::list(conn, instance_id, &p.common, &p.window)?, p))
    })
    .await?;
    let mut env = page_envelope(&page, &p);
    env.keep_fields(&p.fields);
    Ok(env.respond(StatusCode::OK))
}

/// Revokes the key: it stops working on the very next request.
pub async fn revoke(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    who.caller.require_admin()?;
    let id = path_id(&req, "id")?;
    let instance_id = who.instance.id;
    db::run(&state.pool, move |conn| {
        keys::revoke(conn, instance_id, id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
