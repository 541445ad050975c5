//! Each object as API.md shows it (§2, §5: IDs as strings, RFC 3339 UTC times), written
//! once for every place that shows it: the REST envelope (`api::render`), and the
//! change feed's `data` (§9) and webhooks (§10), which the service writes itself.

use chrono::NaiveDateTime;
use serde::ser::SerializeMap;
use serde::Serialize;

use crate::db::barriers::Barrier;
use crate::db::groups::Group;
use crate::db::instances::Instance;
use crate::db::keys::ApiKey;
use crate::db::memberships::Membership;
use crate::db::users::User;
use crate::domain::{ser_id, write_time_json, Permissions, Rfc3339};

// Each resource's JSON, serialized straight from the row (field order is the order
// clients see).

#[derive(Serialize)]
struct InstanceJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    name: &'a str,
    description: &'a str,
    created_at: Rfc3339,
    updated_at: Rfc3339,
}

#[derive(Serialize)]
struct ApiKeyJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    role: &'a str,
    user_id: Option<IdStr>,
    description: Option<&'a str>,
    prefix: &'a str,
    created_at: Rfc3339,
    revoked_at: Option<Rfc3339>,
}

#[derive(Serialize)]
struct BarrierJson<'a> {
    #[serde(serialize_with = "ser_id")]
    id: i64,
    group_ids: [IdStr; 2],
    description: Option<&'a str>,
    created_at: Rfc3339,
}

/// An ID inside an `Option` or an array, as a string.
struct IdStr(i64);

impl Serialize for IdStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_id(&self.0, s)
    }
}

/// Stored `configurable_permissions` as the API shows them: as `Permissions::from_stored`
/// reads them (anything but an object reads as every permission disabled, `null`).
/// `{}`, what every create that omits the field stores, is written without parsing it;
/// any other text is parsed, since text that only looks like an object (a lone
/// surrogate escape, a number past f64, which serde_json's raw values let through) must
/// read as null, not reach a client as JSON that does not parse.
struct PermissionsJson<'a>(Option<&'a str>);

impl Serialize for PermissionsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some("{}") => s.serialize_map(Some(0))?.end(),
            stored => match Permissions::from_stored(stored) {
                Permissions::Given(map) => map.serialize(s),
                Permissions::Disabled => s.serialize_none(),
            },
        }
    }
}

fn at(t: impl Into<NaiveDateTime>) -> Rfc3339 {
    Rfc3339(t.into())
}

fn instance(i: &Instance, out: &mut Vec<u8>) {
    write_json(
        out,
        &InstanceJson {
            id: i.id.get(),
            name: &i.name,
            description: &i.description,
            created_at: at(i.created_at),
            updated_at: at(i.updated_at),
        },
    )
}

fn api_key(k: &ApiKey, out: &mut Vec<u8>) {
    write_json(
        out,
        &ApiKeyJson {
            id: k.id.get(),
            role: k.role.as_str(),
            user_id: k.user_id.map(|u| IdStr(u.get())),
            description: k.description.as_deref(),
            prefix: &k.prefix,
            created_at: at(k.created_at),
            revoked_at: k.revoked_at.map(Rfc3339),
        },
    )
}

fn barrier(b: &Barrier, out: &mut Vec<u8>) {
    write_json(
        out,
        &BarrierJson {
            id: b.id.get(),
            group_ids: [IdStr(b.group_a_id.get()), IdStr(b.group_b_id.get())],
            description: b.description.as_deref(),
            created_at: at(b.created_at),
        },
    )
}

/// A JSON object written by hand, for the three objects a bulk create or a membership
/// page renders by the hundred (users, groups, memberships): IDs and times, which need
/// no escaping, are written as they are, and only text a client gave goes through
/// serde_json's string escaping. Through serde's derive, the serializer's map calls and
/// escaping every byte of every ID and time took a sixth of Roster's instructions per
/// bulk create. The tests below check every field against the derived form.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    /// `"key":` (keys are plain ASCII names).
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    fn id(mut self, key: &str, id: impl Into<i64>) -> Self {
        let out = self.key(key);
        out.push(b'"');
        out.extend_from_slice(itoa::Buffer::new().format(id.into()).as_bytes());
        out.push(b'"');
        self
    }

    fn text(mut self, key: &str, value: Option<&str>) -> Self {
        let out = self.key(key);
        match value {
            Some(v) => write_json(out, v),
            None => out.extend_from_slice(b"null"),
        }
        self
    }

    fn flag(mut self, key: &str, value: bool) -> Self {
        let out = self.key(key);
        out.extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    fn time(mut self, key: &str, t: impl Into<NaiveDateTime>) -> Self {
        write_time_json(self.key(key), t.into());
        self
    }

    fn value<T: Serialize>(mut self, key: &str, value: &T) -> Self {
        write_json(self.key(key), value);
        self
    }

    fn end(self) {
        self.out.push(b'}');
    }
}

fn user(u: &User, out: &mut Vec<u8>) {
    Object::new(out)
        .id("id", u.id)
        .text("username", Some(&u.username))
        .text("name", u.name.as_deref())
        .text("email", u.email.as_deref())
        .text("avatar_url", u.avatar_url.as_deref())
        .text("principal", Some(u.principal.as_str()))
        .flag("active", u.active)
        .text("external_id", u.external_id.as_deref())
        .time("created_at", u.created_at)
        .time("updated_at", u.updated_at)
        .end();
}

fn group(g: &Group, out: &mut Vec<u8>) {
    Object::new(out)
        .id("id", g.id)
        .text("name", Some(&g.name))
        .text("description", g.description.as_deref())
        .text("external_id", g.external_id.as_deref())
        .time("created_at", g.created_at)
        .time("updated_at", g.updated_at)
        .end();
}

fn membership(m: &Membership, out: &mut Vec<u8>) {
    Object::new(out)
        .id("id", m.id)
        .id("user_id", m.user_id)
        .id("group_id", m.group_id)
        .text("role", Some(m.role.as_str()))
        .value(
            "configurable_permissions",
            &PermissionsJson(m.configurable_permissions.as_deref()),
        )
        .time("created_at", m.created_at)
        .time("updated_at", m.updated_at)
        .end();
}

/// An object that API.md shows: its JSON written by hand (`Object`) or by serde.
pub trait ObjectJson {
    /// Appends the object's JSON to `out`.
    fn write_json(&self, out: &mut Vec<u8>);
}

macro_rules! object_json {
    ($($t:ty => $write:ident),*) => {$(
        impl ObjectJson for $t {
            fn write_json(&self, out: &mut Vec<u8>) {
                $write(self, out)
            }
        }
    )*};
}

object_json!(
    Instance => instance,
    ApiKey => api_key,
    Barrier => barrier,
    User => user,
    Group => group,
    Membership => membership
);

/// Writes `value` as JSON; a value serde cannot write (a bug) is logged and written as
/// `null`.
pub fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let start = out.len();
    if let Err(e) = serde_json::to_writer(&mut *out, value) {
        tracing::error!(error = %e, "rendering a value failed");
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
}
