//! The rows of the REST envelope: each one's plural, ID and place in a list order; its
//! JSON is `service::objects`'s (the same the change feed shows).

use crate::db::barriers::Barrier;
use crate::db::groups::Group;
use crate::db::instances::Instance;
use crate::db::keys::ApiKey;
use crate::db::listing::{SortField, SortValue};
use crate::db::memberships::Membership;
use crate::db::users::User;
use crate::service::objects::ObjectJson;

fn time(t: impl Into<chrono::NaiveDateTime>) -> SortValue {
    SortValue::Time(t.into())
}

/// A stored row as the API shows it: its ID, its JSON, its position in an order.
pub trait Row {
    const PLURAL: &'static str;
    fn id(&self) -> i64;
    /// Appends the row's JSON object to `out`.
    fn write_json(&self, out: &mut Vec<u8>);
    fn sort_value(&self, field: SortField) -> SortValue;
}

macro_rules! row {
    ($t:ty, $plural:literal, $name:expr, $updated:expr) => {
        impl Row for $t {
            const PLURAL: &'static str = $plural;
            fn id(&self) -> i64 {
                self.id.get()
            }
            fn write_json(&self, out: &mut Vec<u8>) {
                ObjectJson::write_json(self, out)
            }
            fn sort_value(&self, field: SortField) -> SortValue {
                let name: fn(&$t) -> SortValue = $name;
                let updated: fn(&$t) -> SortValue = $updated;
                match field {
                    SortField::Id => SortValue::Id,
                    SortField::CreatedAt => time(self.created_at),
                    SortField::UpdatedAt => updated(self),
                    SortField::Name => name(self),
                }
            }
        }
    };
}

row!(
    Instance,
    "instances",
    |r| SortValue::Text(r.name.clone()),
    |r| time(r.updated_at)
);
row!(
    ApiKey,
    "api_keys",
    |r| SortValue::Text(r.prefix.clone()),
    |r| time(r.created_at)
);
row!(
    User,
    "users",
    |r| SortValue::Text(r.username.clone()),
    |r| time(r.updated_at)
);
row!(Group, "groups", |r| SortValue::Text(r.name.clone()), |r| {
    time(r.updated_at)
});
row!(Membership, "memberships", |r| time(r.created_at), |r| time(
    r.updated_at
));
row!(Barrier, "barriers", |r| time(r.created_at), |r| time(
    r.created_at
));

impl Row for crate::db::events::Event {
    const PLURAL: &'static str = "events";
    fn id(&self) -> i64 {
        self.id.get()
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        crate::service::events::write_event(self, out)
    }
    fn sort_value(&self, _: SortField) -> SortValue {
        SortValue::Id
    }
}

#[cfg(test)]
mod tests;
