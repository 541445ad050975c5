//! Box-style `configurable_permissions`.
//!
//! Stored as JSON text exactly as given: `{}` when omitted on create (every permission
//! enabled), `null` when given as null (every permission disabled), else the object.

use serde_json::{Map, Value};

use super::limits::{MAX_PERMISSION_KEY, MAX_PERMISSION_KEYS as MAX_KEYS};

pub const CAN_MANAGE_MEMBERS: &str = "can_manage_members";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    /// `null`: every permission disabled.
    Disabled,
    /// The keys set as given; omitted keys are enabled (`{}` enables all).
    Given(Map<String, Value>),
}

impl Default for Permissions {
    fn default() -> Self {
        Self::Given(Map::new())
    }
}

fn valid_key(k: &str) -> bool {
    let mut bytes = k.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && k.len() <= MAX_PERMISSION_KEY
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Permissions {
    pub fn parse(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(Self::Disabled),
            Value::Object(map) => {
                if map.len() > MAX_KEYS {
                    return Err(format!(
                        "configurable_permissions may have at most {MAX_KEYS} keys"
                    ));
                }
                for (k, v) in map {
                    if !valid_key(k) {
                        return Err(format!(
                            "configurable_permissions key {k:?} must match [a-z][a-z0-9_]{{0,63}}"
                        ));
                    }
                    if !v.is_boolean() {
                        return Err(format!(
                            "configurable_permissions.{k} must be true or false"
                        ));
                    }
                }
                Ok(Self::Given(map.clone()))
            }
            _ => Err("configurable_permissions must be an object of booleans or null".into()),
        }
    }

    /// Whether the permission `key` is enabled (for a member with role admin).
    pub fn allows(&self, key: &str) -> bool {
        match self {
            Self::Disabled => false,
            Self::Given(map) => map.get(key).and_then(Value::as_bool).unwrap_or(true),
        }
    }

    /// The stored form: `None` for null, else the object's JSON text.
    pub fn to_stored(&self) -> Option<String> {
        match self {
            Self::Disabled => None,
            // `{}`, the default of every create that omits the field, without a map
            // cloned and written for each row of a bulk.
            Self::Given(map) if map.is_empty() => Some("{}".to_string()),
            Self::Given(map) => Some(Value::Object(map.clone()).to_string()),
        }
    }

    pub fn from_stored(stored: Option<&str>) -> Self {
        match stored.and_then(|s| serde_json::from_str::<Value>(s).ok()) {
            Some(Value::Object(map)) => Self::Given(map),
            _ => Self::Disabled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn semantics_of_omitted_null_and_given() {
        assert!(Permissions::default().allows(CAN_MANAGE_MEMBERS));
        assert!(!Permissions::parse(&json!(null))
            .unwrap()
            .allows(CAN_MANAGE_MEMBERS));
        let p = Permissions::parse(&json!({"can_manage_members": false, "x": true})).unwrap();
        assert!(!p.allows(CAN_MANAGE_MEMBERS));
        assert!(p.allows("other"));
    }

    #[test]
    fn shape_is_checked() {
        assert!(Permissions::parse(&json!({"Bad": true})).is_err());
        assert!(Permissions::parse(&json!({"_x": true})).is_err());
        assert!(Permissions::parse(&json!({"x": 1})).is_err());
        assert!(Permissions::parse(&json!([true])).is_err());
        let many: Map<String, Value> = (0..33).map(|i| (format!("k{i}"), json!(true))).collect();
        assert!(Permissions::parse(&Value::Object(many)).is_err());
        let ok: Map<String, Value> = (0..32).map(|i| (format!("k{i}"), json!(true))).collect();
        assert!(Permissions::parse(&Value::Object(ok)).is_ok());
        assert!(Permissions::parse(&json!({"a".repeat(65): true})).is_err());
    }

    #[test]
    fn stored_round_trip() {
        let p = Permissions::parse(&json!({"can_manage_members": false})).unwrap();
        assert_eq!(Permissions::from_stored(p.to_stored().as_deref()), p);
        assert_eq!(Permissions::from_stored(None), Permissions::Disabled);
    }
}
