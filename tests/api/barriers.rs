//! Information barriers (API.md §2, §3): two groups no user may be in at once. Creates,
//! validation, list/get/delete, and enforcement on every way of adding a member.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::both;
use crate::support::{all_memberships, bulk, e, errs, pairs_of, time};
use crate::support::{Resp, Tenant, TestApp};

/// Creates a barrier between two groups; returns its ID.
async fn barrier(app: &TestApp, t: &Tenant, a: &str, b: &str) -> String {
    let r = app
        .post(
            &t.at("/barriers"),
            &t.key,
            json!({"barrier": {"group_ids": [a, b]}}),
        )
        .await;
    r.assert_status(201);
    r.id()
}

/// Every barrier of the tenant.
async fn all_barriers(app: &TestApp, t: &Tenant) -> Vec<Value> {
    let r = app.get(&t.at("/barriers?per_page=200"), &t.key).await;
    r.assert_status(200);
    r.results()
}

/// Whether `id` appears as a whole number in `text`.
fn names_id(text: &str, id: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|tok| tok == id)
}

/// The message of the only error of a response.
fn message(r: &Resp) -> String {
    r.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

both! {
    async fn create_single_and_bulk(app) {
        let t = app.tenant("acme").await;
        let g = app.groups(&t, &["sales", "research", "audit", "legal"]).await;
        // Given in either order, returned in ascending order.
        let r = app
            .post(&t.at("/barriers"), &t.key, json!({"barrier": {"group_ids": [g[1], g[0]], "description": "Chinese wall"}}))
            .await;
        r.assert_status(201);
        assert_eq!(r.body["count"], json!(1));
        let b = &r.results()[0];
        assert_eq!(r.body["results"], json!([{"key": "barriers", "id": b["id"]}]));
        let id = b["id"].as_str().expect("id is a string").to_string();
        assert!(id.parse::<i64>().is_ok_and(|i| i > 0));
        assert_eq!(b["group_ids"], json!([g[0], g[1]]));
        assert_eq!(b["description"], json!("Chinese wall"));
        assert!(time(&b["created_at"]).timestamp() > 0);
        assert!(b["created_at"].as_str().unwrap().ends_with('Z'));
        // Numbers are accepted as IDs; a bulk is returned in request order.
        let n = |s: &str| s.parse::<i64>().unwrap();
        let r = app
            .post(&t.at("/barriers"), &t.key, json!({"barriers": [
                {"group_ids": [n(&g[3]), n(&g[2])]},
                {"group_ids": [g[0], g[2]], "description": null},
            ]}))
            .await;
        r.assert_status(201);
        let made = r.results();
        assert_eq!(made.len(), 2);
        assert_eq!(made[0]["group_ids"], json!([g[2], g[3]]));
        assert_eq!(made[1]["group_ids"], json!([g[0], g[2]]));
        assert_eq!(made[1]["description"], Value::Null);
        let listed = all_barriers(&app, &t).await;
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0]["id"], json!(id));
    }

    async fn group_ids_are_validated(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("umbrella").await;
        let g = app.groups(&t, &["a", "b", "c"]).await;
        let og = app.groups(&other, &["theirs"]).await;
        let path = t.at("/barriers");
        for ids in [
            json!([g[0], g[0]]),
            json!([g[0]]),
            json!([g[0], g[1], g[2]]),
            json!([]),
            json!(g[0]),
            json!([g[0], "x"]),
            json!([g[0], null]),
            json!([g[0], 0]),
            Value::Null,
        ] {
            let r = app.post(&path, &t.key, json!({"barrier": {"group_ids": ids}})).await;
            r.assert_error(422, "invalid");
            assert_eq!(errs(&r), vec![e("invalid", "group_ids", None)], "group_ids {ids}");
        }
        // The same group given as a string and as a number is still one group.
        let r = app
            .post(&path, &t.key, json!({"barrier": {"group_ids": [g[0], g[0].parse::<i64>().unwrap()]}}))
            .await;
        r.assert_error(422, "invalid");
        let r = app.post(&path, &t.key, json!({"barrier": {}})).await;
        assert_eq!(errs(&r), vec![e("invalid", "group_ids", None)]);
        let r = app.post(&path, &t.key, json!({"barrier": {"group_ids": [g[0], g[1]], "groups": 2}})).await;
        assert_eq!(errs(&r), vec![e("invalid", "groups", None)]);
        let r = app.post(&path, &t.key, json!({"barrier": {"group_ids": [g[0], g[1]], "description": 5}})).await;
        assert_eq!(errs(&r), vec![e("invalid", "description", None)]);
        // Groups that do not exist here, including another tenant's.
        let r = app.post(&path, &t.key, json!({"barrier": {"group_ids": [g[0], "999999"]}})).await;
        r.assert_error(422, "missing_reference");
        assert_eq!(errs(&r), vec![e("missing_reference", "group_ids", None)]);
        let r = app.post(&path, &t.key, json!({"barrier": {"group_ids": [og[0], g[1]]}})).await;
        r.assert_error(422, "missing_reference");
        assert_eq!(errs(&r), vec![e("missing_reference", "group_ids", None)]);
        // In a bulk: every bad object at its index, nothing written.
        let r = app
            .post(&path, &t.key, json!({"barriers": [
                {"group_ids": [g[0], g[1]]},
                {"group_ids": [g[2], g[2]]},
                {"group_ids": [g[1], g[2]]},
                {"group_ids": [g[2], og[0]]},
            ]}))
            .await;
        r.assert_status(422);
        assert_eq!(
            errs(&r),
            vec![e("invalid", "group_ids", Some(1)), e("missing_reference", "group_ids", Some(3))]
        );
        app.post(&path, &t.key, json!({"barriers": []})).await.assert_error(422, "invalid");
        app.post(&path, &t.key, json!({"barrier": {"group_ids": [g[0], g[1]]}, "x": 1}))
            .await
            .assert_error(422, "invalid");
        assert!(all_barriers(&app, &t).await.is_empty());
        assert!(all_barriers(&app, &other).await.is_empty());
    }

    async fn duplicates_are_refused(app) {
        let t = app.tenant("acme").await;
        let g = app.groups(&t, &["a", "b", "c"]).await;
        let path = t.at("/barriers");
        let first = barrier(&app, &t, &g[0], &g[1]).await;
        for ids in [json!([g[0], g[1]]), json!([g[1], g[0]])] {
            let r = app.post(&path, &t.key, json!({"barrier": {"group_ids": ids}})).await;
            r.assert_error(422, "duplicate");
            assert_eq!(errs(&r), vec![e("duplicate", "group_ids", None)]);
        }
        // Twice in one bulk (in either order): the later index only.
        let r = app
            .post(&path, &t.key, json!({"barriers": [{"group_ids": [g[1], g[2]]}, {"group_ids": [g[2], g[1]]}]}))
            .await;
        r.assert_error(422, "duplicate");
        assert_eq!(errs(&r), vec![e("duplicate", "group_ids", Some(1))]);
        // An existing one inside a bulk: its index; the new one is not written.
        let r = app
            .post(&path, &t.key, json!({"barriers": [{"group_ids": [g[0], g[2]]}, {"group_ids": [g[1], g[0]]}]}))
            .await;
        r.assert_error(422, "duplicate");
        assert_eq!(errs(&r), vec![e("duplicate", "group_ids", Some(1))]);
        let listed = all_barriers(&app, &t).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["id"], json!(first));
    }

    async fn existing_memberships_can_forbid_a_barrier(app) {
        let t = app.tenant("acme").await;
        // Some users first, so user IDs do not look like the group IDs.
        app.users(&t, &["x1", "x2", "x3", "x4", "x5", "x6"]).await;
        let u = app.users(&t, &["both", "only_a"]).await;
        let g = app.groups(&t, &["a", "b", "c"]).await;
        assert!(!g.contains(&u[0]));
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[0]), (&u[0], &g[1]), (&u[1], &g[0])]))
            .await
            .assert_status(201);
        let r = app.post(&t.at("/barriers"), &t.key, json!({"barrier": {"group_ids": [g[1], g[0]]}})).await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![None]);
        assert!(names_id(&message(&r), &u[0]), "the message names the user: {}", r.text);
        // In a bulk: the index of the barrier that existing members violate.
        let r = app
            .post(&t.at("/barriers"), &t.key, json!({"barriers": [
                {"group_ids": [g[0], g[2]]},
                {"group_ids": [g[0], g[1]]},
            ]}))
            .await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        assert!(names_id(&message(&r), &u[0]), "{}", r.text);
        assert!(all_barriers(&app, &t).await.is_empty());
        // Once the user leaves one of the groups, the barrier can be made.
        app.delete(&t.at(&format!("/groups/{}/users/{}", g[1], u[0])), &t.key).await.assert_status(204);
        barrier(&app, &t, &g[0], &g[1]).await;
    }

    async fn list_get_delete(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("umbrella").await;
        let u = app.users(&t, &["u"]).await;
        let g = app.groups(&t, &["a", "b", "c"]).await;
        let b1 = barrier(&app, &t, &g[0], &g[1]).await;
        let b2 = barrier(&app, &t, &g[1], &g[2]).await;
        let r = app.get(&t.at("/barriers"), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.body["count"], json!(2));
        assert_eq!(r.body["meta"]["count"], json!(2));
        let ids: Vec<Value> = r.results().iter().map(|b| b["id"].clone()).collect();
        assert_eq!(ids, vec![json!(b1), json!(b2)]);
        let r = app.get(&t.at(&format!("/barriers?group_id={}", g[0])), &t.key).await;
        r.assert_status(200);
        assert_eq!(r.id(), b1);
        assert_eq!(r.body["count"], json!(1));
        let r = app.get(&t.at("/barriers?order=id:desc&per_page=1"), &t.key).await;
        assert_eq!(r.id(), b2);
        assert_eq!(r.body["meta"]["page_count"], json!(2));
        let r = app.get(&t.at("/barriers?fields=group_ids"), &t.key).await;
        let keys: BTreeSet<String> = r.results()[0].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["group_ids", "id"].map(String::from).into());
        app.get(&t.at("/barriers?include=groups"), &t.key).await.assert_error(400, "bad_request");
        assert!(all_barriers(&app, &other).await.is_empty());

        let one = t.at(&format!("/barriers/{b1}"));
        let r = app.get(&one, &t.key).await;
        r.assert_status(200);
        assert_eq!(r.results()[0]["group_ids"], json!([g[0], g[1]]));
        app.get(&other.at(&format!("/barriers/{b1}")), &other.key).await.assert_error(404, "not_found");
        app.get(&t.at("/barriers/999999"), &t.key).await.assert_error(404, "not_found");
        app.delete(&other.at(&format!("/barriers/{b1}")), &other.key).await.assert_error(404, "not_found");
        // No PATCH on barriers.
        app.patch(&one, &t.key, json!({"barrier": {"description": "x"}}))
            .await
            .assert_error(405, "method_not_allowed");

        // While it exists, u cannot be in both a and b.
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[0])])).await.assert_status(201);
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[1])]))
            .await
            .assert_error(422, "forbidden_by_policy");
        let r = app.delete(&one, &t.key).await;
        r.assert_status(204);
        assert!(r.text.is_empty());
        app.get(&one, &t.key).await.assert_error(404, "not_found");
        app.delete(&one, &t.key).await.assert_error(404, "not_found");
        assert_eq!(all_barriers(&app, &t).await.len(), 1);
        // Now allowed again (b2 still forbids b with c, which u is not in).
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[1])])).await.assert_status(201);
    }

    async fn barriers_are_enforced_on_every_create(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["u", "v", "w"]).await;
        let g = app.groups(&t, &["a", "b", "c"]).await;
        barrier(&app, &t, &g[0], &g[1]).await;
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[0]), (&u[2], &g[1])])).await.assert_status(201);
        let before = all_memberships(&app, &t).await;
        // A member of A into B: single create.
        let r = app
            .post(&t.at("/memberships"), &t.key, json!({"membership": {"user_id": u[0], "group_id": g[1], "role": "admin"}}))
            .await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![None]);
        assert!(r.body["errors"][0]["field"].is_string(), "{}", r.text);
        // A member of B into A inside a bulk: its index; the others are not written.
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[1], &g[0]), (&u[2], &g[0]), (&u[1], &g[2])])).await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        // Through Syncano's route too.
        let r = app.post(&t.at(&format!("/groups/{}/users", g[1])), &t.key, json!({"users": [u[1], u[0]]})).await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        let r = app.post(&t.at(&format!("/groups/{}/users", g[1])), &t.key, json!({"user": u[0]})).await;
        r.assert_error(422, "forbidden_by_policy");
        // In one bulk, u → A (index 0) then u → B (index 1): the error is at index 1.
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[1], &g[0]), (&u[1], &g[1])])).await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        let r = app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[1], &g[2]), (&u[1], &g[1]), (&u[1], &g[0])])).await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![Some(2)]);
        // on_conflict=ignore does not bypass a barrier: u is already in A, and B is refused.
        let r = app
            .post(&t.at("/memberships?on_conflict=ignore"), &t.key, bulk(&[(&u[0], &g[0]), (&u[0], &g[1])]))
            .await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        let r = app
            .post(&t.at("/memberships?on_conflict=ignore"), &t.key, bulk(&[(&u[1], &g[1]), (&u[1], &g[0])]))
            .await;
        r.assert_error(422, "forbidden_by_policy");
        assert_eq!(r.error_indexes(), vec![Some(1)]);
        // Mixed problems are all reported together.
        let r = app
            .post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[0]), (&u[0], &g[1]), ("999999", &g[2])]))
            .await;
        r.assert_status(422);
        let kinds: Vec<(String, Option<u64>)> = errs(&r).into_iter().map(|x| (x.0, x.2)).collect();
        assert_eq!(kinds, vec![
            ("duplicate".into(), Some(0)),
            ("forbidden_by_policy".into(), Some(1)),
            ("missing_reference".into(), Some(2)),
        ], "{}", r.text);
        assert_eq!(all_memberships(&app, &t).await, before, "nothing written");
        // Groups not touched by the barrier are fine.
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[2]), (&u[1], &g[1])])).await.assert_status(201);
        let pairs = pairs_of(&all_memberships(&app, &t).await);
        assert_eq!(pairs.len(), 4);
    }

    async fn deleting_a_group_removes_its_barriers(app) {
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["u"]).await;
        let g = app.groups(&t, &["a", "b", "c"]).await;
        let ab = barrier(&app, &t, &g[0], &g[1]).await;
        let bc = barrier(&app, &t, &g[1], &g[2]).await;
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[1])])).await.assert_status(201);
        app.delete(&t.at(&format!("/groups/{}", g[0])), &t.key).await.assert_status(204);
        app.get(&t.at(&format!("/barriers/{ab}")), &t.key).await.assert_error(404, "not_found");
        let left = all_barriers(&app, &t).await;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0]["id"], json!(bc));
        // The other barrier still holds.
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[2])]))
            .await
            .assert_error(422, "forbidden_by_policy");
        app.delete(&t.at(&format!("/groups/{}", g[2])), &t.key).await.assert_status(204);
        assert!(all_barriers(&app, &t).await.is_empty());
    }

    async fn user_keys_cannot_use_barriers(app) {
        // A user key creates no barrier (403) and, as API.md §6 grants it none, sees
        // none: the list is empty and one barrier is 404 as if it did not exist.
        let t = app.tenant("acme").await;
        let u = app.users(&t, &["u"]).await;
        let g = app.groups(&t, &["a", "b"]).await;
        let b = barrier(&app, &t, &g[0], &g[1]).await;
        let key = app.user_key(&t, &u[0]).await;
        app.post(&t.at("/barriers"), &key, json!({"barrier": {"group_ids": [g[0], g[1]]}}))
            .await
            .assert_error(403, "forbidden");
        let listed = app.get(&t.at("/barriers"), &key).await;
        listed.assert_status(200);
        assert_eq!(listed.body["meta"]["count"], json!(0), "{}", listed.text);
        app.get(&t.at(&format!("/barriers/{b}")), &key).await.assert_error(404, "not_found");
        app.delete(&t.at(&format!("/barriers/{b}")), &key).await.assert_error(404, "not_found");
        assert_eq!(all_barriers(&app, &t).await.len(), 1);
    }

    async fn racing_barrier_and_memberships_never_both_win(app) {
        // A barrier between A and B created while users already in A are added to B:
        // either the barrier or the memberships win, never both.
        let t = app.tenant("acme").await;
        let names: Vec<String> = (0..10).map(|i| format!("u{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let u = app.users(&t, &refs).await;
        let client = reqwest::Client::new();
        for round in 0..16 {
            let g = app.groups(&t, &[&format!("a{round}"), &format!("b{round}")]).await;
            let into_a: Vec<(&str, &str)> = u.iter().map(|u| (u.as_str(), g[0].as_str())).collect();
            app.post(&t.at("/memberships"), &t.key, bulk(&into_a)).await.assert_status(201);
            let mut handles = Vec::new();
            for (i, uid) in u.iter().enumerate() {
                let (c, key) = (client.clone(), t.key.clone());
                let url = format!("{}{}", app.base, t.at("/memberships"));
                let body = json!({"membership": {"user_id": uid, "group_id": g[1]}});
                handles.push(tokio::spawn(async move {
                    let res = c.post(url).header("X-API-KEY", key).json(&body).send().await.unwrap();
                    (false, i, TestApp::read(res).await)
                }));
                if i == 4 {
                    let (c, key) = (client.clone(), t.key.clone());
                    let url = format!("{}{}", app.base, t.at("/barriers"));
                    let body = json!({"barrier": {"group_ids": [g[0], g[1]]}});
                    handles.push(tokio::spawn(async move {
                        let res = c.post(url).header("X-API-KEY", key).json(&body).send().await.unwrap();
                        (true, 0, TestApp::read(res).await)
                    }));
                }
            }
            let mut barrier_made = false;
            let mut joined = 0;
            for h in handles {
                let (is_barrier, _, r) = h.await.unwrap();
                if is_barrier {
                    match r.status.as_u16() {
                        201 => barrier_made = true,
                        422 => {
                            r.assert_error(422, "forbidden_by_policy");
                        }
                        _ => panic!("barrier create: {} {}", r.status, r.text),
                    }
                } else {
                    match r.status.as_u16() {
                        201 => joined += 1,
                        422 => {
                            r.assert_error(422, "forbidden_by_policy");
                        }
                        _ => panic!("membership create: {} {}", r.status, r.text),
                    }
                }
            }
            let in_b = app.get(&t.at(&format!("/groups/{}/users", g[1])), &t.key).await;
            in_b.assert_status(200);
            let in_b = in_b.body["count"].as_u64().unwrap();
            assert_eq!(in_b, joined, "round {round}: the 201s are the rows");
            if barrier_made {
                assert_eq!(in_b, 0, "round {round}: a barrier exists while {in_b} users are in both groups");
            }
        }
    }

    async fn racing_joins_across_a_barrier(app) {
        // With a barrier between A and B, u joining A and B at the same time: at most
        // one of the two wins.
        let t = app.tenant("acme").await;
        let client = reqwest::Client::new();
        let url = format!("{}{}", app.base, t.at("/memberships"));
        for round in 0..12 {
            let u = app.users(&t, &[&format!("u{round}")]).await;
            let g = app.groups(&t, &[&format!("a{round}"), &format!("b{round}")]).await;
            barrier(&app, &t, &g[0], &g[1]).await;
            let handles: Vec<_> = (0..2)
                .map(|i| {
                    let (c, url, key) = (client.clone(), url.clone(), t.key.clone());
                    let body = json!({"membership": {"user_id": u[0], "group_id": g[i]}});
                    tokio::spawn(async move {
                        let res = c.post(url).header("X-API-KEY", key).json(&body).send().await.unwrap();
                        TestApp::read(res).await
                    })
                })
                .collect();
            let mut wins = 0;
            for h in handles {
                let r = h.await.unwrap();
                match r.status.as_u16() {
                    201 => wins += 1,
                    422 => {
                        r.assert_error(422, "forbidden_by_policy");
                    }
                    _ => panic!("round {round}: {} {}", r.status, r.text),
                }
            }
            assert_eq!(wins, 1, "round {round}: exactly one join wins");
            let r = app.get(&t.at(&format!("/users/{}/groups", u[0])), &t.key).await;
            assert_eq!(r.body["count"], json!(1), "round {round}");
        }
    }

    async fn concurrent_bulks_fail_alone(app) {
        // Many bulks at once, half of them refused by a barrier only after their INSERT
        // ran (the barrier check follows the INSERT in the same transaction). Writers
        // that queue together may share one database transaction (SQLite's group
        // commit): each refused bulk must vanish whole, its first row too, and every
        // other bulk must be there whole, with the kept count matching the rows.
        let t = app.tenant("acme").await;
        let names: Vec<String> = (0..33).map(|i| format!("u{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let u = app.users(&t, &refs).await;
        let g = app.groups(&t, &["a", "b", "c"]).await;
        barrier(&app, &t, &g[0], &g[1]).await;
        app.post(&t.at("/memberships"), &t.key, bulk(&[(&u[0], &g[0])])).await.assert_status(201);
        let client = reqwest::Client::new();
        let url = format!("{}{}?include=user", app.base, t.at("/memberships"));
        let mut expected: BTreeSet<(String, String)> = [(u[0].clone(), g[0].clone())].into();
        for round in 0..4 {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let fresh = &u[1 + round * 8 + i];
                    let refused = i % 2 == 1;
                    // A refused bulk: a fresh user into c, then u0 (in a) into b.
                    let pairs: Vec<(&str, &str)> = if refused {
                        vec![(fresh, &g[2]), (&u[0], &g[1])]
                    } else {
                        vec![(fresh, &g[2]), (fresh, &g[0])]
                    };
                    if !refused {
                        expected.insert((fresh.clone(), g[2].clone()));
                        expected.insert((fresh.clone(), g[0].clone()));
                    }
                    let (c, url, key, body) = (client.clone(), url.clone(), t.key.clone(), bulk(&pairs));
                    tokio::spawn(async move {
                        let res = c.post(url).header("X-API-KEY", key).json(&body).send().await.unwrap();
                        (refused, TestApp::read(res).await)
                    })
                })
                .collect();
            for h in handles {
                let (refused, r) = h.await.unwrap();
                if refused {
                    r.assert_error(422, "forbidden_by_policy");
                    assert_eq!(errs(&r)[0].2, Some(1), "round {round}: the index of u0's row: {}", r.text);
                } else {
                    r.assert_status(201);
                    assert_eq!(r.body["meta"]["created"], json!(2), "round {round}: {}", r.text);
                    assert_eq!(r.body["users"].as_object().unwrap().len(), 1, "{}", r.text);
                }
            }
        }
        let rows = all_memberships(&app, &t).await;
        let got: BTreeSet<(String, String)> = pairs_of(&rows).into_iter().collect();
        assert_eq!(got, expected, "exactly the accepted bulks' rows");
        assert_eq!(rows.len(), expected.len(), "no row twice");
        let kept = app.get(&t.at("/memberships"), &t.key).await;
        assert_eq!(kept.body["meta"]["count"], json!(expected.len()), "the kept count: {}", kept.text);
    }

    async fn racing_identical_barriers(app) {
        // The same barrier created by several requests at once: one 201, the others a
        // duplicate naming group_ids, never a 500.
        let t = app.tenant("acme").await;
        let client = reqwest::Client::new();
        let url = format!("{}{}", app.base, t.at("/barriers"));
        for round in 0..6 {
            let g = app.groups(&t, &[&format!("a{round}"), &format!("b{round}")]).await;
            let handles: Vec<_> = (0..6)
                .map(|i| {
                    let (c, url, key) = (client.clone(), url.clone(), t.key.clone());
                    let ids = if i % 2 == 0 { json!([g[0], g[1]]) } else { json!([g[1], g[0]]) };
                    let body = json!({"barrier": {"group_ids": ids}});
                    tokio::spawn(async move {
                        let res = c.post(url).header("X-API-KEY", key).json(&body).send().await.unwrap();
                        TestApp::read(res).await
                    })
                })
                .collect();
            let mut made = 0;
            for h in handles {
                let r = h.await.unwrap();
                match r.status.as_u16() {
                    201 => made += 1,
                    422 => {
                        r.assert_error(422, "duplicate");
                        assert_eq!(errs(&r), vec![e("duplicate", "group_ids", None)], "{}", r.text);
                    }
                    _ => panic!("round {round}: {} {}", r.status, r.text),
                }
            }
            assert_eq!(made, 1, "round {round}");
        }
        assert_eq!(all_barriers(&app, &t).await.len(), 6);
    }
}
