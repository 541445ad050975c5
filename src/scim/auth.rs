//! Who provisions: `Authorization: Bearer <key>` resolved as the REST door resolves it
//! (`service::access`). An instance admin key (or the account key) of the instance in
//! the path may; no key, an unknown key or a user key is `401`; another instance's key
//! is `404`, as if the instance did not exist. Writes record `source: scim`.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use tracing_actix_web::RequestId;

use super::error::ScimError;
use crate::api::caller::extract_key;
use crate::domain::Source;
use crate::service::access::{self, Denied};
use crate::service::events::Actor;
use crate::service::instances::Instance;
use crate::service::keys::hash_key;
use crate::service::Caller;
use crate::state::AppState;

pub struct ScimCaller {
    pub instance: Instance,
    pub actor: Actor,
    /// `scheme://host/instances/{name}/scim/v2`, for `meta.location` and `$ref`.
    pub base: String,
}

impl ScimCaller {
    pub fn caller(&self) -> Caller {
        self.actor.caller
    }
}

impl FromRequest for ScimCaller {
    type Error = ScimError;
    type Future = LocalBoxFuture<'static, Result<Self, ScimError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = extract_key(req);
        let name = req.match_info().get("instance").map(str::to_string);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
        let info = req.connection_info().clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                ScimError::from(crate::error::ApiError::Internal("no app state".into()))
            })?;
            let hash = hash_key(&key.ok_or_else(ScimError::unauthorized)?);
            let name = name.ok_or_else(ScimError::not_found)?;
            let account_hash = state.account_key_hash.clone();
            let found = match access::instance_caller(&state.pool, account_hash, hash, name).await {
                Ok(found) => found,
                Err(Denied::Unauthenticated) => return Err(ScimError::unauthorized()),
                Err(Denied::NotFound) => return Err(ScimError::not_found()),
                Err(Denied::Service(e)) => return Err(e.into()),
            };
            if found.caller.is_user() {
                return Err(ScimError::unauthorized());
            }
            let base = format!(
                "{}://{}/instances/{}/scim/v2",
                info.scheme(),
                info.host(),
                found.instance.name
            );
            Ok(ScimCaller {
                actor: Actor {
                    caller: found.caller,
                    key_id: found.key_id,
                    source: Source::Scim,
                    request_id,
                },
                instance: found.instance,
                base,
            })
        })
    }
}
