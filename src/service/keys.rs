//! Instance API keys (API.md §1): issued by the account key or an instance admin key
//! (and by the CLI), random, shown once, stored only as a hash, revocable.

use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::access::{require, Action, Caller, Grant};
use super::error::{ErrorItem, Result, ServiceError};
use super::events::{Actor, Log};
use super::idempotency::{self, Pending};
use crate::db::keys::{self, NewApiKey};
pub use crate::db::keys::{ApiKey, KeyOwner};
use crate::db::listing::{Common, Page, Window};
use crate::db::{self, now, users, AnyConnection, DbPool};
use crate::domain::{EventType, InstanceId, KeyId, KeyRole, UserId};

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

/// A key to issue, as asked for.
pub struct KeyRequest {
    pub role: KeyRole,
    pub user_id: Option<UserId>,
    pub description: Option<String>,
}

impl KeyRequest {
    /// A user key is bound to a user; an admin key to none.
    pub fn check(&self) -> Option<ErrorItem> {
        match (self.role, self.user_id) {
            (KeyRole::User, None) => {
                Some(ErrorItem::invalid("user_id", "a user key needs user_id"))
            }
            (KeyRole::Admin, Some(_)) => Some(ErrorItem::invalid(
                "user_id",
                "an admin key is not bound to a user",
            )),
            _ => None,
        }
    }
}

/// A key just issued: the row and, this once, its secret.
pub struct Issued {
    pub key: ApiKey,
    pub secret: String,
}

/// Issues a key in `instance_id`, inside the caller's transaction, and records it
/// (`api_key.created`, without the secret).
pub fn issue_on(
    conn: &mut AnyConnection,
    actor: &Actor,
    instance_id: InstanceId,
    request: &KeyRequest,
) -> Result<Issued> {
    if let Some(problem) = request.check() {
        return Err(ServiceError::one(problem));
    }
    if let Some(u) = request.user_id {
        if users::existing_ids(conn, instance_id, &[u])?.is_empty() {
            return Err(ServiceError::one(
                ErrorItem::new("missing_reference", format!("user {u} does not exist"))
                    .field("user_id"),
            ));
        }
    }
    let secret = generate_key();
    let (hash, prefix) = (hash_key(&secret), key_prefix(&secret));
    let row = keys::insert(
        conn,
        &NewApiKey {
            instance_id,
            role: request.role,
            user_id: request.user_id,
            description: request.description.as_deref(),
            prefix: &prefix,
            key_hash: &hash,
            created_at: now(),
        },
    )?;
    tracing::info!(key_id = row.id.get(), prefix = %row.prefix, "api key issued");
    let mut log = Log::new(actor, instance_id);
    log.created(&row);
    log.save(conn)?;
    Ok(Issued { key: row, secret })
}

/// Issues a key; the answer, rendered by `render` (without the secret: a replay shows
/// the key without it), is recorded for `pending` in the same transaction.
pub async fn issue(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    request: KeyRequest,
    pending: Option<Pending>,
    render: impl FnOnce(&ApiKey) -> Result<String> + Send + 'static,
) -> Result<(Issued, String)> {
    require(actor.caller, Action::IssueKey)?;
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let issued = issue_on(conn, &actor, instance_id, &request)?;
            let body = render(&issued.key)?;
            idempotency::record(conn, pending.as_ref(), 201, &body)?;
            Ok((issued, body))
        })
    })
    .await
}

pub async fn list(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    common: Common,
    window: Window,
) -> Result<Page<ApiKey>> {
    let common = match require(caller, Action::ListKeys)? {
        Grant::Full => common,
        Grant::Nothing => Common::nothing(),
    };
    crate::service::read(pool, move |conn| {
        Ok(keys::list(conn, instance_id, &common, &window)?)
    })
    .await
}

/// Revokes a key: it stops working on the very next request. Twice is fine (the
/// second changes nothing and records nothing).
pub fn revoke_on(
    conn: &mut AnyConnection,
    actor: &Actor,
    instance_id: InstanceId,
    id: KeyId,
) -> Result<ApiKey> {
    let before = keys::find(conn, instance_id, id)?.ok_or(ServiceError::NotFound)?;
    let after = keys::revoke(conn, instance_id, id)?.ok_or(ServiceError::NotFound)?;
    if before.revoked_at.is_none() {
        let mut log = Log::new(actor, instance_id);
        log.changed(EventType::ApiKeyRevoked, &before, &after);
        log.save(conn)?;
    }
    Ok(after)
}

pub async fn revoke(pool: &DbPool, actor: Actor, instance_id: InstanceId, id: KeyId) -> Result<()> {
    if require(actor.caller, Action::RevokeKey)? == Grant::Nothing {
        return Err(ServiceError::NotFound);
    }
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            revoke_on(conn, &actor, instance_id, id).map(|_| ())
        })
    })
    .await
}

/// Without `ROSTER_ACCOUNT_KEY` and with no account key stored, makes one (shown once).
pub fn ensure_account_key(conn: &mut AnyConnection) -> Result<Option<String>> {
    if keys::account_key_exists(conn)? {
        return Ok(None);
    }
    let key = generate_key();
    keys::insert_account_key(conn, &hash_key(&key), &key_prefix(&key))?;
    Ok(Some(key))
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
