//! API.md §8: `Idempotency-Key` on every POST.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both;
use crate::support::{Resp, TestApp};

async fn post_idem(app: &TestApp, path: &str, key: &str, idem: &str, body: &Value) -> Resp {
    let res = app
        .raw(Method::POST, path)
        .header("X-API-KEY", key)
        .header("Idempotency-Key", idem)
        .json(body)
        .send()
        .await
        .expect("request");
    TestApp::read(res).await
}

async fn count(app: &TestApp, path: &str, key: &str) -> u64 {
    let r = app.get(path, key).await;
    r.assert_status(200);
    r.body["meta"]["count"].as_u64().expect("count")
}

both! {
    async fn replay_returns_the_stored_response_and_writes_nothing(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["a", "b"]).await;
        let groups = app.groups(&t, &["g"]).await;
        let body = json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[1], "group_id": groups[0]}
        ]});
        let first = post_idem(&app, &t.at("/memberships?include=user"), &t.key, "batch-1", &body).await;
        first.assert_status(201);
        assert!(first.header("idempotent-replayed").is_none());
        let again = post_idem(&app, &t.at("/memberships?include=user"), &t.key, "batch-1", &body).await;
        again.assert_status(201);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);
        assert_eq!(count(&app, &t.at("/memberships"), &t.key).await, 2);
    }

    async fn every_post_route_replays(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["a", "b"]).await;
        let groups = app.groups(&t, &["g", "h", "k"]).await;
        let cases: Vec<(String, String, Value)> = vec![
            ("/instances".into(), app.account_key.clone(), json!({"instance": {"name": "other"}})),
            (t.at("/users"), t.key.clone(), json!({"user": {"username": "c"}})),
            (t.at("/groups"), t.key.clone(), json!({"groups": [{"name": "x"}, {"name": "y"}]})),
            (t.at("/memberships"), t.key.clone(), json!({"membership": {"user_id": users[0], "group_id": groups[0]}})),
            (t.at(&format!("/groups/{}/users", groups[1])), t.key.clone(), json!({"users": [users[0], users[1]]})),
            (t.at("/barriers"), t.key.clone(), json!({"barrier": {"group_ids": [groups[1], groups[2]]}})),
            (t.at("/api_keys"), t.key.clone(), json!({"api_key": {"role": "admin"}})),
        ];
        for (i, (path, key, body)) in cases.into_iter().enumerate() {
            let idem = format!("k-{i}");
            let first = post_idem(&app, &path, &key, &idem, &body).await;
            first.assert_status(201);
            let again = post_idem(&app, &path, &key, &idem, &body).await;
            assert_eq!(again.status.as_u16(), 201, "{path}: {}", again.text);
            assert_eq!(again.header("idempotent-replayed"), Some("true"), "{path}");
            if path.ends_with("/api_keys") {
                // The secret is stored only as a hash: a replay shows the key without it.
                let id = first.id();
                assert!(first.body["api_keys"][&id]["key"].is_string());
                assert!(again.body["api_keys"][&id].get("key").is_none());
                assert_eq!(again.body["results"], first.body["results"]);
            } else {
                assert_eq!(again.body, first.body, "{path}");
            }
        }
        assert_eq!(count(&app, &t.at("/users"), &t.key).await, 3);
        assert_eq!(count(&app, &t.at("/groups"), &t.key).await, 5);
        assert_eq!(count(&app, &t.at("/memberships"), &t.key).await, 3);
        assert_eq!(count(&app, &t.at("/barriers"), &t.key).await, 1);
        assert_eq!(count(&app, "/instances", &app.account_key).await, 2);
    }

    async fn a_different_request_under_the_same_key_is_a_mismatch(app) {
        let t = app.tenant("acme").await;
        post_idem(&app, &t.at("/users"), &t.key, "k", &json!({"user": {"username": "a"}})).await.assert_status(201);
        let r = post_idem(&app, &t.at("/users"), &t.key, "k", &json!({"user": {"username": "b"}})).await;
        r.assert_error(422, "idempotency_mismatch");
        // Another query string is another request too.
        let r = post_idem(&app, &t.at("/users?fields=username"), &t.key, "k", &json!({"user": {"username": "a"}})).await;
        r.assert_error(422, "idempotency_mismatch");
        // Another caller reusing the key never sees the first caller's response.
        let other = app.post(&t.at("/api_keys"), &t.key, json!({"api_key": {"role": "admin"}})).await;
        let other_key = other.body["api_keys"][&other.id()]["key"].as_str().unwrap().to_string();
        let r = post_idem(&app, &t.at("/users"), &other_key, "k", &json!({"user": {"username": "a"}})).await;
        r.assert_error(422, "idempotency_mismatch");
        assert_eq!(count(&app, &t.at("/users"), &t.key).await, 1);
    }

    async fn client_errors_are_replayed_too(app) {
        let t = app.tenant("acme").await;
        let body = json!({"users": [{"username": "ok"}, {"username": "not ok"}]});
        let first = post_idem(&app, &t.at("/users"), &t.key, "bad", &body).await;
        first.assert_error(422, "invalid");
        let again = post_idem(&app, &t.at("/users"), &t.key, "bad", &body).await;
        again.assert_status(422);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);
        assert_eq!(count(&app, &t.at("/users"), &t.key).await, 0);
    }

    async fn keys_are_per_instance(app) {
        let a = app.tenant("aaa").await;
        let b = app.tenant("bbb").await;
        let body = json!({"user": {"username": "same"}});
        post_idem(&app, &a.at("/users"), &a.key, "shared", &body).await.assert_status(201);
        let r = post_idem(&app, &b.at("/users"), &b.key, "shared", &body).await;
        r.assert_status(201);
        assert!(r.header("idempotent-replayed").is_none());
        assert_eq!(count(&app, &b.at("/users"), &b.key).await, 1);
    }

    async fn a_bad_key_is_rejected(app) {
        let t = app.tenant("acme").await;
        let long = "x".repeat(256);
        let r = post_idem(&app, &t.at("/users"), &t.key, &long, &json!({"user": {"username": "a"}})).await;
        r.assert_error(400, "bad_request");
        assert_eq!(count(&app, &t.at("/users"), &t.key).await, 0);
    }

    async fn records_expire_after_24_hours(app) {
        let t = app.tenant("acme").await;
        let body = json!({"user": {"username": "a"}});
        post_idem(&app, &t.at("/users"), &t.key, "old", &body).await.assert_status(201);
        app.sql("UPDATE idempotency_records SET created_at = created_at - INTERVAL '25 hours'".replace(
            "created_at - INTERVAL '25 hours'",
            if app.backend == crate::support::Backend::Sqlite { "datetime(created_at, '-25 hours')" } else { "created_at - INTERVAL '25 hours'" },
        ).as_str());
        // The expired record is not replayed: the request runs again (and finds the user taken).
        let r = post_idem(&app, &t.at("/users"), &t.key, "old", &body).await;
        r.assert_error(422, "duplicate");
        assert!(r.header("idempotent-replayed").is_none());
    }

    async fn concurrent_requests_with_one_key_write_once(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["a"]).await;
        let groups = app.groups(&t, &["g"]).await;
        let body = json!({"membership": {"user_id": users[0], "group_id": groups[0]}});
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (url, key, body) = (format!("{}{}", app.base, t.at("/memberships")), t.key.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                let res = reqwest::Client::new()
                    .post(url)
                    .header("X-API-KEY", key)
                    .header("Idempotency-Key", "race")
                    .json(&body)
                    .send()
                    .await
                    .expect("request");
                let replayed = res.headers().contains_key("idempotent-replayed");
                (res.status().as_u16(), replayed, res.text().await.unwrap_or_default())
            }));
        }
        let mut fresh = 0;
        for task in tasks {
            let (status, replayed, text) = task.await.expect("task");
            match status {
                201 if !replayed => fresh += 1,
                201 => {}
                409 => assert!(text.contains("\"conflict\""), "{text}"),
                other => panic!("unexpected status {other}: {text}"),
            }
        }
        assert_eq!(fresh, 1);
        assert_eq!(count(&app, &t.at("/memberships"), &t.key).await, 1);
    }
}
