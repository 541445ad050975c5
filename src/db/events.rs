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
//!
//! **Durable, without a flush under the lock** (PostgreSQL). Held through a normal
//! commit, the lock would also span the commit's flush to disk, so an instance's writes
//! would commit one flush after another (pgbench, 8 clients: about 115 commits/s
//! through one counter row against 650/s without it). So a transaction that appends
//! events commits without waiting for its flush (`synchronous_commit = off`, for that
//! transaction only), which releases the counter at once, and is made durable right
//! after, before the write is answered (`commit_durably`, from `db::write_transaction`):
//! a synchronous commit of a transaction of its own, whose flush covers every WAL
//! record before it, ours included. Those flushes are shared between concurrent
//! writers, as plain commits' are. A reader could see such a commit before its flush,
//! so readers make what they show durable the same way first (`ensure_durable`, once
//! per new stretch of the feed): nothing the feed has shown, or a webhook delivered,
//! can be lost in a crash of the database and its id handed out again.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};

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
    let last: i64 = AppendEvents::new(instance_id, new).get_result(pg)?;
    FLUSH_PENDING.with(|p| p.set(true));
    Ok(EventId(last))
}

/// `append_pg`'s statement, as a query type of its own so that diesel prepares it once
/// per connection (`diesel::sql_query` is never cached: it was parsed and planned again
/// for every write).
struct AppendEvents<'a> {
    instance_id: i64,
    /// The `NOTIFY` payload: the instance's id as text.
    payload: String,
    count: i64,
    kinds: Vec<&'a str>,
    object_ids: Vec<i64>,
    data: Vec<&'a str>,
    previous: Vec<Option<&'a str>>,
    actor_kinds: Vec<&'a str>,
    actor_key_ids: Vec<Option<i64>>,
    actor_user_ids: Vec<Option<i64>>,
    sources: Vec<&'a str>,
    request_ids: Vec<Option<&'a str>>,
    occurred_at: Vec<NaiveDateTime>,
    subject_user_ids: Vec<Option<i64>>,
    subject_group_ids: Vec<Option<i64>>,
}

impl<'a> AppendEvents<'a> {
    fn new(instance_id: InstanceId, new: &'a [NewEvent]) -> Self {
        Self {
            instance_id: instance_id.get(),
            payload: instance_id.to_string(),
            count: new.len() as i64,
            kinds: column(new, |e| e.kind.as_str()),
            object_ids: column(new, |e| e.object_id),
            data: column(new, |e| e.data.as_str()),
            previous: column(new, |e| e.previous.as_deref()),
            actor_kinds: column(new, |e| e.actor_kind.as_str()),
            actor_key_ids: column(new, |e| e.actor_key_id.map(|k| k.get())),
            actor_user_ids: column(new, |e| e.actor_user_id.map(|u| u.get())),
            sources: column(new, |e| e.source.as_str()),
            request_ids: column(new, |e| e.request_id.as_deref()),
            occurred_at: column(new, |e| e.occurred_at.0),
            subject_user_ids: column(new, |e| e.subject_user_id.map(|u| u.get())),
            subject_group_ids: column(new, |e| e.subject_group_id.map(|g| g.get())),
        }
    }
}

impl QueryFragment<Pg> for AppendEvents<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH c AS (INSERT INTO event_counters (instance_id, last_id) VALUES (");
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.count)?;
        out.push_sql(
            ") ON CONFLICT (instance_id) DO UPDATE \
             SET last_id = event_counters.last_id + EXCLUDED.last_id RETURNING last_id), \
             e AS (INSERT INTO events (instance_id, id, type, object_id, data, previous, \
             actor_kind, actor_key_id, actor_user_id, source, request_id, occurred_at, \
             subject_user_id, subject_group_id) \
             SELECT ",
        );
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(", c.last_id - ");
        out.push_bind_param::<BigInt, _>(&self.count)?;
        out.push_sql(
            " + t.n, t.type, t.object_id, t.data, t.previous, t.actor_kind, \
             t.actor_key_id, t.actor_user_id, t.source, t.request_id, t.occurred_at, \
             t.subject_user_id, t.subject_group_id FROM c, unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.kinds)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.object_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.data)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.previous)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.actor_kinds)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<BigInt>>, _>(&self.actor_key_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<BigInt>>, _>(&self.actor_user_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.sources)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.request_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.occurred_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<BigInt>>, _>(&self.subject_user_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<BigInt>>, _>(&self.subject_group_ids)?;
        out.push_sql(
            ") WITH ORDINALITY AS t(type, object_id, data, previous, actor_kind, \
             actor_key_id, actor_user_id, source, request_id, occurred_at, \
             subject_user_id, subject_group_id, n)) \
             SELECT c.last_id FROM c, LATERAL (SELECT pg_notify('roster_events', ",
        );
        out.push_bind_param::<Text, _>(&self.payload)?;
        out.push_sql("), set_config('synchronous_commit', 'off', true)) AS w");
        Ok(())
    }
}

crate::hand_written_statement!(AppendEvents<'_>, diesel::PgConnection, BigInt);

thread_local! {
    /// Set when this thread's PostgreSQL transaction appended events (and so commits
    /// without waiting for its flush); `write_transaction` takes it after the commit.
    static FLUSH_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// Whether the transaction just ended on this thread appended events on PostgreSQL
/// (and so must be made durable); clears it.
pub fn take_flush_pending() -> bool {
    FLUSH_PENDING.with(|p| p.replace(false))
}

/// Commits the transaction that appended events (without waiting for its flush), then
/// waits for the flush (`wait_durable`'s transaction), in one round trip: a simple query
/// of two statements. libpq reports the connection idle after it, which diesel takes
/// as the end of the transaction. If `COMMIT` fails, the transaction is rolled back and
/// the second statement does not run.
pub fn commit_durably(pg: &mut diesel::PgConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    pg.batch_execute("COMMIT; SELECT pg_current_xact_id()")
}

/// Waits until every commit visible to `conn` is flushed to disk (see the module
/// comment): a transaction of its own that takes an ID, whose synchronous commit
/// flushes the WAL up to its own record. Inside a transaction, the ID is that
/// transaction's, and its commit does the flush. Nothing to do on SQLite.
pub fn wait_durable(conn: &mut AnyConnection) -> QueryResult<()> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_current_xact_id()").execute(pg)?;
    }
    Ok(())
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
/// order. A reader makes them durable (`ensure_durable`) before it shows them.
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

/// How far each instance's feed is known to be flushed to disk, for one database (a
/// pool's): reads below it need no flush of their own (`ensure_durable`).
#[derive(Debug, Default)]
pub struct DurableMarks(Mutex<HashMap<InstanceId, EventId>>);

impl DurableMarks {
    fn through(&self, instance_id: InstanceId) -> EventId {
        let marks = self.0.lock().unwrap_or_else(|p| p.into_inner());
        marks.get(&instance_id).copied().unwrap_or(EventId(0))
    }

    fn raise(&self, instance_id: InstanceId, to: EventId) {
        let mut marks = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mark = marks.entry(instance_id).or_insert(EventId(0));
        *mark = (*mark).max(to);
    }
}

/// Makes sure the instance's events up to `through`, which a reader is about to show,
/// are flushed to disk (see the module comment); call it outside any transaction.
/// Nothing when `marks` already says so; else the counter's last id is read and then
/// everything committed is flushed (`wait_durable`), which makes every id up to that
/// one durable.
pub fn ensure_durable(
    conn: &mut AnyConnection,
    marks: &DurableMarks,
    instance_id: InstanceId,
    through: EventId,
) -> QueryResult<()> {
    if !matches!(conn, AnyConnection::Postgresql(_)) || through <= marks.through(instance_id) {
        return Ok(());
    }
    let last = last(conn, instance_id)?;
    wait_durable(conn)?;
    marks.raise(instance_id, last.max(through));
    Ok(())
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
