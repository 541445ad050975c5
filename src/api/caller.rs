//! Who is calling: the key from `X-API-KEY` or `Authorization: Bearer`, resolved by
//! `service::access` (API.md §1). Extractors for instance routes and account routes.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use tracing_actix_web::RequestId;

use crate::domain::{KeyId, Source};
use crate::error::ApiError;
use crate::service::access::{self, Denied};
pub use crate::service::events::Actor;
use crate::service::keys::{hash_key, KeyOwner};
use crate::service::ServiceError;
pub use crate::service::{instances::Instance, Caller};
use crate::state::AppState;

/// The key from `X-API-KEY` or `Authorization: Bearer`.
pub fn extract_key(req: &HttpRequest) -> Option<String> {
    if let Some(v) = req.headers().get("x-api-key").and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        if !v.is_empty() {
            return Some(v.to_string());
        }
    }
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, token) = auth.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// The request's door and ID, for the events its writes record (API.md §9): `import`
/// when `roster import` sent it (it says so in `Roster-Source: import`), else `api`.
fn actor(req: &HttpRequest, caller: Caller, key_id: Option<KeyId>) -> Actor {
    let source = match req.headers().get(SOURCE_HEADER).map(|v| v.as_bytes()) {
        Some(b"import") => Source::Import,
        _ => Source::Api,
    };
    Actor {
        caller,
        key_id,
        source,
        request_id: req.extensions().get::<RequestId>().map(|id| id.to_string()),
    }
}

/// The header `roster import` labels its requests with.
pub const SOURCE_HEADER: &str = "roster-source";

/// An authenticated caller of an instance route: the key is valid and belongs to the
/// instance named in the path (or is the account key). Anything else about another
/// tenant answers 404 exactly as a missing instance would.
pub struct InstanceCaller {
    pub instance: Instance,
    pub caller: Caller,
    /// Who writes, for the events (§9).
    pub actor: Actor,
}

impl FromRequest for InstanceCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = extract_key(req);
        let name = req.match_info().get("instance").map(str::to_string);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("no app state".into()))?;
            let hash = hash_key(&key.ok_or(ApiError::Unauthorized)?);
            let name = name.ok_or(ApiError::NotFound)?;
            let account_hash = state.account_key_hash.clone();
            match access::instance_caller(&state.pool, account_hash, hash, name).await {
                Ok(found) => Ok(InstanceCaller {
                    actor: actor(&req, found.caller, found.key_id),
                    instance: found.instance,
                    caller: found.caller,
                }),
                Err(Denied::Unauthenticated) => Err(ApiError::Unauthorized),
                Err(Denied::NotFound) => Err(ApiError::NotFound),
                Err(Denied::Service(e)) => Err(e.into()),
            }
        })
    }
}

/// An authenticated caller of the account-level routes.
pub struct AnyCaller {
    pub owner: KeyOwner,
    /// Who writes, for the events (§9).
    pub actor: Actor,
}

impl AnyCaller {
    /// The caller as the rules see it (an instance key of any role counts as its
    /// instance's admin for the account routes, which check the account key alone).
    pub fn caller(&self) -> Caller {
        match self.owner {
            KeyOwner::Account => Caller::Account,
            KeyOwner::Instance { .. } => Caller::InstanceAdmin,
        }
    }

    /// The instance an instance key belongs to (`None` for the account key).
    pub fn own_instance(&self) -> Option<String> {
        match &self.owner {
            KeyOwner::Account => None,
            KeyOwner::Instance { instance, .. } => Some(instance.name.clone()),
        }
    }
}

impl FromRequest for AnyCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = extract_key(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("no app state".into()))?;
            let hash = hash_key(&key.ok_or(ApiError::Unauthorized)?);
            let account_hash = state.account_key_hash.clone();
            let owner = access::key_owner(&state.pool, account_hash, hash)
                .await
                .map_err(|e: ServiceError| ApiError::from(e))?
                .ok_or(ApiError::Unauthorized)?;
            let (caller, key_id) = match &owner {
                KeyOwner::Account => (Caller::Account, None),
                KeyOwner::Instance { key_id, .. } => (Caller::InstanceAdmin, Some(*key_id)),
            };
            Ok(AnyCaller {
                actor: actor(&req, caller, key_id),
                owner,
            })
        })
    }
}
