//! Safe retries with `Idempotency-Key` (API.md §8).
//!
//! A success is recorded inside the same transaction as the objects it made (the
//! create calls `record` before commit), so a crash never leaves one without the
//! other. A refusal (4xx) is recorded on its own (nothing was written); a 5xx is not
//! recorded. The door computes the request's fingerprint and replays the answer.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use super::error::{ErrorItem, Result, ServiceError};
use crate::db::{self, idempotency, AnyConnection, DbPool};
use crate::domain::InstanceId;

/// The scope of the account-level routes' keys (instances are numbered from 1).
pub const ACCOUNT_SCOPE: InstanceId = InstanceId(0);

/// Keys whose first request is still running in this process.
#[derive(Default, Clone)]
pub struct InFlight(Arc<Mutex<HashSet<(InstanceId, String)>>>);

/// This process's hold on a key while its first request runs.
pub struct Claim {
    set: InFlight,
    entry: (InstanceId, String),
}

impl InFlight {
    fn claim(&self, scope: InstanceId, key: &str) -> Option<Claim> {
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

/// What a create needs to record its answer in its own transaction.
#[derive(Debug, Clone)]
pub struct Pending {
    scope: InstanceId,
    key: String,
    fingerprint: String,
}

/// A key seen before with the same request: its stored answer.
pub struct Replay {
    pub status: u16,
    pub body: String,
}

/// Where a request with an Idempotency-Key stands.
pub enum Start {
    /// Answered before: give the same answer again.
    Replay(Replay),
    /// New: run it, holding the claim, and record its answer.
    Run(Pending, Claim),
}

/// Claims `key` in `scope` (the instance ID; 0 for account routes) for a request
/// whose fingerprint is `fingerprint`: `409` while another request holds it, `422
/// idempotency_mismatch` when it was used with a different request.
pub async fn start(
    pool: &DbPool,
    in_flight: &InFlight,
    scope: InstanceId,
    key: &str,
    fingerprint: String,
) -> Result<Start> {
    let Some(claim) = in_flight.claim(scope, key) else {
        return Err(ServiceError::Conflict(
            "a request with this Idempotency-Key is still being processed".into(),
        ));
    };
    let owned = key.to_string();
    let found = crate::service::read(pool, move |conn| {
        Ok(idempotency::find(conn, scope, &owned)?)
    })
    .await?;
    if let Some(found) = found {
        if found.fingerprint != fingerprint {
            return Err(ServiceError::one(ErrorItem::new(
                "idempotency_mismatch",
                "this Idempotency-Key was used with a different request",
            )));
        }
        if let (Some(status), Some(body)) = (found.status, found.response_body) {
            let status = u16::try_from(status).unwrap_or(200);
            return Ok(Start::Replay(Replay { status, body }));
        }
    }
    let pending = Pending {
        scope,
        key: key.to_string(),
        fingerprint,
    };
    Ok(Start::Run(pending, claim))
}

/// Records the answer inside the caller's transaction. A live record of the same key
/// (another process won the race) rolls the transaction back with a `409`.
pub fn record(
    conn: &mut AnyConnection,
    pending: Option<&Pending>,
    status: u16,
    body: &str,
) -> Result<()> {
    let Some(p) = pending else { return Ok(()) };
    idempotency::insert(
        conn,
        p.scope,
        &p.key,
        &p.fingerprint,
        i32::from(status),
        body,
    )
    .map_err(|e| match ServiceError::from(e) {
        ServiceError::Invalid(_) => ServiceError::Conflict(
            "a request with this Idempotency-Key was just completed; retry to get its response"
                .into(),
        ),
        other => other,
    })
}

/// Records a refusal (a 4xx other than 409 and 429): nothing was written with it.
pub async fn record_refusal(pool: &DbPool, pending: Pending, status: u16, body: String) {
    let stored = crate::service::write(pool, move |conn| {
        db::write_transaction(conn, |conn| record(conn, Some(&pending), status, &body))
    })
    .await;
    if let Err(e) = stored {
        tracing::warn!(error = %e, "could not store the idempotent error response");
    }
}

/// Deletes records older than the retention; how many.
pub async fn purge_expired(pool: &DbPool) -> Result<usize> {
    crate::service::write(pool, |conn| Ok(idempotency::purge_expired(conn)?)).await
}
