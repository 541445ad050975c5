//! `/Users`: create, read, replace, patch, delete; validation; ETags; events.

use reqwest::Method;
use serde_json::{json, Value};

use super::{assert_scim_error, at, delete, get, patch, post, put, scim, USER};
use crate::both;

both! {
    async fn create_maps_attributes_to_the_row_and_ignores_unknown_ones(app) {
        let t = app.tenant("acme").await;
        let r = post(&app, &t, "/Users", json!({
            "schemas": [USER],
            "userName": "bjensen@example.com",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "home@example.com", "type": "home"},
                       {"value": "bjensen@example.com", "type": "work", "primary": true}],
            "photos": [{"value": "https://photos.example.com/b.jpg", "type": "photo"}],
            "nickName": "Babs", "locale": "en-US", "password": "t1meMa$heen",
        })).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.header("content-type"), Some("application/scim+json"));
        let id = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(r.body["userName"], json!("bjensen@example.com"));
        assert_eq!(r.body["displayName"], json!("Barbara Jensen"));
        assert_eq!(r.body["name"], json!({"formatted": "Barbara Jensen"}));
        // The primary email, the first photo: their values are what is stored and shown.
        assert_eq!(r.body["emails"], json!([{"value": "bjensen@example.com"}]));
        assert_eq!(r.body["photos"], json!([{"value": "https://photos.example.com/b.jpg"}]));
        assert_eq!(r.body["photos"][0]["value"], json!("https://photos.example.com/b.jpg"));
        assert_eq!(r.body["active"], json!(true));
        assert!(r.body.get("nickName").is_none() && r.body.get("password").is_none());
        let meta = &r.body["meta"];
        assert_eq!(meta["resourceType"], json!("User"));
        let location = meta["location"].as_str().unwrap();
        assert!(location.starts_with("http://") && location.ends_with(&format!("/instances/acme/scim/v2/Users/{id}")), "{location}");
        assert_eq!(r.header("location"), Some(location));
        let version = meta["version"].as_str().unwrap();
        assert!(version.starts_with("W/\""), "{version}");
        assert_eq!(r.header("etag"), Some(version));
        assert_eq!(meta["created"], meta["lastModified"]);
        // The row, over REST.
        let rest = app.get(&t.at(&format!("/users/{id}")), &t.key).await;
        rest.assert_status(200);
        let row = &rest.results()[0];
        assert_eq!(row["username"], json!("bjensen@example.com"));
        assert_eq!(row["name"], json!("Barbara Jensen"));
        assert_eq!(row["email"], json!("bjensen@example.com"));
        assert_eq!(row["avatar_url"], json!("https://photos.example.com/b.jpg"));
        assert_eq!(meta["created"], row["created_at"]);
        // GET answers the same resource; application/json bodies are taken too.
        let g = get(&app, &t, &format!("/Users/{id}")).await;
        assert_eq!(g.status, 200);
        assert_eq!(g.body, r.body);
        let r = app.raw(Method::POST, &at(&t, "/Users"))
            .header("Authorization", format!("Bearer {}", t.key))
            .header("Content-Type", "application/json")
            .body(json!({"userName": "plain"}).to_string())
            .send().await.unwrap();
        assert_eq!(r.status(), 201);
    }

    async fn bad_bodies_change_nothing(app) {
        let t = app.tenant("acme").await;
        assert_scim_error(&post(&app, &t, "/Users", json!({"schemas": [USER], "displayName": "No Name"})).await, 400, Some("invalidValue"));
        assert_scim_error(&post(&app, &t, "/Users", json!({"userName": null})).await, 400, Some("invalidValue"));
        assert_scim_error(&post(&app, &t, "/Users", json!({"userName": "has space"})).await, 400, Some("invalidValue"));
        assert_scim_error(&post(&app, &t, "/Users", json!({"userName": "x", "emails": [{"value": "not-an-email"}]})).await, 400, Some("invalidValue"));
        assert_scim_error(&post(&app, &t, "/Users", json!({"userName": "x", "active": "yes"})).await, 400, Some("invalidValue"));
        assert_scim_error(&post(&app, &t, "/Users", json!(["userName"])).await, 400, Some("invalidSyntax"));
        let r = app.raw(Method::POST, &at(&t, "/Users"))
            .header("Authorization", format!("Bearer {}", t.key))
            .header("Content-Type", "application/scim+json")
            .body("{not json").send().await.unwrap();
        assert_scim_error(&crate::support::TestApp::read(r).await, 400, Some("invalidSyntax"));
        let r = app.raw(Method::POST, &at(&t, "/Users"))
            .header("Authorization", format!("Bearer {}", t.key))
            .header("Content-Type", "text/plain")
            .body(json!({"userName": "x"}).to_string()).send().await.unwrap();
        assert_scim_error(&crate::support::TestApp::read(r).await, 415, None);
        assert!(app.get(&t.at("/users"), &t.key).await.results().is_empty());
        // A taken userName (in any case the instance stores it) is 409 uniqueness.
        crate::scim::scim_user(&app, &t, "alice").await;
        assert_scim_error(&post(&app, &t, "/Users", json!({"userName": "alice"})).await, 409, Some("uniqueness"));
        assert_eq!(app.get(&t.at("/users"), &t.key).await.results().len(), 1);
        assert_scim_error(&get(&app, &t, "/Users/999999").await, 404, None);
        assert_scim_error(&get(&app, &t, "/Users/not-a-number").await, 404, None);
    }

    async fn put_replaces_and_patch_changes_single_attributes(app) {
        let t = app.tenant("acme").await;
        let r = post(&app, &t, "/Users", json!({"userName": "bob", "displayName": "Bob",
            "emails": [{"value": "bob@example.com"}], "photos": [{"value": "https://x.example/b.png"}]})).await;
        let id = r.body["id"].as_str().unwrap().to_string();
        // PUT: what is left out is cleared.
        let r = put(&app, &t, &format!("/Users/{id}"), json!({"schemas": [USER], "userName": "robert", "name": {"formatted": "Robert"}})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let row = &app.get(&t.at(&format!("/users/{id}")), &t.key).await.results()[0];
        assert_eq!((row["username"].clone(), row["name"].clone(), row["email"].clone(), row["avatar_url"].clone()),
                   (json!("robert"), json!("Robert"), Value::Null, Value::Null));
        assert_scim_error(&put(&app, &t, &format!("/Users/{id}"), json!({"displayName": "x"})).await, 400, Some("invalidValue"));
        // PATCH: each path form.
        let r = patch(&app, &t, &format!("/Users/{id}"), json!([
            {"op": "replace", "path": "userName", "value": "rob"},
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "rob@example.com"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:name.formatted", "value": "Rob R"},
            {"op": "replace", "path": "name.familyName", "value": "ignored"},
            {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "ignored"},
        ])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["userName"], json!("rob"));
        let row = &app.get(&t.at(&format!("/users/{id}")), &t.key).await.results()[0];
        assert_eq!((row["username"].clone(), row["name"].clone(), row["email"].clone()),
                   (json!("rob"), json!("Rob R"), json!("rob@example.com")));
        let r = patch(&app, &t, &format!("/Users/{id}"), json!([
            {"op": "remove", "path": "displayName"},
            {"op": "replace", "value": {"emails": [{"value": "r@example.com", "primary": true}]}},
        ])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let row = &app.get(&t.at(&format!("/users/{id}")), &t.key).await.results()[0];
        assert_eq!((row["name"].clone(), row["email"].clone()), (Value::Null, json!("r@example.com")));
        // A bad PATCH changes nothing, even its valid operations.
        for ops in [
            json!([{"op": "replace", "path": "userName", "value": "ok"}, {"op": "remove", "path": "userName"}]),
            json!([{"op": "replace", "path": "userName", "value": "ok"}, {"op": "replace", "path": "emails.value", "value": "bad"}]),
        ] {
            assert_scim_error(&patch(&app, &t, &format!("/Users/{id}"), ops).await, 400, Some("invalidValue"));
        }
        assert_scim_error(&patch(&app, &t, &format!("/Users/{id}"), json!([{"op": "jump", "path": "userName"}])).await, 400, Some("invalidSyntax"));
        assert_scim_error(&patch(&app, &t, &format!("/Users/{id}"), json!([{"op": "remove"}])).await, 400, Some("noTarget"));
        assert_scim_error(&patch(&app, &t, &format!("/Users/{id}"), json!([{"op": "remove", "path": "emails[type eq"}])).await, 400, Some("invalidPath"));
        let row = &app.get(&t.at(&format!("/users/{id}")), &t.key).await.results()[0];
        assert_eq!(row["username"], json!("rob"));
        // Renaming onto a taken userName: 409.
        crate::scim::scim_user(&app, &t, "taken").await;
        assert_scim_error(&patch(&app, &t, &format!("/Users/{id}"), json!([{"op": "replace", "path": "userName", "value": "taken"}])).await, 409, Some("uniqueness"));
        // DELETE, then it is gone everywhere.
        let r = delete(&app, &t, &format!("/Users/{id}")).await;
        assert_eq!(r.status, 204);
        assert_scim_error(&get(&app, &t, &format!("/Users/{id}")).await, 404, None);
        app.get(&t.at(&format!("/users/{id}")), &t.key).await.assert_status(404);
        assert_scim_error(&delete(&app, &t, &format!("/Users/{id}")).await, 404, None);
    }

    async fn etags_and_if_match(app) {
        let t = app.tenant("acme").await;
        let r = post(&app, &t, "/Users", json!({"userName": "carol"})).await;
        let id = r.body["id"].as_str().unwrap().to_string();
        let v1 = r.header("etag").unwrap().to_string();
        let path = at(&t, &format!("/Users/{id}"));
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Carol"}]});
        // A stale version: 412, nothing changed.
        let r = scim(&app, Method::PATCH, &path, &t.key, Some(body.clone()), &[("If-Match", "W/\"1\"")]).await;
        assert_scim_error(&r, 412, None);
        let r = scim(&app, Method::PUT, &path, &t.key, Some(json!({"userName": "carol2"})), &[("If-Match", "W/\"1\"")]).await;
        assert_scim_error(&r, 412, None);
        let row = &app.get(&t.at(&format!("/users/{id}")), &t.key).await.results()[0];
        assert_eq!((row["username"].clone(), row["name"].clone()), (json!("carol"), Value::Null));
        // The current version (or *): applied, with a new version.
        let r = scim(&app, Method::PATCH, &path, &t.key, Some(body.clone()), &[("If-Match", &v1)]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v2 = r.header("etag").unwrap().to_string();
        assert_ne!(v1, v2);
        assert_eq!(r.body["meta"]["version"], json!(v2));
        let r = scim(&app, Method::PATCH, &path, &t.key, Some(body), &[("If-Match", "*")]).await;
        assert_eq!(r.status, 200);
        let v3 = r.header("etag").unwrap().to_string();
        // If-None-Match with the current version: 304.
        let r = scim(&app, Method::GET, &path, &t.key, None, &[("If-None-Match", &v3)]).await;
        assert_eq!(r.status, 304);
        let r = scim(&app, Method::GET, &path, &t.key, None, &[("If-None-Match", &v1)]).await;
        assert_eq!(r.status, 200);
        // DELETE with a stale version: 412, still there.
        let r = scim(&app, Method::DELETE, &path, &t.key, None, &[("If-Match", &v1)]).await;
        assert_scim_error(&r, 412, None);
        app.get(&t.at(&format!("/users/{id}")), &t.key).await.assert_status(200);
        let r = scim(&app, Method::DELETE, &path, &t.key, None, &[("If-Match", &v3)]).await;
        assert_eq!(r.status, 204);
    }

    async fn writes_record_events_with_source_scim(app) {
        let t = app.tenant("acme").await;
        let id = crate::scim::scim_user(&app, &t, "dave").await;
        patch(&app, &t, &format!("/Users/{id}"), json!([{"op": "replace", "path": "displayName", "value": "Dave"}])).await;
        delete(&app, &t, &format!("/Users/{id}")).await;
        let r = app.get(&t.at("/events?source=scim"), &t.key).await;
        r.assert_status(200);
        let events = r.results();
        let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["user.created", "user.updated", "user.deleted"]);
        for e in &events {
            assert_eq!(e["source"], json!("scim"));
            assert_eq!(e["object_id"], json!(id));
            assert_eq!(e["actor"]["kind"], json!("admin"));
        }
        assert_eq!(events[1]["previous"]["name"], Value::Null);
        assert_eq!(events[1]["data"]["name"], json!("Dave"));
    }
}
