//! Users and groups (API.md §2–§4): two resources that differ only in their names, so
//! one set of rules serves both. A name (`username`, a group's `name`) is unique per
//! instance, and so is an `external_id` when set; a bulk create is all or nothing; user
//! keys read only what §6 grants and never write them.

mod kinds;
mod unique;

use diesel::QueryResult;

use super::access::{require, Action, Caller};
use super::error::{duplicate_of, ErrorItem, Result, ServiceError};
use super::events::{Actor, Log, Typed};
use super::idempotency::{self, Pending};
use super::sideloads::{owned_memberships, OwnedMemberships, Owner, Owners};
use crate::db::listing::Page;
pub use crate::db::listing::Window;
use crate::db::{self, AnyConnection, DbPool};
pub use crate::db::{groups::Group, users::User};
use crate::domain::{InstanceId, UserId};
pub use kinds::{Groups, Users};
pub use unique::Unique;

/// What tells users and groups apart, for the rules below.
pub trait Kind: Sized + Send + Sync + 'static {
    /// The table's key (`UserId`, `GroupId`).
    type Id: Copy + From<i64> + Into<i64> + Send + 'static;
    type Row: Typed + Send + 'static;
    type New: Send + 'static;
    type Changes: Send + 'static;
    type Filter: Send + 'static;
    const CREATE: Action;
    const UPDATE: Action;
    const DELETE: Action;
    /// Which side of a membership this kind is (for `include=memberships`).
    const OWNER: Owner;

    fn id(row: &Self::Row) -> Self::Id;
    /// These objects as the owners of memberships (for `include=memberships`).
    fn owners(ids: &[Self::Id]) -> Owners<'_>;
    /// The fields unique per instance: the name (`username`, `name`), then
    /// `external_id`.
    fn uniques() -> [Unique<Self>; 2];
    fn insert_many(conn: &mut AnyConnection, rows: &[Self::New]) -> QueryResult<Vec<Self::Row>>;
    fn find(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        id: Self::Id,
        viewer: Option<UserId>,
    ) -> QueryResult<Option<Self::Row>>;
    fn list(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        filter: &Self::Filter,
        window: &Window,
    ) -> QueryResult<Page<Self::Row>>;
    fn viewer_of(filter: &Self::Filter) -> Option<UserId>;
    fn update(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        id: Self::Id,
        changes: &Self::Changes,
    ) -> QueryResult<Self::Row>;
    fn delete(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        id: Self::Id,
    ) -> QueryResult<usize>;
    /// Records the removal of what goes with the object (`source: cascade`), before it
    /// goes: a user's memberships and keys, a group's memberships and barriers.
    fn cascade(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        id: Self::Id,
        log: &mut Log,
    ) -> QueryResult<()>;
}

/// The objects of a create request, in order (`None` where an object failed to parse),
/// and the problems found while parsing.
pub struct Batch<K: Kind> {
    pub rows: Vec<Option<K::New>>,
    pub bulk: bool,
    pub errors: Vec<ErrorItem>,
}

/// Rows with the memberships their includes asked for.
pub struct WithMemberships<R> {
    pub rows: Vec<R>,
    pub owned: Option<OwnedMemberships>,
}

/// Creates every object or none: names and external IDs must be distinct within the
/// bulk and not taken in the instance. `render` makes the answer, recorded for `pending` in the same
/// transaction.
pub async fn create<K: Kind>(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    batch: Batch<K>,
    includes: Vec<&'static str>,
    pending: Option<Pending>,
    render: impl FnOnce(WithMemberships<K::Row>) -> Result<String> + Send + 'static,
) -> Result<String> {
    require(actor.caller, K::CREATE)?;
    let Batch {
        rows: parsed,
        bulk,
        mut errors,
    } = batch;
    unique::within::<K>(&parsed, bulk, &mut errors);
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            unique::taken::<K>(conn, instance_id, &parsed, bulk, &mut errors)?;
            if !errors.is_empty() {
                return Err(ServiceError::problems(errors));
            }
            let rows: Vec<K::New> = parsed.into_iter().flatten().collect();
            let rows = K::insert_many(conn, &rows).map_err(duplicate_of(unique::fields::<K>()))?;
            let ids: Vec<K::Id> = rows.iter().map(K::id).collect();
            let mut log = Log::new(&actor, instance_id);
            log.created_all(&rows);
            let owned = owned_memberships(conn, instance_id, K::owners(&ids), &includes, None)?;
            let body = render(WithMemberships { rows, owned })?;
            idempotency::record(conn, pending.as_ref(), 201, &body)?;
            log.save(conn)?;
            Ok(body)
        })
    })
    .await
}

/// A page, and the memberships its includes ask for, in one read transaction.
pub async fn list<K: Kind>(
    pool: &DbPool,
    instance_id: InstanceId,
    filter: K::Filter,
    window: Window,
    includes: Vec<&'static str>,
) -> Result<(Page<K::Row>, Option<OwnedMemberships>)> {
    crate::service::read(pool, move |conn| {
        db::read_transaction(conn, |conn| {
            let page = K::list(conn, instance_id, &filter, &window)?;
            let ids: Vec<K::Id> = page.rows.iter().map(K::id).collect();
            let viewer = K::viewer_of(&filter);
            let owned = owned_memberships(conn, instance_id, K::owners(&ids), &includes, viewer)?;
            Ok((page, owned))
        })
    })
    .await
}

/// One object the caller may see (`404` otherwise), with its includes.
pub async fn get<K: Kind>(
    pool: &DbPool,
    caller: Caller,
    instance_id: InstanceId,
    id: K::Id,
    includes: Vec<&'static str>,
) -> Result<WithMemberships<K::Row>> {
    require(caller, Action::ReadDirectory)?;
    let viewer = caller.viewer();
    crate::service::read(pool, move |conn| {
        db::read_transaction(conn, |conn| {
            let row = K::find(conn, instance_id, id, viewer)?.ok_or(ServiceError::NotFound)?;
            let owned = owned_memberships(conn, instance_id, K::owners(&[id]), &includes, viewer)?;
            Ok(WithMemberships {
                rows: vec![row],
                owned,
            })
        })
    })
    .await
}

/// Changes one object: `404` unless the caller may see it, then `403` for a user key,
/// then the problems of `changes` (`Err` holds them, found while parsing).
pub async fn update<K: Kind>(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: K::Id,
    changes: std::result::Result<K::Changes, Vec<ErrorItem>>,
    includes: Vec<&'static str>,
) -> Result<WithMemberships<K::Row>> {
    let viewer = actor.caller.viewer();
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let before = K::find(conn, instance_id, id, viewer)?.ok_or(ServiceError::NotFound)?;
            require(actor.caller, K::UPDATE)?;
            let changes = changes.map_err(ServiceError::problems)?;
            let row = K::update(conn, instance_id, id, &changes)
                .map_err(duplicate_of(unique::fields::<K>()))?;
            let mut log = Log::new(&actor, instance_id);
            log.updated(&before, &row);
            log.save(conn)?;
            let owned = owned_memberships(conn, instance_id, K::owners(&[id]), &includes, viewer)?;
            Ok(WithMemberships {
                rows: vec![row],
                owned,
            })
        })
    })
    .await
}

/// Deletes one object with what depends on it (a user's memberships and keys, a
/// group's memberships and barriers): `404` unless visible, `403` for a user key.
pub async fn delete<K: Kind>(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    id: K::Id,
) -> Result<()> {
    crate::service::write_recorded(pool, instance_id, move |conn| {
        db::write_transaction(conn, |conn| {
            let row = K::find(conn, instance_id, id, actor.caller.viewer())?
                .ok_or(ServiceError::NotFound)?;
            require(actor.caller, K::DELETE)?;
            let mut log = Log::new(&actor, instance_id);
            K::cascade(conn, instance_id, id, &mut log)?;
            log.deleted(&row);
            K::delete(conn, instance_id, id)?;
            log.save(conn)?;
            Ok(())
        })
    })
    .await
}

/// Whether the caller may see this object (the lists under `/groups/{id}/users` and
/// `/users/{id}/groups` are `404` otherwise).
pub fn visible<K: Kind>(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: K::Id,
    viewer: Option<UserId>,
) -> Result<bool> {
    Ok(K::find(conn, instance_id, id, viewer)?.is_some())
}
