//! Safe retries with `Idempotency-Key` (API.md §8).
//!
//! A success is recorded inside the same transaction as the objects it made (the
//! handler calls `record` before commit), so a crash never leaves one without the other.
//! A 4xx is recorded on its own (nothing was written); a 5xx is not recorded.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use crate::auth::{extract_key, hash_key};
use crate::db::{self, idempotency, AnyConnection};
use crate::error::{ApiError, ErrorItem};
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";

/// Keys whose first request is still running in this process.
#[derive(Default, Clone)]
pub struct InFlight(Arc<Mutex<HashSet<(i64, String)>>>);

struct Claim {
    set: InFlight,
    entry: (i64, String),
}

impl InFlight {
    fn claim(&self, scope: i64, key: &str) -> Option<Claim> {
        let entry = (scope, key.to_string());
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        set.insert(entry.clone()).then(|| Claim {
            set: self.clone(),
            entry,
        })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.set
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.entry);
    }
}

/// What a handler needs to record its success in its own transaction.
#[derive(Debug, Clone)]
pub struct Pending {
    scope: i64,
    key: String,
    fingerprint: String,
}

/// Records the response inside the caller's transaction. A live record of the same key
/// (another process won the race) rolls the transaction back with a 409.
pub fn record(
    conn: &mut AnyConnection,
    pending: Option<&Pending>,
    status: StatusCode,
    body: &str,
) -> Result<(), ApiError> {
    let Some(p) = pending else { return Ok(()) };
    idempotency::insert(
        conn,
        p.scope,
        &p.key,
        &p.fingerprint,
        i32::from(status.as_u16()),
        body,
    )
    .map_err(|e| match ApiError::from(e) {
        ApiError::Unprocessable(_) => ApiError::Conflict(
            "a request with this Idempotency-Key was just completed; retry to get its response"
                .into(),
        ),
        other => other,
    })
}

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| (0x20..=0x7e).contains(&b))
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

fn replay(status: i32, body: String) -> HttpResponse {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    HttpResponse::build(status)
        .content_type("application/json")
        .insert_header((REPLAYED, "true"))
        .body(body)
}

/// Runs a POST handler under the request's `Idempotency-Key`, if it has one. `scope` is
/// the instance ID (0 for account-level routes); `body` the raw request body.
pub async fn guard<F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    scope: i64,
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
    let Some(_claim) = state.in_flight.claim(scope, key) else {
        return Err(ApiError::Conflict(
            "a request with this Idempotency-Key is still being processed".into(),
        ));
    };
    let owned = key.to_string();
    if let Some(found) = db::run(&state.pool, move |conn| {
        Ok(idempotency::find(conn, scope, &owned)?)
    })
    .await?
    {
        if found.fingerprint != fingerprint {
            return Err(ApiError::one(ErrorItem::new(
                "idempotency_mismatch",
                "this Idempotency-Key was used with a different request",
            )));
        }
        if let (Some(status), Some(body)) = (found.status, found.response_body) {
            return Ok(replay(status, body));
        }
    }
    let pending = Pending {
        scope,
        key: key.to_string(),
        fingerprint,
    };
    let result = handler(Some(pending.clone())).await;
    if let Err(err) = &result {
        let status = err.status_code();
        let keep = status.is_client_error()
            && !matches!(err, ApiError::Conflict(_) | ApiError::RateLimited { .. });
        if keep {
            let body = serde_json::json!({ "errors": err.items() });
            let stored = db::run(&state.pool, move |conn| {
                db::write_transaction(conn, |conn| {
                    record(conn, Some(&pending), status, &body.to_string())
                })
            })
            .await;
            if let Err(e) = stored {
                tracing::warn!(error = %e, "could not store the idempotent error response");
            }
        }
    }
    result
}
