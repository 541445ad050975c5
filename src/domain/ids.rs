//! IDs by kind (API.md §2: positive 64-bit integers, written as strings). A user's ID
//! cannot be passed where a group's is meant: each table's key is its own type, stored
//! as a `BIGINT` (`db::types` maps them to and from SQL).

use std::fmt;

macro_rules! id_types {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        pub struct $name(pub i64);

        impl $name {
            /// The number as stored and written.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> $name {
                $name(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_types! {
    /// A tenant (`instances.id`).
    InstanceId;
    /// `users.id`, within one instance.
    UserId;
    /// `groups.id`, within one instance.
    GroupId;
    /// `memberships.id`, within one instance.
    MembershipId;
    /// `barriers.id`, within one instance.
    BarrierId;
    /// `api_keys.id`, within one instance.
    KeyId;
    /// `events.id`: within one instance, in the order the changes committed (§9).
    EventId;
}
