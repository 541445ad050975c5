//! What a write records (API.md §9): one event per object it changed, with who did it,
//! through which door and in which request, written by `Log::save` in the write's own
//! transaction.

use serde_json::{Map, Value};

use crate::db::barriers::Barrier;
use crate::db::events::{self, Entry, NewEvents};
use crate::db::groups::Group;
use crate::db::instances::Instance;
use crate::db::keys::ApiKey;
use crate::db::memberships::Membership;
use crate::db::users::User;
use crate::db::{now, AnyConnection};
use crate::domain::{ActorKind, EventId, EventType, GroupId, InstanceId, KeyId, Source, UserId};
use crate::service::access::Caller;
use crate::service::error::Result;
use crate::service::objects::ObjectJson;

/// Who writes, through which door: the actor of the events a write records.
#[derive(Debug, Clone)]
pub struct Actor {
    pub caller: Caller,
    /// The instance key used (`None` for the account key, whose IDs are another table's).
    pub key_id: Option<KeyId>,
    pub source: Source,
    pub request_id: Option<String>,
}

impl Actor {
    /// An operator at the command line (`roster …`), acting with the account's rights.
    pub fn cli() -> Self {
        Self {
            caller: Caller::Account,
            key_id: None,
            source: Source::Cli,
            request_id: None,
        }
    }

    fn kind(&self) -> ActorKind {
        match self.caller {
            Caller::Account => ActorKind::Account,
            Caller::InstanceAdmin => ActorKind::Admin,
            Caller::User(_) => ActorKind::User,
        }
    }
}

/// An object that events are recorded for, and whom it concerns (what a user key may
/// read of the feed, §6).
pub trait Recorded: ObjectJson {
    fn object_id(&self) -> i64;
    /// The user the object is or names.
    fn subject_user(&self) -> Option<UserId> {
        None
    }
    /// The group the object is or names.
    fn subject_group(&self) -> Option<GroupId> {
        None
    }
}

/// An object with the three usual event types.
pub trait Typed: Recorded {
    const CREATED: EventType;
    const UPDATED: EventType;
    const DELETED: EventType;
}

/// The events of one write, saved with `save` as its transaction's last write.
pub struct Log {
    instance_id: InstanceId,
    /// Who writes, through which door: `source` is the events' unless they cascade.
    source: Source,
    events: NewEvents,
}

fn json_of<T: ObjectJson>(obj: &T) -> String {
    let mut out = Vec::with_capacity(256);
    obj.write_json(&mut out);
    String::from_utf8(out).unwrap_or_else(|_| "null".into())
}

impl Log {
    /// One time for all the write's events: now.
    pub fn new(actor: &Actor, instance_id: InstanceId) -> Self {
        Self {
            instance_id,
            source: actor.source,
            events: NewEvents::new(
                actor.kind(),
                actor.key_id,
                actor.caller.viewer(),
                actor.request_id.clone(),
                now().into(),
            ),
        }
    }

    fn entry<'p, T: Recorded>(
        kind: EventType,
        obj: &T,
        previous: Option<&'p str>,
        source: Source,
    ) -> Entry<'p> {
        Entry {
            kind,
            object_id: obj.object_id(),
            source,
            subject_user_id: obj.subject_user(),
            subject_group_id: obj.subject_group(),
            previous,
        }
    }

    /// `obj` as it is now, under `kind`.
    fn push<T: Recorded>(&mut self, kind: EventType, obj: &T, source: Source) {
        self.events
            .push(Self::entry(kind, obj, None, source), |out| {
                obj.write_json(out)
            });
    }

    pub fn created<T: Typed>(&mut self, obj: &T) {
        self.push(T::CREATED, obj, self.source);
    }

    pub fn created_all<T: Typed>(&mut self, objs: &[T]) {
        self.events.reserve(objs.len(), 256);
        for o in objs {
            self.created(o);
        }
    }

    /// `before` became `after`: `previous` holds the old values of the fields that
    /// changed (`updated_at` aside, which every update changes).
    pub fn updated<T: Typed>(&mut self, before: &T, after: &T) {
        self.changed(T::UPDATED, before, after);
    }

    /// As `updated`, under another type (`api_key.revoked`).
    pub fn changed<T: Recorded>(&mut self, kind: EventType, before: &T, after: &T) {
        let data = json_of(after);
        let previous = previous(&json_of(before), &data);
        let entry = Self::entry(kind, after, Some(&previous), self.source);
        self.events
            .push(entry, |out| out.extend_from_slice(data.as_bytes()));
    }

    pub fn deleted<T: Typed>(&mut self, obj: &T) {
        self.push(T::DELETED, obj, self.source);
    }

    /// Removed because the object it depends on was (`source: cascade`).
    pub fn cascaded<T: Typed>(&mut self, objs: &[T]) {
        for o in objs {
            self.push(T::DELETED, o, Source::Cascade);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Writes the events in `conn`'s transaction: call it as the transaction's last
    /// write (`db::events::append` says why). The last event's ID, if any.
    pub fn save(self, conn: &mut AnyConnection) -> Result<Option<EventId>> {
        Ok(events::append(conn, self.instance_id, &self.events)?)
    }
}

/// The fields of `before` whose values differ in `after`, as a JSON object.
fn previous(before: &str, after: &str) -> String {
    let parse = |s: &str| serde_json::from_str::<Map<String, Value>>(s).unwrap_or_default();
    let (before, after) = (parse(before), parse(after));
    let changed: Map<String, Value> = before
        .into_iter()
        .filter(|(k, v)| k != "updated_at" && after.get(k) != Some(v))
        .collect();
    serde_json::to_string(&changed).unwrap_or_else(|_| "{}".into())
}

macro_rules! typed {
    ($($t:ty => $c:ident, $u:ident, $d:ident);* $(;)?) => {$(
        impl Typed for $t {
            const CREATED: EventType = EventType::$c;
            const UPDATED: EventType = EventType::$u;
            const DELETED: EventType = EventType::$d;
        }
    )*};
}

typed!(
    User => UserCreated, UserUpdated, UserDeleted;
    Group => GroupCreated, GroupUpdated, GroupDeleted;
    Membership => MembershipCreated, MembershipUpdated, MembershipDeleted;
    Barrier => BarrierCreated, BarrierUpdated, BarrierDeleted;
    ApiKey => ApiKeyCreated, ApiKeyUpdated, ApiKeyDeleted;
);

impl Recorded for User {
    fn object_id(&self) -> i64 {
        self.id.get()
    }
    fn subject_user(&self) -> Option<UserId> {
        Some(self.id)
    }
}

impl Recorded for Group {
    fn object_id(&self) -> i64 {
        self.id.get()
    }
    fn subject_group(&self) -> Option<GroupId> {
        Some(self.id)
    }
}

impl Recorded for Membership {
    fn object_id(&self) -> i64 {
        self.id.get()
    }
    fn subject_user(&self) -> Option<UserId> {
        Some(self.user_id)
    }
    fn subject_group(&self) -> Option<GroupId> {
        Some(self.group_id)
    }
}

impl Recorded for Barrier {
    fn object_id(&self) -> i64 {
        self.id.get()
    }
}

impl Recorded for ApiKey {
    fn object_id(&self) -> i64 {
        self.id.get()
    }
    fn subject_user(&self) -> Option<UserId> {
        self.user_id
    }
}

impl Recorded for Instance {
    fn object_id(&self) -> i64 {
        self.id.get()
    }
}

#[cfg(test)]
mod tests {
    use super::previous;

    #[test]
    fn previous_holds_only_the_old_values_of_changed_fields() {
        let before = r#"{"id":"1","role":"member","name":null,"updated_at":"a"}"#;
        let after = r#"{"id":"1","role":"admin","name":"x","updated_at":"b"}"#;
        assert_eq!(previous(before, after), r#"{"role":"member","name":null}"#);
        assert_eq!(previous(after, after), "{}");
    }
}
