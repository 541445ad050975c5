//! API.md §2's `active` (users) and `external_id` (users and groups): defaults, create
//! and PATCH, validation, uniqueness per instance, the list filters, an inactive user's
//! keys, and what the change feed records of them.

use serde_json::{json, Value};

use crate::both;
use crate::support::{Resp, Tenant, TestApp};

/// Asserts one 422 error per expected (index, field, type), in that order.
#[track_caller]
fn assert_errors(r: &Resp, expected: &[(Option<u64>, &str, &str)]) {
    r.assert_status(422);
    let errors = r.body["errors"].as_array().expect("errors");
    let got: Vec<(Option<u64>, String, String)> = errors
        .iter()
        .map(|e| {
            (
                e["index"].as_u64(),
                e["field"].as_str().unwrap_or("").to_string(),
                e["type"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: Vec<(Option<u64>, String, String)> = expected
        .iter()
        .map(|(i, f, k)| (*i, f.to_string(), k.to_string()))
        .collect();
    assert_eq!(got, want, "{}", r.text);
    for e in errors {
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

/// The number of matches of a list.
async fn count(app: &TestApp, t: &Tenant, path: &str) -> i64 {
    let r = app.get(&t.at(path), &t.key).await;
    r.assert_status(200);
    r.body["meta"]["count"]
        .as_i64()
        .unwrap_or_else(|| panic!("no meta.count: {}", r.text))
}

/// The one primary object of an envelope.
fn only(r: &Resp) -> Value {
    let results = r.results();
    assert_eq!(results.len(), 1, "{}", r.text);
    results[0].clone()
}

/// The IDs of a list's primary objects, in order.
fn ids(r: &Resp) -> Vec<String> {
    r.results()
        .iter()
        .map(|o| o["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The feed's events of `types`, oldest first.
async fn events(app: &TestApp, t: &Tenant, types: &str) -> Vec<Value> {
    let r = app
        .get(&t.at(&format!("/events?after=0&types={types}")), &t.key)
        .await;
    r.assert_status(200);
    r.results()
}

both! {
    async fn defaults_and_values_on_create_and_read(app) {
        let t = app.tenant("acme").await;
        let r = app.post(&t.at("/users"), &t.key, json!({"user": {"username": "geralt"}})).await;
        r.assert_status(201);
        let u = only(&r);
        assert_eq!(u["active"], json!(true));
        assert_eq!(u["external_id"], Value::Null);
        let r = app.post(&t.at("/users"), &t.key, json!({"user": {
            "username": "ciri", "active": false, "external_id": "00u1ciri"
        }})).await;
        r.assert_status(201);
        let ciri = only(&r);
        assert_eq!(ciri["active"], json!(false));
        assert_eq!(ciri["external_id"], "00u1ciri");
        // Read back, and in the order of the object's fields.
        let got = app.get(&t.at(&format!("/users/{}", ciri["id"].as_str().unwrap())), &t.key).await;
        got.assert_status(200);
        assert_eq!(only(&got), ciri);
        let keys: Vec<&str> = got.text.split('"').filter(|s| ["principal", "active", "external_id", "created_at"].contains(s)).collect();
        assert_eq!(keys, ["principal", "active", "external_id", "created_at"], "{}", got.text);
        // fields= takes them.
        let r = app.get(&t.at("/users?fields=active,external_id&order=id:asc"), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results()[1], json!({"id": ciri["id"], "active": false, "external_id": "00u1ciri"}));

        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": [
            {"name": "witchers"}, {"name": "sorceresses", "external_id": "grp-42"}, {"name": "kings", "external_id": null}
        ]})).await;
        r.assert_status(201);
        let made = r.results();
        assert_eq!(made[0]["external_id"], Value::Null);
        assert_eq!(made[1]["external_id"], "grp-42");
        assert_eq!(made[2]["external_id"], Value::Null);
        let g = app.get(&t.at(&format!("/groups/{}?fields=external_id", made[1]["id"].as_str().unwrap())), &t.key).await;
        assert_eq!(only(&g), json!({"id": made[1]["id"], "external_id": "grp-42"}));
        // Sideloads carry them too.
        let m = app.post(&t.at("/memberships?include=user,group"), &t.key, json!({"membership": {
            "user_id": ciri["id"], "group_id": made[1]["id"]
        }})).await;
        m.assert_status(201);
        assert_eq!(m.body["users"][ciri["id"].as_str().unwrap()]["active"], json!(false));
        assert_eq!(m.body["users"][ciri["id"].as_str().unwrap()]["external_id"], "00u1ciri");
        assert_eq!(m.body["groups"][made[1]["id"].as_str().unwrap()]["external_id"], "grp-42");
        // An external_id is kept exactly as given: 255 characters of any script.
        let long = "é".repeat(255);
        let r = app.post(&t.at("/users"), &t.key, json!({"user": {"username": "long", "external_id": long}})).await;
        r.assert_status(201);
        assert_eq!(only(&r)["external_id"], json!(long));
    }

    async fn patch_sets_and_clears_them(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["geralt"]).await.remove(0);
        let g = app.groups(&t, &["witchers"]).await.remove(0);
        let path = t.at(&format!("/users/{u}"));
        let r = app.patch(&path, &t.key, json!({"user": {"active": false, "external_id": "ext-1"}})).await;
        r.assert_status(200);
        let after = only(&r);
        assert_eq!((after["active"].clone(), after["external_id"].clone()), (json!(false), json!("ext-1")));
        // Setting a user's own external_id again is no conflict.
        let r = app.patch(&path, &t.key, json!({"user": {"external_id": "ext-1", "name": "G"}})).await;
        r.assert_status(200);
        assert_eq!(only(&r)["external_id"], "ext-1");
        let r = app.patch(&path, &t.key, json!({"user": {"external_id": null, "active": true}})).await;
        r.assert_status(200);
        let after = only(&r);
        assert_eq!((after["active"].clone(), after["external_id"].clone()), (json!(true), Value::Null));
        let r = app.get(&path, &t.key).await;
        assert_eq!(only(&r)["external_id"], Value::Null);
        // Fields left out stay as they are.
        app.patch(&path, &t.key, json!({"user": {"external_id": "ext-2"}})).await.assert_status(200);
        let r = app.patch(&path, &t.key, json!({"user": {"name": "Geralt"}})).await;
        assert_eq!((only(&r)["external_id"].clone(), only(&r)["active"].clone()), (json!("ext-2"), json!(true)));

        let gpath = t.at(&format!("/groups/{g}"));
        let r = app.patch(&gpath, &t.key, json!({"group": {"external_id": "grp-1"}})).await;
        r.assert_status(200);
        assert_eq!(only(&r)["external_id"], "grp-1");
        let r = app.patch(&gpath, &t.key, json!({"group": {"external_id": null}})).await;
        r.assert_status(200);
        assert_eq!(only(&r)["external_id"], Value::Null);
        // A group has no active.
        let r = app.patch(&gpath, &t.key, json!({"group": {"active": false}})).await;
        assert_errors(&r, &[(None, "active", "invalid")]);
    }

    async fn bad_values_are_refused_in_the_contracts_form_and_change_nothing(app) {
        let t = app.tenant("acme").await;
        let too_long = "x".repeat(256);
        for (user, field) in [
            (json!({"username": "a", "external_id": too_long}), "external_id"),
            (json!({"username": "a", "external_id": ""}), "external_id"),
            (json!({"username": "a", "external_id": 5}), "external_id"),
            (json!({"username": "a", "external_id": ["x"]}), "external_id"),
            (json!({"username": "a", "external_id": {"v": "x"}}), "external_id"),
            (json!({"username": "a", "external_id": "a\u{0}b"}), "external_id"),
            (json!({"username": "a", "active": "true"}), "active"),
            (json!({"username": "a", "active": 1}), "active"),
            (json!({"username": "a", "active": null}), "active"),
        ] {
            let r = app.post(&t.at("/users"), &t.key, json!({"user": user})).await;
            assert_errors(&r, &[(None, field, "invalid")]);
        }
        for (group, field) in [
            (json!({"name": "g", "external_id": too_long}), "external_id"),
            (json!({"name": "g", "external_id": ""}), "external_id"),
            (json!({"name": "g", "external_id": true}), "external_id"),
            (json!({"name": "g", "active": true}), "active"),
        ] {
            let r = app.post(&t.at("/groups"), &t.key, json!({"group": group})).await;
            assert_errors(&r, &[(None, field, "invalid")]);
        }
        // A bulk names each object's index, every problem of it, and writes nothing.
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "ok1", "external_id": "fine"},
            {"username": "bad1", "external_id": too_long},
            {"username": "ok2"},
            {"username": "bad2", "active": "no", "external_id": 7},
        ]})).await;
        assert_errors(&r, &[
            (Some(1), "external_id", "invalid"),
            (Some(3), "active", "invalid"),
            (Some(3), "external_id", "invalid"),
        ]);
        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": [
            {"name": "g1"}, {"name": "g2", "external_id": ""},
        ]})).await;
        assert_errors(&r, &[(Some(1), "external_id", "invalid")]);
        assert_eq!(count(&app, &t, "/users").await, 0);
        assert_eq!(count(&app, &t, "/groups").await, 0);

        // A bad PATCH changes nothing, not even its valid fields.
        let u = app.post(&t.at("/users"), &t.key, json!({"user": {"username": "geralt", "external_id": "ext"}})).await;
        let before = only(&u);
        let path = t.at(&format!("/users/{}", before["id"].as_str().unwrap()));
        for body in [
            json!({"user": {"active": false, "external_id": too_long}}),
            json!({"user": {"active": "false", "external_id": "new"}}),
            json!({"user": {"external_id": "", "name": "x"}}),
        ] {
            let r = app.patch(&path, &t.key, body).await;
            r.assert_status(422);
            assert_eq!(r.error_types(), ["invalid"], "{}", r.text);
            assert_eq!(only(&app.get(&path, &t.key).await), before);
        }
    }

    async fn external_ids_are_unique_per_instance_when_set(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("other").await;
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "a", "external_id": "okta-1"}, {"username": "b"}, {"username": "c"},
        ]})).await;
        r.assert_status(201);
        let a = r.results()[0]["id"].as_str().unwrap().to_string();
        let b = r.results()[1]["id"].as_str().unwrap().to_string();
        // Another instance, and a group, may hold the same value.
        app.post(&other.at("/users"), &other.key, json!({"user": {"username": "a", "external_id": "okta-1"}})).await.assert_status(201);
        app.post(&t.at("/groups"), &t.key, json!({"group": {"name": "g", "external_id": "okta-1"}})).await.assert_status(201);
        // Taken in the instance: a duplicate at its index, and nothing written.
        let r = app.post(&t.at("/users"), &t.key, json!({"user": {"username": "d", "external_id": "okta-1"}})).await;
        assert_errors(&r, &[(None, "external_id", "duplicate")]);
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "e", "external_id": "okta-2"}, {"username": "f", "external_id": "okta-1"},
        ]})).await;
        assert_errors(&r, &[(Some(1), "external_id", "duplicate")]);
        // Within one bulk: the later index, beside the username rule.
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "g", "external_id": "okta-3"}, {"username": "h"},
            {"username": "i", "external_id": "okta-3"}, {"username": "a", "external_id": "okta-1"},
        ]})).await;
        assert_errors(&r, &[(Some(2), "external_id", "duplicate"), (Some(3), "username", "duplicate"), (Some(3), "external_id", "duplicate")]);
        assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("index 0"), "{}", r.text);
        assert_eq!(count(&app, &t, "/users").await, 3);
        assert_eq!(count(&app, &t, "/users?external_id=okta-3").await, 0);
        // Groups alike.
        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": [
            {"name": "x", "external_id": "grp"}, {"name": "y", "external_id": "grp"},
        ]})).await;
        assert_errors(&r, &[(Some(1), "external_id", "duplicate")]);
        let r = app.post(&t.at("/groups"), &t.key, json!({"group": {"name": "z", "external_id": "okta-1"}})).await;
        assert_errors(&r, &[(None, "external_id", "duplicate")]);
        assert_eq!(count(&app, &t, "/groups").await, 1);
        // PATCH to a taken value: the same error, nothing changed; the username rule
        // still names username.
        let r = app.patch(&t.at(&format!("/users/{b}")), &t.key, json!({"user": {"external_id": "okta-1", "active": false}})).await;
        assert_errors(&r, &[(None, "external_id", "duplicate")]);
        let r = app.patch(&t.at(&format!("/users/{b}")), &t.key, json!({"user": {"username": "a"}})).await;
        assert_errors(&r, &[(None, "username", "duplicate")]);
        let got = only(&app.get(&t.at(&format!("/users/{b}")), &t.key).await);
        assert_eq!((got["username"].clone(), got["external_id"].clone(), got["active"].clone()), (json!("b"), Value::Null, json!(true)));
        let g2 = app.groups(&t, &["g2"]).await.remove(0);
        let r = app.patch(&t.at(&format!("/groups/{g2}")), &t.key, json!({"group": {"external_id": "okta-1"}})).await;
        assert_errors(&r, &[(None, "external_id", "duplicate")]);
        let r = app.patch(&t.at(&format!("/groups/{g2}")), &t.key, json!({"group": {"name": "g"}})).await;
        assert_errors(&r, &[(None, "name", "duplicate")]);
        // Freed by a PATCH to null, the value may be taken again.
        app.patch(&t.at(&format!("/users/{a}")), &t.key, json!({"user": {"external_id": null}})).await.assert_status(200);
        app.patch(&t.at(&format!("/users/{b}")), &t.key, json!({"user": {"external_id": "okta-1"}})).await.assert_status(200);
    }

    async fn lists_filter_by_external_id_and_active(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("other").await;
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "a", "external_id": "ext-a"},
            {"username": "b", "active": false},
            {"username": "c", "active": false, "external_id": "ext-c"},
            {"username": "d"},
        ]})).await;
        r.assert_status(201);
        let u = ids(&r);
        app.post(&other.at("/users"), &other.key, json!({"user": {"username": "a", "external_id": "ext-a"}})).await.assert_status(201);
        let list = |q: &str| t.at(&format!("/users?{q}"));
        assert_eq!(ids(&app.get(&list("external_id=ext-a"), &t.key).await), [u[0].clone()]);
        assert_eq!(ids(&app.get(&list("external_id=ext-c&active=false"), &t.key).await), [u[2].clone()]);
        assert!(ids(&app.get(&list("external_id=ext-c&active=true"), &t.key).await).is_empty());
        assert!(ids(&app.get(&list("external_id=EXT-A"), &t.key).await).is_empty());
        assert!(ids(&app.get(&list("external_id=nobody"), &t.key).await).is_empty());
        assert_eq!(ids(&app.get(&list("active=true"), &t.key).await), [u[0].clone(), u[3].clone()]);
        assert_eq!(ids(&app.get(&list("active=false"), &t.key).await), [u[1].clone(), u[2].clone()]);
        let r = app.get(&list("active=false&per_page=1"), &t.key).await;
        assert_eq!(r.body["meta"]["count"], 2);
        assert_eq!(ids(&r), [u[1].clone()]);
        for bad in ["active=yes", "active=1", "active=", "active=TRUE"] {
            let r = app.get(&list(bad), &t.key).await;
            r.assert_error(400, "bad_request");
            assert_eq!(r.body["errors"][0]["field"], "active", "{}", r.text);
        }
        let r = app.get(&list("external_id=a&external_id=b"), &t.key).await;
        r.assert_error(400, "bad_request");
        assert_eq!(r.body["errors"][0]["field"], "external_id");

        let g = app.post(&t.at("/groups"), &t.key, json!({"groups": [
            {"name": "x", "external_id": "grp-x"}, {"name": "y"},
        ]})).await;
        let gids = ids(&g);
        assert_eq!(ids(&app.get(&t.at("/groups?external_id=grp-x"), &t.key).await), [gids[0].clone()]);
        assert!(ids(&app.get(&t.at("/groups?external_id=ext-a"), &t.key).await).is_empty());
        app.get(&t.at("/groups?active=true"), &t.key).await.assert_error(400, "bad_request");
    }

    async fn an_inactive_users_keys_stop_working_until_it_is_active_again(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["geralt", "ciri"]).await;
        let g = app.groups(&t, &["witchers"]).await.remove(0);
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": u[0], "group_id": g, "role": "admin"}, {"user_id": u[1], "group_id": g},
        ]})).await.assert_status(201);
        let key = app.user_key(&t, &u[0]).await;
        let ciri_key = app.user_key(&t, &u[1]).await;
        let me = t.at(&format!("/users/{}", u[0]));
        app.get(&me, &key).await.assert_status(200);
        // A revoked key's answer, to compare with.
        let revoked = app.user_key(&t, &u[0]).await;
        let listed = app.get(&t.at("/api_keys"), &t.key).await;
        let revoked_id = listed.results().last().unwrap()["id"].as_str().unwrap().to_string();
        app.delete(&t.at(&format!("/api_keys/{revoked_id}")), &t.key).await.assert_status(204);
        let refused = app.get(&me, &revoked).await;
        refused.assert_error(401, "unauthorized");

        app.patch(&me, &t.key, json!({"user": {"active": false}})).await.assert_status(200);
        for path in [me.clone(), t.at("/users"), t.at("/memberships"), t.at(&format!("/groups/{g}")), "/instances".to_string(), t.at("/events?after=0")] {
            let r = app.get(&path, &key).await;
            r.assert_error(401, "unauthorized");
            assert_eq!(r.text, refused.text, "{path}");
        }
        let r = app.post(&t.at("/memberships"), &key, json!({"membership": {"user_id": u[1], "group_id": g}})).await;
        r.assert_error(401, "unauthorized");
        // Other users' keys and the admin key work; the memberships are kept.
        app.get(&t.at(&format!("/users/{}", u[1])), &ciri_key).await.assert_status(200);
        let r = app.get(&t.at(&format!("/users/{}/groups", u[0])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results().len(), 1);
        assert_eq!(r.results()[0]["role"], "admin");
        assert_eq!(app.get(&t.at(&format!("/groups/{g}/users")), &ciri_key).await.results().len(), 2);
        // The key itself is not revoked: it is listed as it was.
        let keys = app.get(&t.at("/api_keys"), &t.key).await;
        let live = keys.results().into_iter().filter(|k| k["user_id"] == json!(u[0]) && k["revoked_at"].is_null()).count();
        assert_eq!(live, 1, "{}", keys.text);
        // Reactivated: the same key works again.
        app.patch(&me, &t.key, json!({"user": {"active": true}})).await.assert_status(200);
        let r = app.get(&me, &key).await;
        r.assert_status(200);
        assert_eq!(only(&r)["active"], json!(true));
        app.get(&me, &revoked).await.assert_error(401, "unauthorized");
    }

    async fn a_key_issued_for_an_inactive_user_works_once_it_is_active(app) {
        let t = app.tenant("acme").await;
        let r = app.post(&t.at("/users"), &t.key, json!({"user": {"username": "bot", "active": false}})).await;
        r.assert_status(201);
        let id = only(&r)["id"].as_str().unwrap().to_string();
        // A key may be issued for an inactive user; it works once the user is active.
        let key = app.user_key(&t, &id).await;
        app.get(&t.at(&format!("/users/{id}")), &key).await.assert_error(401, "unauthorized");
        app.patch(&t.at(&format!("/users/{id}")), &t.key, json!({"user": {"active": true}})).await.assert_status(200);
        app.get(&t.at(&format!("/users/{id}")), &key).await.assert_status(200);
    }

    async fn events_carry_the_fields_and_previous_holds_them(app) {
        let t = app.tenant("acme").await;
        let r = app.post(&t.at("/users"), &t.key, json!({"user": {"username": "geralt", "external_id": "ext-1"}})).await;
        let u = only(&r);
        let id = u["id"].as_str().unwrap().to_string();
        let created = events(&app, &t, "user.created").await;
        assert_eq!(created.len(), 1);
        assert_eq!(created[0]["data"], u);
        app.patch(&t.at(&format!("/users/{id}")), &t.key, json!({"user": {"active": false, "external_id": null}})).await.assert_status(200);
        app.patch(&t.at(&format!("/users/{id}")), &t.key, json!({"user": {"external_id": "ext-2"}})).await.assert_status(200);
        app.patch(&t.at(&format!("/users/{id}")), &t.key, json!({"user": {"name": "G"}})).await.assert_status(200);
        let updated = events(&app, &t, "user.updated").await;
        assert_eq!(updated.len(), 3);
        assert_eq!(updated[0]["previous"], json!({"active": true, "external_id": "ext-1"}));
        assert_eq!((updated[0]["data"]["active"].clone(), updated[0]["data"]["external_id"].clone()), (json!(false), Value::Null));
        assert_eq!(updated[1]["previous"], json!({"external_id": null}));
        assert_eq!(updated[1]["data"]["external_id"], "ext-2");
        assert_eq!(updated[2]["previous"], json!({"name": null}));
        assert_eq!(updated[2]["data"]["active"], json!(false));

        let g = app.post(&t.at("/groups"), &t.key, json!({"group": {"name": "w", "external_id": "grp"}})).await;
        let gid = g.id();
        assert_eq!(events(&app, &t, "group.created").await[0]["data"]["external_id"], "grp");
        app.patch(&t.at(&format!("/groups/{gid}")), &t.key, json!({"group": {"external_id": "grp-2"}})).await.assert_status(200);
        let updated = events(&app, &t, "group.updated").await;
        assert_eq!(updated[0]["previous"], json!({"external_id": "grp"}));
        assert_eq!(updated[0]["data"]["external_id"], "grp-2");
        // A refused write records nothing.
        app.patch(&t.at(&format!("/groups/{gid}")), &t.key, json!({"group": {"external_id": ""}})).await.assert_status(422);
        app.post(&t.at("/users"), &t.key, json!({"user": {"username": "x", "external_id": "ext-2"}})).await.assert_status(422);
        assert_eq!(events(&app, &t, "group.updated").await.len(), 1);
        assert_eq!(events(&app, &t, "user.created").await.len(), 1);
        app.delete(&t.at(&format!("/users/{id}")), &t.key).await.assert_status(204);
        let deleted = events(&app, &t, "user.deleted").await;
        assert_eq!(deleted[0]["data"]["external_id"], "ext-2");
        assert_eq!(deleted[0]["data"]["active"], json!(false));
    }
}
