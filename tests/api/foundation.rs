//! API.md §1, §3 (health, instances, keys) and §7 (errors).

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::both;
use crate::support::{Backend, Resp, Tenant, TestApp};

/// Sends `method path` with one extra header and an optional raw body.
async fn send_with(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> Resp {
    let mut req = app.raw(method, path);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some((content_type, body)) = body {
        req = req.header("Content-Type", content_type).body(body);
    }
    TestApp::read(req.send().await.expect("request")).await
}

/// The secret of a freshly issued key (only in its create response).
fn secret_of(r: &Resp) -> String {
    r.body["api_keys"][r.id()]["key"]
        .as_str()
        .expect("key in the create response")
        .to_string()
}

/// No body reveals SQL, the ORM, or one of these secrets.
#[track_caller]
fn assert_clean(r: &Resp, secrets: &[&str]) {
    assert!(!r.text.contains("SELECT"), "SQL in a body: {}", r.text);
    assert!(
        !r.text.to_ascii_lowercase().contains("diesel"),
        "diesel in a body: {}",
        r.text
    );
    for s in secrets {
        assert!(!r.text.contains(s), "a key secret in a body: {}", r.text);
    }
}

#[track_caller]
fn assert_timestamp(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a timestamp: {v}"));
    assert!(s.ends_with('Z'), "timestamp not in UTC Z form: {s}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        "not RFC 3339: {s}"
    );
}

#[track_caller]
fn assert_id(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("ID not a string: {v}"));
    assert!(
        s.parse::<i64>().is_ok_and(|n| n > 0),
        "ID not a positive integer: {s}"
    );
}

async fn counts(app: &TestApp, t: &Tenant, key: &str) -> [i64; 5] {
    let mut out = [0; 5];
    for (i, what) in [
        "/users",
        "/groups",
        "/memberships",
        "/barriers",
        "/api_keys",
    ]
    .iter()
    .enumerate()
    {
        let r = app.get(&t.at(what), key).await;
        r.assert_status(200);
        out[i] = r.body["meta"]["count"].as_i64().expect("meta.count");
    }
    out
}

both! {
    async fn health_and_readiness(app) {
        let r = app.request(reqwest::Method::GET, "/healthz", None, None).await;
        r.assert_status(200);
        assert_eq!(r.body, json!({"status": "ok"}));
        app.request(reqwest::Method::GET, "/readyz", None, None).await.assert_status(200);
    }

    async fn smoke_membership_bulk(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt", "ciri"]).await;
        let groups = app.groups(&t, &["witchers"]).await;
        let r = app.post(&t.at("/memberships?include=user,group"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0], "role": "admin"},
            {"user_id": users[1], "group_id": groups[0]}
        ]})).await;
        r.assert_status(201);
        assert_eq!(r.body["count"], json!(2));
        assert_eq!(r.body["users"].as_object().unwrap().len(), 2);
    }

    async fn health_needs_no_key_and_takes_a_trailing_slash(app) {
        for path in ["/healthz", "/healthz/"] {
            let r = app.request(Method::GET, path, None, None).await;
            r.assert_status(200);
            assert_eq!(r.body, json!({"status": "ok"}));
        }
        for path in ["/readyz", "/readyz/"] {
            app.request(Method::GET, path, None, None).await.assert_status(200);
        }
        // With a bogus key too: health does not authenticate.
        app.get("/healthz", "rk_nope").await.assert_status(200);
    }

    async fn instances_create_list_get_update_delete(app) {
        let acc = app.account_key.clone();
        let r = app.post("/instances", &acc, json!({"instance": {"name": "acme", "description": "ACME corp"}})).await;
        r.assert_status(201);
        let id = r.id();
        assert_id(&json!(id));
        assert_eq!(r.body["results"], json!([{"key": "instances", "id": id}]));
        let inst = &r.body["instances"][&id];
        assert_eq!(inst["name"], "acme");
        assert_eq!(inst["description"], "ACME corp");
        assert_eq!(inst["id"], json!(id));
        assert_timestamp(&inst["created_at"]);
        assert_timestamp(&inst["updated_at"]);

        app.post("/instances", &acc, json!({"instance": {"name": "globex"}})).await.assert_status(201);

        let list = app.get("/instances", &acc).await;
        list.assert_status(200);
        assert_eq!(list.body["meta"]["count"], 2);
        let names: Vec<Value> = list.results().iter().map(|i| i["name"].clone()).collect();
        assert_eq!(names, [json!("acme"), json!("globex")]);
        let filtered = app.get("/instances?name=globex", &acc).await;
        filtered.assert_status(200);
        assert_eq!(filtered.body["meta"]["count"], 1);
        assert_eq!(filtered.results()[0]["name"], "globex");

        let got = app.get("/instances/acme", &acc).await;
        got.assert_status(200);
        assert_eq!(got.body["instances"][&id], *inst);

        let upd = app.patch("/instances/acme", &acc, json!({"instance": {"description": "new"}})).await;
        upd.assert_status(200);
        assert_eq!(upd.body["instances"][&id]["description"], "new");
        assert_eq!(upd.body["instances"][&id]["name"], "acme");
        let renamed = app.patch("/instances/acme", &acc, json!({"instance": {"name": "acme-2"}})).await;
        renamed.assert_status(200);
        assert_eq!(renamed.body["instances"][&id]["name"], "acme-2");
        assert_eq!(renamed.body["instances"][&id]["description"], "new");
        app.get("/instances/acme", &acc).await.assert_error(404, "not_found");
        app.get("/instances/acme-2", &acc).await.assert_status(200);
        // The instance's keys follow it to its new name.
        let t = Tenant {
            name: "acme-2".into(),
            key: secret_of(
                &app.post("/instances/acme-2/api_keys", &acc, json!({"api_key": {"role": "admin"}}))
                    .await,
            ),
        };
        app.patch("/instances/acme-2", &acc, json!({"instance": {"name": "acme-3"}}))
            .await
            .assert_status(200);
        app.get("/instances/acme-3/users", &t.key).await.assert_status(200);
        app.get("/instances/acme-2/users", &t.key).await.assert_error(404, "not_found");
        app.patch("/instances/acme-3", &acc, json!({"instance": {"name": "acme-2"}}))
            .await
            .assert_status(200);
        app.get(&t.at("/users"), &t.key).await.assert_status(200);
        // Unknown fields and the id are not writable.
        app.patch("/instances/acme-2", &acc, json!({"instance": {"id": "9"}})).await.assert_error(422, "invalid");
        app.patch("/instances/acme-2", &acc, json!({"instance": {"created_at": "2020-01-01T00:00:00Z"}})).await.assert_error(422, "invalid");

        let del = app.delete("/instances/acme-2", &acc).await;
        del.assert_status(204);
        assert!(del.text.is_empty(), "DELETE has a body: {}", del.text);
        app.get("/instances/acme-2", &acc).await.assert_error(404, "not_found");
        app.delete("/instances/acme-2", &acc).await.assert_error(404, "not_found");
        app.patch("/instances/acme-2", &acc, json!({"instance": {"description": "x"}})).await.assert_error(404, "not_found");
        let list = app.get("/instances", &acc).await;
        assert_eq!(list.body["meta"]["count"], 1);
    }

    async fn only_the_account_key_manages_instances(app) {
        let t = app.tenant("acme").await;
        let uid = app.users(&t, &["geralt"]).await.remove(0);
        let user_key = app.user_key(&t, &uid).await;
        for key in [t.key.as_str(), user_key.as_str()] {
            app.post("/instances", key, json!({"instance": {"name": "mine"}})).await.assert_error(403, "forbidden");
            app.patch("/instances/acme", key, json!({"instance": {"description": "hacked"}})).await.assert_error(403, "forbidden");
            app.patch("/instances/acme", key, json!({"instance": {"name": "renamed"}})).await.assert_error(403, "forbidden");
            app.delete("/instances/acme", key).await.assert_error(403, "forbidden");
            // Any key of the instance may read it.
            let r = app.get("/instances/acme", key).await;
            r.assert_status(200);
            assert_eq!(r.results()[0]["name"], "acme");
            // Listing shows only its own instance.
            let list = app.get("/instances", key).await;
            list.assert_status(200);
            assert_eq!(list.body["meta"]["count"], 1);
            assert_eq!(list.results()[0]["name"], "acme");
        }
        // Nothing changed.
        let acc = app.account_key.clone();
        let list = app.get("/instances", &acc).await;
        assert_eq!(list.body["meta"]["count"], 1);
        let r = app.get("/instances/acme", &acc).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["description"], "");
        app.get("/instances/mine", &acc).await.assert_error(404, "not_found");
        app.get(&t.at("/users"), &t.key).await.assert_status(200);
    }

    async fn deleting_an_instance_removes_every_row_of_the_tenant(app) {
        let acc = app.account_key.clone();
        let t = app.tenant("acme").await;
        let other = app.tenant("globex").await;
        app.users(&other, &["keep"]).await;
        let users = app.users(&t, &["geralt", "ciri", "yen"]).await;
        let groups = app.groups(&t, &["witchers", "mages"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[1], "group_id": groups[0]},
        ]})).await.assert_status(201);
        app.post(&t.at("/barriers"), &t.key, json!({"barrier": {"group_ids": [groups[0], groups[1]]}})).await.assert_status(201);
        let user_key = app.user_key(&t, &users[0]).await;
        assert_eq!(counts(&app, &t, &acc).await, [3, 2, 2, 1, 2]);

        app.delete("/instances/acme", &acc).await.assert_status(204);
        // The tenant's keys died with it.
        app.get(&t.at("/users"), &t.key).await.assert_error(401, "unauthorized");
        app.get("/instances", &user_key).await.assert_error(401, "unauthorized");
        app.get(&t.at("/users"), &acc).await.assert_error(404, "not_found");

        // A new instance of the same name starts empty.
        app.post("/instances", &acc, json!({"instance": {"name": "acme"}})).await.assert_status(201);
        assert_eq!(counts(&app, &t, &acc).await, [0, 0, 0, 0, 0]);
        // The old keys do not come back with the name.
        app.get(&t.at("/users"), &t.key).await.assert_error(401, "unauthorized");
        // The other tenant is untouched.
        let r = app.get(&other.at("/users"), &other.key).await;
        r.assert_status(200);
        assert_eq!(r.body["meta"]["count"], 1);
        // Usernames of the deleted tenant are free again.
        let nt = Tenant { name: "acme".into(), key: acc.clone() };
        app.users(&nt, &["geralt"]).await;
    }

    async fn instance_name_rules(app) {
        let acc = app.account_key.clone();
        let long_ok = "a".repeat(63);
        for ok in ["ab", "9lives", "a-b-c", "acme-1", "00", long_ok.as_str()] {
            let r = app.post("/instances", &acc, json!({"instance": {"name": ok}})).await;
            r.assert_status(201);
            assert_eq!(r.results()[0]["name"], ok);
        }
        let long_bad = "a".repeat(64);
        let bad: Vec<Value> = vec![
            json!("a"), json!(""), json!("-ab"), json!("Acme"), json!("a_b"), json!("a b"),
            json!("a.b"), json!("ä-b"), json!(long_bad), json!(5), json!(null),
        ];
        for name in bad {
            let r = app.post("/instances", &acc, json!({"instance": {"name": name}})).await;
            r.assert_error(422, "invalid");
            assert_eq!(r.body["errors"][0]["field"], "name", "{}", r.text);
            assert!(r.body["errors"][0].get("index").is_none(), "{}", r.text);
        }
        // Missing name, unknown field, bulk form.
        let r = app.post("/instances", &acc, json!({"instance": {}})).await;
        r.assert_error(422, "invalid");
        assert_eq!(r.body["errors"][0]["field"], "name");
        let r = app.post("/instances", &acc, json!({"instance": {"name": "zz", "color": "red"}})).await;
        r.assert_error(422, "invalid");
        assert_eq!(r.body["errors"][0]["field"], "color");
        app.post("/instances", &acc, json!({"instances": [{"name": "zy"}]})).await.assert_error(422, "invalid");
        // Unique.
        let r = app.post("/instances", &acc, json!({"instance": {"name": "ab"}})).await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.body["errors"][0]["field"], "name");
        // Renaming onto a taken name or to an invalid one.
        let r = app.patch("/instances/9lives", &acc, json!({"instance": {"name": "ab"}})).await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.body["errors"][0]["field"], "name");
        let r = app.patch("/instances/9lives", &acc, json!({"instance": {"name": "-x"}})).await;
        r.assert_error(422, "invalid");
        assert_eq!(r.body["errors"][0]["field"], "name");
        // Nothing of the failures was written.
        let list = app.get("/instances?per_page=200", &acc).await;
        assert_eq!(list.body["meta"]["count"], 6, "{}", list.text);
        app.get("/instances/9lives", &acc).await.assert_status(200);
        app.get("/instances/zz", &acc).await.assert_error(404, "not_found");
    }

    async fn keys_are_read_from_x_api_key_and_bearer(app) {
        let t = app.tenant("acme").await;
        let path = t.at("/users");
        let bearer = format!("Bearer {}", t.key);
        let lower = format!("bearer {}", t.key);
        for headers in [
            vec![("X-API-KEY", t.key.as_str())],
            vec![("x-api-key", t.key.as_str())],
            vec![("Authorization", bearer.as_str())],
            vec![("Authorization", lower.as_str())],
        ] {
            let r = send_with(&app, Method::GET, &path, &headers, None).await;
            r.assert_status(200);
        }
        // The account key works through Bearer too, on account routes.
        let acc = format!("Bearer {}", app.account_key);
        send_with(&app, Method::GET, "/instances", &[("Authorization", &acc)], None).await.assert_status(200);
        // A write through Bearer.
        let r = send_with(&app, Method::POST, &path, &[("Authorization", &bearer)],
            Some(("application/json", json!({"user": {"username": "geralt"}}).to_string()))).await;
        r.assert_status(201);
    }

    async fn missing_unknown_and_revoked_keys_get_401(app) {
        let t = app.tenant("acme").await;
        let basic = format!("Basic {}", t.key);
        let cases: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![("X-API-KEY", "")],
            vec![("X-API-KEY", "rk_unknownunknownunknownunknownunknownunknown")],
            vec![("Authorization", "Bearer rk_unknownunknownunknownunknownunknownunkno")],
            vec![("Authorization", "Bearer ")],
            vec![("Authorization", basic.as_str())],
            vec![("X-API-KEY", &t.key[..t.key.len() - 1])],
        ];
        for headers in cases {
            for (method, path) in [
                (Method::GET, t.at("/users")),
                (Method::GET, "/instances".to_string()),
                (Method::GET, "/instances/acme".to_string()),
                (Method::GET, "/instances/nope/users".to_string()),
                (Method::DELETE, "/instances/acme".to_string()),
            ] {
                let r = send_with(&app, method.clone(), &path, &headers, None).await;
                r.assert_error(401, "unauthorized");
                assert_clean(&r, &[&t.key]);
            }
            let r = send_with(&app, Method::POST, &t.at("/users"), &headers,
                Some(("application/json", json!({"user": {"username": "x"}}).to_string()))).await;
            r.assert_error(401, "unauthorized");
        }
        // Nothing was written by the rejected POSTs.
        let r = app.get(&t.at("/users"), &t.key).await;
        assert_eq!(r.body["meta"]["count"], 0);
        // Revoked.
        let issued = app.post(&t.at("/api_keys"), &t.key, json!({"api_key": {"role": "admin"}})).await;
        issued.assert_status(201);
        let secret = secret_of(&issued);
        app.get(&t.at("/users"), &secret).await.assert_status(200);
        app.delete(&t.at(&format!("/api_keys/{}", issued.id())), &t.key).await.assert_status(204);
        app.get(&t.at("/users"), &secret).await.assert_error(401, "unauthorized");
        let bearer = format!("Bearer {secret}");
        send_with(&app, Method::GET, &t.at("/users"), &[("Authorization", &bearer)], None).await.assert_error(401, "unauthorized");
        app.get("/instances", &secret).await.assert_error(401, "unauthorized");
    }

    async fn api_keys_issue_admin_and_user_keys(app) {
        let t = app.tenant("acme").await;
        let uid = app.users(&t, &["geralt"]).await.remove(0);
        let acc = app.account_key.clone();
        let mut secrets = Vec::new();
        // Issued by the account key and by an instance admin key.
        for (by, body) in [
            (acc.as_str(), json!({"api_key": {"role": "admin", "description": "import script"}})),
            (t.key.as_str(), json!({"api_key": {"role": "admin"}})),
            (t.key.as_str(), json!({"api_key": {"role": "user", "user_id": uid}})),
            (acc.as_str(), json!({"api_key": {"role": "user", "user_id": uid.parse::<i64>().unwrap()}})),
        ] {
            let r = app.post(&t.at("/api_keys"), by, body.clone()).await;
            r.assert_status(201);
            let k = &r.results()[0];
            assert_id(&k["id"]);
            let secret = k["key"].as_str().expect("key in the create response");
            assert!(secret.starts_with("rk_"), "{secret}");
            let random = &secret[3..];
            // At least 32 bytes of entropy: 43 characters of a 62-letter alphabet or more.
            assert!(random.len() >= 43, "key too short: {secret}");
            assert!(random.bytes().all(|b| b.is_ascii_graphic()), "not printable: {secret}");
            assert_eq!(k["prefix"], json!(secret.chars().take(8).collect::<String>()));
            assert_eq!(k["role"], body["api_key"]["role"]);
            assert_timestamp(&k["created_at"]);
            assert_eq!(k["revoked_at"], Value::Null);
            if body["api_key"]["role"] == "user" {
                assert_eq!(k["user_id"], json!(uid));
            } else {
                assert_eq!(k["user_id"], Value::Null);
            }
            assert!(!secrets.contains(&secret.to_string()), "the same key twice");
            secrets.push(secret.to_string());
            // It works at once.
            app.get("/instances/acme", secret).await.assert_status(200);
        }
        // Distinct keys share no long common prefix beyond rk_ (they are random).
        assert_ne!(secrets[0][..12], secrets[1][..12]);
    }

    async fn api_key_validation(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("globex").await;
        let foreign = app.users(&other, &["stranger"]).await.remove(0);
        let uid = app.users(&t, &["geralt"]).await.remove(0);
        let cases = [
            (json!({"api_key": {"role": "user", "user_id": "999999"}}), "missing_reference", "user_id"),
            (json!({"api_key": {"role": "user", "user_id": foreign}}), "missing_reference", "user_id"),
            (json!({"api_key": {"role": "user"}}), "invalid", "user_id"),
            (json!({"api_key": {"role": "admin", "user_id": uid}}), "invalid", "user_id"),
            (json!({"api_key": {"role": "owner"}}), "invalid", "role"),
            (json!({"api_key": {}}), "invalid", "role"),
            (json!({"api_key": {"role": "user", "user_id": "abc"}}), "invalid", "user_id"),
            (json!({"api_key": {"role": "admin", "secret": "x"}}), "invalid", "secret"),
        ];
        for (body, kind, field) in cases {
            let r = app.post(&t.at("/api_keys"), &t.key, body.clone()).await;
            r.assert_error(422, kind);
            assert_eq!(r.body["errors"][0]["field"], field, "{body}: {}", r.text);
        }
        app.post(&t.at("/api_keys"), &t.key, json!({"api_keys": [{"role": "admin"}]})).await.assert_error(422, "invalid");
        // Only the tenant's admin key from setup exists.
        let list = app.get(&t.at("/api_keys"), &t.key).await;
        assert_eq!(list.body["meta"]["count"], 1, "{}", list.text);
        // A user key issues no keys.
        let user_key = app.user_key(&t, &uid).await;
        app.post(&t.at("/api_keys"), &user_key, json!({"api_key": {"role": "admin"}})).await.assert_error(403, "forbidden");
        // ...and sees none (API.md §6 grants it no key): an empty list.
        let listed = app.get(&t.at("/api_keys"), &user_key).await;
        listed.assert_status(200);
        assert_eq!(listed.body["meta"]["count"], json!(0), "{}", listed.text);
        let list = app.get(&t.at("/api_keys"), &t.key).await;
        assert_eq!(list.body["meta"]["count"], 2, "{}", list.text);
    }

    async fn api_key_list_never_shows_the_secret(app) {
        let t = app.tenant("acme").await;
        let uid = app.users(&t, &["geralt"]).await.remove(0);
        let user_key = app.user_key(&t, &uid).await;
        let list = app.get(&t.at("/api_keys"), &t.key).await;
        list.assert_status(200);
        assert_eq!(list.body["meta"]["count"], 2);
        assert_clean(&list, &[&t.key, &user_key]);
        for k in list.results() {
            let obj = k.as_object().unwrap();
            assert!(!obj.contains_key("key"), "{}", list.text);
            assert!(!obj.contains_key("key_hash"), "{}", list.text);
            let prefix = k["prefix"].as_str().unwrap();
            assert_eq!(prefix.len(), 8);
            assert!(t.key.starts_with(prefix) || user_key.starts_with(prefix));
        }
        let user_row = list.results().into_iter().find(|k| k["role"] == "user").unwrap();
        assert_eq!(user_row["user_id"], json!(uid));
        assert_eq!(user_row["prefix"], json!(&user_key[..8]));
        // Not through `fields` either.
        app.get(&t.at("/api_keys?fields=key"), &t.key).await.assert_error(400, "bad_request");
        let r = app.get(&t.at("/api_keys?fields=prefix"), &t.key).await;
        r.assert_status(200);
        assert_clean(&r, &[&t.key, &user_key]);
    }

    async fn revoking_a_key(app) {
        let t = app.tenant("acme").await;
        let issued = app.post(&t.at("/api_keys"), &t.key, json!({"api_key": {"role": "admin"}})).await;
        let (id, secret) = (issued.id(), secret_of(&issued));
        app.get(&t.at("/users"), &secret).await.assert_status(200);
        let r = app.delete(&t.at(&format!("/api_keys/{id}")), &t.key).await;
        r.assert_status(204);
        assert!(r.text.is_empty());
        app.get(&t.at("/users"), &secret).await.assert_error(401, "unauthorized");
        app.post(&t.at("/users"), &secret, json!({"user": {"username": "x"}})).await.assert_error(401, "unauthorized");
        // Still listed, with revoked_at.
        let list = app.get(&t.at(&format!("/api_keys?ids={id}")), &t.key).await;
        assert_eq!(list.body["meta"]["count"], 1);
        assert_timestamp(&list.results()[0]["revoked_at"]);
        // Revoking again is 204; an unknown key 404; the admin key still works.
        app.delete(&t.at(&format!("/api_keys/{id}")), &t.key).await.assert_status(204);
        app.delete(&t.at("/api_keys/999999"), &t.key).await.assert_error(404, "not_found");
        app.delete(&t.at("/api_keys/abc"), &t.key).await.assert_error(404, "not_found");
        // A key may revoke itself, and then it stops working.
        let me = app.get(&t.at("/api_keys"), &t.key).await.results().into_iter()
            .find(|k| t.key.starts_with(k["prefix"].as_str().unwrap())).unwrap();
        app.delete(&t.at(&format!("/api_keys/{}", me["id"].as_str().unwrap())), &t.key).await.assert_status(204);
        app.get(&t.at("/users"), &t.key).await.assert_error(401, "unauthorized");
        // Revoking a key of another tenant through this tenant's path is a 404.
        let other = app.tenant("globex").await;
        let o = app.post(&other.at("/api_keys"), &other.key, json!({"api_key": {"role": "admin"}})).await;
        app.delete(&t.at(&format!("/api_keys/{}", o.id())), &app.account_key).await.assert_error(404, "not_found");
        app.get(&other.at("/users"), &secret_of(&o)).await.assert_status(200);
    }

    async fn another_tenants_instance_looks_like_no_instance(app) {
        let a = app.tenant("acme").await;
        let b = app.tenant("globex").await;
        let a_user = app.users(&a, &["geralt"]).await.remove(0);
        let a_user_key = app.user_key(&a, &a_user).await;
        let b_user = app.users(&b, &["ciri"]).await.remove(0);
        let b_group = app.groups(&b, &["witchers"]).await.remove(0);
        for key in [a.key.as_str(), a_user_key.as_str()] {
            for (method, b_path, none_path) in [
                (Method::GET, "/instances/globex".to_string(), "/instances/nonexistent".to_string()),
                (Method::PATCH, "/instances/globex".to_string(), "/instances/nonexistent".to_string()),
                (Method::DELETE, "/instances/globex".to_string(), "/instances/nonexistent".to_string()),
                (Method::GET, b.at("/users"), "/instances/nonexistent/users".to_string()),
                (Method::GET, b.at(&format!("/users/{b_user}")), format!("/instances/nonexistent/users/{b_user}")),
                (Method::GET, b.at(&format!("/groups/{b_group}")), format!("/instances/nonexistent/groups/{b_group}")),
                (Method::POST, b.at("/users"), "/instances/nonexistent/users".to_string()),
                (Method::POST, b.at("/api_keys"), "/instances/nonexistent/api_keys".to_string()),
                (Method::GET, b.at("/api_keys"), "/instances/nonexistent/api_keys".to_string()),
            ] {
                let body = match method {
                    Method::POST => Some(json!({"user": {"username": "intruder"}})),
                    Method::PATCH => Some(json!({"instance": {"description": "x"}})),
                    _ => None,
                };
                let rb = app.request(method.clone(), &b_path, Some(key), body.clone()).await;
                let rn = app.request(method.clone(), &none_path, Some(key), body).await;
                rb.assert_error(404, "not_found");
                rn.assert_error(404, "not_found");
                assert_eq!(rb.text, rn.text, "{method} {b_path} differs from a missing instance");
                assert_eq!(rb.header("content-type"), rn.header("content-type"));
            }
            // A's own path with B's row ID looks like a missing row.
            let rb = app.get(&a.at(&format!("/users/{b_user}")), key).await;
            let rn = app.get(&a.at("/users/999999"), key).await;
            rb.assert_error(404, "not_found");
            assert_eq!(rb.text, rn.text);
        }
        // Nothing was written in B, and B is intact.
        let r = app.get(&b.at("/users"), &b.key).await;
        assert_eq!(r.body["meta"]["count"], 1);
        assert_eq!(app.get(&b.at("/api_keys"), &b.key).await.body["meta"]["count"], 1);
        app.get("/instances/globex", &b.key).await.assert_status(200);
    }

    async fn error_bodies_for_routes_methods_and_json(app) {
        let t = app.tenant("acme").await;
        let check_form = |r: &Resp| {
            let errors = r.body["errors"].as_array().unwrap_or_else(|| panic!("no errors array: {}", r.text));
            assert!(!errors.is_empty());
            for e in errors {
                assert!(e["type"].is_string() && e["message"].is_string(), "{}", r.text);
            }
            assert!(r.header("content-type").unwrap_or("").starts_with("application/json"), "{:?}", r.headers);
            assert_clean(r, &[&t.key]);
        };
        // Unknown routes.
        for path in ["/nope", "/instances/acme/widgets", "/instances/acme/users/1/friends", "/"] {
            let r = app.get(path, &t.key).await;
            r.assert_error(404, "not_found");
            check_form(&r);
        }
        // Known routes, wrong method.
        for (method, path) in [
            (Method::PUT, t.at("/users")),
            (Method::DELETE, t.at("/users")),
            (Method::POST, "/healthz".to_string()),
            (Method::PUT, "/instances".to_string()),
            (Method::POST, t.at("/barriers/1")),
            (Method::PATCH, t.at("/api_keys/1")),
        ] {
            let r = app.request(method, &path, Some(&t.key), None).await;
            r.assert_error(405, "method_not_allowed");
            check_form(&r);
        }
        // Malformed JSON.
        for bad in ["{\"user\": ", "not json", "{\"user\": {\"username\": \"a\"},}", ""] {
            let r = send_with(&app, Method::POST, &t.at("/users"), &[("X-API-KEY", &t.key)],
                Some(("application/json", bad.to_string()))).await;
            r.assert_error(400, "bad_request");
            check_form(&r);
        }
        // Not JSON by content type.
        for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            let r = send_with(&app, Method::POST, &t.at("/users"), &[("X-API-KEY", &t.key)],
                Some((ct, json!({"user": {"username": "geralt"}}).to_string()))).await;
            r.assert_error(415, "unsupported_media_type");
            check_form(&r);
        }
        let r = TestApp::read(app.raw(Method::POST, &t.at("/users")).header("X-API-KEY", &t.key)
            .body(json!({"user": {"username": "geralt"}}).to_string()).send().await.unwrap()).await;
        r.assert_error(415, "unsupported_media_type");
        // JSON with a charset is fine.
        let r = send_with(&app, Method::POST, &t.at("/users"), &[("X-API-KEY", &t.key)],
            Some(("application/json; charset=utf-8", json!({"user": {"username": "ok"}}).to_string()))).await;
        r.assert_status(201);
        // Nothing else was written.
        let list = app.get(&t.at("/users"), &t.key).await;
        assert_eq!(list.body["meta"]["count"], 1);
    }

    async fn trailing_slash_is_accepted_on_routes(app) {
        let acc = app.account_key.clone();
        app.post("/instances/", &acc, json!({"instance": {"name": "acme"}})).await.assert_status(201);
        app.get("/instances/", &acc).await.assert_status(200);
        app.get("/instances/acme/", &acc).await.assert_status(200);
        let issued = app.post("/instances/acme/api_keys/", &acc, json!({"api_key": {"role": "admin"}})).await;
        issued.assert_status(201);
        let key = secret_of(&issued);
        let t = Tenant { name: "acme".into(), key };
        let r = app.post(&t.at("/users/"), &t.key, json!({"user": {"username": "geralt"}})).await;
        r.assert_status(201);
        let uid = r.id();
        app.get(&t.at(&format!("/users/{uid}/")), &t.key).await.assert_status(200);
        app.patch(&t.at(&format!("/users/{uid}/")), &t.key, json!({"user": {"name": "G"}})).await.assert_status(200);
        let g = app.post(&t.at("/groups/"), &t.key, json!({"group": {"name": "w"}})).await;
        g.assert_status(201);
        app.get(&t.at(&format!("/groups/{}/users/", g.id())), &t.key).await.assert_status(200);
        app.get(&t.at(&format!("/users/{uid}/groups/")), &t.key).await.assert_status(200);
        app.get(&t.at("/memberships/"), &t.key).await.assert_status(200);
        app.get(&t.at("/barriers/"), &t.key).await.assert_status(200);
        app.delete(&t.at(&format!("/users/{uid}/")), &t.key).await.assert_status(204);
        app.delete(&format!("/instances/acme/api_keys/{}/", issued.id()), &acc).await.assert_status(204);
        app.delete("/instances/acme/", &acc).await.assert_status(204);
    }

    async fn ids_are_strings_and_timestamps_utc(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt"]).await;
        let groups = app.groups(&t, &["witchers"]).await;
        let m = app.post(&t.at("/memberships?include=user,group"), &t.key, json!({"membership": {"user_id": users[0], "group_id": groups[0]}})).await;
        m.assert_status(201);
        let k = app.post(&t.at("/api_keys"), &t.key, json!({"api_key": {"role": "user", "user_id": users[0]}})).await;
        k.assert_status(201);
        let lists = [
            app.get("/instances", &app.account_key).await,
            app.get(&t.at("/users"), &t.key).await,
            app.get(&t.at("/groups"), &t.key).await,
            app.get(&t.at("/memberships?include=user,group"), &t.key).await,
            app.get(&t.at("/api_keys"), &t.key).await,
            m, k,
        ];
        for r in &lists {
            r.assert_status(if r.status == 201 { 201 } else { 200 });
            for res in r.body["results"].as_array().unwrap() {
                assert_id(&res["id"]);
            }
            for plural in ["instances", "users", "groups", "memberships", "api_keys"] {
                let Some(map) = r.body[plural].as_object() else { continue };
                for (id, obj) in map {
                    assert_eq!(obj["id"], json!(id));
                    assert_id(&obj["id"]);
                    for f in ["user_id", "group_id"] {
                        if let Some(v) = obj.get(f).filter(|v| !v.is_null()) {
                            assert_id(v);
                        }
                    }
                    for f in ["created_at", "updated_at", "revoked_at"] {
                        if let Some(v) = obj.get(f).filter(|v| !v.is_null()) {
                            assert_timestamp(v);
                        }
                    }
                }
            }
        }
    }

    async fn no_body_reveals_sql_or_secrets(app) {
        let t = app.tenant("acme").await;
        let uid = app.users(&t, &["geralt"]).await.remove(0);
        let user_key = app.user_key(&t, &uid).await;
        let secrets = [t.key.as_str(), user_key.as_str(), app.account_key.as_str()];
        let mut seen = vec![
            app.get(&t.at("/users?include=memberships"), &t.key).await,
            app.get(&t.at("/api_keys"), &t.key).await,
            app.get("/instances", &app.account_key).await,
            app.post(&t.at("/users"), &t.key, json!({"user": {"username": "geralt"}})).await,
            app.post(&t.at("/users"), &t.key, json!({"user": {"username": "x' OR 1=1 --"}})).await,
            app.get(&t.at("/users?username=x'%20OR%201=1"), &t.key).await,
            app.post(&t.at("/memberships"), &t.key, json!({"membership": {"user_id": "999", "group_id": "999"}})).await,
            app.post(&t.at("/api_keys"), &t.key, json!({"api_key": {"role": "user", "user_id": "999"}})).await,
            app.get(&t.at("/users?order=bogus:asc"), &t.key).await,
            app.get(&t.at("/users?cursor=garbage"), &t.key).await,
            app.get(&t.at("/users?ids=abc"), &t.key).await,
            app.get(&t.at("/api_keys"), &user_key).await,
            app.get("/instances", "rk_nope").await,
            app.get(&t.at("/users/99999999999999999999999"), &t.key).await,
        ];
        // A query that fails inside the database: a 500 that names nothing internal.
        app.sql("DROP TABLE barriers");
        let broken = app.get(&t.at("/barriers"), &t.key).await;
        broken.assert_error(500, "internal");
        assert!(!broken.text.contains("barriers"), "{}", broken.text);
        assert!(!broken.text.to_ascii_lowercase().contains("table"), "{}", broken.text);
        assert!(!broken.text.to_ascii_lowercase().contains("relation"), "{}", broken.text);
        seen.push(broken);
        for r in &seen {
            assert_clean(r, &secrets);
        }
    }
}

/// Sends a JSON body of about `size` bytes with `Transfer-Encoding: chunked` (no
/// declared length) over a plain socket; returns the status and the raw response.
fn chunked_post(base: &str, path: &str, key: &str, size: usize) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nX-API-KEY: {key}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).expect("write");
    let body = format!(
        "{{\"user\": {{\"username\": \"chunky\", \"name\": \"{}\"}}}}",
        "x".repeat(size)
    );
    for piece in body.as_bytes().chunks(100) {
        let mut chunk = format!("{:x}\r\n", piece.len()).into_bytes();
        chunk.extend_from_slice(piece);
        chunk.extend_from_slice(b"\r\n");
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// 413 with a small configured limit; nothing written.
async fn body_limit(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.max_body_bytes = 1000).await else {
        return;
    };
    let t = app.tenant("acme").await;
    let small = json!({"user": {"username": "geralt", "name": "x".repeat(250), "email": format!("{}@example.com", "g".repeat(60))}});
    assert!((300..1000).contains(&small.to_string().len()));
    app.post(&t.at("/users"), &t.key, small)
        .await
        .assert_status(201);
    let big = json!({"user": {"username": "ciri", "name": "x".repeat(1200)}});
    let r = app.post(&t.at("/users"), &t.key, big).await;
    r.assert_error(413, "payload_too_large");
    assert!(r.body["errors"][0]["message"].is_string());
    // A bulk over the limit, and without a declared length (chunked).
    let objs: Vec<Value> = (0..100)
        .map(|i| json!({"username": format!("user{i:03}")}))
        .collect();
    app.post(&t.at("/users"), &t.key, json!({ "users": objs }))
        .await
        .assert_error(413, "payload_too_large");
    let (base, path, key) = (app.base.clone(), t.at("/users"), t.key.clone());
    let status = tokio::task::spawn_blocking(move || chunked_post(&base, &path, &key, 1500))
        .await
        .expect("chunked request");
    assert_eq!(status.0, 413, "chunked body over the limit: {}", status.1);
    assert!(status.1.contains("payload_too_large"), "{}", status.1);
    let list = app.get(&t.at("/users"), &t.key).await;
    assert_eq!(list.body["meta"]["count"], 1, "{}", list.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_over_the_limit_is_413_sqlite() {
    body_limit(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_over_the_limit_is_413_postgres() {
    body_limit(Backend::Postgres).await;
}

/// CORS preflights for a configured origin; nothing for others.
async fn cors(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.cors_origins = vec!["https://app.example".into()]
    })
    .await
    else {
        return;
    };
    let t = app.tenant("acme").await;
    let preflight = |origin: &'static str| {
        app.raw(Method::OPTIONS, &t.at("/users"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type,x-api-key,idempotency-key",
            )
    };
    let r = TestApp::read(preflight("https://app.example").send().await.unwrap()).await;
    assert!(r.status.is_success(), "preflight: {} {}", r.status, r.text);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let allowed = r
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    for h in ["idempotency-key", "x-api-key", "content-type"] {
        assert!(allowed.contains(h), "{h} not allowed: {allowed}");
    }
    let methods = r
        .header("access-control-allow-methods")
        .unwrap_or("")
        .to_ascii_uppercase();
    for m in ["GET", "POST", "PATCH", "DELETE"] {
        assert!(methods.contains(m), "{m} not allowed: {methods}");
    }
    // Bearer auth needs Authorization too.
    let r = TestApp::read(
        app.raw(Method::OPTIONS, &t.at("/users"))
            .header("Origin", "https://app.example")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
    assert!(r
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase()
        .contains("authorization"));
    // An actual request from the origin carries the allow-origin header.
    let r = TestApp::read(
        app.raw(Method::GET, &t.at("/users"))
            .header("Origin", "https://app.example")
            .header("X-API-KEY", &t.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.assert_status(200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    // Not configured: no allow-origin, on the preflight or the request. actix-cors
    // refuses the preflight itself; the answer is still in the §7 form (API.md §7:
    // every error status, including those produced before a handler runs).
    let res = TestApp::read(preflight("https://evil.example").send().await.unwrap()).await;
    res.assert_error(400, "bad_request");
    assert!(res.text.contains("Origin is not allowed"), "{}", res.text);
    assert_eq!(
        res.header("access-control-allow-origin"),
        None,
        "{:?}",
        res.headers
    );
    let r = TestApp::read(
        app.raw(Method::GET, &t.at("/users"))
            .header("Origin", "https://evil.example")
            .header("X-API-KEY", &t.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        None,
        "{:?}",
        r.headers
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_sqlite() {
    cors(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_postgres() {
    cors(Backend::Postgres).await;
}

both! {
    async fn every_response_carries_request_id_and_query_count(app) {
        let t = app.tenant("acme").await;
        let mut seen = vec![
            app.get(&t.at("/users"), &t.key).await,
            app.post(&t.at("/users"), &t.key, json!({"user": {"username": "geralt"}})).await,
            app.post(&t.at("/users"), &t.key, json!({"user": {"username": "geralt"}})).await,
            app.get(&t.at("/users/999"), &t.key).await,
            app.get(&t.at("/users"), "rk_nope").await,
            app.get(&t.at("/users?bogus=1"), &t.key).await,
            app.get("/nope", &t.key).await,
            app.request(Method::PUT, &t.at("/users"), Some(&t.key), None).await,
            send_with(&app, Method::POST, &t.at("/users"), &[("X-API-KEY", &t.key)],
                Some(("text/plain", "x".into()))).await,
            app.get("/healthz", &t.key).await,
        ];
        let del = app.post(&t.at("/groups"), &t.key, json!({"group": {"name": "g"}})).await;
        seen.push(app.delete(&t.at(&format!("/groups/{}", del.id())), &t.key).await);
        let mut ids = HashSet::new();
        for r in &seen {
            let id = r.header("x-request-id").unwrap_or_else(|| panic!("no X-Request-Id: {} {}", r.status, r.text));
            assert!(!id.is_empty());
            assert!(ids.insert(id.to_string()), "request id repeated: {id}");
            let q = r.header("x-query-count").unwrap_or_else(|| panic!("no X-Query-Count: {} {}", r.status, r.text));
            assert!(q.parse::<u64>().is_ok(), "{q}");
        }
        // The key lookup is counted.
        assert!(seen[0].header("x-query-count").unwrap().parse::<u64>().unwrap() >= 1);
        // The exact statements of each, the same on both backends ("key" is the key
        // lookup, api_keys JOIN instances; on SQLite a write runs on the writer thread
        // inside its group's transaction, and BEGIN/COMMIT are its SAVEPOINT/RELEASE).
        let count = |r: &Resp| -> u64 { r.header("x-query-count").unwrap().parse().unwrap() };
        // A write's events (§9): one statement on PostgreSQL, two on SQLite.
        let events = match app.backend { Backend::Postgres => 1, Backend::Sqlite => 2 };
        for (i, want) in [
            (0, 5), // list: key, BEGIN, COUNT, the page, COMMIT
            (1, 5 + events), // create: key, BEGIN, usernames taken, INSERT, events, COMMIT
            (2, 4), // taken name: key, BEGIN, usernames taken, ROLLBACK
            (3, 4), // missing user: key, BEGIN, the select, ROLLBACK
            (4, 2), // unknown key: api_keys, then account_keys
            (5, 1), // bad parameter: key (the query is read after authentication)
            (6, 0), // unknown route
            (7, 0), // method not allowed
            (9, 0), // /healthz
            // delete: key, BEGIN, the select, its memberships and barriers (recorded as
            // cascaded), DELETE, events, COMMIT
            (10, 7 + events),
        ] {
            assert_eq!(count(&seen[i]), want, "X-Query-Count of response {i} ({}) on {:?}", seen[i].status, app.backend);
        }
        // 415: the body's media type is refused while the key lookup is still on its
        // blocking thread; the response does not wait for it, and the lookup (which
        // runs anyway) finishes after the count is read, or, rarely, just before.
        assert!(count(&seen[8]) <= 1, "X-Query-Count of the 415: {}", count(&seen[8]));
    }

    async fn api_key_secrets_are_stored_only_as_hashes(app) {
        let t = app.tenant("acme").await;
        let uid = app.users(&t, &["geralt"]).await.remove(0);
        let user_key = app.user_key(&t, &uid).await;
        for secret in [&t.key, &user_key] {
            assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            // The CHECK fails (and `sql` panics) unless the count is as expected.
            app.sql(&format!(
                "CREATE TEMP TABLE probe (n BIGINT CHECK (n = 0)); \
                 INSERT INTO probe SELECT COUNT(*) FROM api_keys \
                   WHERE key_hash LIKE '%{s}%' OR prefix LIKE '%{s}%' \
                      OR COALESCE(description, '') LIKE '%{s}%' OR role LIKE '%{s}%'; \
                 INSERT INTO probe SELECT COUNT(*) - 1 FROM api_keys WHERE prefix = '{p}';",
                s = secret,
                p = &secret[..8],
            ));
        }
    }
}

/// `/readyz` answers 503 `unavailable` when the database is gone; `/healthz` stays 200.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_when_the_database_is_gone_postgres() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let t = app.tenant("acme").await;
    app.get("/readyz", &t.key).await.assert_status(200);
    let admin = crate::support::postgres_url().expect("postgres url");
    let name = app
        .database_url
        .rsplit('/')
        .next()
        .and_then(|n| n.split('?').next())
        .expect("database name")
        .to_string();
    let mut c = diesel::PgConnection::establish(&admin).expect("admin connection");
    c.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .expect("drop the test database");
    for _ in 0..3 {
        let r = app.request(Method::GET, "/readyz", None, None).await;
        r.assert_error(503, "unavailable");
        assert_clean(&r, &[]);
        assert!(!r.text.contains(&name), "{}", r.text);
    }
    let r = app.get(&t.at("/users"), &t.key).await;
    r.assert_error(503, "unavailable");
    assert!(!r.text.contains(&name), "{}", r.text);
    let r = app.request(Method::GET, "/healthz", None, None).await;
    r.assert_status(200);
}
