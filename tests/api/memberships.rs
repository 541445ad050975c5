//! API.md §2–§5 for memberships: single and bulk creates (validated object by object,
//! all or nothing), `on_conflict=ignore`, races, reads, updates, deletes, lists, the
//! query budget of a bulk, atomicity when the database fails mid-write, and the
//! Kantata and Box seed scenarios end to end.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{json, Map, Value};

use crate::both;
use crate::support::{all_memberships, bulk, e, errs, pairs_of, time, Resp, Tenant, TestApp};

fn ids_of(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|m| m["id"].as_str().expect("id is a string").to_string())
        .collect()
}

/// Asserts the response creates nothing: the tenant still has exactly `before` rows.
async fn assert_count(app: &TestApp, t: &Tenant, n: usize) {
    let rows = all_memberships(app, t).await;
    assert_eq!(rows.len(), n, "membership rows: {rows:?}");
}

fn is_id_string(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s != "0")
}

/// Sends one POST with reqwest directly (for concurrent requests in spawned tasks).
async fn post_raw(client: reqwest::Client, url: String, key: String, body: Value) -> Resp {
    let res = client
        .post(url)
        .header("X-API-KEY", key)
        .json(&body)
        .send()
        .await
        .expect("request");
    TestApp::read(res).await
}

/// These IDs in ascending numeric order (the order of a default list).
fn by_id(ids: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort_by_key(|s| s.parse::<i64>().expect("numeric id"));
    v
}

/// A list of the tenant's memberships with this query string.
async fn list_q(app: &TestApp, t: &Tenant, q: &str) -> Resp {
    let r = app.get(&t.at(&format!("/memberships?{q}")), &t.key).await;
    r.assert_status(200);
    r
}

/// 60 users and 2 groups (120 possible pairs), for races of large bulks.
async fn many_users_two_groups(app: &TestApp, t: &Tenant) -> (Vec<String>, Vec<String>) {
    let names: Vec<String> = (0..60).map(|i| format!("u{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    (app.users(t, &refs).await, app.groups(t, &["g", "h"]).await)
}

/// 10 concurrent bulks of 100 overlapping pairs (of 120), every other one in reverse
/// order. Without `ignore` each must be a 201 or a 422 `duplicate`; with it each must be
/// a 201. Afterwards the rows are exactly those the 201s returned, no pair twice.
async fn overlapping_round(app: &TestApp, t: &Tenant, ignore: bool) {
    let (u, g) = many_users_two_groups(app, t).await;
    let all: Vec<(String, String)> = g
        .iter()
        .flat_map(|g| u.iter().map(move |u| (u.clone(), g.clone())))
        .collect();
    let client = reqwest::Client::new();
    let query = if ignore { "?on_conflict=ignore" } else { "" };
    let url = format!("{}{}{query}", app.base, t.at("/memberships"));
    let mut handles = Vec::new();
    for k in 0..10 {
        let mut pairs: Vec<(String, String)> = (0..100)
            .map(|j| all[(k / 2 * 4 + j) % all.len()].clone())
            .collect();
        if k % 2 == 1 {
            pairs.reverse();
        }
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let req = post_raw(client.clone(), url.clone(), t.key.clone(), bulk(&refs));
        handles.push((tokio::spawn(req), pairs));
    }
    let mut returned: HashMap<(String, String), String> = HashMap::new();
    let (mut wins, mut created) = (0, 0);
    for (h, pairs) in handles {
        let r = h.await.unwrap();
        match r.status.as_u16() {
            201 => {
                wins += 1;
                let made = r.body["meta"]["created"].as_u64().unwrap();
                if !ignore {
                    assert_eq!(made, 100, "{}", r.body["meta"]);
                }
                created += made;
                let rows = r.results();
                assert_eq!(pairs_of(&rows), pairs, "results in request order");
                for (pair, id) in pairs_of(&rows).into_iter().zip(ids_of(&rows)) {
                    match returned.insert(pair.clone(), id.clone()) {
                        Some(prev) if ignore => assert_eq!(prev, id, "two ids for {pair:?}"),
                        Some(_) => panic!("{pair:?} was created by two bulks"),
                        None => {}
                    }
                }
            }
            422 if !ignore => {
                r.assert_error(422, "duplicate");
                assert!(
                    r.error_indexes().iter().all(|i| i.is_some_and(|i| i < 100)),
                    "{}",
                    r.text
                );
            }
            _ => panic!(
                "unexpected response to a racing bulk: {} {}",
                r.status, r.text
            ),
        }
    }
    assert!(wins >= 1, "at least the first bulk to commit succeeds");
    let rows = all_memberships(app, t).await;
    let got: HashMap<(String, String), String> =
        pairs_of(&rows).into_iter().zip(ids_of(&rows)).collect();
    assert_eq!(got.len(), rows.len(), "a pair exists twice");
    assert_eq!(
        got, returned,
        "the rows are exactly those the 201s returned"
    );
    assert_eq!(
        created as usize,
        rows.len(),
        "meta.created adds up to the rows made"
    );
}

/// An unfiltered list's meta.count (the kept count), checked against a real COUNT: a
/// filter that lets every membership through.
async fn counts(app: &TestApp, t: &Tenant) -> u64 {
    let kept = app.get(&t.at("/memberships"), &t.key).await;
    kept.assert_status(200);
    let all = t.at("/memberships?created_after=1970-01-01T00:00:00Z");
    let counted = app.get(&all, &t.key).await;
    counted.assert_status(200);
    assert_eq!(
        kept.body["meta"]["count"], counted.body["meta"]["count"],
        "kept vs counted"
    );
    assert_eq!(kept.body["count"], kept.body["meta"]["count"]);
    kept.body["meta"]["count"].as_u64().unwrap()
}

both! {
    async fn single_create_defaults(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["geralt"]).await;
        let g = app.groups(&t, &["witchers"]).await;
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"membership": {"user_id": u[0], "group_id": g[0]}}))
            .await;
        r.assert_status(201);
        assert_eq!(r.body["count"], json!(1));
        assert_eq!(r.body["meta"]["created"], json!(1));
        let m = &r.results()[0];
        assert!(is_id_string(&m["id"]), "{}", r.text);
        assert_eq!(m["user_id"], json!(u[0]));
        assert_eq!(m["group_id"], json!(g[0]));
        assert_eq!(m["role"], json!("member"));
        assert_eq!(m["configurable_permissions"], json!({}));
        for ts in ["created_at", "updated_at"] {
            assert!(m[ts].as_str().is_some_and(|s| s.ends_with('Z')), "{ts}: {}", r.text);
        }
        assert_eq!(r.body["results"], json!([{"key": "memberships", "id": m["id"]}]));

        // IDs may also be given as JSON numbers.
        let u2 = app.users(&t, &["ciri"]).await;
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"membership": {
                "user_id": u2[0].parse::<i64>().unwrap(),
                "group_id": g[0].parse::<i64>().unwrap(),
                "role": "admin"}}))
            .await;
        r.assert_status(201);
        assert_eq!(r.results()[0]["user_id"], json!(u2[0]));
        assert_eq!(r.results()[0]["role"], json!("admin"));
        assert_count(&app, &t, 2).await;
    }

    async fn configurable_permissions_forms(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b", "c"]).await;
        let g = app.groups(&t, &["g"]).await;
        let given = json!({"can_manage_members": false, "can_run_reports": true});
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"memberships": [
                {"user_id": u[0], "group_id": g[0], "role": "admin"},
                {"user_id": u[1], "group_id": g[0], "role": "admin", "configurable_permissions": null},
                {"user_id": u[2], "group_id": g[0], "role": "admin", "configurable_permissions": given},
            ]}))
            .await;
        r.assert_status(201);
        let rows = r.results();
        assert_eq!(rows[0]["configurable_permissions"], json!({}));
        assert_eq!(rows[1]["configurable_permissions"], Value::Null);
        assert!(rows[1].as_object().unwrap().contains_key("configurable_permissions"));
        assert_eq!(rows[2]["configurable_permissions"], given);
        // Stored as returned: GET gives the same three forms.
        for (row, want) in rows.iter().zip([json!({}), Value::Null, given.clone()]) {
            let id = row["id"].as_str().unwrap();
            let got = app.get(&t.at(&format!("/memberships/{id}")), &t.key).await;
            got.assert_status(200);
            assert_eq!(got.results()[0]["configurable_permissions"], want);
        }
        // Exactly 32 keys and a 64-character key are fine.
        let mut many = Map::new();
        for i in 0..31 {
            many.insert(format!("k{i}"), json!(i % 2 == 0));
        }
        many.insert(format!("a{}", "b".repeat(63)), json!(true));
        let u4 = app.users(&t, &["d"]).await;
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"membership": {
                "user_id": u4[0], "group_id": g[0], "configurable_permissions": Value::Object(many.clone())}}))
            .await;
        r.assert_status(201);
        assert_eq!(r.results()[0]["configurable_permissions"], Value::Object(many));
    }

    async fn configurable_permissions_are_validated(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a"]).await;
        let g = app.groups(&t, &["g"]).await;
        let mut too_many = Map::new();
        for i in 0..33 {
            too_many.insert(format!("k{i}"), json!(true));
        }
        let bad: Vec<Value> = vec![
            Value::Object(too_many),
            json!({"Can_manage": true}),
            json!({"_x": true}),
            json!({"1x": true}),
            json!({"a-b": true}),
            json!({"": true}),
            json!({format!("a{}", "b".repeat(64)): true}),
            json!({"can_manage_members": 1}),
            json!({"can_manage_members": "true"}),
            json!({"can_manage_members": null}),
            json!([true]),
            json!("all"),
            json!(true),
        ];
        for p in &bad {
            let r = app
                .post(&t.at("/memberships"), &t.key, json!({"membership": {
                    "user_id": u[0], "group_id": g[0], "configurable_permissions": p}}))
                .await;
            r.assert_error(422, "invalid");
            assert_eq!(errs(&r), vec![e("invalid", "configurable_permissions", None)], "{p}");
        }
        // In a bulk: the index of the bad object, and nothing written.
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"memberships": [
                {"user_id": u[0], "group_id": g[0]},
                {"user_id": u[0], "group_id": g[0], "configurable_permissions": {"X": true}},
            ]}))
            .await;
        // Index 1 is also the same pair again: both problems are reported there.
        let got = errs(&r);
        assert!(got.contains(&e("invalid", "configurable_permissions", Some(1))), "{}", r.text);
        assert!(got.iter().all(|x| x.2 == Some(1)), "{}", r.text);
        assert_count(&app, &t, 0).await;
    }

    async fn role_and_required_fields(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a"]).await;
        let g = app.groups(&t, &["g"]).await;
        let path = t.at("/memberships");
        for role in [json!("owner"), json!("Admin"), json!(""), json!(1), Value::Null] {
            let r = app
                .post(&path, &t.key, json!({"membership": {"user_id": u[0], "group_id": g[0], "role": role}}))
                .await;
            r.assert_error(422, "invalid");
            assert_eq!(errs(&r), vec![e("invalid", "role", None)], "role {role}");
        }
        let r = app.post(&path, &t.key, json!({"membership": {"group_id": g[0]}})).await;
        assert_eq!(errs(&r), vec![e("invalid", "user_id", None)]);
        let r = app.post(&path, &t.key, json!({"membership": {"user_id": u[0]}})).await;
        assert_eq!(errs(&r), vec![e("invalid", "group_id", None)]);
        for bad_id in [json!("abc"), json!(0), json!(-1), json!("1.5"), json!(1.5), Value::Null, json!([1])] {
            let r = app
                .post(&path, &t.key, json!({"membership": {"user_id": bad_id, "group_id": g[0]}}))
                .await;
            r.assert_status(422);
            assert_eq!(errs(&r), vec![e("invalid", "user_id", None)], "user_id {bad_id}");
        }
        let r = app
            .post(&path, &t.key, json!({"membership": {"user_id": u[0], "group_id": g[0], "rank": 1}}))
            .await;
        r.assert_error(422, "invalid");
        assert_eq!(errs(&r), vec![e("invalid", "rank", None)]);
        let r = app.post(&path, &t.key, json!({"membership": 5})).await;
        r.assert_error(422, "invalid");
        assert_count(&app, &t, 0).await;
    }

    async fn body_shape_rules(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a"]).await;
        let g = app.groups(&t, &["g"]).await;
        let path = t.at("/memberships");
        let one = json!({"user_id": u[0], "group_id": g[0]});
        app.post(&path, &t.key, json!({"memberships": []})).await.assert_error(422, "invalid");
        app.post(&path, &t.key, json!({})).await.assert_error(422, "invalid");
        app.post(&path, &t.key, json!({"membership": one, "memberships": [one]}))
            .await
            .assert_error(422, "invalid");
        app.post(&path, &t.key, json!({"membership": one, "extra": 1}))
            .await
            .assert_error(422, "invalid");
        app.post(&path, &t.key, json!({"memberships": one})).await.assert_error(422, "invalid");
        let many: Vec<Value> = (0..101).map(|_| one.clone()).collect();
        app.post(&path, &t.key, json!({"memberships": many})).await.assert_error(422, "too_many");
        let r = TestApp::read(
            app.raw(reqwest::Method::POST, &path)
                .header("X-API-KEY", &t.key)
                .header("Content-Type", "application/json")
                .body("{\"membership\": ")
                .send()
                .await
                .unwrap(),
        )
        .await;
        r.assert_error(400, "bad_request");
        // The key is checked before the body is read as JSON (README: the typed path).
        let r = TestApp::read(
            app.raw(reqwest::Method::POST, &path)
                .header("X-API-KEY", "rk_not_a_key")
                .header("Content-Type", "application/json")
                .body("{\"membership\": ")
                .send()
                .await
                .unwrap(),
        )
        .await;
        r.assert_status(401);
        assert_count(&app, &t, 0).await;
    }

    async fn missing_references_across_tenants(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("umbrella").await;
        let u = app.users(&t, &["a", "b"]).await;
        let g = app.groups(&t, &["g"]).await;
        let ou = app.users(&other, &["stranger"]).await;
        let og = app.groups(&other, &["theirs"]).await;
        let path = t.at("/memberships");
        // A user or group of another instance does not exist here.
        let r = app.post(&path, &t.key, json!({"membership": {"user_id": ou[0], "group_id": g[0]}})).await;
        r.assert_error(422, "missing_reference");
        assert_eq!(errs(&r), vec![e("missing_reference", "user_id", None)]);
        let r = app.post(&path, &t.key, json!({"membership": {"user_id": u[0], "group_id": og[0]}})).await;
        r.assert_error(422, "missing_reference");
        assert_eq!(errs(&r), vec![e("missing_reference", "group_id", None)]);
        // IDs that exist nowhere.
        let r = app.post(&path, &t.key, json!({"membership": {"user_id": "999999", "group_id": "999998"}})).await;
        r.assert_error(422, "missing_reference");
        assert_eq!(
            errs(&r),
            vec![e("missing_reference", "group_id", None), e("missing_reference", "user_id", None)]
        );
        // In a bulk, each object's own index; the valid ones are not written either.
        let r = app
            .post(&path, &t.key, bulk(&[(&u[0], &g[0]), (&ou[0], &g[0]), (&u[1], &g[0]), (&u[1], &og[0])]))
            .await;
        r.assert_error(422, "missing_reference");
        assert_eq!(
            errs(&r),
            vec![e("missing_reference", "user_id", Some(1)), e("missing_reference", "group_id", Some(3))]
        );
        assert_count(&app, &t, 0).await;
        assert_count(&app, &other, 0).await;
        // The other tenant's own admin key is no way in either.
        app.post(&path, &other.key, bulk(&[(&u[0], &g[0])])).await.assert_error(404, "not_found");
        assert_count(&app, &t, 0).await;
    }

    async fn duplicates_existing_and_within_bulk(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b", "c"]).await;
        let g = app.groups(&t, &["g", "h"]).await;
        let path = t.at("/memberships");
        app.post(&path, &t.key, bulk(&[(&u[0], &g[0])])).await.assert_status(201);
        let first = all_memberships(&app, &t).await;
        // Existing pair, single create.
        let r = app.post(&path, &t.key, json!({"membership": {"user_id": u[0], "group_id": g[0], "role": "admin"}})).await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.error_indexes(), vec![None]);
        // Existing pair inside a bulk: that index only, and nothing written.
        let r = app.post(&path, &t.key, bulk(&[(&u[1], &g[0]), (&u[0], &g[0]), (&u[2], &g[0])])).await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        // The same pair twice in one bulk: the later index only.
        let r = app.post(&path, &t.key, bulk(&[(&u[1], &g[1]), (&u[2], &g[1]), (&u[1], &g[1])])).await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.error_indexes(), vec![Some(2)]);
        // ... even with on_conflict=ignore (README decision).
        let r = app
            .post(&t.at("/memberships?on_conflict=ignore"), &t.key, bulk(&[(&u[2], &g[1]), (&u[2], &g[1])]))
            .await;
        r.assert_error(422, "duplicate");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        // Nothing was written by any of these, and the first row is untouched.
        assert_eq!(all_memberships(&app, &t).await, first);
        assert_eq!(first[0]["role"], json!("member"));
    }

    async fn mixed_bulk_reports_every_index(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b", "c", "d"]).await;
        let g = app.groups(&t, &["g"]).await;
        let path = t.at("/memberships");
        app.post(&path, &t.key, bulk(&[(&u[3], &g[0])])).await.assert_status(201);
        let r = app
            .post(&path, &t.key, json!({"memberships": [
                {"user_id": u[0], "group_id": g[0]},
                {"user_id": "987654", "group_id": g[0]},
                {"user_id": u[1], "group_id": g[0], "role": "boss"},
                {"user_id": u[3], "group_id": g[0]},
                {"user_id": u[2], "group_id": g[0]},
                {"user_id": u[0], "group_id": g[0]},
                {"user_id": u[2], "group_id": "987655", "role": "nope"},
                {"user_id": u[1], "group_id": g[0], "configurable_permissions": {"ok": "yes"}},
            ]}))
            .await;
        r.assert_status(422);
        assert_eq!(
            errs(&r),
            vec![
                e("missing_reference", "user_id", Some(1)),
                e("invalid", "role", Some(2)),
                e("duplicate", "user_id", Some(3)),
                e("duplicate", "user_id", Some(5)),
                e("invalid", "role", Some(6)),
                e("missing_reference", "group_id", Some(6)),
                e("invalid", "configurable_permissions", Some(7)),
            ],
            "{}",
            r.text
        );
        assert_count(&app, &t, 1).await;
    }

    async fn on_conflict_ignore_returns_existing_in_place(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b", "c"]).await;
        let g = app.groups(&t, &["g"]).await;
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"membership": {"user_id": u[1], "group_id": g[0], "role": "admin"}}))
            .await;
        r.assert_status(201);
        let existing = r.results()[0].clone();
        let r = app
            .post(&t.at("/memberships?on_conflict=ignore"), &t.key, json!({"memberships": [
                {"user_id": u[0], "group_id": g[0]},
                {"user_id": u[1], "group_id": g[0], "role": "member"},
                {"user_id": u[2], "group_id": g[0]},
            ]}))
            .await;
        r.assert_status(201);
        assert_eq!(r.body["meta"]["created"], json!(2));
        assert_eq!(r.body["count"], json!(3));
        let rows = r.results();
        assert_eq!(pairs_of(&rows), vec![
            (u[0].clone(), g[0].clone()), (u[1].clone(), g[0].clone()), (u[2].clone(), g[0].clone())
        ]);
        // The existing membership is returned as it is: same id, role unchanged.
        assert_eq!(rows[1], existing);
        assert_ne!(rows[0]["id"], existing["id"]);
        assert_ne!(rows[2]["id"], existing["id"]);
        assert_count(&app, &t, 3).await;
        // All existing: 201, nothing made.
        let r = app
            .post(&t.at("/memberships?on_conflict=ignore"), &t.key, bulk(&[(&u[2], &g[0]), (&u[0], &g[0])]))
            .await;
        r.assert_status(201);
        assert_eq!(r.body["meta"]["created"], json!(0));
        assert_eq!(ids_of(&r.results()), vec![ids_of(&rows)[2].clone(), ids_of(&rows)[0].clone()]);
        assert_count(&app, &t, 3).await;
        // Single form too.
        let r = app
            .post(&t.at("/memberships?on_conflict=ignore"), &t.key, json!({"membership": {"user_id": u[1], "group_id": g[0]}}))
            .await;
        r.assert_status(201);
        assert_eq!(r.body["meta"]["created"], json!(0));
        assert_eq!(r.results()[0], existing);
        // Other problems are still errors with ignore.
        let r = app
            .post(&t.at("/memberships?on_conflict=ignore"), &t.key, bulk(&[(&u[0], &g[0]), ("999999", &g[0])]))
            .await;
        r.assert_error(422, "missing_reference");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        // on_conflict=error is the default behaviour; anything else is a 400.
        app.post(&t.at("/memberships?on_conflict=error"), &t.key, bulk(&[(&u[0], &g[0])]))
            .await
            .assert_error(422, "duplicate");
        let r = app.post(&t.at("/memberships?on_conflict=bogus"), &t.key, bulk(&[(&u[0], &g[0])])).await;
        r.assert_error(400, "bad_request");
        assert_count(&app, &t, 3).await;
    }

    async fn results_follow_request_order(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b", "c", "d", "e"]).await;
        let g = app.groups(&t, &["g", "h"]).await;
        let order = [(&u[4], &g[1]), (&u[0], &g[0]), (&u[3], &g[0]), (&u[1], &g[1]), (&u[2], &g[0]), (&u[0], &g[1])];
        let pairs: Vec<(&str, &str)> = order.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&pairs)).await;
        r.assert_status(201);
        let rows = r.results();
        let want: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(pairs_of(&rows), want);
        assert_eq!(r.body["count"], json!(6));
        assert_eq!(r.body["meta"]["created"], json!(6));
        let results = r.body["results"].as_array().unwrap();
        for (res, row) in results.iter().zip(&rows) {
            assert_eq!(res["key"], json!("memberships"));
            assert!(is_id_string(&res["id"]), "{}", r.text);
            assert_eq!(res["id"], row["id"]);
            assert!(is_id_string(&row["user_id"]) && is_id_string(&row["group_id"]));
        }
        let distinct: HashSet<&Value> = results.iter().map(|r| &r["id"]).collect();
        assert_eq!(distinct.len(), 6);
        assert_eq!(r.body["memberships"].as_object().unwrap().len(), 6);
    }

    async fn includes_sideload_users_and_groups(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b"]).await;
        let g = app.groups(&t, &["g", "h"]).await;
        let r = app
            .post(&t.at("/memberships?include=user"), &t.key, bulk(&[(&u[0], &g[0]), (&u[1], &g[0]), (&u[0], &g[1])]))
            .await;
        r.assert_status(201);
        let users = r.body["users"].as_object().expect("users map");
        assert_eq!(users.keys().cloned().collect::<BTreeSet<_>>(), u.iter().cloned().collect());
        assert_eq!(users[&u[1]]["username"], json!("b"));
        assert!(r.body.get("groups").is_none(), "groups not asked for: {}", r.text);
        let id = r.id();
        let r = app.get(&t.at(&format!("/memberships/{id}?include=group,user")), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.body["groups"][&g[0]]["name"], json!("g"));
        assert_eq!(r.body["groups"].as_object().unwrap().len(), 1);
        assert_eq!(r.body["users"][&u[0]]["id"], json!(u[0]));
        let r = app.get(&t.at("/memberships?include=user,group"), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.body["users"].as_object().unwrap().len(), 2);
        assert_eq!(r.body["groups"].as_object().unwrap().len(), 2);
        // Unknown includes are a 400 on every route, and a failed create writes nothing.
        let r = app.post(&t.at("/memberships?include=user,owner"), &t.key, bulk(&[(&u[1], &g[1])])).await;
        r.assert_error(400, "bad_request");
        app.get(&t.at("/memberships?include=groups"), &t.key).await.assert_error(400, "bad_request");
        app.get(&t.at(&format!("/memberships/{id}?include=memberships")), &t.key)
            .await
            .assert_error(400, "bad_request");
        assert_count(&app, &t, 3).await;
    }

    async fn racing_single_creates_of_one_pair(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a"]).await;
        let g = app.groups(&t, &["g"]).await;
        let client = reqwest::Client::new();
        let url = format!("{}{}", app.base, t.at("/memberships"));
        let body = json!({"membership": {"user_id": u[0], "group_id": g[0]}});
        let handles: Vec<_> = (0..20)
            .map(|_| tokio::spawn(post_raw(client.clone(), url.clone(), t.key.clone(), body.clone())))
            .collect();
        let mut created = Vec::new();
        for h in handles {
            let r = h.await.unwrap();
            match r.status.as_u16() {
                201 => created.push(r.id()),
                422 => {
                    r.assert_error(422, "duplicate");
                    assert_eq!(errs(&r), vec![e("duplicate", "user_id", None)], "{}", r.text);
                }
                _ => panic!("unexpected response to a racing create: {} {}", r.status, r.text),
            }
        }
        assert_eq!(created.len(), 1, "exactly one create wins");
        let rows = all_memberships(&app, &t).await;
        assert_eq!(ids_of(&rows), created);
    }

    async fn racing_single_creates_with_ignore(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a"]).await;
        let g = app.groups(&t, &["g"]).await;
        let client = reqwest::Client::new();
        let url = format!("{}{}?on_conflict=ignore", app.base, t.at("/memberships"));
        let body = json!({"membership": {"user_id": u[0], "group_id": g[0]}});
        let handles: Vec<_> = (0..20)
            .map(|_| tokio::spawn(post_raw(client.clone(), url.clone(), t.key.clone(), body.clone())))
            .collect();
        let (mut ids, mut created) = (BTreeSet::new(), 0);
        for h in handles {
            let r = h.await.unwrap();
            r.assert_status(201);
            created += r.body["meta"]["created"].as_u64().unwrap();
            ids.insert(r.id());
        }
        assert_eq!(created, 1, "one request made the row");
        assert_eq!(ids.len(), 1, "every request returned the same membership");
        let rows = all_memberships(&app, &t).await;
        assert_eq!(ids_of(&rows), ids.into_iter().collect::<Vec<_>>());
    }

    async fn racing_overlapping_bulks(app) {
        // A few rounds, each in a tenant of its own, to give the writers many chances
        // to meet in opposite orders.
        for round in 0..6 {
            let t = app.tenant(&format!("race{round}")).await;
            overlapping_round(&app, &t, false).await;
        }
    }

    async fn racing_overlapping_bulks_with_ignore(app) {
        for round in 0..6 {
            let t = app.tenant(&format!("race{round}")).await;
            overlapping_round(&app, &t, true).await;
        }
    }

    async fn read_update_delete(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("umbrella").await;
        let u = app.users(&t, &["a"]).await;
        let g = app.groups(&t, &["g"]).await;
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[0])])).await;
        r.assert_status(201);
        let made = r.results()[0].clone();
        let id = r.id();
        let one = t.at(&format!("/memberships/{id}"));
        let got = app.get(&one, &t.key).await;
        got.assert_status(200);
        assert_eq!(got.results(), vec![made.clone()]);
        assert_eq!(got.body["count"], json!(1));
        // Another tenant cannot see it, even under its own instance path.
        app.get(&other.at(&format!("/memberships/{id}")), &other.key).await.assert_error(404, "not_found");
        app.get(&t.at("/memberships/abc"), &t.key).await.assert_error(404, "not_found");
        app.get(&t.at("/memberships/999999"), &t.key).await.assert_error(404, "not_found");

        let perms = json!({"can_manage_members": false});
        let r = app
            .patch(&one, &t.key, json!({"membership": {"role": "admin", "configurable_permissions": perms}}))
            .await;
        r.assert_status(200);
        let m = &r.results()[0];
        assert_eq!(m["role"], json!("admin"));
        assert_eq!(m["configurable_permissions"], perms);
        assert_eq!(m["id"], made["id"]);
        assert_eq!(m["user_id"], made["user_id"]);
        assert_eq!(m["created_at"], made["created_at"]);
        assert!(time(&m["updated_at"]) >= time(&made["updated_at"]));
        let r = app.patch(&one, &t.key, json!({"membership": {"configurable_permissions": null}})).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["configurable_permissions"], Value::Null);
        assert_eq!(r.results()[0]["role"], json!("admin"), "role left as it was");
        let r = app.get(&one, &t.key).await;
        assert_eq!(r.results()[0]["configurable_permissions"], Value::Null);
        assert_eq!(r.results()[0]["role"], json!("admin"));

        // user_id and group_id cannot change, even to the same value; unknown fields fail.
        let g2 = app.groups(&t, &["h"]).await;
        for (field, value) in [("user_id", json!(u[0])), ("group_id", json!(g2[0]))] {
            let r = app.patch(&one, &t.key, json!({"membership": {field: value, "role": "member"}})).await;
            r.assert_error(422, "invalid");
            assert_eq!(errs(&r), vec![e("invalid", field, None)], "{}", r.text);
        }
        let r = app.patch(&one, &t.key, json!({"membership": {"rank": 3}})).await;
        r.assert_error(422, "invalid");
        assert_eq!(errs(&r), vec![e("invalid", "rank", None)]);
        let r = app.patch(&one, &t.key, json!({"membership": {"role": "owner"}})).await;
        assert_eq!(errs(&r), vec![e("invalid", "role", None)]);
        let r = app.patch(&one, &t.key, json!({"membership": {"configurable_permissions": {"A": true}}})).await;
        assert_eq!(errs(&r), vec![e("invalid", "configurable_permissions", None)]);
        app.patch(&one, &t.key, json!({"role": "member"})).await.assert_error(422, "invalid");
        // Nothing changed by the failed PATCHes.
        let r = app.get(&one, &t.key).await;
        assert_eq!(r.results()[0]["role"], json!("admin"));
        assert_eq!(r.results()[0]["group_id"], json!(g[0]));
        app.patch(&t.at("/memberships/999999"), &t.key, json!({"membership": {"role": "member"}}))
            .await
            .assert_error(404, "not_found");
        app.patch(&other.at(&format!("/memberships/{id}")), &other.key, json!({"membership": {"role": "member"}}))
            .await
            .assert_error(404, "not_found");
        app.delete(&other.at(&format!("/memberships/{id}")), &other.key).await.assert_error(404, "not_found");

        let r = app.delete(&one, &t.key).await;
        r.assert_status(204);
        assert!(r.text.is_empty(), "204 has no body: {}", r.text);
        app.get(&one, &t.key).await.assert_error(404, "not_found");
        app.delete(&one, &t.key).await.assert_error(404, "not_found");
        assert_count(&app, &t, 0).await;
        // The pair may be created again.
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[0])])).await.assert_status(201);
    }

    async fn list_filters(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("umbrella").await;
        let u = app.users(&t, &["a", "b", "c"]).await;
        let g = app.groups(&t, &["g", "h"]).await;
        let ou = app.users(&other, &["x"]).await;
        let og = app.groups(&other, &["y"]).await;
        app.post(&other.at("/memberships"), &other.key, bulk(&[(&ou[0], &og[0])])).await.assert_status(201);
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"memberships": [
                {"user_id": u[0], "group_id": g[0], "role": "admin"},
                {"user_id": u[1], "group_id": g[0]},
                {"user_id": u[0], "group_id": g[1]},
            ]}))
            .await;
        r.assert_status(201);
        let first = r.results();
        let cut = first[0]["created_at"].as_str().unwrap().to_string();
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[2], &g[1])])).await;
        r.assert_status(201);
        let later = r.results()[0].clone();
        let mut all = first.clone();
        all.push(later.clone());
        let ids = ids_of(&all);

        let list = |q: String| {
            let path = t.at(&format!("/memberships?{q}"));
            let key = t.key.clone();
            let app = &app;
            async move {
                let r = app.get(&path, &key).await;
                r.assert_status(200);
                assert_eq!(r.body["meta"]["count"].as_u64().unwrap() as usize, r.results().len(), "{q}");
                ids_of(&r.results())
            }
        };
        // IDs within one bulk need not follow the request's order; lists are in ID order.
        let every = by_id(&ids.iter().collect::<Vec<_>>());
        assert_eq!(list(String::new()).await, every, "only this tenant's rows");
        assert_eq!(list(format!("ids={},{}", ids[3], ids[1])).await, by_id(&[&ids[1], &ids[3]]));
        assert_eq!(list(format!("user_id={}", u[0])).await, by_id(&[&ids[0], &ids[2]]));
        assert_eq!(list(format!("group_id={}", g[1])).await, by_id(&[&ids[2], &ids[3]]));
        assert_eq!(list(format!("group_id={}&user_id={}", g[1], u[0])).await, vec![ids[2].clone()]);
        assert_eq!(list("role=admin".into()).await, vec![ids[0].clone()]);
        assert_eq!(list("role=member".into()).await, by_id(&[&ids[1], &ids[2], &ids[3]]));
        assert_eq!(list(format!("user_id={}", ou[0])).await, Vec::<String>::new());
        assert_eq!(list(format!("created_after={cut}")).await, vec![ids[3].clone()]);
        assert_eq!(list("created_after=2000-01-01T00:00:00Z".into()).await, every);
        // updated_after: a PATCH moves a row past the cut.
        let cut2 = later["updated_at"].as_str().unwrap().to_string();
        assert_eq!(list(format!("updated_after={cut2}")).await, Vec::<String>::new());
        app.patch(&t.at(&format!("/memberships/{}", ids[1])), &t.key, json!({"membership": {"role": "admin"}}))
            .await
            .assert_status(200);
        assert_eq!(list(format!("updated_after={cut2}")).await, vec![ids[1].clone()]);
        assert_eq!(list(format!("updated_after={cut2}&role=member")).await, Vec::<String>::new());
        assert_eq!(list("role=admin".into()).await, by_id(&[&ids[0], &ids[1]]));
    }

    async fn bad_list_parameters(app) {
        let t = app.tenant("acme").await;
        for q in [
            "user_id=abc",
            "user_id=0",
            "user_id=-1",
            "group_id=x",
            "role=owner",
            "ids=1,x",
            "created_after=yesterday",
            "updated_after=2020-13-01T00:00:00Z",
            "order=role:asc",
            "order=id:sideways",
            "per_page=0",
            "per_page=201",
            "page=0",
            "user=5",
            "user_id=1&user_id=2",
            "fields=role,colour",
            "page=2&per_page=200&cursor=abc",
            "cursor=garbage",
        ] {
            let r = app.get(&t.at(&format!("/memberships?{q}")), &t.key).await;
            r.assert_error(400, "bad_request");
        }
        let r = app.get(&t.at("/memberships?user_id=abc"), &t.key).await;
        assert_eq!(errs(&r), vec![e("bad_request", "user_id", None)]);
        // Offset over 10,000.
        app.get(&t.at("/memberships?page=52&per_page=200"), &t.key).await.assert_error(400, "bad_request");
        app.get(&t.at("/memberships?page=51&per_page=200"), &t.key).await.assert_status(200);
    }

    async fn list_order_and_pages(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b", "c", "d", "e"]).await;
        let g = app.groups(&t, &["g"]).await;
        let mut ids = Vec::new();
        // One at a time, so created_at increases with id.
        for uid in &u {
            let r = app.post(&t.at("/memberships"), &t.key, bulk(&[(uid, &g[0])])).await;
            r.assert_status(201);
            ids.push(r.id());
        }
        let r = list_q(&app, &t, "").await;
        assert_eq!(ids_of(&r.results()), ids, "default id:asc");
        let mut rev = ids.clone();
        rev.reverse();
        assert_eq!(ids_of(&list_q(&app, &t, "order=id:desc").await.results()), rev);
        assert_eq!(ids_of(&list_q(&app, &t, "order=created_at:desc").await.results()), rev);
        assert_eq!(ids_of(&list_q(&app, &t, "order=updated_at:asc").await.results()), ids);
        // Touch the first: it moves to the end of updated_at order.
        app.patch(&t.at(&format!("/memberships/{}", ids[0])), &t.key, json!({"membership": {"role": "admin"}}))
            .await
            .assert_status(200);
        let mut by_updated = ids[1..].to_vec();
        by_updated.push(ids[0].clone());
        assert_eq!(ids_of(&list_q(&app, &t, "order=updated_at:asc").await.results()), by_updated);

        let r = list_q(&app, &t, "per_page=2&page=2").await;
        r.assert_status(200);
        assert_eq!(ids_of(&r.results()), ids[2..4].to_vec());
        assert_eq!(r.body["meta"]["count"], json!(5));
        assert_eq!(r.body["count"], json!(5));
        assert_eq!(r.body["meta"]["page_count"], json!(3));
        assert_eq!(r.body["meta"]["page_number"], json!(2));
        assert_eq!(r.body["meta"]["page_size"], json!(2));
        let r = list_q(&app, &t, "per_page=2&page=3&order=id:desc").await;
        assert_eq!(ids_of(&r.results()), vec![ids[0].clone()]);
        assert_eq!(r.body["meta"]["next_cursor"], Value::Null);
        let r = list_q(&app, &t, "per_page=2&page=4").await;
        r.assert_status(200);
        assert!(r.results().is_empty());
        assert_eq!(r.body["meta"]["count"], json!(5));
        let r = list_q(&app, &t, "").await;
        assert_eq!(r.body["meta"]["page_size"], json!(20));
        assert_eq!(r.body["meta"]["page_count"], json!(1));
        assert_eq!(r.body["meta"]["next_cursor"], Value::Null);
    }

    async fn cursor_walks_250_exactly_once(app) {
        let t = app.tenant("acme").await;
        let names: Vec<String> = (0..25).map(|i| format!("u{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let u = app.users(&t, &refs).await;
        let gnames: Vec<String> = (0..10).map(|i| format!("g{i}")).collect();
        let grefs: Vec<&str> = gnames.iter().map(String::as_str).collect();
        let g = app.groups(&t, &grefs).await;
        let all: Vec<(&str, &str)> =
            g.iter().flat_map(|g| u.iter().map(move |u| (u.as_str(), g.as_str()))).collect();
        let mut made = BTreeSet::new();
        for chunk in all.chunks(100) {
            let r = app.post(&t.at("/memberships"), &t.key, bulk(chunk)).await;
            r.assert_status(201);
            made.extend(ids_of(&r.results()).into_iter().map(|s| s.parse::<i64>().unwrap()));
        }
        assert_eq!(made.len(), 250);
        for order in ["", "&order=id:desc", "&order=created_at:desc", "&order=updated_at:asc"] {
            let mut seen = Vec::new();
            let mut path = t.at(&format!("/memberships?per_page=40{order}"));
            let mut pages = 0;
            loop {
                let r = app.get(&path, &t.key).await;
                r.assert_status(200);
                assert_eq!(r.body["meta"]["count"], json!(250));
                pages += 1;
                assert!(pages <= 7, "the cursor does not end ({order})");
                let rows = r.results();
                assert!(rows.len() <= 40);
                seen.extend(ids_of(&rows).into_iter().map(|s| s.parse::<i64>().unwrap()));
                match r.body["meta"]["next_cursor"].as_str() {
                    Some(c) => {
                        assert!(!rows.is_empty());
                        path = t.at(&format!("/memberships?per_page=40{order}&cursor={c}"));
                    }
                    None => break,
                }
            }
            assert_eq!(pages, 7, "{order}");
            assert_eq!(seen.len(), 250, "each exactly once ({order})");
            assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), made, "{order}");
            if order.is_empty() {
                assert!(seen.windows(2).all(|w| w[0] < w[1]), "ID order");
            }
            if order.contains("id:desc") {
                assert!(seen.windows(2).all(|w| w[0] > w[1]), "ID order, descending");
            }
        }
        // A filtered walk stays inside its filter.
        let mut path = t.at(&format!("/memberships?group_id={}&per_page=7", g[3]));
        let mut seen = Vec::new();
        loop {
            let r = app.get(&path, &t.key).await;
            r.assert_status(200);
            for m in r.results() {
                assert_eq!(m["group_id"], json!(g[3]));
                seen.push(m["id"].as_str().unwrap().to_string());
            }
            match r.body["meta"]["next_cursor"].as_str() {
                Some(c) => path = t.at(&format!("/memberships?group_id={}&per_page=7&cursor={c}", g[3])),
                None => break,
            }
        }
        assert_eq!(seen.len(), 25);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);
    }

    async fn fields_keep_only_what_is_asked(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["a", "b"]).await;
        let g = app.groups(&t, &["g"]).await;
        let r = app
            .post(&t.at("/memberships?fields=role&include=user"), &t.key, bulk(&[(&u[0], &g[0]), (&u[1], &g[0])]))
            .await;
        r.assert_status(201);
        for m in r.results() {
            let keys: BTreeSet<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, BTreeSet::from(["id", "role"]), "{m}");
        }
        // Sideloads keep their attributes.
        assert_eq!(r.body["users"][&u[0]]["username"], json!("a"));
        let r = app.get(&t.at("/memberships?fields=role"), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results().len(), 2);
        for m in r.results() {
            let keys: BTreeSet<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, BTreeSet::from(["id", "role"]));
            assert_eq!(m["role"], json!("member"));
        }
        let id = r.id();
        let r = app.get(&t.at(&format!("/memberships/{id}?fields=user_id,configurable_permissions")), &t.key).await;
        let keys: BTreeSet<String> = r.results()[0].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["configurable_permissions", "id", "user_id"].map(String::from).into());
        let r = app
            .patch(&t.at(&format!("/memberships/{id}?fields=role")), &t.key, json!({"membership": {"role": "admin"}}))
            .await;
        r.assert_status(200);
        assert_eq!(r.results()[0], json!({"id": id, "role": "admin"}));
    }

    async fn query_budget_is_fixed_whatever_the_bulk_size(app) {
        let t = app.tenant("acme").await;
        let names: Vec<String> = (0..11).map(|i| format!("u{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let u = app.users(&t, &refs).await;
        let gnames: Vec<String> = (0..10).map(|i| format!("g{i}")).collect();
        let grefs: Vec<&str> = gnames.iter().map(String::as_str).collect();
        let g = app.groups(&t, &grefs).await;
        let path = t.at("/memberships?include=user,group");
        let small = app.post(&path, &t.key, bulk(&[(&u[10], &g[0]), (&u[10], &g[1])])).await;
        small.assert_status(201);
        let big_pairs: Vec<(&str, &str)> =
            u[..10].iter().flat_map(|u| g.iter().map(move |g| (u.as_str(), g.as_str()))).collect();
        assert_eq!(big_pairs.len(), 100);
        let big = app.post(&path, &t.key, bulk(&big_pairs)).await;
        big.assert_status(201);
        assert_eq!(big.body["meta"]["created"], json!(100));
        assert_eq!(big.body["users"].as_object().unwrap().len(), 10);
        assert_eq!(big.body["groups"].as_object().unwrap().len(), 10);
        let count = |r: &Resp| -> u64 {
            r.header("X-Query-Count")
                .expect("X-Query-Count header")
                .parse()
                .expect("a number")
        };
        let (n2, n100) = (count(&small), count(&big));
        eprintln!("X-Query-Count on {:?}: bulk of 2 = {n2}, bulk of 100 = {n100}", app.backend);
        assert_eq!(n2, n100, "statements must not grow with the bulk");
        assert!(n100 <= 10, "a bulk create costs at most 10 statements, got {n100}");
        assert!(n2 >= 2, "the count covers the key lookup and the insert, got {n2}");
        // The exact statements of a clean bulk without Idempotency-Key, with
        // include=user,group (read from the PostgreSQL server's statement log):
        let want = match app.backend {
            // 1. the key lookup (api_keys JOIN instances); 2. the referenced users and
            // groups in one UNION ALL select (the sideloads); 3. BEGIN; 4. the INSERT
            // ... SELECT FROM UNNEST, the barrier check in a CTE of it; 5. the events
            // (§9) in one statement: the counter, the rows from arrays, the NOTIFY;
            // 6. COMMIT.
            Backend::Postgres => 6,
            // 1. the key lookup; 2. the users and groups select (on a pool
            // connection, outside the write lock); then, on the writer thread inside its
            // group's transaction: 3. SAVEPOINT; 4. the INSERT, one VALUES list (2 and
            // 100 are both sizes of `SQLITE_CHUNKS`; a bulk of 3 would be two INSERTs);
            // 5. the barrier check (barriers touching the groups); 6. the event
            // counter; 7. the events; 8. RELEASE.
            Backend::Sqlite => 8,
        };
        assert_eq!(n2, want, "statements of a bulk of 2 on {:?}", app.backend);
        assert_eq!(n100, want, "statements of a bulk of 100 on {:?}", app.backend);
    }

    async fn failure_mid_write_rolls_back_everything(app) {
        let t = app.tenant("acme").await;
        let names: Vec<String> = (0..50).map(|i| format!("u{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let u = app.users(&t, &refs).await;
        let g = app.groups(&t, &["g"]).await;
        let marked = &u[29];
        match app.backend {
            Backend::Sqlite => app.sql(&format!(
                "CREATE TRIGGER boom BEFORE INSERT ON memberships WHEN NEW.user_id = {marked} \
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;"
            )),
            Backend::Postgres => app.sql(&format!(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN \
                   IF NEW.user_id = {marked} THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; \
                 END; $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER boom BEFORE INSERT ON memberships FOR EACH ROW EXECUTE FUNCTION boom();"
            )),
        }
        let pairs: Vec<(&str, &str)> = u.iter().map(|u| (u.as_str(), g[0].as_str())).collect();
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&pairs)).await;
        assert!(r.status.as_u16() >= 400, "the write failed: {} {}", r.status, r.text);
        let errors = r.body["errors"].as_array().unwrap_or_else(|| panic!("§7 form: {}", r.text));
        assert!(!errors.is_empty());
        for err in errors {
            assert!(err["type"].as_str().is_some_and(|s| !s.is_empty()), "{}", r.text);
            assert!(err["message"].as_str().is_some_and(|s| !s.is_empty()), "{}", r.text);
        }
        let lower = r.text.to_lowercase();
        for leak in ["boom", "insert", "select", "memberships (", "trigger", "sqlite", "postgres", "raise", "p0001"] {
            assert!(!lower.contains(leak), "the error leaks {leak:?}: {}", r.text);
        }
        assert_count(&app, &t, 0).await;
        // The service is fine afterwards: the same bulk without the marked row is written.
        let rest: Vec<(&str, &str)> = pairs.iter().copied().filter(|(u, _)| *u != marked).collect();
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&rest)).await;
        r.assert_status(201);
        assert_eq!(r.body["meta"]["created"], json!(49));
        assert_count(&app, &t, 49).await;
    }

    async fn kantata_bulk_of_two_with_includes(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["geralt", "ciri"]).await;
        let g = app.groups(&t, &["witchers"]).await;
        let num = |s: &str| s.parse::<i64>().unwrap();
        let r = app
            .post(&t.at("/memberships?include=user,group"), &t.key, json!({"memberships": [
                {"user_id": num(&u[0]), "group_id": num(&g[0])},
                {"user_id": num(&u[1]), "group_id": num(&g[0])},
            ]}))
            .await;
        r.assert_status(201);
        let body = r.body.as_object().unwrap();
        let keys: BTreeSet<&str> = body.keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["count", "meta", "results", "memberships", "users", "groups"]));
        assert_eq!(r.body["count"], json!(2));
        assert_eq!(r.body["meta"]["count"], json!(2));
        let results = r.body["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let mut ids = Vec::new();
        for res in results {
            let obj = res.as_object().unwrap();
            assert_eq!(obj.len(), 2, "{res}");
            assert_eq!(res["key"], json!("memberships"));
            assert!(is_id_string(&res["id"]));
            ids.push(res["id"].as_str().unwrap().to_string());
        }
        let map = r.body["memberships"].as_object().unwrap();
        assert_eq!(map.keys().cloned().collect::<BTreeSet<_>>(), ids.iter().cloned().collect());
        for (k, m) in map {
            assert_eq!(m["id"], json!(k));
            let fields: BTreeSet<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(fields, BTreeSet::from([
                "id", "user_id", "group_id", "role", "configurable_permissions", "created_at", "updated_at"
            ]));
        }
        assert_eq!(map[&ids[0]]["user_id"], json!(u[0]));
        assert_eq!(map[&ids[1]]["user_id"], json!(u[1]));
        let users = r.body["users"].as_object().unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[&u[0]]["username"], json!("geralt"));
        assert_eq!(users[&u[0]]["id"], json!(u[0]));
        assert_eq!(users[&u[1]]["username"], json!("ciri"));
        let groups = r.body["groups"].as_object().unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[&g[0]]["name"], json!("witchers"));
        assert_eq!(groups[&g[0]]["id"], json!(g[0]));
    }

    async fn box_membership_lifecycle(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["geralt", "ciri"]).await;
        let g = app.groups(&t, &["witchers", "kaer-morhen"]).await;
        let perms = json!({"can_run_reports": false, "can_manage_members": true});
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"membership": {
                "user_id": u[0], "group_id": g[0], "role": "admin", "configurable_permissions": perms}}))
            .await;
        r.assert_status(201);
        let id = r.id();
        assert_eq!(r.results()[0]["role"], json!("admin"));
        assert_eq!(r.results()[0]["configurable_permissions"], perms);
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[1]), (&u[1], &g[0])])).await.assert_status(201);
        let one = t.at(&format!("/memberships/{id}"));
        let got = app.get(&one, &t.key).await;
        got.assert_status(200);
        assert_eq!(got.results()[0]["configurable_permissions"], perms);

        let r = app.patch(&one, &t.key, json!({"membership": {"role": "member", "configurable_permissions": {"can_run_reports": true}}})).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["role"], json!("member"));
        assert_eq!(r.results()[0]["configurable_permissions"], json!({"can_run_reports": true}));

        // The user's groups (Box: get_user_memberships).
        let r = app.get(&t.at(&format!("/users/{}/groups?include=group", u[0])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.body["meta"]["count"], json!(2));
        let gs: BTreeSet<String> = pairs_of(&r.results()).into_iter().map(|p| p.1).collect();
        assert_eq!(gs, g.iter().cloned().collect());
        assert_eq!(r.body["groups"][&g[1]]["name"], json!("kaer-morhen"));
        // The group's members (Box: get_group_memberships).
        let r = app.get(&t.at(&format!("/groups/{}/users?include=user", g[0])), &t.key).await;
        r.assert_status(200);
        let us: Vec<String> = pairs_of(&r.results()).into_iter().map(|p| p.0).collect();
        assert_eq!(us, vec![u[0].clone(), u[1].clone()]);
        assert_eq!(r.body["users"][&u[1]]["username"], json!("ciri"));
        let r = app.get(&t.at(&format!("/groups/{}/users?fields=role", g[0])), &t.key).await;
        assert_eq!(r.results()[0], json!({"id": id, "role": "member"}));

        app.delete(&one, &t.key).await.assert_status(204);
        app.get(&one, &t.key).await.assert_error(404, "not_found");
        let r = app.get(&t.at(&format!("/users/{}/groups", u[0])), &t.key).await;
        assert_eq!(pairs_of(&r.results()), vec![(u[0].clone(), g[1].clone())]);
        let r = app.get(&t.at(&format!("/groups/{}/users", g[0])), &t.key).await;
        assert_eq!(pairs_of(&r.results()), vec![(u[1].clone(), g[0].clone())]);
    }

    async fn unfiltered_count_follows_every_write(app) {
        // An unfiltered list's meta.count comes from a count the database keeps; it must
        // match a real COUNT (a filter that lets everything through forces one) after
        // creates, ignored and failed bulks, deletes and cascades, per tenant.
        let a = app.tenant("acme").await;
        let b = app.tenant("bolt").await;
        let ua = app.users(&a, &["u0", "u1", "u2", "u3"]).await;
        let ga = app.groups(&a, &["g0", "g1", "g2"]).await;
        let ub = app.users(&b, &["v0"]).await;
        let gb = app.groups(&b, &["h0"]).await;
        assert_eq!(counts(&app, &a).await, 0);
        let pairs: Vec<(&str, &str)> =
            ua.iter().flat_map(|u| ga.iter().map(move |g| (u.as_str(), g.as_str()))).collect();
        app.post(&a.at("/memberships"), &a.key, bulk(&pairs[..6])).await.assert_status(201);
        app.post(&b.at("/memberships"), &b.key, bulk(&[(&ub[0], &gb[0])])).await.assert_status(201);
        assert_eq!(counts(&app, &a).await, 6);
        assert_eq!(counts(&app, &b).await, 1);
        // Half already there: ignored ones are not counted twice.
        let r = app.post(&a.at("/memberships?on_conflict=ignore"), &a.key, bulk(&pairs[3..9])).await;
        r.assert_status(201);
        assert_eq!(r.body["meta"]["created"], json!(3));
        assert_eq!(counts(&app, &a).await, 9);
        // A failed bulk changes nothing.
        app.post(&a.at("/memberships"), &a.key, bulk(&pairs[8..12])).await.assert_status(422);
        assert_eq!(counts(&app, &a).await, 9);
        app.post(&a.at("/memberships"), &a.key, bulk(&pairs[9..12])).await.assert_status(201);
        assert_eq!(counts(&app, &a).await, 12);
        // One delete, then cascades from a user and from a group.
        let first = app.get(&a.at("/memberships?per_page=1"), &a.key).await;
        let id = first.results()[0]["id"].as_str().unwrap().to_string();
        app.delete(&a.at(&format!("/memberships/{id}")), &a.key).await.assert_status(204);
        assert_eq!(counts(&app, &a).await, 11);
        app.delete(&a.at(&format!("/users/{}", ua[3])), &a.key).await.assert_status(204);
        assert_eq!(counts(&app, &a).await, 8);
        app.delete(&a.at(&format!("/groups/{}", ga[2])), &a.key).await.assert_status(204);
        assert_eq!(counts(&app, &a).await, 5);
        assert_eq!(counts(&app, &b).await, 1, "the other tenant is untouched");
        // Page count follows the kept count.
        let r = app.get(&a.at("/memberships?per_page=4"), &a.key).await;
        assert_eq!(r.body["meta"]["page_count"], json!(2));
        // Deleting a tenant with memberships takes its count along; a new tenant of
        // the same name starts from zero.
        app.delete("/instances/acme", &app.account_key).await.assert_status(204);
        let again = app.tenant("acme").await;
        assert_eq!(counts(&app, &again).await, 0);
        let u = app.users(&again, &["w0"]).await;
        let g = app.groups(&again, &["k0"]).await;
        app.post(&again.at("/memberships"), &again.key, bulk(&[(&u[0], &g[0])])).await.assert_status(201);
        assert_eq!(counts(&app, &again).await, 1);
        assert_eq!(counts(&app, &b).await, 1);
    }

    async fn kept_count_survives_concurrent_writers(app) {
        // Concurrent bulks and cascading deletes (on PostgreSQL, different backends and
        // so different count slots) leave the kept count equal to a real COUNT.
        let t = app.tenant("acme").await;
        let names: Vec<String> = (0..10).map(|i| format!("u{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let u = app.users(&t, &refs).await;
        let gnames: Vec<String> = (0..10).map(|i| format!("g{i}")).collect();
        let grefs: Vec<&str> = gnames.iter().map(String::as_str).collect();
        let g = app.groups(&t, &grefs).await;
        let client = reqwest::Client::new();
        let url = format!("{}{}", app.base, t.at("/memberships"));
        let handles: Vec<_> = u
            .iter()
            .map(|user| {
                let pairs: Vec<(&str, &str)> = g.iter().map(|gid| (user.as_str(), gid.as_str())).collect();
                let (c, url, key, body) = (client.clone(), url.clone(), t.key.clone(), bulk(&pairs));
                tokio::spawn(async move {
                    c.post(url).header("X-API-KEY", key).json(&body).send().await.unwrap().status()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.await.unwrap().as_u16(), 201);
        }
        assert_eq!(counts(&app, &t).await, 100);
        let handles: Vec<_> = u[..5]
            .iter()
            .map(|user| {
                let (c, key) = (client.clone(), t.key.clone());
                let url = format!("{}{}", app.base, t.at(&format!("/users/{user}")));
                tokio::spawn(async move { c.delete(url).header("X-API-KEY", key).send().await.unwrap().status() })
            })
            .collect();
        for h in handles {
            assert_eq!(h.await.unwrap().as_u16(), 204);
        }
        assert_eq!(counts(&app, &t).await, 50);
    }

    async fn sideloaded_users_and_groups_are_the_objects_themselves(app) {
        // include=user,group (one statement for both on PostgreSQL) sideloads each user
        // and group exactly as GET shows it, every attribute, on a create and on a list.
        let t = app.tenant("acme").await;
        let r = app.post(&t.at("/users"), &t.key, json!({"users": [
            {"username": "full", "name": "Full Name", "email": "full@example.com",
             "avatar_url": "https://example.com/a.png", "principal": "service_account"},
            {"username": "bare"}
        ]})).await;
        r.assert_status(201);
        let u: Vec<String> = r.results().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect();
        let r = app.post(&t.at("/groups"), &t.key, json!({"groups": [
            {"name": "described", "description": "a group with a description"},
            {"name": "plain"}
        ]})).await;
        r.assert_status(201);
        let g: Vec<String> = r.results().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect();
        let created = app
            .post(&t.at("/memberships?include=user,group"), &t.key, bulk(&[(&u[0], &g[0]), (&u[1], &g[1])]))
            .await;
        created.assert_status(201);
        let listed = app.get(&t.at("/memberships?include=user,group"), &t.key).await;
        listed.assert_status(200);
        for r in [&created, &listed] {
            assert_eq!(r.body["users"].as_object().unwrap().len(), 2);
            assert_eq!(r.body["groups"].as_object().unwrap().len(), 2);
            for id in &u {
                let one = app.get(&t.at(&format!("/users/{id}")), &t.key).await;
                assert_eq!(r.body["users"][id], one.body["users"][id], "user {id}");
            }
            for id in &g {
                let one = app.get(&t.at(&format!("/groups/{id}")), &t.key).await;
                assert_eq!(r.body["groups"][id], one.body["groups"][id], "group {id}");
            }
        }
        assert_eq!(created.body["users"][&u[0]]["principal"], json!("service_account"));
        assert_eq!(created.body["users"][&u[0]]["email"], json!("full@example.com"));
        assert_eq!(created.body["groups"][&g[0]]["description"], json!("a group with a description"));
        assert_eq!(created.body["users"][&u[1]]["name"], json!(null));
    }
}
