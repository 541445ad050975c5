//! API.md §6 (user keys) and §1 (isolation): the authorization matrix, every caller
//! against every route, and tenant isolation by path, body, filter and include.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both;
use crate::support::{Tenant, TestApp};

/// The kinds of caller, in the order of the matrix's columns.
const CALLERS: [&str; 9] = [
    "account", "admin", "foreign", "manager", "limited", "member", "outsider", "revoked", "none",
];

/// Everything the matrix needs: instance `acme` with group G (manager is its admin,
/// limited is an admin with `can_manage_members: false`, member and target are
/// members), outsider in no group, and a second instance `other`.
struct World {
    t: Tenant,
    keys: Vec<Option<String>>,
    g: String,
    target: String,
    target_membership: String,
    counter: std::cell::Cell<u32>,
}

impl World {
    async fn new(app: &TestApp) -> World {
        let t = app.tenant("acme").await;
        let other = app.tenant("other").await;
        let u = app
            .users(&t, &["manager", "limited", "member", "outsider", "target"])
            .await;
        let g = app.groups(&t, &["g"]).await.remove(0);
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"memberships": [
                {"user_id": u[0], "group_id": g, "role": "admin"},
                {"user_id": u[1], "group_id": g, "role": "admin", "configurable_permissions": {"can_manage_members": false}},
                {"user_id": u[2], "group_id": g},
                {"user_id": u[4], "group_id": g},
            ]}))
            .await;
        r.assert_status(201);
        let target_membership = r.results()[3]["id"].as_str().unwrap().to_string();
        let revoked = app.user_key(&t, &u[2]).await;
        let listed = app.get(&t.at("/api_keys"), &t.key).await;
        let revoked_id = listed.results().last().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.delete(&t.at(&format!("/api_keys/{revoked_id}")), &t.key)
            .await
            .assert_status(204);
        let keys = vec![
            Some(app.account_key.clone()),
            Some(t.key.clone()),
            Some(other.key.clone()),
            Some(app.user_key(&t, &u[0]).await),
            Some(app.user_key(&t, &u[1]).await),
            Some(app.user_key(&t, &u[2]).await),
            Some(app.user_key(&t, &u[3]).await),
            Some(revoked),
            None,
        ];
        World {
            t,
            keys,
            g,
            target: u[4].clone(),
            target_membership,
            counter: std::cell::Cell::new(0),
        }
    }

    fn fresh(&self, prefix: &str) -> String {
        self.counter.set(self.counter.get() + 1);
        format!("{prefix}{}", self.counter.get())
    }

    /// A new user who is a member of G; returns (user id, membership id).
    async fn new_member(&self, app: &TestApp) -> (String, String) {
        let user = app.users(&self.t, &[&self.fresh("u")]).await.remove(0);
        let r = app
            .post(
                &self.t.at("/memberships"),
                &self.t.key,
                json!({"membership": {"user_id": user, "group_id": self.g}}),
            )
            .await;
        r.assert_status(201);
        (user, r.id())
    }

    /// The path and body of one cell; fresh objects for anything the request changes.
    async fn prepare(
        &self,
        app: &TestApp,
        method: &str,
        route: &str,
        caller: usize,
    ) -> (String, Option<Value>) {
        let t = &self.t;
        let a = |p: &str| t.at(p);
        match (method, route) {
            ("GET", "/healthz") | ("GET", "/readyz") | ("GET", "/instances") => {
                (route.to_string(), None)
            }
            ("POST", "/instances") => (
                "/instances".into(),
                Some(json!({"instance": {"name": self.fresh("inst")}})),
            ),
            ("GET", "/instances/{instance}") => (a(""), None),
            ("PATCH", "/instances/{instance}") => {
                (a(""), Some(json!({"instance": {"description": "changed"}})))
            }
            ("DELETE", "/instances/{instance}") => {
                if caller == 0 {
                    let name = self.fresh("gone");
                    app.post(
                        "/instances",
                        &app.account_key,
                        json!({"instance": {"name": name}}),
                    )
                    .await
                    .assert_status(201);
                    (format!("/instances/{name}"), None)
                } else {
                    (a(""), None)
                }
            }
            ("POST", "/instances/{instance}/api_keys") => {
                (a("/api_keys"), Some(json!({"api_key": {"role": "admin"}})))
            }
            ("GET", "/instances/{instance}/api_keys") => (a("/api_keys"), None),
            ("DELETE", "/instances/{instance}/api_keys/{id}") => {
                let r = app
                    .post(
                        &a("/api_keys"),
                        &t.key,
                        json!({"api_key": {"role": "admin"}}),
                    )
                    .await;
                (a(&format!("/api_keys/{}", r.id())), None)
            }
            ("POST", "/instances/{instance}/users") => (
                a("/users"),
                Some(json!({"user": {"username": self.fresh("new")}})),
            ),
            ("GET", "/instances/{instance}/users") => (a("/users"), None),
            ("GET", "/instances/{instance}/users/{id}") => {
                (a(&format!("/users/{}", self.target)), None)
            }
            ("PATCH", "/instances/{instance}/users/{id}") => {
                let (u, _) = self.new_member(app).await;
                (
                    a(&format!("/users/{u}")),
                    Some(json!({"user": {"name": "Changed"}})),
                )
            }
            ("DELETE", "/instances/{instance}/users/{id}") => {
                let (u, _) = self.new_member(app).await;
                (a(&format!("/users/{u}")), None)
            }
            ("GET", "/instances/{instance}/users/{user_id}/groups") => {
                (a(&format!("/users/{}/groups", self.target)), None)
            }
            ("POST", "/instances/{instance}/groups") => (
                a("/groups"),
                Some(json!({"group": {"name": self.fresh("grp")}})),
            ),
            ("GET", "/instances/{instance}/groups") => (a("/groups"), None),
            ("GET", "/instances/{instance}/groups/{id}") => {
                (a(&format!("/groups/{}", self.g)), None)
            }
            ("PATCH", "/instances/{instance}/groups/{id}") => (
                a(&format!("/groups/{}", self.g)),
                Some(json!({"group": {"description": "x"}})),
            ),
            ("DELETE", "/instances/{instance}/groups/{id}") => {
                // A fresh group with the same members as G (the outsider is not in it).
                let f = app.groups(t, &[&self.fresh("f")]).await.remove(0);
                let members: Vec<Value> = app.get(&a(&format!("/groups/{}/users?per_page=200", self.g)), &t.key).await.results()
                    .iter().map(|m| json!({"user_id": m["user_id"], "group_id": f, "role": m["role"], "configurable_permissions": m["configurable_permissions"]})).collect();
                app.post(
                    &a("/memberships"),
                    &t.key,
                    json!({ "memberships": members }),
                )
                .await
                .assert_status(201);
                (a(&format!("/groups/{f}")), None)
            }
            ("POST", "/instances/{instance}/groups/{group_id}/users") => {
                let u = app.users(t, &[&self.fresh("s")]).await.remove(0);
                (
                    a(&format!("/groups/{}/users", self.g)),
                    Some(json!({ "user": u })),
                )
            }
            ("GET", "/instances/{instance}/groups/{group_id}/users") => {
                (a(&format!("/groups/{}/users", self.g)), None)
            }
            ("GET", "/instances/{instance}/groups/{group_id}/users/{user_id}") => (
                a(&format!("/groups/{}/users/{}", self.g, self.target)),
                None,
            ),
            ("DELETE", "/instances/{instance}/groups/{group_id}/users/{user_id}") => {
                let (u, _) = self.new_member(app).await;
                (a(&format!("/groups/{}/users/{u}", self.g)), None)
            }
            ("POST", "/instances/{instance}/memberships") => {
                let u = app.users(t, &[&self.fresh("m")]).await.remove(0);
                (
                    a("/memberships"),
                    Some(json!({"membership": {"user_id": u, "group_id": self.g}})),
                )
            }
            ("GET", "/instances/{instance}/memberships") => (a("/memberships"), None),
            ("GET", "/instances/{instance}/memberships/{id}") => {
                (a(&format!("/memberships/{}", self.target_membership)), None)
            }
            ("PATCH", "/instances/{instance}/memberships/{id}") => {
                let (_, m) = self.new_member(app).await;
                (
                    a(&format!("/memberships/{m}")),
                    Some(json!({"membership": {"role": "admin"}})),
                )
            }
            ("DELETE", "/instances/{instance}/memberships/{id}") => {
                let (_, m) = self.new_member(app).await;
                (a(&format!("/memberships/{m}")), None)
            }
            ("POST", "/instances/{instance}/barriers") => {
                let gs = app.groups(t, &[&self.fresh("ba"), &self.fresh("bb")]).await;
                (a("/barriers"), Some(json!({"barrier": {"group_ids": gs}})))
            }
            ("GET", "/instances/{instance}/barriers") => (a("/barriers"), None),
            ("GET", "/instances/{instance}/barriers/{id}")
            | ("DELETE", "/instances/{instance}/barriers/{id}") => {
                let gs = app.groups(t, &[&self.fresh("ba"), &self.fresh("bb")]).await;
                let r = app
                    .post(
                        &a("/barriers"),
                        &t.key,
                        json!({"barrier": {"group_ids": gs}}),
                    )
                    .await;
                r.assert_status(201);
                (a(&format!("/barriers/{}", r.id())), None)
            }
            ("GET", "/instances/{instance}/events") => (a("/events?limit=5"), None),
            ("GET", "/instances/{instance}/events/stream") => (a("/events/stream"), None),
            // A documentation address (TEST-NET-1), disabled: never sent anything.
            ("POST", "/instances/{instance}/webhooks") => (
                a("/webhooks"),
                Some(json!({"webhook": {"url": "http://192.0.2.10/x", "enabled": false}})),
            ),
            ("GET", "/instances/{instance}/webhooks") => (a("/webhooks"), None),
            (method, "/instances/{instance}/webhooks/{id}")
            | (method, "/instances/{instance}/webhooks/{id}/deliveries") => {
                let r = app
                    .post(
                        &a("/webhooks"),
                        &t.key,
                        json!({"webhook": {"url": "http://192.0.2.10/x", "enabled": false}}),
                    )
                    .await;
                r.assert_status(201);
                let path = route.replace("{instance}/", "").replace("/instances", "");
                let body = (method == "PATCH").then(|| json!({"webhook": {"description": "x"}}));
                (a(&path.replace("{id}", &r.id())), body)
            }
            other => panic!("no fixture for {other:?}: add the route to the matrix"),
        }
    }
}

/// The expected status of every route for each caller, in the order of `CALLERS`.
const MATRIX: &[(&str, &str, [u16; 9])] = &[
    //                                                                       acct adm  forn mgr  lim  mem  out  rev  none
    (
        "GET",
        "/healthz",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/readyz",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "POST",
        "/instances",
        [201, 403, 403, 403, 403, 403, 403, 401, 401],
    ),
    (
        "GET",
        "/instances",
        [200, 200, 200, 200, 200, 200, 200, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "PATCH",
        "/instances/{instance}",
        [200, 403, 404, 403, 403, 403, 403, 401, 401],
    ),
    (
        "DELETE",
        "/instances/{instance}",
        [204, 403, 404, 403, 403, 403, 403, 401, 401],
    ),
    (
        "POST",
        "/instances/{instance}/api_keys",
        [201, 201, 404, 403, 403, 403, 403, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/api_keys",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "DELETE",
        "/instances/{instance}/api_keys/{id}",
        [204, 204, 404, 404, 404, 404, 404, 401, 401],
    ),
    (
        "POST",
        "/instances/{instance}/users",
        [201, 201, 404, 403, 403, 403, 403, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/users",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/users/{id}",
        [200, 200, 404, 200, 200, 200, 404, 401, 401],
    ),
    (
        "PATCH",
        "/instances/{instance}/users/{id}",
        [200, 200, 404, 403, 403, 403, 404, 401, 401],
    ),
    (
        "DELETE",
        "/instances/{instance}/users/{id}",
        [204, 204, 404, 403, 403, 403, 404, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/users/{user_id}/groups",
        [200, 200, 404, 200, 200, 200, 404, 401, 401],
    ),
    (
        "POST",
        "/instances/{instance}/groups",
        [201, 201, 404, 403, 403, 403, 403, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/groups",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/groups/{id}",
        [200, 200, 404, 200, 200, 200, 404, 401, 401],
    ),
    (
        "PATCH",
        "/instances/{instance}/groups/{id}",
        [200, 200, 404, 403, 403, 403, 404, 401, 401],
    ),
    (
        "DELETE",
        "/instances/{instance}/groups/{id}",
        [204, 204, 404, 403, 403, 403, 404, 401, 401],
    ),
    (
        "POST",
        "/instances/{instance}/groups/{group_id}/users",
        [201, 201, 404, 201, 403, 403, 404, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/groups/{group_id}/users",
        [200, 200, 404, 200, 200, 200, 404, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/groups/{group_id}/users/{user_id}",
        [200, 200, 404, 200, 200, 200, 404, 401, 401],
    ),
    (
        "DELETE",
        "/instances/{instance}/groups/{group_id}/users/{user_id}",
        [204, 204, 404, 204, 403, 403, 404, 401, 401],
    ),
    (
        "POST",
        "/instances/{instance}/memberships",
        [201, 201, 404, 201, 403, 403, 403, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/memberships",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/memberships/{id}",
        [200, 200, 404, 200, 200, 200, 404, 401, 401],
    ),
    (
        "PATCH",
        "/instances/{instance}/memberships/{id}",
        [200, 200, 404, 200, 403, 403, 404, 401, 401],
    ),
    (
        "DELETE",
        "/instances/{instance}/memberships/{id}",
        [204, 204, 404, 204, 403, 403, 404, 401, 401],
    ),
    (
        "POST",
        "/instances/{instance}/barriers",
        [201, 201, 404, 403, 403, 403, 403, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/barriers",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/barriers/{id}",
        [200, 200, 404, 404, 404, 404, 404, 401, 401],
    ),
    (
        "DELETE",
        "/instances/{instance}/barriers/{id}",
        [204, 204, 404, 404, 404, 404, 404, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/events",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/events/stream",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "POST",
        "/instances/{instance}/webhooks",
        [201, 201, 404, 403, 403, 403, 403, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/webhooks",
        [200, 200, 404, 200, 200, 200, 200, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/webhooks/{id}",
        [200, 200, 404, 404, 404, 404, 404, 401, 401],
    ),
    (
        "PATCH",
        "/instances/{instance}/webhooks/{id}",
        [200, 200, 404, 404, 404, 404, 404, 401, 401],
    ),
    (
        "DELETE",
        "/instances/{instance}/webhooks/{id}",
        [204, 204, 404, 404, 404, 404, 404, 401, 401],
    ),
    (
        "GET",
        "/instances/{instance}/webhooks/{id}/deliveries",
        [200, 200, 404, 404, 404, 404, 404, 401, 401],
    ),
];

fn expected_error_type(status: u16) -> Option<&'static str> {
    match status {
        401 => Some("unauthorized"),
        403 => Some("forbidden"),
        404 => Some("not_found"),
        _ => None,
    }
}

#[test]
fn every_route_has_a_row_in_the_matrix() {
    let mut missing = Vec::new();
    for (path, methods) in roster::api::ROUTES {
        for m in *methods {
            if !MATRIX.iter().any(|(mm, pp, _)| mm == m && pp == path) {
                missing.push(format!("{m} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix: {missing:?}"
    );
    for (m, p, _) in MATRIX {
        let served = roster::api::ROUTES
            .iter()
            .any(|(path, methods)| path == p && methods.contains(m));
        assert!(
            served,
            "the matrix names {m} {p}, which the server does not serve"
        );
    }
}

both! {
    async fn authorization_matrix(app) {
        let world = World::new(&app).await;
        let mut failures = Vec::new();
        for (method, route, expected) in MATRIX {
            for (c, caller) in CALLERS.iter().enumerate() {
                let (path, body) = world.prepare(&app, method, route, c).await;
                let m = Method::from_bytes(method.as_bytes()).unwrap();
                let r = if route.ends_with("/events/stream") {
                    // A stream does not end: its status, and the body of a refusal.
                    let mut req = app.raw(m, &path);
                    if let Some(k) = world.keys[c].as_deref() {
                        req = req.header("X-API-KEY", k);
                    }
                    let res = req.send().await.expect("send");
                    if res.status() == 200 {
                        crate::support::Resp {
                            status: res.status(),
                            headers: res.headers().clone(),
                            body: Value::Null,
                            text: String::new(),
                        }
                    } else {
                        TestApp::read(res).await
                    }
                } else {
                    app.request(m, &path, world.keys[c].as_deref(), body).await
                };
                let want = expected[c];
                if r.status.as_u16() != want {
                    failures.push(format!("{method} {route} as {caller}: expected {want}, got {} {}", r.status, r.text));
                } else if let Some(kind) = expected_error_type(want) {
                    if r.error_types() != vec![kind.to_string()] {
                        failures.push(format!("{method} {route} as {caller}: expected error type {kind}, got {}", r.text));
                    }
                }
            }
        }
        eprintln!("authorization matrix: {} routes x {} callers = {} cells", MATRIX.len(), CALLERS.len(), MATRIX.len() * CALLERS.len());
        assert!(failures.is_empty(), "{} cells differ:\n{}", failures.len(), failures.join("\n"));
    }

    async fn user_keys_see_only_their_world(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["me", "mate", "stranger"]).await;
        let g = app.groups(&t, &["mine", "theirs"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": u[0], "group_id": g[0]},
            {"user_id": u[1], "group_id": g[0]},
            {"user_id": u[1], "group_id": g[1]},
            {"user_id": u[2], "group_id": g[1]},
        ]})).await.assert_status(201);
        let key = app.user_key(&t, &u[0]).await;
        let ids = |r: &crate::support::Resp| -> Vec<String> { r.results().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect() };
        // Users: itself and members of its groups; meta.count counts only those.
        let r = app.get(&t.at("/users"), &key).await;
        assert_eq!(ids(&r), vec![u[0].clone(), u[1].clone()]);
        assert_eq!(r.body["meta"]["count"], json!(2));
        // Groups: only its own.
        let r = app.get(&t.at("/groups"), &key).await;
        assert_eq!(ids(&r), vec![g[0].clone()]);
        // Memberships: those of its groups only (not mate's membership of "theirs").
        let r = app.get(&t.at("/memberships?include=user,group"), &key).await;
        assert_eq!(r.body["meta"]["count"], json!(2));
        assert!(r.results().iter().all(|m| m["group_id"] == json!(g[0])));
        assert!(r.body["groups"].get(&g[1]).is_none());
        // Includes never leak: mate's memberships include shows only the visible one.
        let r = app.get(&t.at(&format!("/users/{}?include=memberships.group", u[1])), &key).await;
        r.assert_status(200);
        assert_eq!(r.body["users"][&u[1]]["membership_ids"].as_array().unwrap().len(), 1);
        assert!(r.body["groups"].get(&g[1]).is_none());
        // Filters cannot reach past the view either.
        let r = app.get(&t.at(&format!("/memberships?group_id={}", g[1])), &key).await;
        assert_eq!(r.body["meta"]["count"], json!(0));
        app.get(&t.at(&format!("/users/{}", u[2])), &key).await.assert_error(404, "not_found");
        app.get(&t.at(&format!("/groups/{}/users", g[1])), &key).await.assert_error(404, "not_found");
        // Leaving a group: a member may delete its own membership.
        let mine = app.get(&t.at(&format!("/groups/{}/users/{}", g[0], u[0])), &key).await;
        let mine_id = mine.id();
        app.delete(&t.at(&format!("/memberships/{mine_id}")), &key).await.assert_status(204);
        // ...and then sees no group at all.
        let r = app.get(&t.at("/groups"), &key).await;
        assert_eq!(r.body["meta"]["count"], json!(0));
    }

    async fn user_keys_see_no_barriers_and_no_keys(app) {
        // §6 grants a user key no barrier and no API key: lists show none of them, one
        // of them is 404 as if it did not exist, and a revoke changes nothing.
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["me"]).await;
        let g = app.groups(&t, &["a", "b"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"membership": {"user_id": u[0], "group_id": g[0], "role": "admin"}}))
            .await
            .assert_status(201);
        let b = app.post(&t.at("/barriers"), &t.key, json!({"barrier": {"group_ids": [g[0], g[1]]}})).await;
        b.assert_status(201);
        let key = app.user_key(&t, &u[0]).await;
        let r = app.get(&t.at("/barriers"), &key).await;
        r.assert_status(200);
        assert_eq!(r.body["count"], json!(0), "{}", r.text);
        assert!(r.results().is_empty());
        let r = app.get(&t.at(&format!("/barriers?group_id={}", g[0])), &key).await;
        assert_eq!(r.body["count"], json!(0), "{}", r.text);
        app.get(&t.at(&format!("/barriers/{}", b.id())), &key).await.assert_error(404, "not_found");
        app.delete(&t.at(&format!("/barriers/{}", b.id())), &key).await.assert_error(404, "not_found");
        app.get(&t.at(&format!("/barriers/{}", b.id())), &t.key).await.assert_status(200);
        let r = app.get(&t.at("/api_keys"), &key).await;
        r.assert_status(200);
        assert_eq!(r.body["count"], json!(0), "{}", r.text);
        let all = app.get(&t.at("/api_keys"), &t.key).await;
        assert_eq!(all.body["count"], json!(2));
        for k in all.results() {
            let id = k["id"].as_str().unwrap();
            app.delete(&t.at(&format!("/api_keys/{id}")), &key).await.assert_error(404, "not_found");
        }
        let after = app.get(&t.at("/api_keys"), &t.key).await;
        assert!(after.results().iter().all(|k| k["revoked_at"].is_null()), "{}", after.text);
        app.post(&t.at("/barriers"), &key, json!({"barrier": {"group_ids": [g[0], g[1]]}})).await.assert_error(403, "forbidden");
        app.post(&t.at("/api_keys"), &key, json!({"api_key": {"role": "admin"}})).await.assert_error(403, "forbidden");
    }

    async fn a_group_admin_manages_only_its_groups_in_bulk(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["boss", "a", "b"]).await;
        let g = app.groups(&t, &["run", "other"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": u[0], "group_id": g[0], "role": "admin"},
            {"user_id": u[0], "group_id": g[1]},
        ]})).await.assert_status(201);
        let key = app.user_key(&t, &u[0]).await;
        let r = app.post(&t.at("/memberships"), &key, json!({"memberships": [
            {"user_id": u[1], "group_id": g[0]},
            {"user_id": u[2], "group_id": g[1]},
        ]})).await;
        r.assert_error(403, "forbidden");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        assert_eq!(app.get(&t.at("/memberships"), &t.key).await.body["meta"]["count"], json!(2));
        let r = app.post(&t.at("/memberships"), &key, json!({"memberships": [
            {"user_id": u[1], "group_id": g[0]},
            {"user_id": u[2], "group_id": g[0], "role": "admin"},
        ]})).await;
        r.assert_status(201);
        // Taking away can_manage_members takes effect at once.
        let boss = app.get(&t.at(&format!("/groups/{}/users/{}", g[0], u[0])), &t.key).await.id();
        app.patch(&t.at(&format!("/memberships/{boss}")), &t.key, json!({"membership": {"configurable_permissions": {"can_manage_members": false}}})).await.assert_status(200);
        let m = app.get(&t.at(&format!("/groups/{}/users/{}", g[0], u[1])), &t.key).await.id();
        app.delete(&t.at(&format!("/memberships/{m}")), &key).await.assert_error(403, "forbidden");
        // null disables every permission too.
        app.patch(&t.at(&format!("/memberships/{boss}")), &t.key, json!({"membership": {"configurable_permissions": null}})).await.assert_status(200);
        app.delete(&t.at(&format!("/memberships/{m}")), &key).await.assert_error(403, "forbidden");
        app.patch(&t.at(&format!("/memberships/{boss}")), &t.key, json!({"membership": {"configurable_permissions": {}}})).await.assert_status(200);
        app.delete(&t.at(&format!("/memberships/{m}")), &key).await.assert_status(204);
    }

    async fn revocation_and_user_deletion_take_effect_at_once(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b"]).await;
        let key = app.user_key(&t, &u[0]).await;
        app.get(&t.at("/users"), &key).await.assert_status(200);
        let keys = app.get(&t.at("/api_keys"), &t.key).await;
        let id = keys.results().iter().find(|k| k["user_id"] == json!(u[0])).unwrap()["id"].as_str().unwrap().to_string();
        app.delete(&t.at(&format!("/api_keys/{id}")), &t.key).await.assert_status(204);
        app.get(&t.at("/users"), &key).await.assert_error(401, "unauthorized");
        let key_b = app.user_key(&t, &u[1]).await;
        app.get(&t.at("/users"), &key_b).await.assert_status(200);
        app.delete(&t.at(&format!("/users/{}", u[1])), &t.key).await.assert_status(204);
        app.get(&t.at("/users"), &key_b).await.assert_error(401, "unauthorized");
    }

    async fn tenants_are_isolated_on_every_route(app) {
        let a = app.tenant("alpha").await;
        let b = app.tenant("beta").await;
        // Overlapping usernames and group names; B's IDs are in use while A asks.
        let ua = app.users(&a, &["geralt", "ciri"]).await;
        let ga = app.groups(&a, &["witchers", "other"]).await;
        let ub = app.users(&b, &["geralt", "ciri"]).await;
        let gb = app.groups(&b, &["witchers", "other"]).await;
        let mb = app.post(&b.at("/memberships"), &b.key, json!({"memberships": [{"user_id": ub[0], "group_id": gb[0]}]})).await;
        let mb_id = mb.id();
        let bb = app.post(&b.at("/barriers"), &b.key, json!({"barrier": {"group_ids": [gb[0], gb[1]]}})).await;
        let bb_id = bb.id();
        let b_keys = app.get(&b.at("/api_keys"), &b.key).await;
        let b_key_id = b_keys.id();
        // By path: B's instance name with A's key, and B's IDs under A's instance.
        for path in [
            b.at(""), b.at("/users"), b.at(&format!("/users/{}", ub[0])), b.at("/groups"), b.at("/memberships"), b.at("/barriers"), b.at("/api_keys"),
            a.at(&format!("/users/{}", ub[0])), a.at(&format!("/groups/{}", gb[0])), a.at(&format!("/memberships/{mb_id}")),
            a.at(&format!("/barriers/{bb_id}")), a.at(&format!("/groups/{}/users", gb[0])), a.at(&format!("/users/{}/groups", ub[0])),
            a.at(&format!("/groups/{}/users/{}", gb[0], ub[0])),
        ] {
            let r = app.get(&path, &a.key).await;
            r.assert_error(404, "not_found");
        }
        for path in [
            a.at(&format!("/users/{}", ub[1])), a.at(&format!("/groups/{}", gb[1])), a.at(&format!("/memberships/{mb_id}")),
            a.at(&format!("/barriers/{bb_id}")), a.at(&format!("/api_keys/{b_key_id}")), a.at(&format!("/groups/{}/users/{}", gb[0], ub[0])),
        ] {
            app.delete(&path, &a.key).await.assert_error(404, "not_found");
        }
        app.patch(&a.at(&format!("/users/{}", ub[0])), &a.key, json!({"user": {"name": "x"}})).await.assert_error(404, "not_found");
        app.patch(&a.at(&format!("/groups/{}", gb[0])), &a.key, json!({"group": {"name": "x"}})).await.assert_error(404, "not_found");
        app.patch(&a.at(&format!("/memberships/{mb_id}")), &a.key, json!({"membership": {"role": "admin"}})).await.assert_error(404, "not_found");
        app.post(&a.at(&format!("/groups/{}/users", gb[1])), &a.key, json!({"user": ua[0]})).await.assert_error(404, "not_found");
        // By ID in a body: missing_reference.
        let r = app.post(&a.at("/memberships"), &a.key, json!({"memberships": [
            {"user_id": ub[1], "group_id": ga[0]}, {"user_id": ua[0], "group_id": gb[1]}
        ]})).await;
        r.assert_error(422, "missing_reference");
        assert_eq!(r.error_indexes(), vec![Some(0), Some(1)]);
        app.post(&a.at("/barriers"), &a.key, json!({"barrier": {"group_ids": [ga[0], gb[1]]}})).await.assert_error(422, "missing_reference");
        app.post(&a.at("/api_keys"), &a.key, json!({"api_key": {"role": "user", "user_id": ub[1]}})).await.assert_error(422, "missing_reference");
        // By filter: B's IDs are simply not there.
        for path in [
            a.at(&format!("/users?ids={},{}", ub[0], ub[1])), a.at(&format!("/groups?ids={}", gb[0])),
            a.at(&format!("/memberships?ids={mb_id}")), a.at(&format!("/memberships?user_id={}", ub[0])),
            a.at(&format!("/memberships?group_id={}", gb[0])), a.at(&format!("/barriers?ids={bb_id}")),
        ] {
            let r = app.get(&path, &a.key).await;
            r.assert_status(200);
            assert_eq!(r.body["meta"]["count"], json!(0), "{path}: {}", r.text);
        }
        // Same names in A are A's own.
        let r = app.get(&a.at("/users?username=geralt"), &a.key).await;
        assert_eq!(r.results()[0]["id"], json!(ua[0]));
        // By include: A's rows sideload only A's rows.
        app.post(&a.at("/memberships"), &a.key, json!({"membership": {"user_id": ua[0], "group_id": ga[0]}})).await.assert_status(201);
        for path in [a.at("/memberships?include=user,group"), a.at("/users?include=memberships.group"), a.at("/groups?include=memberships.user")] {
            let r = app.get(&path, &a.key).await;
            r.assert_status(200);
            for map in ["users", "groups", "memberships"] {
                if let Some(objs) = r.body[map].as_object() {
                    for id in objs.keys() {
                        assert!(!ub.contains(id) || map != "users", "{path} leaked B's user {id}");
                        assert!(!gb.contains(id) || map != "groups", "{path} leaked B's group {id}");
                        assert!(id != &mb_id || map != "memberships", "{path} leaked B's membership");
                    }
                }
            }
        }
        // And B is untouched.
        assert_eq!(app.get(&b.at("/memberships"), &b.key).await.body["meta"]["count"], json!(1));
        assert_eq!(app.get(&b.at("/users"), &b.key).await.body["meta"]["count"], json!(2));
    }
}
