//! The `events` table: the change feed (API.md §9), written in the transaction of the
//! change it records.
//!
//! **Why the feed is exact.** A reader that was given event N must never later be shown
//! an event ≤ N it has not seen. A sequence cannot promise that on PostgreSQL: its value
//! is taken when a row is inserted, so a transaction holding 41 can commit after the
//! one holding 42, and a reader already past 42 would miss 41. Here an event's id is
//! taken from its instance's row in `event_counters` (`append`), with an upsert that
//! locks the row until the transaction ends:
//!
//! - Two writers of one instance take ids one after the other: the second's upsert waits
//!   for the first's commit (or rollback) and then reads the value it left. So ids are
//!   handed out in commit order, and a rolled-back writer's ids are handed out again:
//!   no gaps, nothing twice.
//! - PostgreSQL releases a transaction's row locks only after its commit is visible to
//!   new snapshots. So when a writer has taken id N+1, every event ≤ N is already
//!   visible, and any snapshot that sees N+1 sees all of them.
//! - The same holds with several Roster processes on one database (the lock is in the
//!   database), and on Citus, where the counter row and the events of an instance live
//!   on the same shard (distribution column `instance_id`), so the transaction is a
//!   single-shard one.
//! - SQLite has one writer at a time (the writer thread, or the CLI under the write
//!   lock); its write transactions, and so its ids, are serial.
//!
//! The upsert is the last write of the transaction but one (the events' INSERT follows),
//! so writers of one instance wait for each other only from there to their commit.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{event_counters, events, memberships};
use super::time::Ts;
use super::{AnyConnection, Db};
use crate::domain::{ActorKind, EventId, EventType, GroupId, InstanceId, KeyId, Source, UserId};

/// An event as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct Event {
    pub instance_id: InstanceId,
    pub id: EventId,
    pub kind: EventType,
    pub object_id: i64,
    /// The object's JSON as the API shows it, after the change (before it, for a
    /// deletion or an expiry).
    pub data: String,
    /// The old values of the fields an update changed, as a JSON object.
    pub previous: Option<String>,
    pub actor_kind: ActorKind,
    pub actor_key_id: Option<KeyId>,
    pub actor_user_id: Option<UserId>,
    pub source: Source,
    pub request_id: Option<String>,
    pub occurred_at: Ts,
    /// The user the object is or names, and its group: what a user key may read (§6).
    pub subject_user_id: Option<UserId>,
    pub subject_group_id: Option<GroupId>,
}

/// An event to record; its id is given by `append`.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventType,
    pub object_id: i64,
    pub data: String,
    pub previous: Option<String>,
    pub actor_kind: ActorKind,
    pub actor_key_id: Option<KeyId>,
    pub actor_user_id: Option<UserId>,
    pub source: Source,
    pub request_id: Option<String>,
    pub occurred_at: Ts,
    pub subject_user_id: Option<UserId>,
    pub subject_group_id: Option<GroupId>,
}

#[derive(Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
struct Row<'a> {
    instance_id: InstanceId,
    id: EventId,
    kind: EventType,
    object_id: i64,
    data: &'a str,
    previous: Option<&'a str>,
    actor_kind: ActorKind,
    actor_key_id: Option<KeyId>,
    actor_user_id: Option<UserId>,
    source: Source,
    request_id: Option<&'a str>,
    occurred_at: Ts,
    subject_user_id: Option<UserId>,
    subject_group_id: Option<GroupId>,
}

/// Records `new` in the caller's transaction, with the next ids of the instance (see
/// the module comment for why they follow commit order); returns the last id, `None`
/// when there is nothing to record. Call it as the transaction's last write.
pub fn append(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    new: &[NewEvent],
) -> QueryResult<Option<EventId>> {
    if new.is_empty() {
        return Ok(None);
    }
    match conn {
        AnyConnection::Postgresql(pg) => append_pg(pg, instance_id, new).map(Some),
        AnyConnection::Sqlite(lite) => append_sqlite(lite, instance_id, new).map(Some),
    }
}

/// PostgreSQL: one statement takes the ids, inserts the events from arrays (one
/// parameter per column, whatever their number) and sends the `NOTIFY` that wakes
/// other processes' readers at commit (`wake`).
fn append_pg(
    pg: &mut diesel::PgConnection,
    instance_id: InstanceId,
    new: &[NewEvent],
) -> QueryResult<EventId> {
    use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};
    #[derive(QueryableByName)]
    struct Last {
        #[diesel(sql_type = BigInt)]
        last_id: i64,
    }
    let last: Last = diesel::sql_query(
        "WITH c AS (
            INSERT INTO event_counters (instance_id, last_id) VALUES ($1, $2)
            ON CONFLICT (instance_id) DO UPDATE SET last_id = event_counters.last_id + $2
            RETURNING last_id),
         e AS (
            INSERT INTO events (instance_id, id, type, object_id, data, previous,
                actor_kind, actor_key_id, actor_user_id, source, request_id, occurred_at,
                subject_user_id, subject_group_id)
            SELECT $1, c.last_id - $2 + t.n, t.type, t.object_id, t.data, t.previous,
                t.actor_kind, t.actor_key_id, t.actor_user_id, t.source, t.request_id,
                t.occurred_at, t.subject_user_id, t.subject_group_id
            FROM c, unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[],
                $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::timestamp[],
                $13::bigint[], $14::bigint[])
                WITH ORDINALITY AS t(type, object_id, data, previous, actor_kind,
                    actor_key_id, actor_user_id, source, request_id, occurred_at,
                    subject_user_id, subject_group_id, n))
         SELECT c.last_id FROM c, LATERAL (SELECT pg_notify('roster_events', $1::text)) AS w",
    )
    .bind::<BigInt, _>(instance_id.get())
    .bind::<BigInt, _>(new.len() as i64)
    .bind::<Array<Text>, _>(column(new, |e| e.kind.as_str()))
    .bind::<Array<BigInt>, _>(column(new, |e| e.object_id))
    .bind::<Array<Text>, _>(column(new, |e| e.data.as_str()))
    .bind::<Array<Nullable<Text>>, _>(column(new, |e| e.previous.as_deref()))
    .bind::<Array<Text>, _>(column(new, |e| e.actor_kind.as_str()))
    .bind::<Array<Nullable<BigInt>>, _>(column(new, |e| e.actor_key_id.map(|k| k.get())))
    .bind::<Array<Nullable<BigInt>>, _>(column(new, |e| e.actor_user_id.map(|u| u.get())))
    .bind::<Array<Text>, _>(column(new, |e| e.source.as_str()))
    .bind::<Array<Nullable<Text>>, _>(column(new, |e| e.request_id.as_deref()))
    .bind::<Array<Timestamp>, _>(column(new, |e| e.occurred_at.0))
    .bind::<Array<Nullable<BigInt>>, _>(column(new, |e| e.subject_user_id.map(|u| u.get())))
    .bind::<Array<Nullable<BigInt>>, _>(column(new, |e| e.subject_group_id.map(|g| g.get())))
    .get_result(pg)?;
    Ok(EventId(last.last_id))
}

/// One field of every event, as an array parameter.
fn column<'a, T>(new: &'a [NewEvent], f: impl Fn(&'a NewEvent) -> T) -> Vec<T> {
    new.iter().map(f).collect()
}

/// Rows per INSERT on SQLite (14 parameters each, under SQLite's 32,766).
const SQLITE_ROWS: usize = 1_000;

fn append_sqlite(
    lite: &mut diesel::SqliteConnection,
    instance_id: InstanceId,
    new: &[NewEvent],
) -> QueryResult<EventId> {
    let n = new.len() as i64;
    let last: i64 = diesel::insert_into(event_counters::table)
        .values((
            event_counters::instance_id.eq(instance_id),
            event_counters::last_id.eq(n),
        ))
        .on_conflict(event_counters::instance_id)
        .do_update()
        .set(event_counters::last_id.eq(event_counters::last_id + n))
        .returning(event_counters::last_id)
        .get_result(lite)?;
    let first = last - n + 1;
    let rows: Vec<Row> = new
        .iter()
        .zip(first..)
        .map(|(e, id)| Row {
            instance_id,
            id: EventId(id),
            kind: e.kind,
            object_id: e.object_id,
            data: &e.data,
            previous: e.previous.as_deref(),
            actor_kind: e.actor_kind,
            actor_key_id: e.actor_key_id,
            actor_user_id: e.actor_user_id,
            source: e.source,
            request_id: e.request_id.as_deref(),
            occurred_at: e.occurred_at,
            subject_user_id: e.subject_user_id,
            subject_group_id: e.subject_group_id,
        })
        .collect();
    for chunk in rows.chunks(SQLITE_ROWS) {
        diesel::insert_into(events::table)
            .values(chunk)
            .execute(lite)?;
    }
    Ok(EventId(last))
}

/// What a read of the feed keeps (API.md §9's filters).
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub types: Option<Vec<EventType>>,
    pub object_id: Option<i64>,
    pub actor_key_id: Option<KeyId>,
    pub source: Option<Source>,
    pub occurred_after: Option<NaiveDateTime>,
    /// A user key's user: only the events of its own user, of its memberships, and of
    /// the memberships of the groups it belongs to (now).
    pub visible_to: Option<UserId>,
}

const USER_TYPES: [EventType; 3] = [
    EventType::UserCreated,
    EventType::UserUpdated,
    EventType::UserDeleted,
];
const MEMBERSHIP_TYPES: [EventType; 4] = [
    EventType::MembershipCreated,
    EventType::MembershipUpdated,
    EventType::MembershipDeleted,
    EventType::MembershipExpired,
];

/// The events after `after` (0: from the start) that pass `f`, at most `limit`, in id
/// order.
pub fn after(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    after: EventId,
    limit: i64,
    f: &EventFilter,
) -> QueryResult<Vec<Event>> {
    let mut q = events::table
        .filter(events::instance_id.eq(instance_id))
        .filter(events::id.gt(after))
        .into_boxed::<Db>();
    if let Some(types) = &f.types {
        q = q.filter(events::kind.eq_any(types.clone()));
    }
    if let Some(id) = f.object_id {
        q = q.filter(events::object_id.eq(id));
    }
    if let Some(key) = f.actor_key_id {
        q = q.filter(events::actor_key_id.eq(key));
    }
    if let Some(source) = f.source {
        q = q.filter(events::source.eq(source));
    }
    if let Some(t) = f.occurred_after {
        q = q.filter(events::occurred_at.gt(t));
    }
    if let Some(me) = f.visible_to {
        let my_groups = memberships::table
            .filter(memberships::instance_id.eq(instance_id))
            .filter(memberships::user_id.eq(me))
            .select(memberships::group_id.nullable());
        q = q.filter(
            events::kind
                .eq_any(USER_TYPES)
                .and(events::subject_user_id.eq(me))
                .or(events::kind.eq_any(MEMBERSHIP_TYPES).and(
                    events::subject_user_id
                        .eq(me)
                        .or(events::subject_group_id.eq_any(my_groups)),
                )),
        );
    }
    q.order(events::id.asc())
        .limit(limit)
        .select(Event::as_select())
        .load(conn)
}

/// The instance's last event id (0 before its first event).
pub fn last(conn: &mut AnyConnection, instance_id: InstanceId) -> QueryResult<EventId> {
    Ok(bounds(conn, instance_id)?.last)
}

/// Where an instance's feed stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The last id handed out (0 before the first event).
    pub last: EventId,
    /// Retention removed every event up to here (0: none yet).
    pub purged_through: EventId,
}

pub fn bounds(conn: &mut AnyConnection, instance_id: InstanceId) -> QueryResult<Bounds> {
    let found: Option<(i64, i64)> = event_counters::table
        .filter(event_counters::instance_id.eq(instance_id))
        .select((event_counters::last_id, event_counters::purged_through))
        .first(conn)
        .optional()?;
    let (last, purged) = found.unwrap_or((0, 0));
    Ok(Bounds {
        last: EventId(last),
        purged_through: EventId(purged),
    })
}

/// Retention: removes, per instance, the events up to the last one that occurred
/// before `cutoff` (a prefix of the feed, so that a cursor is either fully served or
/// answered `410`), at most `batch` rows per call; returns how many went.
pub fn purge_before(
    conn: &mut AnyConnection,
    cutoff: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old: Vec<(InstanceId, EventId)> = events::table
        .filter(events::occurred_at.lt(cutoff))
        .order((events::instance_id.asc(), events::id.asc()))
        .select((events::instance_id, events::id))
        .limit(batch)
        .load(conn)?;
    let mut through: Vec<(InstanceId, EventId)> = Vec::new();
    for (instance, id) in old {
        match through.last_mut() {
            Some((i, last)) if *i == instance => *last = id,
            _ => through.push((instance, id)),
        }
    }
    let mut removed = 0;
    for (instance, id) in through {
        removed += diesel::delete(
            events::table
                .filter(events::instance_id.eq(instance))
                .filter(events::id.le(id)),
        )
        .execute(conn)?;
        diesel::update(
            event_counters::table
                .filter(event_counters::instance_id.eq(instance))
                .filter(event_counters::purged_through.lt(id.get())),
        )
        .set(event_counters::purged_through.eq(id.get()))
        .execute(conn)?;
    }
    Ok(removed)
}

/// An instance's whole feed, with the instance (API.md §3: DELETE removes all the
/// tenant's data).
pub fn delete_instance(conn: &mut AnyConnection, instance_id: InstanceId) -> QueryResult<()> {
    diesel::delete(events::table.filter(events::instance_id.eq(instance_id))).execute(conn)?;
    diesel::delete(event_counters::table.filter(event_counters::instance_id.eq(instance_id)))
        .execute(conn)?;
    Ok(())
}
