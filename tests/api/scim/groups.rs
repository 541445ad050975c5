//! `/Groups`: members as memberships, each PATCH form, PUT as a diff, idempotency,
//! unknown users and barriers failing a write whole.

use serde_json::{json, Value};

use super::{assert_scim_error, delete, enc, get, ids, member_ids, patch, post, put, GROUP};
use crate::both;

both! {
    async fn create_read_and_list_with_members(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["ann", "ben"]).await;
        let r = post(&app, &t, "/Groups", json!({"schemas": [GROUP], "displayName": "Engineering",
            "members": [{"value": u[0]}, {"value": u[1], "display": "ignored"}], "description": "ignored"})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(r.body["displayName"], json!("Engineering"));
        let members = r.body["members"].as_array().unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members[0]["value"], json!(u[0]));
        assert_eq!(members[0]["type"], json!("User"));
        // `display` (the username) is returned on request only.
        assert!(members[0].get("display").is_none());
        let r = get(&app, &t, &format!("/Groups/{id}?attributes=members.display,members.value")).await;
        assert_eq!(r.body["members"], json!([{"value": u[0], "display": "ann"}, {"value": u[1], "display": "ben"}]));
        assert!(r.body.get("displayName").is_none());
        assert!(members[0]["$ref"].as_str().unwrap().ends_with(&format!("/scim/v2/Users/{}", u[0])));
        assert_eq!(r.body["meta"]["resourceType"], json!("Group"));
        assert_eq!(r.header("etag"), r.body["meta"]["version"].as_str());
        assert_eq!(member_ids(&app, &t, &id).await, u);
        let row = &app.get(&t.at(&format!("/groups/{id}")), &t.key).await.results()[0];
        assert_eq!(row["name"], json!("Engineering"));
        // Entra's read: no members.
        let r = get(&app, &t, &format!("/Groups?excludedAttributes=members&filter={}", enc(r#"displayName eq "engineering""#))).await;
        assert_eq!(r.status, 200);
        assert_eq!(ids(&r), vec![id.clone()]);
        assert!(r.body["Resources"][0].get("members").is_none());
        let r = get(&app, &t, &format!("/Groups/{id}?excludedAttributes=members")).await;
        assert!(r.body.get("members").is_none());
        assert_eq!(r.body["displayName"], json!("Engineering"));
        // Filters on members.
        let other = post(&app, &t, "/Groups", json!({"displayName": "Empty"})).await.body["id"].as_str().unwrap().to_string();
        let r = get(&app, &t, &format!("/Groups?filter={}", enc(&format!(r#"members[value eq "{}"]"#, u[1])))).await;
        assert_eq!(ids(&r), vec![id.clone()]);
        let r = get(&app, &t, &format!("/Groups?filter={}", enc("not (members pr)"))).await;
        assert_eq!(ids(&r), vec![other.clone()]);
        // A duplicate name, an unknown member, a missing name: nothing created.
        assert_scim_error(&post(&app, &t, "/Groups", json!({"displayName": "Engineering"})).await, 409, Some("uniqueness"));
        assert_scim_error(&post(&app, &t, "/Groups", json!({"displayName": "New", "members": [{"value": "999999"}]})).await, 400, Some("invalidValue"));
        assert_scim_error(&post(&app, &t, "/Groups", json!({"displayName": "New", "members": [{"value": "abc"}]})).await, 400, Some("invalidValue"));
        assert_scim_error(&post(&app, &t, "/Groups", json!({"members": []})).await, 400, Some("invalidValue"));
        assert_eq!(app.get(&t.at("/groups"), &t.key).await.results().len(), 2);
    }

    async fn patch_forms_of_both_dialects(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["u1", "u2", "u3", "u4"]).await;
        let g = post(&app, &t, "/Groups", json!({"displayName": "Team"})).await.body["id"].as_str().unwrap().to_string();
        let path = format!("/Groups/{g}");
        // add with a value array (Okta, lower case) and Add (Entra).
        let r = patch(&app, &t, &path, json!([{"op": "add", "path": "members", "value": [{"value": u[0]}, {"value": u[1]}]}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        patch(&app, &t, &path, json!([{"op": "Add", "path": "members", "value": [{"value": u[2], "$ref": null}]}])).await;
        assert_eq!(member_ids(&app, &t, &g).await, u[..3].to_vec());
        // Okta's filtered remove.
        let r = patch(&app, &t, &path, json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", u[0])}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(member_ids(&app, &t, &g).await, u[1..3].to_vec());
        // Entra's remove with a value array.
        patch(&app, &t, &path, json!([{"op": "Remove", "path": "members", "value": [{"value": u[1]}]}])).await;
        assert_eq!(member_ids(&app, &t, &g).await, vec![u[2].clone()]);
        // replace of members, and replace without a path.
        patch(&app, &t, &path, json!([{"op": "Replace", "path": "members", "value": [{"value": u[0]}, {"value": u[3]}]}])).await;
        assert_eq!(member_ids(&app, &t, &g).await, vec![u[0].clone(), u[3].clone()]);
        let r = patch(&app, &t, &path, json!([{"op": "replace", "value": {"id": g, "displayName": "Renamed"}}])).await;
        assert_eq!(r.body["displayName"], json!("Renamed"));
        assert_eq!(member_ids(&app, &t, &g).await, vec![u[0].clone(), u[3].clone()]);
        patch(&app, &t, &path, json!([{"op": "Replace", "path": "displayName", "value": "Team 2"}])).await;
        assert_eq!(app.get(&t.at(&path.to_lowercase()), &t.key).await.results()[0]["name"], json!("Team 2"));
        // Removing every member (path members, no value).
        patch(&app, &t, &path, json!([{"op": "remove", "path": "members"}])).await;
        assert!(member_ids(&app, &t, &g).await.is_empty());
        // Several operations in one PATCH, applied in order.
        let r = patch(&app, &t, &path, json!([
            {"op": "add", "path": "members", "value": [{"value": u[0]}, {"value": u[1]}, {"value": u[2]}]},
            {"op": "remove", "path": format!("members[value eq \"{}\" or value eq \"{}\"]", u[0], u[2])},
        ])).await;
        assert_eq!(r.body["members"].as_array().unwrap().len(), 1);
        assert_eq!(member_ids(&app, &t, &g).await, vec![u[1].clone()]);
        // Bad forms.
        assert_scim_error(&patch(&app, &t, &path, json!([{"op": "remove", "path": "displayName"}])).await, 400, Some("invalidValue"));
        assert_scim_error(&patch(&app, &t, &path, json!([{"op": "remove", "path": "members[display eq \"x\"]"}])).await, 400, Some("invalidFilter"));
        assert_scim_error(&patch(&app, &t, &path, json!([{"op": "add", "path": "members", "value": [{"value": "x1"}]}])).await, 400, Some("invalidValue"));
        assert_scim_error(&patch(&app, &t, "/Groups/999999", json!([{"op": "add", "path": "members", "value": [{"value": u[0]}]}])).await, 404, None);
        assert_eq!(member_ids(&app, &t, &g).await, vec![u[1].clone()]);
    }

    async fn adding_a_member_twice_and_removing_a_non_member_change_nothing(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b"]).await;
        let g = post(&app, &t, "/Groups", json!({"displayName": "G", "members": [{"value": u[0]}]})).await.body["id"].as_str().unwrap().to_string();
        let before = app.get(&t.at(&format!("/memberships?group_id={g}")), &t.key).await.results();
        let events_before = app.get(&t.at("/events?limit=1000"), &t.key).await.results().len();
        let r = patch(&app, &t, &format!("/Groups/{g}"), json!([
            {"op": "add", "path": "members", "value": [{"value": u[0]}]},
            {"op": "remove", "path": format!("members[value eq \"{}\"]", u[1])},
        ])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let after = app.get(&t.at(&format!("/memberships?group_id={g}")), &t.key).await.results();
        assert_eq!(before, after);
        assert_eq!(app.get(&t.at("/events?limit=1000"), &t.key).await.results().len(), events_before);
    }

    async fn put_replaces_the_member_set_as_a_diff(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b", "c"]).await;
        let g = post(&app, &t, "/Groups", json!({"displayName": "G", "members": [{"value": u[0]}, {"value": u[1]}]})).await.body["id"].as_str().unwrap().to_string();
        let kept: Value = app.get(&t.at(&format!("/groups/{g}/users/{}", u[1])), &t.key).await.results()[0].clone();
        let r = put(&app, &t, &format!("/Groups/{g}"), json!({"schemas": [GROUP], "displayName": "G2",
            "members": [{"value": u[1]}, {"value": u[2]}]})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(member_ids(&app, &t, &g).await, u[1..].to_vec());
        // The member kept is the same membership, untouched.
        let now: Value = app.get(&t.at(&format!("/groups/{g}/users/{}", u[1])), &t.key).await.results()[0].clone();
        assert_eq!(kept, now);
        let events = app.get(&t.at("/events?source=scim&types=membership.created,membership.deleted&limit=1000"), &t.key).await.results();
        let kinds: Vec<(&str, &str)> = events.iter().map(|e| (e["type"].as_str().unwrap(), e["data"]["user_id"].as_str().unwrap())).collect();
        assert_eq!(kinds, [("membership.created", &*u[0]), ("membership.created", &*u[1]),
            ("membership.deleted", &*u[0]), ("membership.created", &*u[2])]);
        // PUT without members empties the group.
        put(&app, &t, &format!("/Groups/{g}"), json!({"displayName": "G2"})).await;
        assert!(member_ids(&app, &t, &g).await.is_empty());
        assert_scim_error(&put(&app, &t, &format!("/Groups/{g}"), json!({"members": []})).await, 400, Some("invalidValue"));
        // DELETE removes the group and its memberships.
        patch(&app, &t, &format!("/Groups/{g}"), json!([{"op": "add", "path": "members", "value": [{"value": u[0]}]}])).await;
        assert_eq!(delete(&app, &t, &format!("/Groups/{g}")).await.status, 204);
        app.get(&t.at(&format!("/groups/{g}")), &t.key).await.assert_status(404);
        assert!(app.get(&t.at("/memberships"), &t.key).await.results().is_empty());
        assert_scim_error(&get(&app, &t, &format!("/Groups/{g}")).await, 404, None);
    }
}

both! {
    async fn group_versions_and_other_tenants(app) {
        use reqwest::Method;
        let t = app.tenant("acme").await;
        let other = app.tenant("globex").await;
        let u = app.users(&t, &["a", "b"]).await;
        let r = post(&app, &t, "/Groups", json!({"displayName": "G"})).await;
        let g = r.body["id"].as_str().unwrap().to_string();
        let v1 = r.header("etag").unwrap().to_string();
        let path = crate::scim::at(&t, &format!("/Groups/{g}"));
        let add = |id: &str| json!({"schemas": [crate::scim::PATCH_OP], "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
        // A member added changes the version.
        let r = crate::scim::scim(&app, Method::PATCH, &path, &t.key, Some(add(&u[0])), &[("If-Match", &v1)]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v2 = r.header("etag").unwrap().to_string();
        assert_ne!(v1, v2);
        // The old version: 412, the member not added, for PATCH, PUT and DELETE alike.
        let r = crate::scim::scim(&app, Method::PATCH, &path, &t.key, Some(add(&u[1])), &[("If-Match", &v1)]).await;
        assert_scim_error(&r, 412, None);
        let r = crate::scim::scim(&app, Method::PUT, &path, &t.key, Some(json!({"displayName": "G", "members": []})), &[("If-Match", &v1)]).await;
        assert_scim_error(&r, 412, None);
        let r = crate::scim::scim(&app, Method::DELETE, &path, &t.key, None, &[("If-Match", &v1)]).await;
        assert_scim_error(&r, 412, None);
        assert_eq!(member_ids(&app, &t, &g).await, vec![u[0].clone()]);
        // A no-op PATCH keeps the version.
        let r = crate::scim::scim(&app, Method::PATCH, &path, &t.key, Some(add(&u[0])), &[("If-Match", &v2)]).await;
        assert_eq!((r.status.as_u16(), r.header("etag")), (200, Some(v2.as_str())));
        // Another instance's key: 404 for every method, nothing changed.
        for (m, body) in [(Method::GET, None), (Method::PATCH, Some(add(&u[1]))), (Method::PUT, Some(json!({"displayName": "X"}))), (Method::DELETE, None)] {
            let r = crate::scim::scim(&app, m, &path, &other.key, body, &[]).await;
            assert_scim_error(&r, 404, None);
        }
        assert_eq!(member_ids(&app, &t, &g).await, vec![u[0].clone()]);
        assert_eq!(get(&app, &t, &format!("/Groups/{g}")).await.body["displayName"], json!("G"));
    }
}
