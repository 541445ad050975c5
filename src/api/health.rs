//! Liveness and readiness.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::ApiError;
use crate::service;
use crate::state::AppState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// 200 when the database answers, else 503 in the §7 form; within a second either way.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    service::ready(&state.pool).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
