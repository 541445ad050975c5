//! The `idempotency_records` table (API.md §8): per instance and key, the request's
//! fingerprint and the response it got.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::idempotency_records as rec;
use super::{now, AnyConnection};
use crate::domain::InstanceId;

/// How long a record is kept.
pub const RETENTION_HOURS: i64 = 24;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rec)]
pub struct Record {
    pub instance_id: InstanceId,
    pub idem_key: String,
    pub fingerprint: String,
    pub status: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: NaiveDateTime,
}

fn cutoff() -> NaiveDateTime {
    now() - Duration::hours(RETENTION_HOURS)
}

/// The live (under 24 hours old) record of this key, if any.
pub fn find(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    key: &str,
) -> QueryResult<Option<Record>> {
    rec::table
        .filter(rec::instance_id.eq(instance_id))
        .filter(rec::idem_key.eq(key))
        .filter(rec::created_at.gt(cutoff()))
        .select(Record::as_select())
        .first(conn)
        .optional()
}

/// Stores a response; replaces an expired record of the same key. Fails with a unique
/// violation when a live record exists (a concurrent request with the same key won).
pub fn insert(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    key: &str,
    fingerprint: &str,
    status: i32,
    body: &str,
) -> QueryResult<()> {
    diesel::delete(
        rec::table
            .filter(rec::instance_id.eq(instance_id))
            .filter(rec::idem_key.eq(key))
            .filter(rec::created_at.le(cutoff())),
    )
    .execute(conn)?;
    diesel::insert_into(rec::table)
        .values((
            rec::instance_id.eq(instance_id),
            rec::idem_key.eq(key),
            rec::fingerprint.eq(fingerprint),
            rec::status.eq(Some(status)),
            rec::response_body.eq(Some(body)),
            rec::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes every record older than 24 hours; returns how many.
pub fn purge_expired(conn: &mut AnyConnection) -> QueryResult<usize> {
    diesel::delete(rec::table.filter(rec::created_at.le(cutoff()))).execute(conn)
}
