//! One PATCH of 1,000 members is one transaction: an unknown user or a barrier fails it
//! whole, with nothing changed (not even the rename in the same PATCH).

use serde_json::{json, Value};

use super::{assert_scim_error, member_count, patch, post};
use crate::both;
use crate::support::{Tenant, TestApp};

/// 1,000 users, made over REST in bulks of 100; their ids.
async fn thousand_users(app: &TestApp, t: &Tenant) -> Vec<String> {
    let mut ids = Vec::new();
    for batch in 0..10 {
        let names: Vec<String> = (0..100)
            .map(|i| format!("user{}", batch * 100 + i))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        ids.extend(app.users(t, &names).await);
    }
    ids
}

fn values(ids: &[String]) -> Value {
    Value::Array(ids.iter().map(|id| json!({"value": id})).collect())
}

both! {
    async fn a_thousand_members_in_one_patch_or_none(app) {
        let t = app.tenant("acme").await;
        let users = thousand_users(&app, &t).await;
        let r = post(&app, &t, "/Groups", json!({"displayName": "All"})).await;
        let g = r.body["id"].as_str().unwrap().to_string();
        let version = r.body["meta"]["version"].clone();
        let path = format!("/Groups/{g}");

        // One unknown user among 1,000: nothing changes.
        let mut with_unknown = users.clone();
        with_unknown.insert(500, "999999".into());
        let r = patch(&app, &t, &path, json!([
            {"op": "replace", "path": "displayName", "value": "Renamed"},
            {"op": "add", "path": "members", "value": values(&with_unknown)},
        ])).await;
        assert_scim_error(&r, 400, Some("invalidValue"));
        assert!(r.body["detail"].as_str().unwrap().contains("999999"), "{}", r.text);
        assert_eq!(member_count(&app, &t, &g).await, 0);
        let group = crate::scim::get(&app, &t, &path).await;
        assert_eq!((group.body["displayName"].clone(), group.body["meta"]["version"].clone()), (json!("All"), version.clone()));

        // A barrier crossed by one of them: nothing changes.
        let other = post(&app, &t, "/Groups", json!({"displayName": "Other", "members": [{"value": users[777]}]})).await;
        other.assert_status(201);
        let other_id = other.body["id"].as_str().unwrap().to_string();
        app.post(&t.at("/barriers"), &t.key, json!({"barrier": {"group_ids": [g, other_id]}})).await.assert_status(201);
        let r = patch(&app, &t, &path, json!([{"op": "Add", "path": "members", "value": values(&users)}])).await;
        assert_scim_error(&r, 400, Some("invalidValue"));
        assert!(r.body["detail"].as_str().unwrap().contains(&users[777]), "{}", r.text);
        assert_eq!(member_count(&app, &t, &g).await, 0);
        // Only the other group and its member were recorded since, over SCIM.
        let scim_events = app.get(&t.at("/events?source=scim&limit=1000"), &t.key).await.results();
        let types: Vec<&str> = scim_events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["group.created", "group.created", "membership.created"]);
        let last = scim_events.last().unwrap()["id"].as_str().unwrap().to_string();

        // Without the barrier's side: all 1,000 in one PATCH, with their events.
        let mut allowed = users.clone();
        allowed.remove(777);
        let r = patch(&app, &t, &path, json!([{"op": "add", "path": "members", "value": values(&allowed)}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["members"].as_array().unwrap().len(), 999);
        assert_eq!(member_count(&app, &t, &g).await, 999);
        let created = app.get(&t.at(&format!("/events?source=scim&types=membership.created&limit=1000&after={last}")), &t.key).await.results();
        assert_eq!(created.len(), 999);
        // And out again in one PATCH (Entra's form).
        let r = patch(&app, &t, &path, json!([{"op": "Remove", "path": "members", "value": values(&allowed[..998])}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(member_count(&app, &t, &g).await, 1);
    }
}
