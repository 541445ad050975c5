//! The `api_keys` and `account_keys` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::instances::Instance;
use super::listing::{Common, Page, Window};
use super::schema::{account_keys, api_keys, instances, users};
use super::{now, AnyConnection, Db};
use crate::domain::{InstanceId, KeyId, KeyRole, UserId};
use crate::{apply_window, per_backend};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub instance_id: InstanceId,
    pub id: KeyId,
    pub role: KeyRole,
    pub user_id: Option<UserId>,
    pub description: Option<String>,
    pub prefix: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = api_keys, treat_none_as_default_value = false)]
pub struct NewApiKey<'a> {
    pub instance_id: InstanceId,
    pub role: KeyRole,
    pub user_id: Option<UserId>,
    pub description: Option<&'a str>,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_at: NaiveDateTime,
}

/// Who a valid, unrevoked key belongs to.
#[derive(Debug, Clone)]
pub enum KeyOwner {
    Account,
    Instance {
        instance: Instance,
        key_id: KeyId,
        role: KeyRole,
        user_id: Option<UserId>,
    },
}

/// The owner of an unrevoked key, in one query, and whether the key's user is active
/// (`true` for a key without a user); `service::access` decides what an inactive
/// user's key may do.
pub fn owner_of(conn: &mut AnyConnection, hash: &str) -> QueryResult<Option<(KeyOwner, bool)>> {
    let found = api_keys::table
        .inner_join(instances::table.on(instances::id.eq(api_keys::instance_id)))
        .left_join(
            users::table.on(users::instance_id
                .eq(api_keys::instance_id)
                .and(users::id.nullable().eq(api_keys::user_id))),
        )
        .filter(api_keys::key_hash.eq(hash))
        .filter(api_keys::revoked_at.is_null())
        .select((
            api_keys::id,
            api_keys::role,
            api_keys::user_id,
            users::active.nullable(),
            Instance::as_select(),
        ))
        .first::<(KeyId, KeyRole, Option<UserId>, Option<bool>, Instance)>(conn)
        .optional()?;
    if let Some((key_id, role, user_id, active, instance)) = found {
        let owner = KeyOwner::Instance {
            instance,
            key_id,
            role,
            user_id,
        };
        return Ok(Some((owner, user_id.is_none() || active == Some(true))));
    }
    let account = account_keys::table
        .filter(account_keys::key_hash.eq(hash))
        .filter(account_keys::revoked_at.is_null())
        .select(account_keys::id)
        .first::<i64>(conn)
        .optional()?;
    Ok(account.map(|_| (KeyOwner::Account, true)))
}

pub fn insert(conn: &mut AnyConnection, key: &NewApiKey) -> QueryResult<ApiKey> {
    per_backend!(conn, |c| diesel::insert_into(api_keys::table)
        .values(key)
        .returning(ApiKey::as_returning())
        .get_result(c))
}

pub fn list(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    common: &Common,
    w: &Window,
) -> QueryResult<Page<ApiKey>> {
    let base = || {
        let mut q = api_keys::table
            .filter(api_keys::instance_id.eq(instance_id))
            .into_boxed::<Db>();
        if let Some(ids) = &common.ids {
            q = q.filter(api_keys::id.eq_any(ids.clone()));
        }
        if let Some(t) = common.created_after {
            q = q.filter(api_keys::created_at.gt(t));
        }
        q
    };
    let total: i64 = base().count().get_result(conn)?;
    let mut q = base().select(ApiKey::as_select());
    apply_window!(
        q,
        w,
        api_keys::id,
        api_keys::created_at,
        api_keys::created_at,
        api_keys::prefix,
        super::listing::sort_text
    );
    Ok(Page::from_rows(q.load(conn)?, total, w.limit))
}

pub fn find(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: KeyId,
) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::instance_id.eq(instance_id))
        .filter(api_keys::id.eq(id))
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}

/// Every key bound to `user_id` (removed with the user).
pub fn of_user(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    user_id: UserId,
) -> QueryResult<Vec<ApiKey>> {
    api_keys::table
        .filter(api_keys::instance_id.eq(instance_id))
        .filter(api_keys::user_id.eq(user_id))
        .order(api_keys::id.asc())
        .select(ApiKey::as_select())
        .load(conn)
}

/// Marks the key revoked (once); returns the key as it now is.
pub fn revoke(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: KeyId,
) -> QueryResult<Option<ApiKey>> {
    diesel::update(
        api_keys::table
            .filter(api_keys::instance_id.eq(instance_id))
            .filter(api_keys::id.eq(id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now()))
    .execute(conn)?;
    find(conn, instance_id, id)
}

/// Whether any account key is stored (the first start generates one).
pub fn account_key_exists(conn: &mut AnyConnection) -> QueryResult<bool> {
    let n: i64 = account_keys::table
        .filter(account_keys::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert_account_key(
    conn: &mut AnyConnection,
    hash: &str,
    prefix: &str,
) -> QueryResult<usize> {
    diesel::insert_into(account_keys::table)
        .values((
            account_keys::key_hash.eq(hash),
            account_keys::prefix.eq(prefix),
            account_keys::created_at.eq(now()),
        ))
        .execute(conn)
}
