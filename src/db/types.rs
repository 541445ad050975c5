//! The domain's typed values as SQL values: the IDs of `domain::ids` as `BIGINT`, and
//! `Role`, `Principal` and `KeyRole` as the text API.md spells them. A stored text that
//! is none of a type's words is a deserialization error (the row was not written by
//! Roster), never a silent default.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::Sqlite;

use super::Db;
use crate::domain::{
    ActorKind, BarrierId, EventId, EventType, GroupId, InstanceId, KeyId, KeyRole, MembershipId,
    Principal, Role, Source, UserId,
};

macro_rules! bigint_ids {
    ($($id:ident),*) => {$(
        impl<B: Backend> FromSql<BigInt, B> for $id
        where
            i64: FromSql<BigInt, B>,
        {
            fn from_sql(value: B::RawValue<'_>) -> deserialize::Result<Self> {
                i64::from_sql(value).map($id)
            }
        }

        impl<B: Backend> ToSql<BigInt, B> for $id
        where
            i64: ToSql<BigInt, B>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, B>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }
    )*};
}

bigint_ids!(
    InstanceId,
    UserId,
    GroupId,
    MembershipId,
    BarrierId,
    KeyId,
    EventId
);

/// A word of a closed set, stored as its text.
trait Word: Sized + Copy + 'static {
    const WHAT: &'static str;
    fn as_str(self) -> &'static str;
    fn parse_str(s: &str) -> Option<Self>;

    fn from_stored(text: &[u8]) -> deserialize::Result<Self> {
        std::str::from_utf8(text)
            .ok()
            .and_then(Self::parse_str)
            .ok_or_else(|| {
                format!(
                    "stored {} {:?} is not one Roster writes",
                    Self::WHAT,
                    String::from_utf8_lossy(text)
                )
                .into()
            })
    }
}

macro_rules! text_words {
    ($($ty:ident: $what:literal),*) => {$(
        impl Word for $ty {
            const WHAT: &'static str = $what;
            fn as_str(self) -> &'static str {
                $ty::as_str(self)
            }
            fn parse_str(s: &str) -> Option<Self> {
                $ty::parse_str(s)
            }
        }

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                Self::from_stored(value.as_bytes())
            }
        }

        impl FromSql<Text, Sqlite> for $ty {
            fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
                Self::from_stored(text.as_bytes())
            }
        }

        impl FromSql<Text, Db> for $ty {
            fn from_sql(value: <Db as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<Self, Text>()
            }
        }

        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(Word::as_str(*self), out)
            }
        }

        impl ToSql<Text, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(Word::as_str(*self));
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Db> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Db>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }
    )*};
}

text_words!(
    Role: "membership role",
    Principal: "principal",
    KeyRole: "key role",
    EventType: "event type",
    ActorKind: "actor kind",
    Source: "event source"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back_as_written_and_nothing_else() {
        for role in [Role::Member, Role::Admin] {
            assert_eq!(Role::from_stored(role.as_str().as_bytes()).ok(), Some(role));
        }
        for p in [Principal::User, Principal::ServiceAccount] {
            assert_eq!(Principal::from_stored(p.as_str().as_bytes()).ok(), Some(p));
        }
        for k in [KeyRole::Admin, KeyRole::User] {
            assert_eq!(KeyRole::from_stored(k.as_str().as_bytes()).ok(), Some(k));
        }
        for stored in [&b"owner"[..], b"", b"Member", b"admin ", b"\xff"] {
            assert!(Role::from_stored(stored).is_err(), "{stored:?}");
        }
        assert!(Principal::from_stored(b"admin").is_err());
        assert!(KeyRole::from_stored(b"member").is_err());
    }
}
