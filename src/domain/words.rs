//! The closed sets of words API.md gives fields: a membership's `role`, a user's
//! `principal`, an API key's `role` (§2), an event's `type`, `actor.kind` and `source`
//! (§9). Each is an enum written and stored as its word
//! (`db::types` maps them to SQL text); anything else is refused with the field's words.

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::sql_types::Text;
use serde_json::Value;

macro_rules! words {
    ($($(#[$doc:meta])* $name:ident ($field:literal) { $($variant:ident = $text:literal),+ $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
        #[diesel(sql_type = Text)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every word, in the order the API lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse_str(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// From a JSON value; the message names the field and its words.
            pub fn parse(value: &Value) -> Result<Self, String> {
                value.as_str().and_then(Self::parse_str).ok_or_else(|| {
                    format!("{} must be one of: {}", $field, [$($text),+].join(", "))
                })
            }
        }
    )*};
}

words! {
    /// A membership's role.
    Role("role") { Member = "member", Admin = "admin" }
    /// Whether a user is a person or a service account.
    Principal("principal") { User = "user", ServiceAccount = "service_account" }
    /// What an instance API key may do.
    KeyRole("role") { Admin = "admin", User = "user" }
    /// What an event records (§9): the object's kind and what happened to it.
    EventType("type") {
        UserCreated = "user.created", UserUpdated = "user.updated", UserDeleted = "user.deleted",
        GroupCreated = "group.created", GroupUpdated = "group.updated",
        GroupDeleted = "group.deleted",
        MembershipCreated = "membership.created", MembershipUpdated = "membership.updated",
        MembershipDeleted = "membership.deleted", MembershipExpired = "membership.expired",
        BarrierCreated = "barrier.created", BarrierUpdated = "barrier.updated",
        BarrierDeleted = "barrier.deleted",
        ApiKeyCreated = "api_key.created", ApiKeyUpdated = "api_key.updated",
        ApiKeyRevoked = "api_key.revoked",
        ApiKeyDeleted = "api_key.deleted",
        InstanceUpdated = "instance.updated",
    }
    /// Who made a change (§9 `actor.kind`).
    ActorKind("actor.kind") { Account = "account", Admin = "admin", User = "user", System = "system" }
    /// Which door a change came through (§9 `source`).
    Source("source") {
        Api = "api", Import = "import", Scim = "scim", Cli = "cli", Cascade = "cascade",
        Expiry = "expiry",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_word_reads_back_and_others_are_refused_by_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(&json!(r.as_str())), Ok(*r));
        }
        for p in Principal::ALL {
            assert_eq!(Principal::parse_str(p.as_str()), Some(*p));
        }
        for k in KeyRole::ALL {
            assert_eq!(KeyRole::parse_str(k.as_str()), Some(*k));
        }
        assert_eq!(
            Role::parse(&json!("owner")),
            Err("role must be one of: member, admin".into())
        );
        assert_eq!(
            Principal::parse(&json!(1)),
            Err("principal must be one of: user, service_account".into())
        );
        assert_eq!(Role::parse_str("Admin"), None);
    }
}
