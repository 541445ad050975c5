//! Safe retries with `Idempotency-Key` (API.md §8).
//!
//! The HTTP side: the header, the request's fingerprint and the replayed answer. The
//! rules (claims, mismatches, what is recorded when) are `service::idempotency`.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use super::caller::extract_key;
use crate::domain::InstanceId;
use crate::error::ApiError;
use crate::service::idempotency::{self, Start};
pub use crate::service::idempotency::{InFlight, Pending};
use crate::service::keys::hash_key;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";

fn valid_key(key: &str) -> bool {
    (1..=crate::domain::MAX_IDEMPOTENCY_KEY).contains(&key.len())
        && key.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// Method, path, query, body, and the caller's key: a different caller reusing a key
/// is a mismatch, never someone else's response.
fn fingerprint(req: &HttpRequest, body: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [
        req.method().as_str().as_bytes(),
        req.path().as_bytes(),
        req.query_string().as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.update(Sha256::digest(body));
    h.update(
        extract_key(req)
            .map(|k| hash_key(&k))
            .unwrap_or_default()
            .as_bytes(),
    );
    hex::encode(h.finalize())
}

fn replay(status: u16, body: String) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    HttpResponse::build(status)
        .content_type("application/json")
        .insert_header((REPLAYED, "true"))
        .body(body)
}

/// Runs a POST handler under the request's `Idempotency-Key`, if it has one. `scope` is
/// the instance ID (`ACCOUNT_SCOPE` for account-level routes); `body` the raw request body.
pub async fn guard<F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    scope: InstanceId,
    body: &[u8],
    handler: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(Option<Pending>) -> Fut,
    Fut: Future<Output = Result<HttpResponse, ApiError>>,
{
    let Some(raw) = req.headers().get(HEADER) else {
        return handler(None).await;
    };
    let key = raw.to_str().ok().filter(|k| valid_key(k)).ok_or_else(|| {
        ApiError::bad_param(
            "Idempotency-Key",
            "Idempotency-Key must be 1 to 255 printable ASCII characters",
        )
    })?;
    let fingerprint = fingerprint(req, body);
    let pending =
        match idempotency::start(&state.pool, &state.in_flight, scope, key, fingerprint).await? {
            Start::Replay(found) => return Ok(replay(found.status, found.body)),
            Start::Run(pending, claim) => (pending, claim),
        };
    let (pending, _claim) = pending;
    let result = handler(Some(pending.clone())).await;
    if let Err(err) = &result {
        let status = err.status_code();
        let keep = status.is_client_error()
            && !matches!(err, ApiError::Conflict(_) | ApiError::RateLimited { .. });
        if keep {
            let body = serde_json::json!({ "errors": err.items() }).to_string();
            idempotency::record_refusal(&state.pool, pending, status.as_u16(), body).await;
        }
    }
    result
}
