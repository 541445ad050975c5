//! API.md §2–§5 for users and groups: bodies, validation, bulk rules, CRUD, cascades,
//! lists (filters, order, paging, cursor, fields, include) and query budgets.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::both;
use crate::support::{Backend, Resp, Tenant, TestApp};

/// The number of matches of a list.
async fn count(app: &TestApp, t: &Tenant, path: &str) -> i64 {
    let r = app.get(&t.at(path), &t.key).await;
    r.assert_status(200);
    r.body["meta"]["count"]
        .as_i64()
        .unwrap_or_else(|| panic!("no meta.count: {}", r.text))
}

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

/// The values of `field` of the primary objects, in `results` order.
fn column(r: &Resp, field: &str) -> Vec<String> {
    r.results()
        .iter()
        .map(|o| o[field].as_str().unwrap_or_default().to_string())
        .collect()
}

fn ids(r: &Resp) -> Vec<i64> {
    column(r, "id").iter().map(|s| s.parse().unwrap()).collect()
}

/// Creates users from JSON objects, asserting 201; returns their IDs.
async fn create_users(app: &TestApp, t: &Tenant, objs: Vec<Value>) -> Vec<String> {
    let r = app
        .post(&t.at("/users"), &t.key, json!({ "users": objs }))
        .await;
    r.assert_status(201);
    column(&r, "id")
}

both! {
    async fn create_one_user_and_a_bulk_in_request_order(app) {
        let t = app.tenant("acme").await;
        let r = app.post(&t.at("/users"), &t.key, json!({"user": {
            "username": "geralt", "name": "Geralt of Rivia", "email": "geralt@kaer.morhen",
            "avatar_url": "https://img.example/g.png"
        }})).await;
        r.assert_status(201);
        assert_eq!(r.body["count"], 1);
        assert_eq!(r.body["meta"]["count"], 1);
        let id = r.id();
        assert_eq!(r.body["results"], json!([{"key": "users", "id": id}]));
        let u = &r.body["users"][&id];
        assert_eq!(u["id"], json!(id));
        assert_eq!(u["username"], "geralt");
        assert_eq!(u["name"], "Geralt of Rivia");
        assert_eq!(u["email"], "geralt@kaer.morhen");
        assert_eq!(u["avatar_url"], "https://img.example/g.png");
        assert_eq!(u["principal"], "user");
        assert!(u["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(u["updated_at"].as_str().unwrap().ends_with('Z'));

        let names = ["zed", "alpha", "mid", "bot", "beta"];
        let objs: Vec<Value> = names.iter().map(|n| {
            if *n == "bot" { json!({"username": n, "principal": "service_account"}) } else { json!({"username": n}) }
        }).collect();
        let r = app.post(&t.at("/users"), &t.key, json!({"users": objs})).await;
        r.assert_status(201);
        assert_eq!(r.body["count"], 5);
        assert_eq!(column(&r, "username"), names);
        assert_eq!(r.body["users"].as_object().unwrap().len(), 5);
        let ids = ids(&r);
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "IDs not increasing in request order: {ids:?}");
        assert_eq!(column(&r, "principal"), ["user", "user", "user", "service_account", "user"]);
        // A bulk of exactly 100.
        let objs: Vec<Value> = (0..100).map(|i| json!({"username": format!("bulk{:03}", 99 - i)})).collect();
        let r = app.post(&t.at("/users"), &t.key, json!({"users": objs})).await;
        r.assert_status(201);
        assert_eq!(r.body["count"], 100);
        let expected: Vec<String> = (0..100).map(|i| format!("bulk{:03}", 99 - i)).collect();
        assert_eq!(column(&r, "username"), expected);
        assert_eq!(count(&app, &t, "/users").await, 106);
    }

    async fn create_one_group_and_a_bulk_in_request_order(app) {
        let t = app.tenant("acme").await;
        let r = app.post(&t.at("/groups"), &t.key, json!({"group": {"name": "Witchers of the North", "description": "wolves"}})).await;
        r.assert_status(201);
        let id = r.id();
        assert_eq!(r.body["results"], json!([{"key": "groups", "id": id}]));
        let g = &r.body["groups"][&id];
        assert_eq!(g["name"], "Witchers of the North");
        assert_eq!(g["description"], "wolves");
        assert!(g["created_at"].as_str().unwrap().ends_with('Z'));
        let names = ["zeta", "alpha", "Mid group", "beta"];
        let objs: Vec<Value> = names.iter().map(|n| json!({"name": n})).collect();
        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": objs})).await;
        r.assert_status(201);
        assert_eq!(column(&r, "name"), names);
        assert_eq!(r.results()[0]["description"], Value::Null);
        let objs: Vec<Value> = (0..100).map(|i| json!({"name": format!("g{i}")})).collect();
        app.post(&t.at("/groups"), &t.key, json!({"groups": objs})).await.assert_status(201);
        assert_eq!(count(&app, &t, "/groups").await, 105);
    }

    async fn over_100_objects_is_too_many(app) {
        let t = app.tenant("acme").await;
        let users: Vec<Value> = (0..101).map(|i| json!({"username": format!("u{i}")})).collect();
        let r = app.post(&t.at("/users"), &t.key, json!({"users": users})).await;
        r.assert_error(422, "too_many");
        assert_eq!(r.body["errors"][0]["field"], "users");
        let groups: Vec<Value> = (0..101).map(|i| json!({"name": format!("g{i}")})).collect();
        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": groups})).await;
        r.assert_error(422, "too_many");
        assert_eq!(r.body["errors"][0]["field"], "groups");
        let many: Vec<Value> = (0..500).map(|i| json!({"username": format!("m{i}")})).collect();
        app.post(&t.at("/users"), &t.key, json!({"users": many})).await.assert_error(422, "too_many");
        assert_eq!(count(&app, &t, "/users").await, 0);
        assert_eq!(count(&app, &t, "/groups").await, 0);
    }

    async fn malformed_create_bodies_write_nothing(app) {
        let t = app.tenant("acme").await;
        for (path, one, many, obj) in [
            ("/users", "user", "users", json!({"username": "geralt"})),
            ("/groups", "group", "groups", json!({"name": "witchers"})),
        ] {
            // Each with the field the error is about (where there is one).
            let cases = [
                (json!({ many: [] }), Some(many)),
                (json!({ one: obj.clone(), many: [obj.clone()] }), Some(many)),
                (json!({}), Some(one)),
                (json!({ one: obj.clone(), "extra": 1 }), Some("extra")),
                (json!({ many: [obj.clone()], "extra": 1 }), Some("extra")),
                (json!({ "object": obj.clone() }), Some("object")),
                (json!({ many: obj.clone() }), Some(many)),
                (json!({ one: [obj.clone()] }), None),
                (json!({ one: "geralt" }), None),
                (json!({ many: ["geralt"] }), None),
                (json!({ many: [obj.clone(), 5] }), None),
                (json!([obj.clone()]), None),
                (json!("text"), None),
                (json!(null), None),
            ];
            for (body, field) in cases {
                let r = app.post(&t.at(path), &t.key, body.clone()).await;
                r.assert_error(422, "invalid");
                if let Some(field) = field {
                    assert_eq!(r.body["errors"][0]["field"], field, "{body}: {}", r.text);
                }
            }
            let r = app.post(&t.at(path), &t.key, json!({ many: [obj.clone(), 5] })).await;
            assert_eq!(r.error_indexes(), [Some(1)], "{}", r.text);
            // Unknown field inside an object, single and bulk.
            let mut with_unknown = obj.as_object().unwrap().clone();
            with_unknown.insert("password".into(), json!("hunter2"));
            let r = app.post(&t.at(path), &t.key, json!({ one: with_unknown.clone() })).await;
            assert_errors(&r, &[(None, "password", "invalid")]);
            let r = app.post(&t.at(path), &t.key, json!({ many: [with_unknown] })).await;
            assert_errors(&r, &[(Some(0), "password", "invalid")]);
            // Not JSON at all.
            let res = app.raw(reqwest::Method::POST, &t.at(path)).header("X-API-KEY", &t.key)
                .header("Content-Type", "application/json").body("{\"user\": {\"username\": ").send().await.unwrap();
            TestApp::read(res).await.assert_error(400, "bad_request");
            assert_eq!(count(&app, &t, path).await, 0);
        }
    }

    async fn user_field_validation(app) {
        let t = app.tenant("acme").await;
        let long_url = format!("https://x.io/{}", "a".repeat(2048 - 13));
        assert_eq!(long_url.len(), 2048);
        let too_long_url = format!("{long_url}a");
        let allowed = [
            json!({"username": "geralt.of+rivia@kaer-morhen_1"}),
            json!({"username": "x".repeat(150)}),
            json!({"username": "a"}),
            json!({"username": "UPPER9"}),
            json!({"username": "e1", "email": null, "avatar_url": null, "name": null}),
            json!({"username": "e2", "email": "a.b+c@sub.example.org"}),
            json!({"username": "e3", "avatar_url": "http://x.io/a.png"}),
            json!({"username": "e4", "avatar_url": long_url}),
            json!({"username": "e5", "principal": "service_account"}),
            json!({"username": "e6", "principal": "user"}),
        ];
        for obj in allowed {
            app.post(&t.at("/users"), &t.key, json!({"user": obj})).await.assert_status(201);
        }
        let before = count(&app, &t, "/users").await;
        let rejected = [
            (json!({"username": ""}), "username"),
            (json!({"username": "x".repeat(151)}), "username"),
            (json!({"username": "a b"}), "username"),
            (json!({"username": "a/b"}), "username"),
            (json!({"username": "a#b"}), "username"),
            (json!({"username": "a:b"}), "username"),
            (json!({"username": 5}), "username"),
            (json!({"username": null}), "username"),
            (json!({"name": "no username"}), "username"),
            (json!({"username": "v1", "email": "nope"}), "email"),
            (json!({"username": "v2", "email": "a@"}), "email"),
            (json!({"username": "v3", "email": "@b.org"}), "email"),
            (json!({"username": "v4", "email": 5}), "email"),
            (json!({"username": "v5", "avatar_url": "ftp://x.io/a.png"}), "avatar_url"),
            (json!({"username": "v6", "avatar_url": "javascript:alert(1)"}), "avatar_url"),
            (json!({"username": "v7", "avatar_url": "not a url"}), "avatar_url"),
            (json!({"username": "v8", "avatar_url": "/relative.png"}), "avatar_url"),
            (json!({"username": "v9", "avatar_url": too_long_url}), "avatar_url"),
            (json!({"username": "v10", "avatar_url": 5}), "avatar_url"),
            (json!({"username": "v11", "principal": "admin"}), "principal"),
            (json!({"username": "v12", "principal": ""}), "principal"),
            (json!({"username": "v13", "principal": null}), "principal"),
            (json!({"username": "v14", "name": 5}), "name"),
            (json!({"username": "v15", "id": "7"}), "id"),
            (json!({"username": "v16", "created_at": "2020-01-01T00:00:00Z"}), "created_at"),
        ];
        for (obj, field) in rejected {
            let r = app.post(&t.at("/users"), &t.key, json!({"user": obj.clone()})).await;
            assert_errors(&r, &[(None, field, "invalid")]);
            // In a bulk the same error carries the object's index.
            let r = app.post(&t.at("/users"), &t.key, json!({"users": [{"username": "fine"}, obj]})).await;
            assert_errors(&r, &[(Some(1), field, "invalid")]);
        }
        assert_eq!(count(&app, &t, "/users").await, before);
        assert_eq!(count(&app, &t, "/users?username=fine").await, 0);
    }

    async fn group_field_validation(app) {
        let t = app.tenant("acme").await;
        for obj in [
            json!({"name": "x".repeat(255)}),
            json!({"name": "a"}),
            json!({"name": "With spaces & symbols / ok"}),
            json!({"name": "d1", "description": "d".repeat(4096)}),
            json!({"name": "d2", "description": null}),
        ] {
            app.post(&t.at("/groups"), &t.key, json!({"group": obj})).await.assert_status(201);
        }
        let rejected = [
            (json!({"name": ""}), "name"),
            (json!({"name": "x".repeat(256)}), "name"),
            (json!({"name": 5}), "name"),
            (json!({"name": null}), "name"),
            (json!({"description": "no name"}), "name"),
            (json!({"name": "v1", "description": "d".repeat(4097)}), "description"),
            (json!({"name": "v2", "description": 5}), "description"),
            (json!({"name": "v3", "owner": "me"}), "owner"),
        ];
        for (obj, field) in rejected {
            let r = app.post(&t.at("/groups"), &t.key, json!({"group": obj.clone()})).await;
            assert_errors(&r, &[(None, field, "invalid")]);
            let r = app.post(&t.at("/groups"), &t.key, json!({"groups": [{"name": "fine"}, {"name": "fine2"}, obj]})).await;
            assert_errors(&r, &[(Some(2), field, "invalid")]);
        }
        assert_eq!(count(&app, &t, "/groups").await, 5);
    }

    async fn a_bulk_reports_every_bad_object_and_writes_nothing(app) {
        let t = app.tenant("acme").await;
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "ok0"},
            {"username": "bad one"},
            {"username": "ok2", "email": "not-an-email"},
            {"username": "ok3"},
            {"username": "ok4", "principal": "root"},
            {"username": "ok5"},
        ]})).await;
        assert_errors(&r, &[
            (Some(1), "username", "invalid"),
            (Some(2), "email", "invalid"),
            (Some(4), "principal", "invalid"),
        ]);
        assert_eq!(r.error_indexes(), [Some(1), Some(2), Some(4)]);
        assert_eq!(count(&app, &t, "/users").await, 0);
        // Two problems in one object are both reported at its index.
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "ok0"},
            {"username": "", "email": "x"},
        ]})).await;
        r.assert_error(422, "invalid");
        assert_eq!(r.error_indexes(), [Some(1), Some(1)]);
        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": [
            {"name": ""}, {"name": "fine"}, {"name": "x", "description": 7}, {"name": "y", "z": 1},
        ]})).await;
        assert_errors(&r, &[
            (Some(0), "name", "invalid"),
            (Some(2), "description", "invalid"),
            (Some(3), "z", "invalid"),
        ]);
        assert_eq!(count(&app, &t, "/users").await, 0);
        assert_eq!(count(&app, &t, "/groups").await, 0);
    }

    async fn duplicates_in_a_bulk_and_in_the_database(app) {
        let t = app.tenant("acme").await;
        // Within one bulk: the later index fails.
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "geralt"}, {"username": "ciri"}, {"username": "geralt"}, {"username": "ciri"},
        ]})).await;
        assert_errors(&r, &[(Some(2), "username", "duplicate"), (Some(3), "username", "duplicate")]);
        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": [
            {"name": "a"}, {"name": "b"}, {"name": "a"},
        ]})).await;
        assert_errors(&r, &[(Some(2), "name", "duplicate")]);
        assert_eq!(count(&app, &t, "/users").await, 0);
        assert_eq!(count(&app, &t, "/groups").await, 0);

        // Against rows already stored.
        app.users(&t, &["geralt"]).await;
        app.groups(&t, &["witchers"]).await;
        let r = app.post(&t.at("/users"), &t.key, json!({"user": {"username": "geralt"}})).await;
        assert_errors(&r, &[(None, "username", "duplicate")]);
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [{"username": "yen"}, {"username": "geralt"}]})).await;
        assert_errors(&r, &[(Some(1), "username", "duplicate")]);
        let r = app.post(&t.at("/groups"), &t.key, json!({"group": {"name": "witchers"}})).await;
        assert_errors(&r, &[(None, "name", "duplicate")]);
        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": [{"name": "mages"}, {"name": "witchers"}]})).await;
        assert_errors(&r, &[(Some(1), "name", "duplicate")]);
        assert_eq!(count(&app, &t, "/users?username=yen").await, 0);
        // Duplicates and invalid fields of one bulk are all reported together.
        let r = app
            .post(
                &t.at("/users"),
                &t.key,
                json!({"users": [
                    {"username": "fresh"}, {"username": "geralt"}, {"username": "x", "email": "bad"},
                    {"username": "fresh"},
                ]}),
            )
            .await;
        assert_errors(
            &r,
            &[
                (Some(1), "username", "duplicate"),
                (Some(2), "email", "invalid"),
                (Some(3), "username", "duplicate"),
            ],
        );
        assert_eq!(count(&app, &t, "/users?username=fresh").await, 0);
        assert_eq!(count(&app, &t, "/groups?name=mages").await, 0);
        // Case-sensitive, and per instance.
        app.users(&t, &["Geralt"]).await;
        app.groups(&t, &["Witchers"]).await;
        let other = app.tenant("globex").await;
        app.users(&other, &["geralt"]).await;
        app.groups(&other, &["witchers"]).await;
        assert_eq!(count(&app, &t, "/users").await, 2);
    }

    async fn concurrent_creates_of_one_username_make_exactly_one(app) {
        let t = app.tenant("acme").await;
        for (path, body) in [
            ("/users", json!({"user": {"username": "geralt"}})),
            ("/groups", json!({"group": {"name": "witchers"}})),
            ("/users", json!({"users": [{"username": "a1"}, {"username": "racer"}]})),
        ] {
            let path = t.at(path);
            let requests = (0..20).map(|_| app.post(&path, &t.key, body.clone()));
            let responses = futures_util::future::join_all(requests).await;
            let created = responses.iter().filter(|r| r.status == 201).count();
            assert_eq!(created, 1, "{:?}", responses.iter().map(|r| (r.status, r.text.clone())).collect::<Vec<_>>());
            for r in responses.iter().filter(|r| r.status != 201) {
                r.assert_error(422, "duplicate");
                let field = r.body["errors"][0]["field"].as_str().unwrap_or_default();
                assert!(field == "username" || field == "name", "{}", r.text);
            }
        }
        assert_eq!(count(&app, &t, "/users?username=geralt").await, 1);
        assert_eq!(count(&app, &t, "/groups?name=witchers").await, 1);
        assert_eq!(count(&app, &t, "/users").await, 3);
    }

    async fn ids_in_bodies_may_be_strings_or_numbers(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt", "ciri"]).await;
        let groups = app.groups(&t, &["witchers"]).await;
        let n = |s: &String| s.parse::<i64>().unwrap();
        let r = app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": n(&users[0]), "group_id": n(&groups[0])},
            {"user_id": users[1], "group_id": groups[0]},
        ]})).await;
        r.assert_status(201);
        let ms = r.results();
        assert_eq!(ms[0]["user_id"], json!(users[0]));
        assert_eq!(ms[0]["group_id"], json!(groups[0]));
        assert_eq!(ms[1]["user_id"], json!(users[1]));
        // Nothing but positive integers.
        for bad in [json!("abc"), json!(0), json!(-1), json!(1.5), json!(true), json!("1e3")] {
            let r = app.post(&t.at("/memberships"), &t.key, json!({"membership": {"user_id": bad, "group_id": groups[0]}})).await;
            r.assert_error(422, "invalid");
            assert_eq!(r.body["errors"][0]["field"], "user_id");
        }
    }

    async fn get_and_patch_a_user(app) {
        let t = app.tenant("acme").await;
        let id = create_users(&app, &t, vec![json!({"username": "geralt", "email": "g@x.io"}), json!({"username": "ciri"})]).await;
        let r = app.get(&t.at(&format!("/users/{}", id[0])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.body["results"], json!([{"key": "users", "id": id[0]}]));
        let before = r.body["users"][&id[0]].clone();
        assert_eq!(before["username"], "geralt");
        app.get(&t.at("/users/999999"), &t.key).await.assert_error(404, "not_found");
        app.get(&t.at("/users/abc"), &t.key).await.assert_error(404, "not_found");
        app.get(&t.at("/users/0"), &t.key).await.assert_error(404, "not_found");

        let r = app.patch(&t.at(&format!("/users/{}", id[0])), &t.key, json!({"user": {
            "username": "white.wolf", "name": "Geralt", "email": null,
            "avatar_url": "https://img.example/w.png", "principal": "service_account"
        }})).await;
        r.assert_status(200);
        let after = &r.body["users"][&id[0]];
        assert_eq!(after["username"], "white.wolf");
        assert_eq!(after["name"], "Geralt");
        assert_eq!(after["email"], Value::Null);
        assert_eq!(after["avatar_url"], "https://img.example/w.png");
        assert_eq!(after["principal"], "service_account");
        assert_eq!(after["created_at"], before["created_at"]);
        let (b, a) = (before["updated_at"].as_str().unwrap(), after["updated_at"].as_str().unwrap());
        assert!(chrono::DateTime::parse_from_rfc3339(a).unwrap() >= chrono::DateTime::parse_from_rfc3339(b).unwrap());
        // Omitted fields stay as they are.
        let r = app.patch(&t.at(&format!("/users/{}", id[0])), &t.key, json!({"user": {"name": "G"}})).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["username"], "white.wolf");
        assert_eq!(r.results()[0]["avatar_url"], "https://img.example/w.png");

        let snapshot = app.get(&t.at(&format!("/users/{}", id[0])), &t.key).await.body;
        let path = t.at(&format!("/users/{}", id[0]));
        for (body, field, kind) in [
            (json!({"user": {"username": "ciri"}}), "username", "duplicate"),
            (json!({"user": {"username": "bad name"}}), "username", "invalid"),
            (json!({"user": {"username": null}}), "username", "invalid"),
            (json!({"user": {"email": "nope"}}), "email", "invalid"),
            (json!({"user": {"avatar_url": "ftp://x"}}), "avatar_url", "invalid"),
            (json!({"user": {"principal": "god"}}), "principal", "invalid"),
            (json!({"user": {"password": "x"}}), "password", "invalid"),
            (json!({"user": {"id": "5"}}), "id", "invalid"),
            (json!({"user": {"updated_at": "2020-01-01T00:00:00Z"}}), "updated_at", "invalid"),
            (json!({"users": [{"name": "x"}]}), "users", "invalid"),
            (json!({"user": {"name": "x"}, "other": 1}), "other", "invalid"),
            (json!({"user": "x"}), "user", "invalid"),
            (json!({}), "user", "invalid"),
        ] {
            let r = app.patch(&path, &t.key, body).await;
            assert_errors(&r, &[(None, field, kind)]);
        }
        // A valid field beside an invalid one is not written either.
        let r = app.patch(&path, &t.key, json!({"user": {"name": "changed", "email": "bad"}})).await;
        assert_errors(&r, &[(None, "email", "invalid")]);
        assert_eq!(app.get(&path, &t.key).await.body, snapshot);
        app.patch(&t.at("/users/999999"), &t.key, json!({"user": {"name": "x"}})).await.assert_error(404, "not_found");
        // A bad include or fields on a PATCH is a 400 and writes nothing.
        for q in ["include=bogus", "fields=bogus"] {
            let r = app
                .patch(&format!("{path}?{q}"), &t.key, json!({"user": {"name": "changed"}}))
                .await;
            r.assert_error(400, "bad_request");
        }
        assert_eq!(app.get(&path, &t.key).await.body, snapshot);
        // Renaming to its own name is fine.
        app.patch(&path, &t.key, json!({"user": {"username": "white.wolf"}})).await.assert_status(200);
    }

    async fn get_and_patch_a_group(app) {
        let t = app.tenant("acme").await;
        let ids = app.groups(&t, &["witchers", "mages"]).await;
        let path = t.at(&format!("/groups/{}", ids[0]));
        let r = app.get(&path, &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["name"], "witchers");
        app.get(&t.at("/groups/999999"), &t.key).await.assert_error(404, "not_found");
        let r = app.patch(&path, &t.key, json!({"group": {"name": "wolves", "description": "School of the Wolf"}})).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["name"], "wolves");
        assert_eq!(r.results()[0]["description"], "School of the Wolf");
        let r = app.patch(&path, &t.key, json!({"group": {"description": null}})).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["description"], Value::Null);
        assert_eq!(r.results()[0]["name"], "wolves");
        let snapshot = app.get(&path, &t.key).await.body;
        for (body, field, kind) in [
            (json!({"group": {"name": "mages"}}), "name", "duplicate"),
            (json!({"group": {"name": ""}}), "name", "invalid"),
            (json!({"group": {"name": "x".repeat(256)}}), "name", "invalid"),
            (json!({"group": {"description": "d".repeat(4097)}}), "description", "invalid"),
            (json!({"group": {"color": "red"}}), "color", "invalid"),
            (json!({"group": {"id": 1}}), "id", "invalid"),
            (json!({"groups": [{"name": "x"}]}), "groups", "invalid"),
        ] {
            let r = app.patch(&path, &t.key, body).await;
            assert_errors(&r, &[(None, field, kind)]);
        }
        assert_eq!(app.get(&path, &t.key).await.body, snapshot);
    }

    async fn deleting_a_user_removes_its_memberships_and_keys(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt", "ciri"]).await;
        let groups = app.groups(&t, &["witchers", "mages"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[0], "group_id": groups[1]},
            {"user_id": users[1], "group_id": groups[0]},
        ]})).await.assert_status(201);
        let key = app.user_key(&t, &users[0]).await;
        let other_key = app.user_key(&t, &users[1]).await;
        app.get(&t.at(&format!("/users/{}", users[0])), &key).await.assert_status(200);
        assert_eq!(count(&app, &t, "/api_keys").await, 3);

        let r = app.delete(&t.at(&format!("/users/{}", users[0])), &t.key).await;
        r.assert_status(204);
        assert!(r.text.is_empty(), "{}", r.text);
        app.get(&t.at(&format!("/users/{}", users[0])), &t.key).await.assert_error(404, "not_found");
        app.delete(&t.at(&format!("/users/{}", users[0])), &t.key).await.assert_error(404, "not_found");
        assert_eq!(count(&app, &t, &format!("/memberships?user_id={}", users[0])).await, 0);
        assert_eq!(count(&app, &t, "/memberships").await, 1);
        // Its key is gone: 401 on the very next request.
        app.get(&t.at(&format!("/users/{}", users[0])), &key).await.assert_error(401, "unauthorized");
        app.get(&t.at("/groups"), &key).await.assert_error(401, "unauthorized");
        assert_eq!(count(&app, &t, "/api_keys").await, 2);
        // Others are untouched.
        app.get(&t.at(&format!("/users/{}", users[1])), &other_key).await.assert_status(200);
        assert_eq!(count(&app, &t, "/groups").await, 2);
        // The username is free again.
        app.users(&t, &["geralt"]).await;
        app.delete(&t.at("/users/abc"), &t.key).await.assert_error(404, "not_found");
    }

    async fn deleting_a_group_removes_its_memberships_and_barriers(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt", "ciri"]).await;
        let groups = app.groups(&t, &["witchers", "mages", "bards", "kings"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[1], "group_id": groups[0]},
            {"user_id": users[1], "group_id": groups[2]},
        ]})).await.assert_status(201);
        app.post(&t.at("/barriers"), &t.key, json!({"barriers": [
            {"group_ids": [groups[0], groups[1]]},
            {"group_ids": [groups[3], groups[0]]},
            {"group_ids": [groups[2], groups[3]]},
        ]})).await.assert_status(201);

        let r = app.delete(&t.at(&format!("/groups/{}", groups[0])), &t.key).await;
        r.assert_status(204);
        assert!(r.text.is_empty());
        app.get(&t.at(&format!("/groups/{}", groups[0])), &t.key).await.assert_error(404, "not_found");
        assert_eq!(count(&app, &t, &format!("/memberships?group_id={}", groups[0])).await, 0);
        assert_eq!(count(&app, &t, "/memberships").await, 1);
        let barriers = app.get(&t.at("/barriers"), &t.key).await;
        assert_eq!(barriers.body["meta"]["count"], 1, "{}", barriers.text);
        assert_eq!(barriers.results()[0]["group_ids"], json!([groups[2], groups[3]]));
        // The users stay; a barrier gone means the pair may now be joined.
        assert_eq!(count(&app, &t, "/users").await, 2);
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[1]},
            {"user_id": users[0], "group_id": groups[3]},
        ]})).await.assert_status(201);
        app.delete(&t.at(&format!("/groups/{}", groups[0])), &t.key).await.assert_error(404, "not_found");
    }

    async fn list_filters(app) {
        let t = app.tenant("acme").await;
        let first = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "geralt"}, {"username": "ciri"}, {"username": "bot1", "principal": "service_account"},
        ]})).await;
        first.assert_status(201);
        let first_ids = column(&first, "id");
        let mark = first.results().iter().map(|u| u["created_at"].as_str().unwrap().to_string()).max().unwrap();
        let second = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "yen"}, {"username": "bot2", "principal": "service_account"},
        ]})).await;
        second.assert_status(201);
        let second_ids = column(&second, "id");

        let r = app.get(&t.at(&format!("/users?ids={},{}", first_ids[1], second_ids[0])), &t.key).await;
        assert_eq!(column(&r, "username"), ["ciri", "yen"]);
        assert_eq!(r.body["meta"]["count"], 2);
        let r = app.get(&t.at("/users?username=geralt"), &t.key).await;
        assert_eq!(column(&r, "username"), ["geralt"]);
        assert_eq!(count(&app, &t, "/users?username=Geralt").await, 0);
        let r = app.get(&t.at("/users?principal=service_account"), &t.key).await;
        assert_eq!(column(&r, "username"), ["bot1", "bot2"]);
        let r = app.get(&t.at("/users?principal=user"), &t.key).await;
        assert_eq!(column(&r, "username"), ["geralt", "ciri", "yen"]);
        let r = app.get(&t.at(&format!("/users?created_after={mark}")), &t.key).await;
        assert_eq!(column(&r, "id"), second_ids);
        // Any offset is accepted (it is converted to UTC).
        let r = app.get(&t.at("/users?created_after=2000-01-01T01:00:00%2B01:00"), &t.key).await;
        assert_eq!(r.body["meta"]["count"], 5);
        // updated_after sees what changed since.
        let upd_mark = second.results().iter().map(|u| u["updated_at"].as_str().unwrap().to_string()).max().unwrap();
        app.patch(&t.at(&format!("/users/{}", first_ids[0])), &t.key, json!({"user": {"name": "G"}})).await.assert_status(200);
        let r = app.get(&t.at(&format!("/users?updated_after={upd_mark}")), &t.key).await;
        assert_eq!(column(&r, "username"), ["geralt"]);
        // Filters combine.
        let r = app.get(&t.at(&format!("/users?principal=service_account&created_after={mark}")), &t.key).await;
        assert_eq!(column(&r, "username"), ["bot2"]);
        let r = app.get(&t.at(&format!("/users?ids={}&username=ciri", first_ids[0])), &t.key).await;
        assert_eq!(r.body["meta"]["count"], 0);
        assert_eq!(r.body["results"], json!([]));

        // Groups.
        let g1 = app.post(&t.at("/groups"), &t.key, json!({"groups": [{"name": "witchers"}, {"name": "mages"}]})).await;
        let gmark = g1.results().iter().map(|g| g["created_at"].as_str().unwrap().to_string()).max().unwrap();
        let g2 = app.groups(&t, &["bards"]).await;
        let gids = column(&g1, "id");
        let r = app.get(&t.at(&format!("/groups?ids={},{}", gids[1], g2[0])), &t.key).await;
        assert_eq!(column(&r, "name"), ["mages", "bards"]);
        let r = app.get(&t.at("/groups?name=witchers"), &t.key).await;
        assert_eq!(column(&r, "name"), ["witchers"]);
        let r = app.get(&t.at(&format!("/groups?created_after={gmark}")), &t.key).await;
        assert_eq!(column(&r, "name"), ["bards"]);
        let gumark = app.get(&t.at(&format!("/groups/{}", g2[0])), &t.key).await.results()[0]["updated_at"].as_str().unwrap().to_string();
        app.patch(&t.at(&format!("/groups/{}", gids[0])), &t.key, json!({"group": {"description": "d"}})).await.assert_status(200);
        let r = app.get(&t.at(&format!("/groups?updated_after={gumark}")), &t.key).await;
        assert_eq!(column(&r, "name"), ["witchers"]);
    }

    async fn list_order(app) {
        let t = app.tenant("acme").await;
        let names = ["mid", "alpha", "zed", "beta"];
        let ids = app.users(&t, &names).await;
        let get = |q: &'static str| {
            let path = t.at(&format!("/users?{q}"));
            let key = t.key.clone();
            let app = &app;
            async move { app.get(&path, &key).await }
        };
        let r = get("").await;
        assert_eq!(column(&r, "username"), names);
        assert_eq!(column(&get("order=id:asc").await, "username"), names);
        assert_eq!(column(&get("order=id:desc").await, "username"), ["beta", "zed", "alpha", "mid"]);
        assert_eq!(column(&get("order=username:asc").await, "username"), ["alpha", "beta", "mid", "zed"]);
        assert_eq!(column(&get("order=username:desc").await, "username"), ["zed", "mid", "beta", "alpha"]);
        assert_eq!(column(&get("order=username").await, "username"), ["alpha", "beta", "mid", "zed"]);
        // Created in one bulk: created_at ties are broken by ID.
        let asc: Vec<String> = column(&get("order=created_at:asc").await, "id");
        assert_eq!(asc, ids);
        let mut desc = column(&get("order=created_at:desc").await, "id");
        desc.reverse();
        assert_eq!(desc, ids);
        // updated_at follows the updates.
        app.patch(&t.at(&format!("/users/{}", ids[0])), &t.key, json!({"user": {"name": "x"}})).await.assert_status(200);
        let r = get("order=updated_at:desc").await;
        assert_eq!(column(&r, "username")[0], "mid");
        let r = get("order=updated_at:asc").await;
        assert_eq!(column(&r, "username")[3], "mid");

        let gnames = ["witchers", "bards", "mages"];
        app.groups(&t, &gnames).await;
        let r = app.get(&t.at("/groups?order=name:asc"), &t.key).await;
        assert_eq!(column(&r, "name"), ["bards", "mages", "witchers"]);
        let r = app.get(&t.at("/groups?order=name:desc"), &t.key).await;
        assert_eq!(column(&r, "name"), ["witchers", "mages", "bards"]);
        let r = app.get(&t.at("/groups?order=id:desc"), &t.key).await;
        assert_eq!(column(&r, "name"), ["mages", "bards", "witchers"]);
        // username is not a group field, nor name a user field.
        let r = app.get(&t.at("/groups?order=username:asc"), &t.key).await;
        r.assert_error(400, "bad_request");
        assert_eq!(r.body["errors"][0]["field"], "order");
        let r = app.get(&t.at("/users?order=name:asc"), &t.key).await;
        r.assert_error(400, "bad_request");
        assert_eq!(r.body["errors"][0]["field"], "order");
    }

    async fn paging_by_page_and_per_page(app) {
        let t = app.tenant("acme").await;
        let objs: Vec<Value> = (0..45).map(|i| json!({"username": format!("u{i:02}")})).collect();
        let all = create_users(&app, &t, objs).await;
        let r = app.get(&t.at("/users"), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.body["count"], 45);
        let meta = &r.body["meta"];
        assert_eq!(meta["count"], 45);
        assert_eq!(meta["page_count"], 3);
        assert_eq!(meta["page_number"], 1);
        assert_eq!(meta["page_size"], 20);
        assert!(meta["next_cursor"].is_string(), "{meta}");
        assert_eq!(column(&r, "id"), all[..20]);
        let r = app.get(&t.at("/users?page=2"), &t.key).await;
        assert_eq!(column(&r, "id"), all[20..40]);
        assert_eq!(r.body["meta"]["page_number"], 2);
        let r = app.get(&t.at("/users?page=3"), &t.key).await;
        assert_eq!(column(&r, "id"), all[40..]);
        assert_eq!(r.body["meta"]["next_cursor"], Value::Null);
        let r = app.get(&t.at("/users?page=4"), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.body["results"], json!([]));
        assert_eq!(r.body["meta"]["count"], 45);
        let r = app.get(&t.at("/users?page=2&per_page=7"), &t.key).await;
        assert_eq!(column(&r, "id"), all[7..14]);
        assert_eq!(r.body["meta"]["page_count"], 7);
        assert_eq!(r.body["meta"]["page_size"], 7);
        let r = app.get(&t.at("/users?per_page=200"), &t.key).await;
        assert_eq!(column(&r, "id"), all);
        assert_eq!(r.body["meta"]["page_count"], 1);
        assert_eq!(r.body["meta"]["next_cursor"], Value::Null);
        let r = app.get(&t.at("/users?per_page=1"), &t.key).await;
        assert_eq!(r.body["meta"]["page_count"], 45);
        for (q, field) in [
            ("per_page=0", "per_page"), ("per_page=201", "per_page"), ("per_page=-1", "per_page"),
            ("per_page=abc", "per_page"), ("page=0", "page"), ("page=-2", "page"), ("page=x", "page"),
        ] {
            for res in ["/users", "/groups"] {
                let r = app.get(&t.at(&format!("{res}?{q}")), &t.key).await;
                r.assert_error(400, "bad_request");
                assert_eq!(r.body["errors"][0]["field"], field, "{q}: {}", r.text);
            }
        }
        // An empty list.
        let r = app.get(&t.at("/groups"), &t.key).await;
        assert_eq!(r.body["meta"]["count"], 0);
        assert_eq!(r.body["meta"]["page_count"], 0);
        assert_eq!(r.body["meta"]["next_cursor"], Value::Null);
        assert_eq!(r.body["groups"], json!({}));
    }

    async fn offset_over_10000_is_refused(app) {
        let t = app.tenant("acme").await;
        app.users(&t, &["geralt"]).await;
        for res in ["/users", "/groups"] {
            for q in ["page=10001&per_page=1", "page=51&per_page=200", "page=501", "page=101&per_page=100"] {
                let r = app.get(&t.at(&format!("{res}?{q}")), &t.key).await;
                r.assert_status(200);
                assert_eq!(r.body["results"], json!([]), "{q}");
            }
            for q in ["page=10002&per_page=1", "page=52&per_page=200", "page=502", "page=102&per_page=100", "page=99999999"] {
                let r = app.get(&t.at(&format!("{res}?{q}")), &t.key).await;
                r.assert_error(400, "bad_request");
                assert_eq!(r.body["errors"][0]["field"], "page", "{q}: {}", r.text);
            }
        }
    }

    async fn cursor_paging_returns_every_row_once(app) {
        let t = app.tenant("acme").await;
        // Usernames in an order unlike the IDs': 37 is coprime with 250.
        let mut all = Vec::new();
        for chunk in (0..250).collect::<Vec<i64>>().chunks(100) {
            let objs: Vec<Value> = chunk.iter().map(|i| json!({"username": format!("u{:03}", i * 37 % 250)})).collect();
            all.extend(create_users(&app, &t, objs).await);
        }
        assert_eq!(all.len(), 250);

        // ID order.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let q = match &cursor { Some(c) => format!("/users?per_page=100&cursor={c}"), None => "/users?per_page=100".into() };
            let r = app.get(&t.at(&q), &t.key).await;
            r.assert_status(200);
            pages += 1;
            assert_eq!(r.body["meta"]["count"], 250);
            if cursor.is_some() {
                assert_eq!(r.body["meta"]["page_number"], Value::Null);
            }
            seen.extend(column(&r, "id"));
            match r.body["meta"]["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
            assert!(pages < 10, "the cursor does not end");
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, all);

        // username:desc.
        let mut expected: Vec<String> = (0..250).map(|i| format!("u{i:03}")).collect();
        expected.sort();
        expected.reverse();
        let mut names = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let q = match &cursor {
                Some(c) => format!("/users?per_page=100&order=username:desc&cursor={c}"),
                None => "/users?per_page=100&order=username:desc".into(),
            };
            let r = app.get(&t.at(&q), &t.key).await;
            r.assert_status(200);
            pages += 1;
            names.extend(column(&r, "username"));
            match r.body["meta"]["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
            assert!(pages < 10, "the cursor does not end");
        }
        assert_eq!(pages, 3);
        assert_eq!(names, expected);
        let unique: HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), 250);

        // created_at:desc and updated_at:asc (many rows of one bulk share a time or
        // nearly): every row once, in the order of the field then ID.
        for (order, want) in [
            ("created_at:desc", all.iter().rev().cloned().collect::<Vec<_>>()),
            ("updated_at:asc", all.clone()),
        ] {
            let mut got = Vec::new();
            let mut q = format!("/users?per_page=30&order={order}");
            loop {
                let r = app.get(&t.at(&q), &t.key).await;
                r.assert_status(200);
                got.extend(column(&r, "id"));
                match r.body["meta"]["next_cursor"].as_str() {
                    Some(c) => q = format!("/users?per_page=30&order={order}&cursor={c}"),
                    None => break,
                }
                assert!(got.len() <= 250, "the cursor does not end");
            }
            assert_eq!(got, want, "{order}");
        }

        // Rows created after a cursor was handed out are still reached; none twice.
        let r = app.get(&t.at("/users?per_page=200"), &t.key).await;
        let c = r.body["meta"]["next_cursor"].as_str().unwrap().to_string();
        app.users(&t, &["late"]).await;
        let r = app.get(&t.at(&format!("/users?per_page=200&cursor={c}")), &t.key).await;
        assert_eq!(r.results().len(), 51);
        assert_eq!(r.results()[50]["username"], "late");
        assert_eq!(r.body["meta"]["next_cursor"], Value::Null);

        // Bad cursors.
        for q in [format!("cursor={c}&page=2"), "cursor=garbage".into(), "cursor=".into(), "cursor=eyJmIjoiaWQifQ".into()] {
            let r = app.get(&t.at(&format!("/users?{q}")), &t.key).await;
            r.assert_error(400, "bad_request");
            assert_eq!(r.body["errors"][0]["field"], "cursor", "{q}: {}", r.text);
        }
        let r = app.get(&t.at(&format!("/users?cursor={c}&order=username:asc")), &t.key).await;
        r.assert_error(400, "bad_request");

        // Groups page by cursor too.
        let objs: Vec<Value> = (0..25).map(|i| json!({"name": format!("g{i:02}")})).collect();
        app.post(&t.at("/groups"), &t.key, json!({"groups": objs})).await.assert_status(201);
        let mut names = Vec::new();
        let mut q = "/groups?per_page=10&order=name:asc".to_string();
        loop {
            let r = app.get(&t.at(&q), &t.key).await;
            r.assert_status(200);
            names.extend(column(&r, "name"));
            match r.body["meta"]["next_cursor"].as_str() {
                Some(c) => q = format!("/groups?per_page=10&cursor={c}"),
                None => break,
            }
            assert!(names.len() <= 25);
        }
        assert_eq!(names, (0..25).map(|i| format!("g{i:02}")).collect::<Vec<_>>());
    }

    async fn fields_limit_the_attributes(app) {
        let t = app.tenant("acme").await;
        let ids = create_users(&app, &t, vec![json!({"username": "geralt", "email": "g@x.io"}), json!({"username": "ciri"})]).await;
        let r = app.get(&t.at("/users?fields=username"), &t.key).await;
        r.assert_status(200);
        for u in r.results() {
            let keys: HashSet<&str> = u.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, HashSet::from(["id", "username"]), "{}", r.text);
        }
        let r = app.get(&t.at(&format!("/users/{}?fields=email,principal", ids[0])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results()[0], json!({"id": ids[0], "email": "g@x.io", "principal": "user"}));
        let r = app.post(&t.at("/users?fields=username"), &t.key, json!({"user": {"username": "yen"}})).await;
        r.assert_status(201);
        let created = r.results();
        let keys: HashSet<&str> = created[0].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, HashSet::from(["id", "username"]), "{}", r.text);
        let r = app.get(&t.at("/groups?fields=name"), &t.key).await;
        r.assert_status(200);
        for (q, res) in [("fields=password", "/users"), ("fields=username,bogus", "/users"), ("fields=username", "/groups"), ("fields=key_hash", "/users")] {
            let r = app.get(&t.at(&format!("{res}?{q}")), &t.key).await;
            r.assert_error(400, "bad_request");
            assert_eq!(r.body["errors"][0]["field"], "fields");
        }
        let r = app.get(&t.at(&format!("/users/{}?fields=bogus", ids[0])), &t.key).await;
        r.assert_error(400, "bad_request");
        assert_eq!(r.body["errors"][0]["field"], "fields");
        // A create with a bad `fields` writes nothing.
        let r = app.post(&t.at("/users?fields=bogus"), &t.key, json!({"user": {"username": "lambert"}})).await;
        r.assert_error(400, "bad_request");
        assert_eq!(count(&app, &t, "/users?username=lambert").await, 0);
    }

    async fn include_memberships_sideloads(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt", "ciri", "lonely"]).await;
        let groups = app.groups(&t, &["witchers", "mages", "empty"]).await;
        let m = app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[0], "group_id": groups[1]},
            {"user_id": users[1], "group_id": groups[0]},
        ]})).await;
        m.assert_status(201);
        let mids = column(&m, "id");

        let r = app.get(&t.at("/users?include=memberships"), &t.key).await;
        r.assert_status(200);
        let u = r.results();
        assert_eq!(u[0]["membership_ids"], json!([mids[0], mids[1]]));
        assert_eq!(u[1]["membership_ids"], json!([mids[2]]));
        assert_eq!(u[2]["membership_ids"], json!([]));
        let ms = r.body["memberships"].as_object().expect("memberships map");
        assert_eq!(ms.len(), 3);
        assert_eq!(ms[&mids[1]]["group_id"], json!(groups[1]));
        assert!(r.body.get("groups").is_none(), "groups not asked for: {}", r.text);

        let r = app.get(&t.at(&format!("/users/{}?include=memberships.group", users[0])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["membership_ids"], json!([mids[0], mids[1]]));
        let gs = r.body["groups"].as_object().expect("groups map");
        assert_eq!(gs.len(), 2);
        assert_eq!(gs[&groups[1]]["name"], "mages");
        assert_eq!(r.body["memberships"].as_object().unwrap().len(), 2);

        let r = app.get(&t.at("/groups?include=memberships.user"), &t.key).await;
        r.assert_status(200);
        let g = r.results();
        assert_eq!(g[0]["membership_ids"], json!([mids[0], mids[2]]));
        assert_eq!(g[2]["membership_ids"], json!([]));
        assert_eq!(r.body["users"].as_object().unwrap().len(), 2);
        assert_eq!(r.body["users"][&users[1]]["username"], "ciri");
        // include with fields: membership_ids stay, other attributes go.
        let r = app.get(&t.at("/groups?include=memberships&fields=name"), &t.key).await;
        r.assert_status(200);
        assert!(r.results()[0].get("description").is_none());
        assert_eq!(r.results()[0]["name"], "witchers");
        assert_eq!(r.results()[0]["membership_ids"], json!([mids[0], mids[2]]), "{}", r.text);
        let r = app.get(&t.at(&format!("/users/{}?include=memberships&fields=username", users[0])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results()[0], json!({"id": users[0], "username": "geralt", "membership_ids": [mids[0], mids[1]]}));

        for (res, q) in [
            ("/users", "include=bogus"), ("/users", "include=memberships,groups"), ("/users", "include=memberships.user"),
            ("/groups", "include=memberships.group"), ("/groups", "include=users"),
        ] {
            let r = app.get(&t.at(&format!("{res}?{q}")), &t.key).await;
            r.assert_error(400, "bad_request");
            assert_eq!(r.body["errors"][0]["field"], "include", "{res}?{q}");
        }
        let r = app.get(&t.at(&format!("/users/{}?include=bogus", users[0])), &t.key).await;
        r.assert_error(400, "bad_request");
        let r = app.post(&t.at("/groups?include=bogus"), &t.key, json!({"group": {"name": "nope"}})).await;
        r.assert_error(400, "bad_request");
        assert_eq!(count(&app, &t, "/groups?name=nope").await, 0);
    }

    async fn bad_query_parameters_name_the_parameter(app) {
        let t = app.tenant("acme").await;
        app.users(&t, &["geralt"]).await;
        for (res, q, field) in [
            ("/users", "ids=abc", "ids"),
            ("/users", "ids=1,x", "ids"),
            ("/users", "ids=-1", "ids"),
            ("/users", "created_after=yesterday", "created_after"),
            ("/users", "created_after=2026-01-01", "created_after"),
            ("/users", "updated_after=tomorrow", "updated_after"),
            ("/users", "order=bogus:asc", "order"),
            ("/users", "order=username:sideways", "order"),
            ("/users", "order=email:asc", "order"),
            ("/users", "principal=root", "principal"),
            ("/users", "user=5", "user"),
            ("/users", "name=geralt", "name"),
            ("/users", "username=a&username=b", "username"),
            ("/groups", "ids=abc", "ids"),
            ("/groups", "created_after=yesterday", "created_after"),
            ("/groups", "order=bogus:asc", "order"),
            ("/groups", "username=geralt", "username"),
            ("/groups", "principal=user", "principal"),
        ] {
            let r = app.get(&t.at(&format!("{res}?{q}")), &t.key).await;
            r.assert_error(400, "bad_request");
            assert_eq!(r.body["errors"][0]["field"], field, "{res}?{q}: {}", r.text);
        }
    }

    async fn a_bulk_create_costs_a_fixed_number_of_statements(app) {
        let t = app.tenant("acme").await;
        let mut counts = Vec::new();
        for (n, prefix) in [(2, "small"), (100, "big")] {
            let objs: Vec<Value> = (0..n).map(|i| json!({"username": format!("{prefix}{i}")})).collect();
            let r = app.post(&t.at("/users"), &t.key, json!({"users": objs})).await;
            r.assert_status(201);
            let q: u64 = r.header("x-query-count").expect("X-Query-Count").parse().unwrap();
            counts.push(q);
        }
        println!("X-Query-Count of a users bulk: 2 objects {}, 100 objects {}", counts[0], counts[1]);
        assert_eq!(counts[0], counts[1], "statements grow with the bulk size");
        // 1. the key lookup; 2. BEGIN (on SQLite a SAVEPOINT of the writer thread's
        // group transaction); 3. the usernames already taken, one select; 4. the
        // INSERT, one multi-row VALUES list; then the events (§9): on PostgreSQL one
        // statement (the counter, the rows from arrays, the NOTIFY), on SQLite two (the
        // counter, the rows); last, COMMIT (on SQLite, RELEASE).
        let events = match app.backend { Backend::Postgres => 1, Backend::Sqlite => 2 };
        assert_eq!(counts, [5 + events, 5 + events], "statements of a users bulk on {:?}", app.backend);
        let mut gcounts = Vec::new();
        for (n, prefix) in [(2, "small"), (100, "big")] {
            let objs: Vec<Value> = (0..n).map(|i| json!({"name": format!("{prefix}{i}")})).collect();
            let r = app.post(&t.at("/groups?include=memberships"), &t.key, json!({"groups": objs})).await;
            r.assert_status(201);
            gcounts.push(r.header("x-query-count").unwrap().parse::<u64>().unwrap());
        }
        println!("X-Query-Count of a groups bulk with include: 2 objects {}, 100 objects {}", gcounts[0], gcounts[1]);
        assert_eq!(gcounts[0], gcounts[1]);
        // 1. the key lookup; 2. BEGIN; 3. the names already taken; 4. the INSERT;
        // 5. the memberships of the new groups (the `include`); the events; COMMIT.
        assert_eq!(gcounts, [6 + events, 6 + events], "statements of a groups bulk on {:?}", app.backend);
        // Lists with includes: one query per association, whatever the page size.
        let u = app.get(&t.at("/users?username=small0"), &t.key).await.id();
        let g = app.get(&t.at("/groups?name=small0"), &t.key).await.id();
        app.post(&t.at("/memberships"), &t.key, json!({"membership": {"user_id": u, "group_id": g}})).await.assert_status(201);
        let small = app.get(&t.at("/users?per_page=2&include=memberships.group"), &t.key).await;
        let big = app.get(&t.at("/users?per_page=100&include=memberships.group"), &t.key).await;
        let (s, b) = (small.header("x-query-count").unwrap(), big.header("x-query-count").unwrap());
        println!("X-Query-Count of a users list with include: 2 rows {s}, 100 rows {b}");
        assert_eq!(s, b);
        // A read transaction: 1. the key lookup; 2. BEGIN; 3. the count; 4. the page;
        // 5. the memberships of the page's users; 6. their groups; 7. COMMIT.
        assert_eq!((s, b), ("7", "7"), "statements of a users list on {:?}", app.backend);
    }

    async fn a_write_whose_events_fail_writes_nothing(app) {
        // The events are the transaction's last statement: when the database refuses
        // them, the write fails whole, and the next writes on the same connections work.
        let t = app.tenant("acme").await;
        let before = count(&app, &t, "/users").await;
        match app.backend {
            Backend::Sqlite => app.sql(
                "CREATE TRIGGER refuse_events BEFORE INSERT ON event_batches \
                 WHEN NEW.entries LIKE '%doomed%' \
                 BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END;",
            ),
            Backend::Postgres => app.sql(
                "CREATE FUNCTION refuse_events() RETURNS trigger AS $$ BEGIN \
                 IF NEW.entries LIKE '%doomed%' THEN RAISE EXCEPTION 'refused by trigger'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER refuse_events BEFORE INSERT ON event_batches FOR EACH ROW EXECUTE FUNCTION refuse_events();",
            ),
        }
        for _ in 0..8 {
            let r = app.post(&t.at("/users"), &t.key, json!({"users": [{"username": "doomed"}, {"username": "y", "name": "x'\\y"}]})).await;
            r.assert_error(500, "internal");
            assert!(!r.text.contains("trigger"), "{}", r.text);
        }
        assert_eq!(count(&app, &t, "/users").await, before);
        // Quotes and backslashes reach the events as they were sent.
        app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "fine"}, {"username": "obrien", "name": "O'Brien \\ $r$ E'x' \"q\""},
        ]})).await.assert_status(201);
        assert_eq!(count(&app, &t, "/users").await, before + 2);
        let r = app.get(&t.at("/events?types=user.created&limit=1000"), &t.key).await;
        let created = r.results();
        let last = &created[created.len() - 1]["data"];
        assert_eq!(last["username"], "obrien");
        assert_eq!(last["name"], "O'Brien \\ $r$ E'x' \"q\"");
    }

    async fn a_failure_mid_write_rolls_the_bulk_back(app) {
        let t = app.tenant("acme").await;
        // A trigger makes the database refuse one row of the INSERT.
        match app.backend {
            Backend::Sqlite => app.sql(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON users WHEN NEW.username = 'boom' \
                 BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END;",
            ),
            Backend::Postgres => app.sql(
                "CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN \
                 IF NEW.username = 'boom' THEN RAISE EXCEPTION 'refused by trigger'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER refuse_boom BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION refuse_boom();",
            ),
        }
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "first"}, {"username": "second"}, {"username": "boom"}, {"username": "last"},
        ]})).await;
        r.assert_error(500, "internal");
        assert!(!r.text.contains("trigger"), "{}", r.text);
        assert!(!r.text.contains("boom"), "{}", r.text);
        assert_eq!(count(&app, &t, "/users").await, 0);
        // The service goes on working, and the names are free.
        app.users(&t, &["first", "second", "last"]).await;
        assert_eq!(count(&app, &t, "/users").await, 3);
    }
}
