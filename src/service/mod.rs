//! The rules: who may do what, validation across objects, barriers, idempotency and
//! transactions (API.md §1–§8). Every door calls these (REST in `api/`, the CLI,
//! `roster import`'s server side through REST); none of it knows HTTP. Each function
//! takes the caller and parsed values, and returns rows or a `ServiceError`.
//!
//! | module | API.md |
//! |---|---|
//! | `access` | §1 keys and tenancy, §6 what a user key may do |
//! | `error` | the domain errors behind §7 |
//! | `idempotency` | §8 |
//! | `instances`, `keys` | §1, §2 |
//! | `directory` | §2–§4 users and groups |
//! | `memberships` | §2–§4 memberships, the bulk rules, §6 managers |
//! | `barriers` | §2 barriers, enforced in `memberships` |
//! | `sideloads` | §5 includes: one query per association |
//! | `events` | §9 what each write records, reading the feed |
//! | `objects` | §2, §5, §9 each object's JSON, for the envelope and the feed |
//! | `webhooks` | §10 endpoints, their delivery log, the dispatcher |

pub mod access;
pub mod barriers;
pub mod bulk;
pub mod directory;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod instances;
pub mod keys;
pub mod memberships;
pub mod objects;
pub mod provisioning;
pub mod sideloads;
pub mod webhooks;

pub use access::Caller;
pub use error::{ErrorItem, Result, ServiceError};

use crate::db::{self, DbPool};
use crate::domain::InstanceId;

/// Whether the database answers (`/readyz`), within a second.
pub async fn ready(pool: &DbPool) -> Result<()> {
    Ok(db::ping(pool).await?)
}

/// Work that writes (`db::write`: on SQLite, a job of the writer thread), with the
/// service's error.
pub(crate) async fn write<T, F>(pool: &DbPool, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut db::AnyConnection) -> Result<T> + Send + 'static,
{
    db::write(pool, f).await
}

/// As `write`, for work that records events of `instance_id`: once it has committed,
/// the instance's waiting readers are woken (`db::wake`).
pub(crate) async fn write_recorded<T, F>(pool: &DbPool, instance_id: InstanceId, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut db::AnyConnection) -> Result<T> + Send + 'static,
{
    let done = db::write(pool, f).await?;
    pool.wakes().wake(instance_id);
    Ok(done)
}

/// Reading work (`db::read`: run once more on a fresh connection if the first one
/// turned out dead), with the service's error.
pub(crate) async fn read<T, F>(pool: &DbPool, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnMut(&mut db::AnyConnection) -> Result<T> + Send + 'static,
{
    db::read(pool, f).await
}
