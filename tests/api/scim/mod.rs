//! SCIM 2.0 (API.md §12): discovery, Users, Groups, filters, paging, projections,
//! ETags, errors, keys, and the request sequences Okta and Entra send, each on both
//! backends, with the resulting rows read back over REST.

mod atomic;
mod discovery;
mod fields;
mod filters;
mod groups;
mod sequences;
mod users;

use reqwest::Method;
use serde_json::Value;

use crate::support::{Resp, Tenant, TestApp};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// `/instances/{t}/scim/v2{path}`.
pub fn at(t: &Tenant, path: &str) -> String {
    t.at(&format!("/scim/v2{path}"))
}

/// A query value, percent-encoded.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A SCIM request with `Authorization: Bearer` and an `application/scim+json` body.
pub async fn scim(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Resp {
    let mut req = app
        .raw(method, path)
        .header("Authorization", format!("Bearer {key}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/scim+json")
            .body(b.to_string());
    }
    TestApp::read(req.send().await.expect("request")).await
}

pub async fn get(app: &TestApp, t: &Tenant, path: &str) -> Resp {
    scim(app, Method::GET, &at(t, path), &t.key, None, &[]).await
}

pub async fn post(app: &TestApp, t: &Tenant, path: &str, body: Value) -> Resp {
    scim(app, Method::POST, &at(t, path), &t.key, Some(body), &[]).await
}

pub async fn put(app: &TestApp, t: &Tenant, path: &str, body: Value) -> Resp {
    scim(app, Method::PUT, &at(t, path), &t.key, Some(body), &[]).await
}

pub async fn patch(app: &TestApp, t: &Tenant, path: &str, ops: Value) -> Resp {
    let body = serde_json::json!({"schemas": [PATCH_OP], "Operations": ops});
    scim(app, Method::PATCH, &at(t, path), &t.key, Some(body), &[]).await
}

pub async fn delete(app: &TestApp, t: &Tenant, path: &str) -> Resp {
    scim(app, Method::DELETE, &at(t, path), &t.key, None, &[]).await
}

/// Asserts a SCIM error: status, `scimType` (when given), the error schema and the
/// content type.
pub fn assert_scim_error(r: &Resp, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.body["schemas"], serde_json::json!([ERROR]), "{}", r.text);
    assert_eq!(r.body["status"], serde_json::json!(status.to_string()));
    assert!(r.body["detail"].is_string(), "{}", r.text);
    assert_eq!(r.body["scimType"].as_str(), scim_type, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
}

/// The ids of a list response's resources.
pub fn ids(r: &Resp) -> Vec<String> {
    r.body["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A user created over SCIM; its id.
pub async fn scim_user(app: &TestApp, t: &Tenant, user_name: &str) -> String {
    let r = post(
        app,
        t,
        "/Users",
        serde_json::json!({"schemas": [USER], "userName": user_name}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

/// The user ids of a group's memberships, read over REST, sorted.
pub async fn member_ids(app: &TestApp, t: &Tenant, group_id: &str) -> Vec<String> {
    let r = app
        .get(
            &t.at(&format!("/memberships?group_id={group_id}&per_page=200")),
            &t.key,
        )
        .await;
    r.assert_status(200);
    let mut out: Vec<String> = r
        .results()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort_by_key(|s| s.parse::<i64>().unwrap_or(0));
    out
}

/// How many memberships the group has, read over REST.
pub async fn member_count(app: &TestApp, t: &Tenant, group_id: &str) -> u64 {
    let r = app
        .get(
            &t.at(&format!("/memberships?group_id={group_id}&per_page=1")),
            &t.key,
        )
        .await;
    r.assert_status(200);
    r.body["meta"]["count"].as_u64().expect("count")
}
