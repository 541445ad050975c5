//! `active` and `externalId` (API.md §2) through SCIM: stored, shown, filtered, patched,
//! unique per instance.

use serde_json::{json, Value};

use super::{assert_scim_error, enc, get, ids, patch, post, put, USER};
use crate::both;

both! {
    async fn active_and_external_id_of_users(app) {
        let t = app.tenant("acme").await;
        let r = post(&app, &t, "/Users", json!({"schemas": [USER], "userName": "ann", "externalId": "Okta-00u1", "active": false})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let ann = r.body["id"].as_str().unwrap().to_string();
        assert_eq!((r.body["externalId"].clone(), r.body["active"].clone()), (json!("Okta-00u1"), json!(false)));
        let row = &app.get(&t.at(&format!("/users/{ann}")), &t.key).await.results()[0];
        assert_eq!((row["external_id"].clone(), row["active"].clone()), (json!("Okta-00u1"), json!(false)));
        let bob = crate::scim::scim_user(&app, &t, "bob").await;
        assert_eq!(get(&app, &t, &format!("/Users/{bob}")).await.body["active"], json!(true));
        // Filters: externalId exactly (caseExact), active as a boolean.
        let find = |f: &str| format!("/Users?filter={}", enc(f));
        assert_eq!(ids(&get(&app, &t, &find(r#"externalId eq "Okta-00u1""#)).await), vec![ann.clone()]);
        assert!(ids(&get(&app, &t, &find(r#"externalId eq "okta-00u1""#)).await).is_empty());
        assert_eq!(ids(&get(&app, &t, &find("active eq false")).await), vec![ann.clone()]);
        assert_eq!(ids(&get(&app, &t, &find("active ne false and not (externalId pr)")).await), vec![bob.clone()]);
        assert_scim_error(&get(&app, &t, &find(r#"active eq "false""#)).await, 400, Some("invalidFilter"));
        // Unique per instance: 409; empty or too long: 400; nothing written.
        assert_scim_error(&post(&app, &t, "/Users", json!({"userName": "cat", "externalId": "Okta-00u1"})).await, 409, Some("uniqueness"));
        assert_scim_error(&post(&app, &t, "/Users", json!({"userName": "cat", "externalId": ""})).await, 400, Some("invalidValue"));
        assert_scim_error(&post(&app, &t, "/Users", json!({"userName": "cat", "externalId": "x".repeat(256)})).await, 400, Some("invalidValue"));
        assert_scim_error(&patch(&app, &t, &format!("/Users/{bob}"), json!([{"op": "add", "path": "externalId", "value": "Okta-00u1"}])).await, 409, Some("uniqueness"));
        assert_eq!(app.get(&t.at("/users"), &t.key).await.results().len(), 2);
        // PATCH: Okta's deactivation and reactivation, Entra's path forms, remove.
        let r = patch(&app, &t, &format!("/Users/{bob}"), json!([{"op": "replace", "value": {"active": false, "externalId": "B-1"}}])).await;
        assert_eq!((r.body["active"].clone(), r.body["externalId"].clone()), (json!(false), json!("B-1")));
        let r = patch(&app, &t, &format!("/Users/{bob}"), json!([{"op": "Replace", "path": "active", "value": true}, {"op": "remove", "path": "externalId"}])).await;
        assert_eq!((r.body["active"].clone(), r.body.get("externalId")), (json!(true), None));
        let row = &app.get(&t.at(&format!("/users/{bob}")), &t.key).await.results()[0];
        assert_eq!((row["active"].clone(), row["external_id"].clone()), (json!(true), Value::Null));
        assert_scim_error(&patch(&app, &t, &format!("/Users/{bob}"), json!([{"op": "replace", "path": "active", "value": "no"}])).await, 400, Some("invalidValue"));
        // PUT replaces: an externalId left out is cleared; active left out is kept.
        let r = put(&app, &t, &format!("/Users/{ann}"), json!({"userName": "ann"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let row = &app.get(&t.at(&format!("/users/{ann}")), &t.key).await.results()[0];
        assert_eq!((row["active"].clone(), row["external_id"].clone()), (json!(false), Value::Null));
    }

    async fn external_id_of_groups(app) {
        let t = app.tenant("acme").await;
        let r = post(&app, &t, "/Groups", json!({"displayName": "G", "externalId": "e-1"})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let g = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(r.body["externalId"], json!("e-1"));
        let row = &app.get(&t.at(&format!("/groups/{g}")), &t.key).await.results()[0];
        assert_eq!(row["external_id"], json!("e-1"));
        assert_eq!(ids(&get(&app, &t, &format!("/Groups?filter={}", enc(r#"externalId eq "e-1""#))).await), vec![g.clone()]);
        assert_scim_error(&post(&app, &t, "/Groups", json!({"displayName": "H", "externalId": "e-1"})).await, 409, Some("uniqueness"));
        let r = patch(&app, &t, &format!("/Groups/{g}"), json!([{"op": "Replace", "path": "externalId", "value": "e-2"}])).await;
        assert_eq!(r.body["externalId"], json!("e-2"));
        let r = patch(&app, &t, &format!("/Groups/{g}"), json!([{"op": "remove", "path": "externalId"}])).await;
        assert!(r.body.get("externalId").is_none());
        assert_eq!(app.get(&t.at(&format!("/groups/{g}")), &t.key).await.results()[0]["external_id"], Value::Null);
        assert_scim_error(&patch(&app, &t, &format!("/Groups/{g}"), json!([{"op": "add", "path": "externalId", "value": ""}])).await, 400, Some("invalidValue"));
    }
}
