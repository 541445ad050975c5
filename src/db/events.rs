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
use crate::per_backend;

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
    let n = new.len() as i64;
    let last: i64 = per_backend!(conn, |c| diesel::insert_into(event_counters::table)
        .values((
            event_counters::instance_id.eq(instance_id),
            event_counters::last_id.eq(n),
        ))
        .on_conflict(event_counters::instance_id)
        .do_update()
        .set(event_counters::last_id.eq(event_counters::last_id + n))
        .returning(event_counters::last_id)
        .get_result(c))?;
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
    per_backend!(conn, |c| diesel::insert_into(events::table)
        .values(&rows)
        .execute(c))?;
    Ok(Some(EventId(last)))
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
    let last: Option<i64> = event_counters::table
        .filter(event_counters::instance_id.eq(instance_id))
        .select(event_counters::last_id)
        .first(conn)
        .optional()?;
    Ok(EventId(last.unwrap_or(0)))
}
