//! The singular and plural (bulk) forms of a body (API.md §4), and each object's
//! fields read with every problem collected, with its field and index.

use serde_json::{Map, Value};

use crate::domain::limits::MAX_BULK;
use crate::error::{ApiError, ErrorItem};

/// The objects of a create body, and whether the plural (bulk) key was used.
pub struct Objects {
    pub items: Vec<Value>,
    pub bulk: bool,
}

impl Objects {
    /// The index to report for object `i`: only bulk objects carry one.
    pub fn index(&self, i: usize) -> Option<usize> {
        self.bulk.then_some(i)
    }
}

/// Takes `{"<singular>": {...}}` or `{"<plural>": [{...}, ...]}` (1 to 100 objects).
pub fn take_objects(body: Value, singular: &str, plural: &str) -> Result<Objects, ApiError> {
    let Value::Object(mut map) = body else {
        return Err(ApiError::invalid(
            singular,
            format!("the body must be an object with a {singular:?} or {plural:?} key"),
        ));
    };
    let one = map.remove(singular);
    let many = map.remove(plural);
    if let Some(unknown) = map.keys().next() {
        return Err(ApiError::invalid(
            unknown,
            format!("unknown field {unknown:?}; expected {singular:?} or {plural:?}"),
        ));
    }
    one_or_many(one, many, singular, plural, "objects")
}

/// The singular/plural rule of API.md §4 on the values of the two keys: exactly one of
/// them, the plural an array of 1 to 100 (`what` names its items in messages). Shared
/// by every create body and Syncano's `{"user": id}` / `{"users": [ids]}`.
pub fn one_or_many(
    one: Option<Value>,
    many: Option<Value>,
    singular: &str,
    plural: &str,
    what: &str,
) -> Result<Objects, ApiError> {
    match (one, many) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            plural,
            format!("give either {singular:?} or {plural:?}, not both"),
        )),
        (None, None) => Err(ApiError::invalid(
            singular,
            format!("the body must have a {singular:?} or {plural:?} key"),
        )),
        (Some(v), None) => Ok(Objects {
            items: vec![v],
            bulk: false,
        }),
        (None, Some(Value::Array(items))) => {
            if items.is_empty() {
                Err(ApiError::invalid(
                    plural,
                    format!("{plural} must hold 1 to {MAX_BULK} {what}"),
                ))
            } else if items.len() > MAX_BULK {
                Err(ApiError::one(
                    ErrorItem::new(
                        "too_many",
                        format!(
                            "{plural} holds {} {what}; at most {MAX_BULK} are allowed",
                            items.len()
                        ),
                    )
                    .field(plural),
                ))
            } else {
                Ok(Objects { items, bulk: true })
            }
        }
        (None, Some(_)) => Err(ApiError::invalid(
            plural,
            format!("{plural} must be an array of {what}"),
        )),
    }
}

/// Takes the singular key of a PATCH body.
pub fn take_patch(body: Value, singular: &str) -> Result<Map<String, Value>, ApiError> {
    let Value::Object(mut map) = body else {
        return Err(ApiError::invalid(
            singular,
            format!("the body must be an object with a {singular:?} key"),
        ));
    };
    let inner = map.remove(singular);
    if let Some(unknown) = map.keys().next() {
        return Err(ApiError::invalid(
            unknown,
            format!("unknown field {unknown:?}; expected {singular:?}"),
        ));
    }
    match inner {
        Some(Value::Object(fields)) => Ok(fields),
        Some(_) => Err(ApiError::invalid(
            singular,
            format!("{singular} must be an object"),
        )),
        None => Err(ApiError::invalid(
            singular,
            format!("the body must have a {singular:?} key"),
        )),
    }
}

/// Reads the fields of one object, collecting every problem with its field and index.
pub struct FieldReader<'a> {
    map: Map<String, Value>,
    index: Option<usize>,
    errors: &'a mut Vec<ErrorItem>,
    failed: bool,
}

impl<'a> FieldReader<'a> {
    /// Fails (recording the error) when `value` is not an object.
    pub fn new(
        value: Value,
        index: Option<usize>,
        what: &str,
        errors: &'a mut Vec<ErrorItem>,
    ) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Self {
                map,
                index,
                errors,
                failed: false,
            }),
            _ => {
                errors.push(
                    ErrorItem::new("invalid", format!("each {what} must be an object")).at(index),
                );
                None
            }
        }
    }

    pub fn from_map(
        map: Map<String, Value>,
        index: Option<usize>,
        errors: &'a mut Vec<ErrorItem>,
    ) -> Self {
        Self {
            map,
            index,
            errors,
            failed: false,
        }
    }

    pub fn index(&self) -> Option<usize> {
        self.index
    }

    pub fn error(&mut self, item: ErrorItem) {
        self.failed = true;
        self.errors.push(item.at(self.index));
    }

    fn parse_value<T>(
        &mut self,
        name: &str,
        value: &Value,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        if has_nul(value) {
            // PostgreSQL cannot store it; no field of Roster takes it on either backend.
            self.error(ErrorItem::invalid(
                name,
                "must not contain the NUL character (U+0000)",
            ));
            return None;
        }
        match parse(value) {
            Ok(v) => Some(v),
            Err(message) => {
                self.error(ErrorItem::invalid(name, message));
                None
            }
        }
    }

    /// A field that must be present.
    pub fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match self.map.remove(name) {
            Some(value) => self.parse_value(name, &value, parse),
            None => {
                self.error(ErrorItem::invalid(name, format!("{name} is required")));
                None
            }
        }
    }

    /// A field that may be absent: `None` when absent (or invalid: see `finish`).
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.map.remove(name)?;
        self.parse_value(name, &value, parse)
    }

    /// Reports unknown fields; true when the whole object was valid.
    pub fn finish(mut self) -> bool {
        let unknown: Vec<String> = self.map.keys().cloned().collect();
        for name in unknown {
            self.error(ErrorItem::invalid(&name, format!("unknown field {name:?}")));
        }
        !self.failed
    }
}

/// Whether a string anywhere in the value holds U+0000.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn singular_plural_rules() {
        assert!(
            !take_objects(json!({"user": {}}), "user", "users")
                .unwrap()
                .bulk
        );
        assert_eq!(
            take_objects(json!({"users": [{}, {}]}), "user", "users")
                .unwrap()
                .items
                .len(),
            2
        );
        assert!(take_objects(json!({"users": []}), "user", "users").is_err());
        assert!(take_objects(json!({"user": {}, "users": [{}]}), "user", "users").is_err());
        assert!(take_objects(json!({}), "user", "users").is_err());
        assert!(take_objects(json!({"user": {}, "x": 1}), "user", "users").is_err());
        let many = Value::Array(vec![json!({}); 101]);
        match take_objects(json!({ "users": many }), "user", "users") {
            Err(ApiError::Unprocessable(items)) => assert_eq!(items[0].kind, "too_many"),
            _ => panic!("expected too_many"),
        }
    }
}
