//! Keys: generation, hashing, extraction from a request, and the resolved caller.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::db::{self, instances::Instance, keys::KeyOwner};
use crate::domain::KeyRole;
use crate::error::ApiError;
use crate::state::AppState;

pub const KEY_PREFIX: &str = "rk_";
/// 43 alphanumeric characters carry about 256 bits.
const KEY_RANDOM_CHARS: usize = 43;

/// A fresh key: `rk_` and 43 random alphanumerics from the OS generator.
pub fn generate_key() -> String {
    let random: String = rand::rngs::OsRng
        .sample_iter(&Alphanumeric)
        .take(KEY_RANDOM_CHARS)
        .map(char::from)
        .collect();
    format!("{KEY_PREFIX}{random}")
}

pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The shown part of a key: its first 8 characters.
pub fn key_prefix(key: &str) -> String {
    key.chars().take(8).collect()
}

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

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Account,
    InstanceAdmin,
    /// A user key acting as this user.
    User(i64),
}

impl Caller {
    pub fn is_user(&self) -> bool {
        matches!(self, Self::User(_))
    }

    /// The user whose view limits reads, if any.
    pub fn viewer(&self) -> Option<i64> {
        match self {
            Self::User(id) => Some(*id),
            _ => None,
        }
    }

    /// Fails with 403 unless the caller is the account or an instance admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self {
            Self::User(_) => Err(ApiError::forbidden("a user key may not do this")),
            _ => Ok(()),
        }
    }
}

/// Resolves a key hash to its owner, or `None` for an unknown or revoked key.
fn resolve(
    conn: &mut db::AnyConnection,
    state_hash: Option<&str>,
    hash: &str,
) -> Result<Option<KeyOwner>, ApiError> {
    if state_hash == Some(hash) {
        return Ok(Some(KeyOwner::Account));
    }
    Ok(db::keys::owner_of(conn, hash)?)
}

/// An authenticated caller of an instance route: the key is valid and belongs to the
/// instance named in the path (or is the account key). Anything else about another
/// tenant answers 404 exactly as a missing instance would.
pub struct InstanceCaller {
    pub instance: Instance,
    pub caller: Caller,
}

impl FromRequest for InstanceCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = extract_key(req);
        let name = req.match_info().get("instance").map(str::to_string);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("no app state".into()))?;
            let hash = hash_key(&key.ok_or(ApiError::Unauthorized)?);
            let name = name.ok_or(ApiError::NotFound)?;
            let account_hash = state.account_key_hash.clone();
            db::run(&state.pool, move |conn| {
                let owner =
                    resolve(conn, account_hash.as_deref(), &hash)?.ok_or(ApiError::Unauthorized)?;
                match owner {
                    KeyOwner::Account => {
                        // No instance name holds a NUL, which PostgreSQL would refuse.
                        if name.contains('\0') {
                            return Err(ApiError::NotFound);
                        }
                        let instance =
                            db::instances::find_by_name(conn, &name)?.ok_or(ApiError::NotFound)?;
                        Ok(InstanceCaller {
                            instance,
                            caller: Caller::Account,
                        })
                    }
                    KeyOwner::Instance {
                        instance,
                        role,
                        user_id,
                    } => {
                        if instance.name != name {
                            return Err(ApiError::NotFound);
                        }
                        let caller = match (role, user_id) {
                            (KeyRole::Admin, _) => Caller::InstanceAdmin,
                            (KeyRole::User, Some(user)) => Caller::User(user),
                            (KeyRole::User, None) => return Err(ApiError::Unauthorized),
                        };
                        Ok(InstanceCaller { instance, caller })
                    }
                }
            })
            .await
        })
    }
}

/// An authenticated caller of the account-level routes. Instance keys get 403 on
/// account-only actions; the handler decides what an instance key may see.
pub struct AnyCaller {
    pub owner: KeyOwner,
}

impl AnyCaller {
    pub fn require_account(&self) -> Result<(), ApiError> {
        match self.owner {
            KeyOwner::Account => Ok(()),
            _ => Err(ApiError::forbidden("only the account key may do this")),
        }
    }
}

impl FromRequest for AnyCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = extract_key(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("no app state".into()))?;
            let hash = hash_key(&key.ok_or(ApiError::Unauthorized)?);
            let account_hash = state.account_key_hash.clone();
            let owner = db::run(&state.pool, move |conn| {
                resolve(conn, account_hash.as_deref(), &hash)
            })
            .await?
            .ok_or(ApiError::Unauthorized)?;
            Ok(AnyCaller { owner })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_prefixed() {
        let a = generate_key();
        let b = generate_key();
        assert!(a.starts_with("rk_"));
        assert_eq!(a.len(), 3 + 43);
        assert_ne!(a, b);
        assert_eq!(key_prefix(&a).len(), 8);
        assert_eq!(hash_key(&a).len(), 64);
        assert_ne!(hash_key(&a), a);
    }
}
