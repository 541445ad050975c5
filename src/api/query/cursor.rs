//! The cursor of `meta.next_cursor`: the position after a page's last row, in the
//! page's order, as opaque URL-safe base64 of a small JSON object.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::{order_fields, ListSpec};
use crate::db::listing::{After, SortField, SortValue};
use crate::error::ApiError;

/// The opaque position after the last row of a page, in the page's order.
pub struct Cursor {
    pub field: SortField,
    pub desc: bool,
    pub after: After,
}

fn field_name(f: SortField) -> &'static str {
    match f {
        SortField::Id => "id",
        SortField::CreatedAt => "created_at",
        SortField::UpdatedAt => "updated_at",
        SortField::Name => "name",
    }
}

impl Cursor {
    pub fn encode(&self) -> String {
        let v = match &self.after.value {
            SortValue::Id => Value::Null,
            SortValue::Time(t) => json!(t.and_utc().timestamp_micros()),
            SortValue::Text(s) => json!(s),
        };
        let raw = json!({"f": field_name(self.field), "d": self.desc, "v": v, "i": self.after.id});
        URL_SAFE_NO_PAD.encode(raw.to_string())
    }

    pub fn decode(token: &str, spec: &ListSpec) -> Result<Self, ApiError> {
        let bad = || {
            ApiError::bad_param(
                "cursor",
                "cursor is not valid for this list; use meta.next_cursor as given",
            )
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim_end_matches('='))
            .map_err(|_| bad())?;
        let raw: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let field = raw
            .get("f")
            .and_then(Value::as_str)
            .and_then(SortField::parse)
            .ok_or_else(bad)?;
        let allowed = order_fields(spec);
        let field_ok = match field {
            SortField::Id | SortField::CreatedAt => true,
            SortField::UpdatedAt => spec.has_updated,
            SortField::Name => spec.name_field.is_some(),
        };
        if !field_ok || allowed.is_empty() {
            return Err(bad());
        }
        let desc = raw.get("d").and_then(Value::as_bool).ok_or_else(bad)?;
        let id = raw
            .get("i")
            .and_then(Value::as_i64)
            .filter(|i| *i >= 0)
            .ok_or_else(bad)?;
        let v = raw.get("v").ok_or_else(bad)?;
        let value = match field {
            SortField::Id => SortValue::Id,
            SortField::CreatedAt | SortField::UpdatedAt => {
                let micros = v.as_i64().ok_or_else(bad)?;
                SortValue::Time(
                    chrono::DateTime::from_timestamp_micros(micros)
                        .ok_or_else(bad)?
                        .naive_utc(),
                )
            }
            SortField::Name => SortValue::Text(v.as_str().ok_or_else(bad)?.to_string()),
        };
        Ok(Self {
            field,
            desc,
            after: After { value, id },
        })
    }
}
