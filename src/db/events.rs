//! The change feed (API.md §9), written in the transaction of the change it records:
//! one `event_batches` row per write, holding that write's events (`NewEvents`).
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
//! **One row per write.** A write's events share their time, actor and request, and
//! take consecutive ids; so they are stored as one row (`last_id`, `count`, what they
//! share, and `entries`: each event's own fields as a JSON array in id order). A bulk
//! of 100 memberships writes one row and one index entry for its events rather than
//! 100 of each, and PostgreSQL compresses the array in the row (lz4). A read takes the
//! rows past its cursor in `last_id` order and keeps, of their events, those past the
//! cursor that pass its filters (`after`): the same scan of the instance's feed from
//! the cursor that one row per event had, as no filter has an index of its own.
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
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::schema::{event_batches, event_counters, memberships};
use super::time::Ts;
use super::{AnyConnection, Db};
use crate::domain::{ActorKind, EventId, EventType, GroupId, InstanceId, KeyId, Source, UserId};

/// An event as read back.
#[derive(Debug, Clone)]
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

/// The events of one write, to record with `append`: what they share, and each one's
/// own fields written as they come (`push`) into the row's `entries`.
#[derive(Debug, Clone)]
pub struct NewEvents {
    pub actor_kind: ActorKind,
    pub actor_key_id: Option<KeyId>,
    pub actor_user_id: Option<UserId>,
    pub request_id: Option<String>,
    pub occurred_at: Ts,
    /// The JSON array so far (`[…]`, empty before the first event).
    entries: Vec<u8>,
    count: i64,
}

/// One event of a write, as `push` takes it.
pub struct Entry<'a> {
    pub kind: EventType,
    pub object_id: i64,
    pub source: Source,
    pub subject_user_id: Option<UserId>,
    pub subject_group_id: Option<GroupId>,
    /// The old values of the fields an update changed, as a JSON object.
    pub previous: Option<&'a str>,
}

impl NewEvents {
    pub fn new(
        actor_kind: ActorKind,
        actor_key_id: Option<KeyId>,
        actor_user_id: Option<UserId>,
        request_id: Option<String>,
        occurred_at: Ts,
    ) -> Self {
        Self {
            actor_kind,
            actor_key_id,
            actor_user_id,
            request_id,
            occurred_at,
            entries: Vec::new(),
            count: 0,
        }
    }

    /// Adds one event; `data` writes the object's JSON (valid JSON, as `previous` is).
    pub fn push(&mut self, e: Entry<'_>, data: impl FnOnce(&mut Vec<u8>)) {
        let out = &mut self.entries;
        match out.pop() {
            Some(b']') => out.push(b','),
            _ => out.push(b'['),
        }
        out.extend_from_slice(b"{\"type\":\"");
        out.extend_from_slice(e.kind.as_str().as_bytes());
        out.extend_from_slice(b"\",\"object_id\":");
        out.extend_from_slice(itoa::Buffer::new().format(e.object_id).as_bytes());
        out.extend_from_slice(b",\"source\":\"");
        out.extend_from_slice(e.source.as_str().as_bytes());
        out.extend_from_slice(b"\",\"user\":");
        write_opt(out, e.subject_user_id.map(|u| u.get()));
        out.extend_from_slice(b",\"group\":");
        write_opt(out, e.subject_group_id.map(|g| g.get()));
        out.extend_from_slice(b",\"data\":");
        data(out);
        out.extend_from_slice(b",\"previous\":");
        out.extend_from_slice(e.previous.unwrap_or("null").as_bytes());
        out.extend_from_slice(b"}]");
        self.count += 1;
    }

    /// Room for `n` more events of about `bytes` each.
    pub fn reserve(&mut self, n: usize, bytes: usize) {
        self.entries.reserve(n.saturating_mul(bytes + 96));
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The `entries` array.
    fn entries(&self) -> QueryResult<&str> {
        std::str::from_utf8(&self.entries)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
    }
}

fn write_opt(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

#[derive(Insertable)]
#[diesel(table_name = event_batches, treat_none_as_default_value = false)]
struct Row<'a> {
    instance_id: InstanceId,
    last_id: i64,
    count: i64,
    occurred_at: Ts,
    actor_kind: ActorKind,
    actor_key_id: Option<KeyId>,
    actor_user_id: Option<UserId>,
    request_id: Option<&'a str>,
    entries: &'a str,
}

/// Records `new` in the caller's transaction, with the next ids of the instance (see
/// the module comment for why they follow commit order); returns the last id, `None`
/// when there is nothing to record. Call it as the transaction's last write.
pub fn append(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    new: &NewEvents,
) -> QueryResult<Option<EventId>> {
    if new.is_empty() {
        return Ok(None);
    }
    let entries = new.entries()?;
    match conn {
        AnyConnection::Postgresql(pg) => append_pg(pg, instance_id, new, entries).map(Some),
        AnyConnection::Sqlite(lite) => append_sqlite(lite, instance_id, new, entries).map(Some),
    }
}

/// PostgreSQL: one statement takes the ids, inserts the row and sends the `NOTIFY`
/// that wakes other processes' readers at commit (`wake`).
fn append_pg(
    pg: &mut diesel::PgConnection,
    instance_id: InstanceId,
    new: &NewEvents,
    entries: &str,
) -> QueryResult<EventId> {
    let last: i64 = AppendEvents {
        instance_id: instance_id.get(),
        payload: instance_id.to_string(),
        new,
        entries,
    }
    .get_result(pg)?;
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
    new: &'a NewEvents,
    entries: &'a str,
}

impl QueryFragment<Pg> for AppendEvents<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let n = self.new;
        out.push_sql("WITH c AS (INSERT INTO event_counters (instance_id, last_id) VALUES (");
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&n.count)?;
        out.push_sql(
            ") ON CONFLICT (instance_id) DO UPDATE \
             SET last_id = event_counters.last_id + EXCLUDED.last_id RETURNING last_id), \
             e AS (INSERT INTO event_batches (instance_id, last_id, count, occurred_at, \
             actor_kind, actor_key_id, actor_user_id, request_id, entries) SELECT ",
        );
        out.push_bind_param::<BigInt, _>(&self.instance_id)?;
        out.push_sql(", c.last_id, ");
        out.push_bind_param::<BigInt, _>(&n.count)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&n.occurred_at.0)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(n.actor_kind.as_str())?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&n.actor_key_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&n.actor_user_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&n.request_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.entries)?;
        out.push_sql(
            " FROM c) \
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

fn append_sqlite(
    lite: &mut diesel::SqliteConnection,
    instance_id: InstanceId,
    new: &NewEvents,
    entries: &str,
) -> QueryResult<EventId> {
    let n = new.count;
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
    diesel::insert_into(event_batches::table)
        .values(Row {
            instance_id,
            last_id: last,
            count: n,
            occurred_at: new.occurred_at,
            actor_kind: new.actor_kind,
            actor_key_id: new.actor_key_id,
            actor_user_id: new.actor_user_id,
            request_id: new.request_id.as_deref(),
            entries,
        })
        .execute(lite)?;
    Ok(EventId(last))
}

/// A stored row of events.
#[derive(Queryable, Selectable)]
#[diesel(table_name = event_batches)]
struct Batch {
    instance_id: InstanceId,
    last_id: i64,
    count: i64,
    occurred_at: Ts,
    actor_kind: ActorKind,
    actor_key_id: Option<KeyId>,
    actor_user_id: Option<UserId>,
    request_id: Option<String>,
    entries: String,
}

/// One element of a row's `entries`, as read.
#[derive(Deserialize)]
struct StoredEntry<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    object_id: i64,
    source: &'a str,
    user: Option<i64>,
    group: Option<i64>,
    #[serde(borrow)]
    data: &'a RawValue,
    #[serde(borrow)]
    previous: Option<&'a RawValue>,
}

fn corrupt(what: String) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(what.into())
}

impl Batch {
    /// This row's events with ids past `after` that `keep` accepts, onto `out`, until
    /// `out` holds `limit`.
    fn unpack(
        &self,
        after: EventId,
        limit: usize,
        keep: &Keep<'_>,
        out: &mut Vec<Event>,
    ) -> QueryResult<()> {
        let entries: Vec<StoredEntry<'_>> = serde_json::from_str(&self.entries)
            .map_err(|e| corrupt(format!("events up to {}: {e}", self.last_id)))?;
        if entries.len() as i64 != self.count {
            return Err(corrupt(format!(
                "events up to {}: {} entries for a count of {}",
                self.last_id,
                entries.len(),
                self.count
            )));
        }
        let first = self.last_id - self.count + 1;
        for (e, id) in entries.into_iter().zip(first..) {
            if out.len() >= limit {
                break;
            }
            if id <= after.get() {
                continue;
            }
            let kind = EventType::parse_str(e.kind)
                .ok_or_else(|| corrupt(format!("event {id}: type {:?}", e.kind)))?;
            let source = Source::parse_str(e.source)
                .ok_or_else(|| corrupt(format!("event {id}: source {:?}", e.source)))?;
            let (user, group) = (e.user.map(UserId), e.group.map(GroupId));
            if !keep.accepts(kind, e.object_id, source, user, group) {
                continue;
            }
            out.push(Event {
                instance_id: self.instance_id,
                id: EventId(id),
                kind,
                object_id: e.object_id,
                data: e.data.get().to_owned(),
                previous: e.previous.map(|p| p.get().to_owned()),
                actor_kind: self.actor_kind,
                actor_key_id: self.actor_key_id,
                actor_user_id: self.actor_user_id,
                source,
                request_id: self.request_id.clone(),
                occurred_at: self.occurred_at,
                subject_user_id: user,
                subject_group_id: group,
            });
        }
        Ok(())
    }
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

/// The per-event part of a filter (what it shares with its write is filtered in SQL).
struct Keep<'a> {
    f: &'a EventFilter,
    /// A user key's user and the groups it belongs to now.
    viewer: Option<(UserId, HashSet<GroupId>)>,
}

impl Keep<'_> {
    fn accepts(
        &self,
        kind: EventType,
        object_id: i64,
        source: Source,
        user: Option<UserId>,
        group: Option<GroupId>,
    ) -> bool {
        let f = self.f;
        if f.types.as_ref().is_some_and(|t| !t.contains(&kind))
            || f.object_id.is_some_and(|o| o != object_id)
            || f.source.is_some_and(|s| s != source)
        {
            return false;
        }
        match &self.viewer {
            None => true,
            Some((me, groups)) => {
                let mine = user == Some(*me);
                (USER_TYPES.contains(&kind) && mine)
                    || (MEMBERSHIP_TYPES.contains(&kind)
                        && (mine || group.is_some_and(|g| groups.contains(&g))))
            }
        }
    }
}

/// Rows a read takes at first, and at most, per query: it takes more each time it needs
/// more (a filter that keeps few events), so that a page of a few events reads a few
/// rows and a long scan is done in large steps.
const FIRST_ROWS: i64 = 8;
const MOST_ROWS: i64 = 256;

/// The events after `after` (0: from the start) that pass `f`, at most `limit`, in id
/// order. A reader makes them durable (`ensure_durable`) before it shows them.
pub fn after(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    after: EventId,
    limit: i64,
    f: &EventFilter,
) -> QueryResult<Vec<Event>> {
    let viewer = match f.visible_to {
        Some(me) => {
            let groups: Vec<GroupId> = memberships::table
                .filter(memberships::instance_id.eq(instance_id))
                .filter(memberships::user_id.eq(me))
                .select(memberships::group_id)
                .load(conn)?;
            Some((me, groups.into_iter().collect()))
        }
        None => None,
    };
    let keep = Keep { f, viewer };
    let limit = usize::try_from(limit.max(0)).unwrap_or(0);
    let mut out = Vec::with_capacity(limit.min(1_000));
    let (mut from, mut rows) = (after.get(), FIRST_ROWS);
    while out.len() < limit {
        let mut q = event_batches::table
            .filter(event_batches::instance_id.eq(instance_id))
            .filter(event_batches::last_id.gt(from))
            .into_boxed::<Db>();
        if let Some(key) = f.actor_key_id {
            q = q.filter(event_batches::actor_key_id.eq(key));
        }
        if let Some(t) = f.occurred_after {
            q = q.filter(event_batches::occurred_at.gt(t));
        }
        let batches: Vec<Batch> = q
            .order(event_batches::last_id.asc())
            .limit(rows)
            .select(Batch::as_select())
            .load(conn)?;
        for b in &batches {
            b.unpack(after, limit, &keep, &mut out)?;
            from = b.last_id;
        }
        if (batches.len() as i64) < rows {
            break;
        }
        rows = (rows * 2).min(MOST_ROWS);
    }
    Ok(out)
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
/// answered `410`), at most `batch` rows per call; returns how many events went.
pub fn purge_before(
    conn: &mut AnyConnection,
    cutoff: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old: Vec<(InstanceId, i64)> = event_batches::table
        .filter(event_batches::occurred_at.lt(cutoff))
        .order((
            event_batches::instance_id.asc(),
            event_batches::last_id.asc(),
        ))
        .select((event_batches::instance_id, event_batches::last_id))
        .limit(batch)
        .load(conn)?;
    let mut through: Vec<(InstanceId, i64)> = Vec::new();
    for (instance, id) in old {
        match through.last_mut() {
            Some((i, last)) if *i == instance => *last = id,
            _ => through.push((instance, id)),
        }
    }
    let mut removed = 0;
    for (instance, id) in through {
        let gone = event_batches::table
            .filter(event_batches::instance_id.eq(instance))
            .filter(event_batches::last_id.le(id));
        let counts: Vec<i64> = gone.select(event_batches::count).load(conn)?;
        removed += counts.iter().sum::<i64>() as usize;
        diesel::delete(gone).execute(conn)?;
        diesel::update(
            event_counters::table
                .filter(event_counters::instance_id.eq(instance))
                .filter(event_counters::purged_through.lt(id)),
        )
        .set(event_counters::purged_through.eq(id))
        .execute(conn)?;
    }
    Ok(removed)
}

/// An instance's whole feed, with the instance (API.md §3: DELETE removes all the
/// tenant's data).
pub fn delete_instance(conn: &mut AnyConnection, instance_id: InstanceId) -> QueryResult<()> {
    diesel::delete(event_batches::table.filter(event_batches::instance_id.eq(instance_id)))
        .execute(conn)?;
    diesel::delete(event_counters::table.filter(event_counters::instance_id.eq(instance_id)))
        .execute(conn)?;
    Ok(())
}
