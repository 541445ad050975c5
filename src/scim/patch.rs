//! PATCH bodies (RFC 7644 §3.5.2): `Operations` of `add`, `remove` and `replace` in
//! any case, each with an optional path and a value.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::filter::{parse_path, PatchPath};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Remove,
    Replace,
}

#[derive(Debug, Clone)]
pub struct PatchOp {
    pub kind: OpKind,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

/// A key of `o` compared without case (SCIM attribute names are case-insensitive).
pub fn field<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The operations of a PATCH body, in order; anything malformed is `400`.
pub fn operations(body: Value) -> Result<Vec<PatchOp>, ScimError> {
    let Value::Object(o) = body else {
        return Err(ScimError::invalid_syntax(
            "the body must be a PatchOp object",
        ));
    };
    let Some(Value::Array(ops)) = field(&o, "Operations") else {
        return Err(ScimError::invalid_syntax(
            "the body needs an Operations array",
        ));
    };
    ops.iter().map(operation).collect()
}

fn operation(v: &Value) -> Result<PatchOp, ScimError> {
    let Value::Object(o) = v else {
        return Err(ScimError::invalid_syntax(
            "each operation must be an object",
        ));
    };
    let kind = match field(o, "op")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
    {
        Some(k) if k == "add" => OpKind::Add,
        Some(k) if k == "remove" => OpKind::Remove,
        Some(k) if k == "replace" => OpKind::Replace,
        _ => {
            return Err(ScimError::invalid_syntax(
                "op must be one of add, remove, replace",
            ))
        }
    };
    let path = match field(o, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p.trim().is_empty() => None,
        Some(Value::String(p)) => {
            Some(parse_path(p).map_err(|e| ScimError::invalid_path(format!("{p:?}: {e}")))?)
        }
        Some(_) => return Err(ScimError::invalid_path("path must be a string")),
    };
    let value = field(o, "value").cloned();
    match (kind, &path, &value) {
        (OpKind::Remove, None, _) => Err(ScimError::bad(
            "noTarget",
            "a remove operation needs a path",
        )),
        (OpKind::Add | OpKind::Replace, _, None) => Err(ScimError::invalid_value(
            "an add or replace operation needs a value",
        )),
        (OpKind::Add | OpKind::Replace, None, Some(v)) if !v.is_object() => Err(
            ScimError::invalid_value("without a path, the value must be an object of attributes"),
        ),
        _ => Ok(PatchOp { kind, path, value }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn operations_read_in_any_case_and_refuse_what_is_malformed() {
        let ops = operations(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Add", "path": "members", "value": [{"value": "1"}]},
                {"op": "remove", "path": "members[value eq \"2\"]"},
                {"op": "REPLACE", "value": {"active": false}}
            ]}),
        )
        .unwrap();
        assert_eq!(
            ops.iter().map(|o| o.kind).collect::<Vec<_>>(),
            [OpKind::Add, OpKind::Remove, OpKind::Replace]
        );
        assert!(ops[1].path.as_ref().unwrap().filter.is_some());
        for bad in [
            json!([]),
            json!({"Operations": {}}),
            json!({"Operations": [{"op": "move", "path": "x", "value": 1}]}),
            json!({"Operations": [{"op": "remove"}]}),
            json!({"Operations": [{"op": "add", "path": "x"}]}),
            json!({"Operations": [{"op": "replace", "value": "x"}]}),
            json!({"Operations": [{"op": "remove", "path": "members[value eq"}]}),
        ] {
            assert!(operations(bad.clone()).is_err(), "{bad}");
        }
    }
}
