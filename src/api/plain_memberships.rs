//! The common shape of a membership create body, read straight into types:
//! `{"memberships": [{"user_id": …, "group_id": …, "role": …}, …]}` (1 to 100 objects)
//! or `{"membership": {…}}`, each object with its two IDs (digit strings or positive
//! integers) and at most a valid `role`.
//!
//! Parsed as a tree of `serde_json::Value`s and then read field by field, a bulk of 100
//! cost a sixth of Roster's instructions per bulk create (a map, its keys and its
//! strings allocated and hashed for every object). Anything else (another field, a
//! `null`, a repeated key, an invalid value, a wrong count) is not read here at all: the
//! body then takes the general path (`body::parse_json`, `FieldReader`), which accepts
//! exactly what it always did and reports every problem with its index. So what this
//! reads is only ever what the general path would read the same way.

use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::body::MAX_BULK;
use crate::domain::{parse_id_str, GroupId, Permissions, Role, UserId};
use crate::service::memberships::{Batch, Input};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    #[serde(default, deserialize_with = "present")]
    membership: Option<MapOnly<Item>>,
    #[serde(default, deserialize_with = "present")]
    memberships: Option<Vec<MapOnly<Item>>>,
}

/// A derived struct read only from a JSON object: serde's derive also reads a struct
/// from an array of its fields in order, which the general path refuses.
struct MapOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MapOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(PhantomData)).map(MapOnly)
    }
}

/// A key that is present holds a value, never `null` (which `Option` would read as
/// absent).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    user_id: Id,
    group_id: Id,
    #[serde(default)]
    role: PlainRole,
}

/// An ID as `parse_id` reads it: a string of digits or a positive integer.
struct Id(i64);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a positive integer ID")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Id, E> {
                parse_id_str(s)
                    .map(Id)
                    .ok_or_else(|| E::custom("not an ID"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                i64::try_from(v)
                    .ok()
                    .filter(|v| *v > 0)
                    .map(Id)
                    .ok_or_else(|| E::custom("not an ID"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                (v > 0)
                    .then_some(Id(v))
                    .ok_or_else(|| E::custom("not an ID"))
            }
        }
        d.deserialize_any(V)
    }
}

/// `role` as `Role::parse` reads it; `member` when absent.
struct PlainRole(Role);

impl Default for PlainRole {
    fn default() -> Self {
        Self(Role::Member)
    }
}

impl<'de> Deserialize<'de> for PlainRole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PlainRole;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("member or admin")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<PlainRole, E> {
                Role::parse_str(s)
                    .map(PlainRole)
                    .ok_or_else(|| E::custom("not a role"))
            }
        }
        d.deserialize_str(V)
    }
}

/// The batch of a body of the common shape, or `None` for the general path.
pub fn read(body: &[u8]) -> Option<Batch> {
    let MapOnly(body) = serde_json::from_slice::<MapOnly<Body>>(body).ok()?;
    let (items, bulk) = match body {
        Body {
            membership: Some(MapOnly(one)),
            memberships: None,
        } => (vec![one], false),
        Body {
            membership: None,
            memberships: Some(many),
        } if (1..=MAX_BULK).contains(&many.len()) => {
            (many.into_iter().map(|MapOnly(x)| x).collect(), true)
        }
        _ => return None,
    };
    let refs = items
        .iter()
        .map(|x| (Some(UserId(x.user_id.0)), Some(GroupId(x.group_id.0))))
        .collect();
    let inputs = items
        .into_iter()
        .map(|x| {
            Some(Input {
                user_id: UserId(x.user_id.0),
                group_id: GroupId(x.group_id.0),
                role: x.role.0,
                permissions: Permissions::default(),
            })
        })
        .collect();
    Some(Batch {
        inputs,
        refs,
        bulk,
        errors: Vec::new(),
        user_field: "user_id",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::memberships::read_batch;

    fn general(body: &str) -> Option<Batch> {
        let value = serde_json::from_str(body).ok()?;
        read_batch(value).ok().filter(|b| b.errors.is_empty())
    }

    fn same(a: &Batch, b: &Batch) -> bool {
        format!("{:?}", a.inputs) == format!("{:?}", b.inputs)
            && a.refs == b.refs
            && a.bulk == b.bulk
            && a.errors.is_empty()
            && b.errors.is_empty()
            && a.user_field == b.user_field
    }

    #[test]
    fn reads_the_common_shapes_as_the_general_path_does() {
        let bulk: Vec<String> = (1..=100)
            .map(|i| format!(r#"{{"user_id":"{i}","group_id":{}}}"#, 1000 + i))
            .collect();
        let hundred = format!(r#"{{"memberships":[{}]}}"#, bulk.join(","));
        for body in [
            r#"{"memberships":[{"user_id":"1","group_id":"2"}]}"#,
            r#"{"memberships":[{"group_id":2,"user_id":1,"role":"admin"},{"user_id":"3","group_id":"4","role":"member"}]}"#,
            r#"{"membership":{"user_id":"9223372036854775807","group_id":"\u0031"}}"#,
            r#" { "membership" : { "user_id" : 5 , "group_id" : 6 } } "#,
            &hundred,
        ] {
            let fast = read(body.as_bytes()).expect(body);
            let slow = general(body).expect(body);
            assert!(same(&fast, &slow), "{body}");
        }
    }

    #[test]
    fn leaves_everything_else_to_the_general_path() {
        let many: Vec<&str> = vec![r#"{"user_id":"1","group_id":"2"}"#; 101];
        let too_many = format!(r#"{{"memberships":[{}]}}"#, many.join(","));
        for body in [
            &too_many,
            r#"{"memberships":[]}"#,
            r#"{"memberships":null}"#,
            r#"{"membership":null,"memberships":[{"user_id":"1","group_id":"2"}]}"#,
            r#"{"membership":{"user_id":"1","group_id":"2"},"memberships":[{"user_id":"1","group_id":"2"}]}"#,
            r#"{"memberships":[{"user_id":"1","group_id":"2","role":null}]}"#,
            r#"{"memberships":[{"user_id":"1","group_id":"2","role":"owner"}]}"#,
            r#"{"memberships":[{"user_id":"1","group_id":"2","configurable_permissions":{}}]}"#,
            r#"{"memberships":[{"user_id":"1","group_id":"2","extra":1}]}"#,
            r#"{"memberships":[{"user_id":"1","user_id":"1","group_id":"2"}]}"#,
            r#"{"memberships":[{"user_id":"0","group_id":"2"}]}"#,
            r#"{"memberships":[{"user_id":-1,"group_id":"2"}]}"#,
            r#"{"memberships":[{"user_id":1.0,"group_id":"2"}]}"#,
            r#"{"memberships":[{"user_id":"9223372036854775808","group_id":"2"}]}"#,
            r#"{"memberships":[{"user_id":9223372036854775808,"group_id":"2"}]}"#,
            r#"{"memberships":[{"user_id":" 1","group_id":"2"}]}"#,
            r#"{"memberships":[{"user_id":"1"}]}"#,
            r#"{"memberships":[{"user_id":"1","group_id":"2"}],"x":1}"#,
            r#"{"memberships":[[1,2]]}"#,
            r#"{"memberships":{"user_id":"1","group_id":"2"}}"#,
            r#"{"memberships":[{"user_id":"1","group_id":"2"}]} x"#,
            r#"[]"#,
            r#"[{"user_id":"1","group_id":"2"}]"#,
            r#"[null,[{"user_id":"1","group_id":"2"}]]"#,
            r#"{"membership":["1","2"]}"#,
        ] {
            assert!(read(body.as_bytes()).is_none(), "{body}");
        }
    }
}
