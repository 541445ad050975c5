//! Helpers shared by the membership tests and the tests that build on memberships.

use serde_json::{json, Value};

use super::{Resp, Tenant, TestApp};

/// One error of a response as (type, field, index), for exact comparisons.
pub type Err3 = (String, Option<String>, Option<u64>);

/// Every error of a 4xx response as (type, field, index), sorted.
pub fn errs(r: &Resp) -> Vec<Err3> {
    let mut v: Vec<Err3> = r.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array in {}", r.text))
        .iter()
        .map(|e| {
            assert!(
                e["message"].as_str().is_some_and(|m| !m.is_empty()),
                "error without a message: {}",
                r.text
            );
            (
                e["type"].as_str().unwrap_or("").to_string(),
                e["field"].as_str().map(str::to_string),
                e["index"].as_u64(),
            )
        })
        .collect();
    v.sort_by(|a, b| (a.2, &a.0, &a.1).cmp(&(b.2, &b.0, &b.1)));
    v
}

/// Shorthand for an expected error.
pub fn e(kind: &str, field: &str, index: Option<u64>) -> Err3 {
    (kind.to_string(), Some(field.to_string()), index)
}

/// `{"memberships": [{"user_id": u, "group_id": g}, ...]}`.
pub fn bulk(pairs: &[(&str, &str)]) -> Value {
    let objs: Vec<Value> = pairs
        .iter()
        .map(|(u, g)| json!({"user_id": u, "group_id": g}))
        .collect();
    json!({ "memberships": objs })
}

/// Every membership of the tenant (at most 200), in ID order.
pub async fn all_memberships(app: &TestApp, t: &Tenant) -> Vec<Value> {
    let r = app.get(&t.at("/memberships?per_page=200"), &t.key).await;
    r.assert_status(200);
    assert!(
        r.body["meta"]["count"].as_u64().unwrap() <= 200,
        "too many to list in one page"
    );
    r.results()
}

/// The (user_id, group_id) pairs of these memberships.
pub fn pairs_of(rows: &[Value]) -> Vec<(String, String)> {
    rows.iter()
        .map(|m| {
            (
                m["user_id"].as_str().expect("user_id string").to_string(),
                m["group_id"].as_str().expect("group_id string").to_string(),
            )
        })
        .collect()
}

/// An RFC 3339 timestamp of a response.
pub fn time(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a timestamp")).expect("RFC 3339")
}
