//! Liveness and readiness.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::ApiError;
use crate::service;
use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "health",
    summary = "The process is up", security(),
    responses((status = 200, description = "{\"status\": \"ok\"}", body = super::openapi::envelopes::Live), super::openapi::errors::Live))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// 200 when the database answers, else 503 in the §7 form; within a second either way.
#[utoipa::path(get, path = "/readyz", operation_id = "readyz", tag = "health",
    summary = "The database answers", security(),
    responses((status = 200, description = "{\"status\": \"ready\"}", body = super::openapi::envelopes::Ready), super::openapi::errors::Ready))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    service::ready(&state.pool).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
