//! The unique fields of users and groups (a name, and `external_id` when set) at
//! create: two objects of one bulk with the same value fail at the later index, and a
//! value already taken in the instance fails where it is given.

use std::collections::HashSet;

use diesel::QueryResult;

use super::Kind;
use crate::db::AnyConnection;
use crate::domain::InstanceId;
use crate::service::bulk::repeats;
use crate::service::error::ErrorItem;

/// A field whose values are unique per instance.
pub struct Unique<K: Kind> {
    pub field: &'static str,
    /// The new object's value (`None`: not set, which any number of objects may be).
    pub of: fn(&K::New) -> Option<&str>,
    /// Of these values, the ones already taken in the instance.
    pub taken: fn(&mut AnyConnection, InstanceId, &[String]) -> QueryResult<Vec<String>>,
}

/// The problems of objects that repeat a value of an earlier object of the bulk.
pub fn within<K: Kind>(parsed: &[Option<K::New>], bulk: bool, errors: &mut Vec<ErrorItem>) {
    for unique in K::uniques() {
        let values = parsed
            .iter()
            .enumerate()
            .filter_map(|(i, x)| Some((i, (unique.of)(x.as_ref()?)?)));
        for (later, first) in repeats(values) {
            let message = format!(
                "{} is already used by the object at index {first}",
                unique.field
            );
            errors.push(
                ErrorItem::new("duplicate", message)
                    .field(unique.field)
                    .at(bulk.then_some(later)),
            );
        }
    }
}

/// The problems of objects whose values are taken in the instance: one query per
/// field that any object sets.
pub fn taken<K: Kind>(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    parsed: &[Option<K::New>],
    bulk: bool,
    errors: &mut Vec<ErrorItem>,
) -> QueryResult<()> {
    for unique in K::uniques() {
        let wanted: Vec<String> = parsed
            .iter()
            .flatten()
            .filter_map(|x| (unique.of)(x).map(str::to_string))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let taken: HashSet<String> = (unique.taken)(conn, instance_id, &wanted)?
            .into_iter()
            .collect();
        for (i, x) in parsed.iter().enumerate() {
            let value = x.as_ref().and_then(|x| (unique.of)(x));
            if value.is_some_and(|v| taken.contains(v)) {
                errors.push(
                    ErrorItem::new("duplicate", format!("{} is already taken", unique.field))
                        .field(unique.field)
                        .at(bulk.then_some(i)),
                );
            }
        }
    }
    Ok(())
}

/// The unique fields' names, the name first.
pub fn fields<K: Kind>() -> [&'static str; 2] {
    K::uniques().map(|u| u.field)
}
