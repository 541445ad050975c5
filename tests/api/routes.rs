//! API.md §3: the other route shapes of memberships. Syncano's
//! `POST /groups/{id}/users` (`{"user": id}` or `{"users": [...]}`), the group's members
//! and the user's groups as lists, one membership by its pair, and trailing slashes.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::both;
use crate::support::{all_memberships, bulk, e, errs, pairs_of};
use crate::support::{Tenant, TestApp};

fn pair(u: &str, g: &str) -> (String, String) {
    (u.to_string(), g.to_string())
}

/// The ids of a tenant's memberships, in ID order.
async fn all_ids(app: &TestApp, t: &Tenant) -> Vec<Value> {
    all_memberships(app, t)
        .await
        .iter()
        .map(|m| m["id"].clone())
        .collect()
}

both! {
    async fn syncano_add_one_user(app) {
        let t = app.tenant("rivia").await;
        let u = app.users(&t, &["geralt", "ciri"]).await;
        let g = app.groups(&t, &["witchers"]).await;
        let path = t.at(&format!("/groups/{}/users", g[0]));
        // Syncano sends the ID as a number.
        let r = app.post(&path, &t.key, json!({"user": u[0].parse::<i64>().unwrap()})).await;
        r.assert_status(201);
        assert_eq!(r.body["count"], json!(1));
        assert_eq!(r.body["meta"]["created"], json!(1));
        let m = &r.results()[0];
        assert_eq!(r.body["results"], json!([{"key": "memberships", "id": m["id"]}]));
        assert_eq!(m["user_id"], json!(u[0]));
        assert_eq!(m["group_id"], json!(g[0]));
        assert_eq!(m["role"], json!("member"));
        assert_eq!(m["configurable_permissions"], json!({}));
        // The same again: a duplicate, reported without an index.
        let r = app.post(&path, &t.key, json!({"user": u[0]})).await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.error_indexes(), vec![None]);
        // A string ID, with role and permissions beside it, and an include.
        let perms = json!({"can_manage_members": false});
        let r = app
            .post(&format!("{path}?include=user,group"), &t.key, json!({"user": u[1], "role": "admin", "configurable_permissions": perms}))
            .await;
        r.assert_status(201);
        let m = &r.results()[0];
        assert_eq!(m["role"], json!("admin"));
        assert_eq!(m["configurable_permissions"], perms);
        assert_eq!(r.body["users"][&u[1]]["username"], json!("ciri"));
        assert_eq!(r.body["groups"][&g[0]]["name"], json!("witchers"));
        // configurable_permissions: null is kept as null here too.
        let u3 = app.users(&t, &["yen"]).await;
        let r = app.post(&path, &t.key, json!({"user": u3[0], "configurable_permissions": null})).await;
        r.assert_status(201);
        assert_eq!(r.results()[0]["configurable_permissions"], Value::Null);
        let rows = all_memberships(&app, &t).await;
        assert_eq!(pairs_of(&rows), vec![pair(&u[0], &g[0]), pair(&u[1], &g[0]), pair(&u3[0], &g[0])]);
    }

    async fn syncano_add_many_users(app) {
        let t = app.tenant("rivia").await;
        let u = app.users(&t, &["a", "b", "c", "d"]).await;
        let g = app.groups(&t, &["g"]).await;
        let path = t.at(&format!("/groups/{}/users", g[0]));
        let perms = json!({"can_manage_members": true, "can_invite": false});
        let r = app
            .post(&path, &t.key, json!({"users": [u[2], u[0].parse::<i64>().unwrap(), u[1]], "role": "admin", "configurable_permissions": perms}))
            .await;
        r.assert_status(201);
        assert_eq!(r.body["meta"]["created"], json!(3));
        let rows = r.results();
        assert_eq!(pairs_of(&rows), vec![pair(&u[2], &g[0]), pair(&u[0], &g[0]), pair(&u[1], &g[0])]);
        for m in &rows {
            assert_eq!(m["role"], json!("admin"));
            assert_eq!(m["configurable_permissions"], perms);
        }
        // A bulk naming an existing member: duplicate at its index, nothing written.
        let r = app.post(&path, &t.key, json!({"users": [u[3], u[0]]})).await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        // The same user twice in one bulk: the later index.
        let r = app.post(&path, &t.key, json!({"users": [u[3], u[3]]})).await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        assert_eq!(all_memberships(&app, &t).await.len(), 3);
        // on_conflict=ignore works here as on /memberships.
        let r = app.post(&format!("{path}?on_conflict=ignore"), &t.key, json!({"users": [u[3], u[0]]})).await;
        r.assert_status(201);
        assert_eq!(r.body["meta"]["created"], json!(1));
        assert_eq!(r.results()[1], rows[1]);
        assert_eq!(r.results()[0]["role"], json!("member"));
        assert_eq!(all_memberships(&app, &t).await.len(), 4);
    }

    async fn syncano_add_errors(app) {
        let t = app.tenant("rivia").await;
        let other = app.tenant("nilfgaard").await;
        let u = app.users(&t, &["a", "b"]).await;
        let g = app.groups(&t, &["g"]).await;
        let ou = app.users(&other, &["emhyr"]).await;
        let og = app.groups(&other, &["court"]).await;
        let path = t.at(&format!("/groups/{}/users", g[0]));
        // Unknown fields beside the user.
        let r = app.post(&path, &t.key, json!({"user": u[0], "group": g[0]})).await;
        r.assert_error(422, "invalid");
        assert_eq!(errs(&r), vec![e("invalid", "group", None)]);
        let r = app.post(&path, &t.key, json!({"users": [u[0]], "colour": "red"})).await;
        r.assert_error(422, "invalid");
        assert_eq!(errs(&r), vec![e("invalid", "colour", None)]);
        // Bad role or permissions beside the user.
        let r = app.post(&path, &t.key, json!({"user": u[0], "role": "owner"})).await;
        assert_eq!(errs(&r), vec![e("invalid", "role", None)]);
        let r = app.post(&path, &t.key, json!({"user": u[0], "configurable_permissions": {"X": 1}})).await;
        assert_eq!(errs(&r), vec![e("invalid", "configurable_permissions", None)]);
        // Body shape.
        for body in [
            json!({}),
            json!({"user": u[0], "users": [u[1]]}),
            json!({"users": []}),
            json!({"users": u[0]}),
            json!([u[0]]),
            json!({"user": "abc"}),
            json!({"user": null}),
            json!({"user": 0}),
        ] {
            let r = app.post(&path, &t.key, body).await;
            r.assert_error(422, "invalid");
        }
        let many: Vec<Value> = (0..101).map(|_| json!(u[0])).collect();
        app.post(&path, &t.key, json!({"users": many})).await.assert_error(422, "too_many");
        // A bad ID inside a bulk: its index, field users.
        let r = app.post(&path, &t.key, json!({"users": [u[0], "x", u[1]]})).await;
        r.assert_error(422, "invalid");
        assert_eq!(errs(&r), vec![e("invalid", "users", Some(1))]);
        // Users that do not exist here (or belong to another tenant).
        let r = app.post(&path, &t.key, json!({"user": ou[0]})).await;
        r.assert_error(422, "missing_reference");
        assert_eq!(r.error_indexes(), vec![None]);
        // The field names the body's own key: `user` here, `users` in the bulk form.
        assert_eq!(r.body["errors"][0]["field"], json!("user"), "{}", r.text);
        let r = app.post(&path, &t.key, json!({"users": [u[0], "999999", ou[0]]})).await;
        r.assert_error(422, "missing_reference");
        assert_eq!(r.error_indexes(), vec![Some(1), Some(2)]);
        assert!(r.body["errors"].as_array().unwrap().iter().all(|e| e["field"] == json!("users")), "{}", r.text);
        // A group that does not exist here: 404, whatever the body.
        for gid in [og[0].as_str(), "999999", "abc"] {
            let r = app.post(&t.at(&format!("/groups/{gid}/users")), &t.key, json!({"user": u[0]})).await;
            r.assert_error(404, "not_found");
        }
        // Not JSON at all.
        let res = app
            .raw(reqwest::Method::POST, &path)
            .header("X-API-KEY", &t.key)
            .header("Content-Type", "application/json")
            .body("{\"user\": ")
            .send()
            .await
            .unwrap();
        TestApp::read(res).await.assert_error(400, "bad_request");
        app.post(&format!("{path}?on_conflict=maybe"), &t.key, json!({"user": u[0]}))
            .await
            .assert_error(400, "bad_request");
        app.post(&format!("{path}?include=owner"), &t.key, json!({"user": u[0]}))
            .await
            .assert_error(400, "bad_request");
        assert!(all_memberships(&app, &t).await.is_empty());
        assert!(all_memberships(&app, &other).await.is_empty());
    }

    async fn group_users_is_the_group_id_list(app) {
        let t = app.tenant("rivia").await;
        let u = app.users(&t, &["a", "b", "c", "d"]).await;
        let g = app.groups(&t, &["g", "h"]).await;
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"memberships": [
                {"user_id": u[0], "group_id": g[0], "role": "admin"},
                {"user_id": u[1], "group_id": g[1]},
                {"user_id": u[1], "group_id": g[0]},
                {"user_id": u[2], "group_id": g[0]},
                {"user_id": u[3], "group_id": g[0], "role": "admin"},
            ]}))
            .await;
        r.assert_status(201);
        for q in [
            "",
            "include=user,group",
            "include=user&per_page=2",
            "include=group&per_page=2&page=2",
            "role=admin",
            "order=id:desc&fields=role,user_id",
            &format!("user_id={}", u[1]),
            &format!("ids={},{}", r.results()[0]["id"].as_str().unwrap(), r.results()[1]["id"].as_str().unwrap()),
        ] {
            let sep = if q.is_empty() { "" } else { "&" };
            let a = app.get(&t.at(&format!("/groups/{}/users?{q}", g[0])), &t.key).await;
            a.assert_status(200);
            let b = app.get(&t.at(&format!("/memberships?group_id={}{sep}{q}", g[0])), &t.key).await;
            b.assert_status(200);
            assert_eq!(a.body, b.body, "query {q:?}");
            for m in a.results() {
                if let Some(gid) = m.get("group_id") {
                    assert_eq!(gid, &json!(g[0]));
                }
            }
        }
        let a = app.get(&t.at(&format!("/groups/{}/users?include=user,group", g[0])), &t.key).await;
        assert_eq!(a.results().len(), 4);
        assert_eq!(a.body["users"].as_object().unwrap().len(), 4);
        assert_eq!(a.body["groups"].as_object().unwrap().keys().collect::<Vec<_>>(), vec![&g[0]]);
        // The cursor of the one continues the other.
        let a = app.get(&t.at(&format!("/groups/{}/users?per_page=3", g[0])), &t.key).await;
        let cursor = a.body["meta"]["next_cursor"].as_str().expect("a next page").to_string();
        let next = app.get(&t.at(&format!("/groups/{}/users?per_page=3&cursor={cursor}", g[0])), &t.key).await;
        next.assert_status(200);
        assert_eq!(next.results().len(), 1);
        assert_eq!(next.results()[0]["user_id"], json!(u[3]));
        // An unknown include is a 400 here too.
        app.get(&t.at(&format!("/groups/{}/users?include=owner", g[0])), &t.key)
            .await
            .assert_error(400, "bad_request");
        app.get(&t.at(&format!("/groups/{}/users?user_id=abc", g[0])), &t.key)
            .await
            .assert_error(400, "bad_request");
        // An empty group lists nothing; a missing group is a 404.
        let g3 = app.groups(&t, &["empty"]).await;
        let r = app.get(&t.at(&format!("/groups/{}/users", g3[0])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.body["count"], json!(0));
        assert!(r.results().is_empty());
        app.get(&t.at("/groups/999999/users"), &t.key).await.assert_error(404, "not_found");
    }

    async fn user_groups_is_the_user_id_list(app) {
        let t = app.tenant("rivia").await;
        let other = app.tenant("nilfgaard").await;
        let u = app.users(&t, &["a", "b"]).await;
        let g = app.groups(&t, &["g", "h", "i"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": u[0], "group_id": g[2], "role": "admin"},
            {"user_id": u[0], "group_id": g[0]},
            {"user_id": u[1], "group_id": g[0]},
            {"user_id": u[0], "group_id": g[1]},
        ]}))
        .await
        .assert_status(201);
        for q in [
            "",
            "include=group",
            "include=user,group&per_page=1&page=3",
            "role=member",
            &format!("group_id={}", g[1]),
            "order=created_at:desc",
            "fields=group_id",
        ] {
            let sep = if q.is_empty() { "" } else { "&" };
            let a = app.get(&t.at(&format!("/users/{}/groups?{q}", u[0])), &t.key).await;
            a.assert_status(200);
            let b = app.get(&t.at(&format!("/memberships?user_id={}{sep}{q}", u[0])), &t.key).await;
            b.assert_status(200);
            assert_eq!(a.body, b.body, "query {q:?}");
        }
        let r = app.get(&t.at(&format!("/users/{}/groups?include=group", u[0])), &t.key).await;
        let gs: BTreeSet<String> = pairs_of(&r.results()).into_iter().map(|p| p.1).collect();
        assert_eq!(gs, g.iter().cloned().collect());
        assert_eq!(r.body["groups"].as_object().unwrap().len(), 3);
        app.get(&t.at("/users/999999/groups"), &t.key).await.assert_error(404, "not_found");
        app.get(&t.at("/users/abc/groups"), &t.key).await.assert_error(404, "not_found");
        app.get(&t.at(&format!("/users/{}/groups?include=users", u[0])), &t.key)
            .await
            .assert_error(400, "bad_request");
        // Another tenant's user is not found, neither under its own key nor under ours.
        app.get(&other.at(&format!("/users/{}/groups", u[0])), &other.key).await.assert_error(404, "not_found");
        app.get(&t.at(&format!("/users/{}/groups", u[0])), &other.key).await.assert_error(404, "not_found");
    }

    async fn one_membership_by_pair(app) {
        let t = app.tenant("rivia").await;
        let other = app.tenant("nilfgaard").await;
        let u = app.users(&t, &["a", "b"]).await;
        let g = app.groups(&t, &["g", "h"]).await;
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[0]), (&u[1], &g[0])])).await;
        r.assert_status(201);
        let made = r.results();
        let at = |g: &str, u: &str| t.at(&format!("/groups/{g}/users/{u}"));
        let r = app.get(&at(&g[0], &u[0]), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results(), vec![made[0].clone()]);
        let r = app.get(&format!("{}?include=user,group&fields=role", at(&g[0], &u[1])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results()[0], json!({"id": made[1]["id"], "role": "member"}));
        assert_eq!(r.body["users"][&u[1]]["username"], json!("b"));
        assert_eq!(r.body["groups"][&g[0]]["name"], json!("g"));
        // Not a member, no such user or group, another tenant: 404.
        app.get(&at(&g[1], &u[0]), &t.key).await.assert_error(404, "not_found");
        app.get(&at(&g[0], "999999"), &t.key).await.assert_error(404, "not_found");
        app.get(&at("999999", &u[0]), &t.key).await.assert_error(404, "not_found");
        app.get(&at(&g[0], &u[0]), &other.key).await.assert_error(404, "not_found");
        app.get(&other.at(&format!("/groups/{}/users/{}", g[0], u[0])), &other.key)
            .await
            .assert_error(404, "not_found");
        app.delete(&at(&g[1], &u[0]), &t.key).await.assert_error(404, "not_found");
        app.delete(&other.at(&format!("/groups/{}/users/{}", g[0], u[0])), &other.key)
            .await
            .assert_error(404, "not_found");
        assert_eq!(all_memberships(&app, &t).await.len(), 2);
        // Removing the user from the group.
        let r = app.delete(&at(&g[0], &u[0]), &t.key).await;
        r.assert_status(204);
        assert!(r.text.is_empty());
        app.get(&at(&g[0], &u[0]), &t.key).await.assert_error(404, "not_found");
        app.delete(&at(&g[0], &u[0]), &t.key).await.assert_error(404, "not_found");
        let id = made[0]["id"].as_str().unwrap();
        app.get(&t.at(&format!("/memberships/{id}")), &t.key).await.assert_error(404, "not_found");
        assert_eq!(all_ids(&app, &t).await, vec![made[1]["id"].clone()]);
        // PUT or PATCH on the pair is not a route: 405.
        let r = app.patch(&at(&g[0], &u[1]), &t.key, json!({"membership": {"role": "admin"}})).await;
        r.assert_error(405, "method_not_allowed");
    }

    async fn trailing_slashes_are_accepted(app) {
        let t = app.tenant("rivia").await;
        let u = app.users(&t, &["a", "b"]).await;
        let g = app.groups(&t, &["g"]).await;
        let get = reqwest::Method::GET;
        // Syncano clients send POST /groups/1/users/.
        let r = app.request(reqwest::Method::POST, &t.at(&format!("/groups/{}/users/", g[0])), Some(&t.key), Some(json!({"user": u[0]}))).await;
        r.assert_status(201);
        let id = r.id();
        let r = app.request(reqwest::Method::POST, &t.at("/memberships/?include=user"), Some(&t.key), Some(bulk(&[(&u[1], &g[0])]))).await;
        r.assert_status(201);
        assert_eq!(r.body["users"][&u[1]]["username"], json!("b"));
        let r = app.request(get.clone(), &t.at(&format!("/groups/{}/users/", g[0])), Some(&t.key), None).await;
        r.assert_status(200);
        assert_eq!(r.body["count"], json!(2));
        let r = app.request(get.clone(), &t.at(&format!("/groups/{}/users/{}/", g[0], u[0])), Some(&t.key), None).await;
        r.assert_status(200);
        assert_eq!(r.id(), id);
        let r = app.request(get.clone(), &t.at(&format!("/users/{}/groups/", u[0])), Some(&t.key), None).await;
        r.assert_status(200);
        assert_eq!(r.body["count"], json!(1));
        let r = app.request(get.clone(), &t.at(&format!("/memberships/{id}/")), Some(&t.key), None).await;
        r.assert_status(200);
        let r = app.request(get.clone(), &t.at("/memberships/?role=member"), Some(&t.key), None).await;
        r.assert_status(200);
        assert_eq!(r.body["count"], json!(2));
        let r = app.request(reqwest::Method::PATCH, &t.at(&format!("/memberships/{id}/")), Some(&t.key), Some(json!({"membership": {"role": "admin"}}))).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["role"], json!("admin"));
        let r = app.request(reqwest::Method::DELETE, &t.at(&format!("/groups/{}/users/{}/", g[0], u[1])), Some(&t.key), None).await;
        r.assert_status(204);
        let r = app.request(reqwest::Method::DELETE, &t.at(&format!("/memberships/{id}/")), Some(&t.key), None).await;
        r.assert_status(204);
        assert!(all_memberships(&app, &t).await.is_empty());
    }
}
