//! The change feed over HTTP (API.md §9), on both backends: what each write records,
//! the read's parameters and filters, what a user key may read, the long-poll, the
//! stream, retention's 410 and `roster events tail`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::both;
use crate::support::{Tenant, TestApp};

/// The events after `after`, as the feed answers them in order.
async fn feed(app: &TestApp, t: &Tenant, key: &str, query: &str) -> Vec<Value> {
    let r = app.get(&t.at(&format!("/events?{query}")), key).await;
    r.assert_status(200);
    r.results()
}

async fn last_id(app: &TestApp, t: &Tenant) -> u64 {
    let mut after = 0u64;
    loop {
        let r = app
            .get(&t.at(&format!("/events?after={after}&limit=1000")), &t.key)
            .await;
        r.assert_status(200);
        let next: u64 = r.body["meta"]["next_after"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        if next == after {
            return after;
        }
        after = next;
    }
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

both! {
    async fn every_write_records_its_events_with_actor_source_and_request(app) {
        let t = app.tenant("acme").await;
        let start = last_id(&app, &t).await;
        let users = app.users(&t, &["alice", "bob"]).await;
        let groups = app.groups(&t, &["eng", "ops"]).await;
        let m = app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[1], "group_id": groups[0], "role": "admin"},
        ]})).await;
        m.assert_status(201);
        let request_id = m.header("x-request-id").unwrap().to_string();
        let mids: Vec<String> = m.results().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
        app.patch(&t.at(&format!("/memberships/{}", mids[0])), &t.key, json!({"membership": {"role": "admin"}}))
            .await.assert_status(200);
        let b = app.post(&t.at("/barriers"), &t.key, json!({"barrier": {"group_ids": [groups[0], groups[1]]}})).await;
        b.assert_status(201);
        app.delete(&t.at(&format!("/barriers/{}", b.id())), &t.key).await.assert_status(204);
        let ukey = app.user_key(&t, &users[1]).await;
        // Deleting a group removes its memberships: each recorded, as a cascade.
        app.delete(&t.at(&format!("/groups/{}", groups[0])), &t.key).await.assert_status(204);
        // A write that fails records nothing.
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[1]}, {"user_id": "999999", "group_id": groups[1]},
        ]})).await.assert_status(422);
        // Deleting a user removes its keys.
        app.delete(&t.at(&format!("/users/{}", users[1])), &t.key).await.assert_status(204);

        let events = feed(&app, &t, &t.key, &format!("after={start}&limit=1000")).await;
        assert_eq!(types(&events), [
            "user.created", "user.created", "group.created", "group.created",
            "membership.created", "membership.created", "membership.updated",
            "barrier.created", "barrier.deleted", "api_key.created",
            "membership.deleted", "membership.deleted", "group.deleted",
            "api_key.deleted", "user.deleted",
        ]);
        let ids: Vec<u64> = events.iter().map(|e| e["id"].as_str().unwrap().parse().unwrap()).collect();
        assert_eq!(ids, (start + 1..=start + ids.len() as u64).collect::<Vec<_>>(), "consecutive, in order");
        // The data is the object as the API shows it.
        let alice = app.get(&t.at(&format!("/users/{}", users[0])), &t.key).await;
        assert_eq!(events[0]["data"], alice.body["users"][&users[0]]);
        assert_eq!(events[0]["object_id"], json!(users[0]));
        assert_eq!(events[0]["previous"], Value::Null);
        assert_eq!(events[4]["data"]["user_id"], json!(users[0]));
        assert_eq!(events[4]["request_id"], json!(request_id));
        assert_eq!(events[4]["source"], "api");
        assert_eq!(events[4]["actor"]["kind"], "admin");
        assert!(events[4]["actor"]["key_id"].is_string(), "{}", events[4]);
        assert_eq!(events[4]["actor"]["user_id"], Value::Null);
        // An update's previous holds the old values of what changed.
        assert_eq!(events[6]["previous"], json!({"role": "member"}));
        assert_eq!(events[6]["data"]["role"], "admin");
        // The key's event never holds its secret.
        assert!(!events[9].to_string().contains(&ukey), "a secret in the feed");
        assert!(events[9]["data"].get("key").is_none());
        for i in [10, 11, 13] {
            assert_eq!(events[i]["source"], "cascade", "{}", events[i]);
        }
        assert_eq!(events[12]["source"], "api");
        // The account key's writes: actor account, no key id.
        let r = app.patch(&format!("/instances/{}", t.name), &app.account_key,
            json!({"instance": {"description": "tenant"}})).await;
        r.assert_status(200);
        let last = feed(&app, &t, &t.key, &format!("after={}", start + ids.len() as u64)).await;
        assert_eq!(types(&last), ["instance.updated"]);
        assert_eq!(last[0]["actor"], json!({"kind": "account", "key_id": null, "user_id": null}));
        assert_eq!(last[0]["previous"], json!({"description": ""}));
    }

    async fn reads_page_filter_and_refuse_bad_parameters(app) {
        let t = app.tenant("acme").await;
        let start = last_id(&app, &t).await;
        let users = app.users(&t, &["u1", "u2", "u3"]).await;
        let groups = app.groups(&t, &["g"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"membership": {"user_id": users[0], "group_id": groups[0]}}))
            .await.assert_status(201);
        // Pages: limit, and next_after carries on; nothing new: next_after stays.
        let r = app.get(&t.at(&format!("/events?after={start}&limit=2")), &t.key).await;
        assert_eq!(r.results().len(), 2);
        assert_eq!(r.body["count"], 2);
        let next = r.body["meta"]["next_after"].as_str().unwrap().to_string();
        assert_eq!(next, (start + 2).to_string());
        let rest = feed(&app, &t, &t.key, &format!("after={next}")).await;
        assert_eq!(types(&rest), ["user.created", "group.created", "membership.created"]);
        let end = start + 5;
        let r = app.get(&t.at(&format!("/events?after={end}")), &t.key).await;
        assert_eq!(r.body["meta"]["next_after"], json!(end.to_string()));
        assert_eq!(r.results().len(), 0);
        // Filters.
        let q = |s: &str| format!("after={start}&{s}");
        assert_eq!(types(&feed(&app, &t, &t.key, &q("types=group.created,membership.created")).await),
            ["group.created", "membership.created"]);
        assert_eq!(feed(&app, &t, &t.key, &q(&format!("object_id={}&types=user.created", users[1]))).await.len(), 1);
        assert_eq!(feed(&app, &t, &t.key, &q("source=cli")).await.len(), 0);
        assert_eq!(feed(&app, &t, &t.key, &q("source=api")).await.len(), 5);
        assert_eq!(feed(&app, &t, &t.key, &q("occurred_after=2999-01-01T00:00:00Z")).await.len(), 0);
        assert_eq!(feed(&app, &t, &t.key, &q("occurred_after=2000-01-01T00:00:00Z")).await.len(), 5);
        let key_id = feed(&app, &t, &t.key, &q("")).await[0]["actor"]["key_id"].as_str().unwrap().to_string();
        assert_eq!(feed(&app, &t, &t.key, &q(&format!("actor_key_id={key_id}"))).await.len(), 5);
        // Bad parameters: 400 in the §7 form, naming the parameter.
        for (bad, field) in [("limit=0", "limit"), ("limit=1001", "limit"), ("after=-1", "after"),
            ("after=x", "after"), ("types=user.created,nope", "types"), ("source=web", "source"),
            ("wait=61", "wait"), ("occurred_after=yesterday", "occurred_after"), ("bogus=1", "bogus"),
            ("object_id=0", "object_id")] {
            let r = app.get(&t.at(&format!("/events?{bad}")), &t.key).await;
            r.assert_error(400, "bad_request");
            assert_eq!(r.body["errors"][0]["field"], json!(field), "{bad}");
        }
        // Another tenant's key: 404 as if the instance did not exist.
        let other = app.tenant("other").await;
        app.get(&t.at("/events"), &other.key).await.assert_error(404, "not_found");
        app.get(&t.at("/events"), "rk_nope").await.assert_error(401, "unauthorized");
    }

    async fn a_filter_that_keeps_few_events_reads_on_through_many_writes(app) {
        // A read takes a write's row at a time, more rows per query as it goes
        // (db::events): a filter that keeps one event in 60 writes must still find it,
        // and a page must stop at its limit within a write.
        let t = app.tenant("acme").await;
        let start = last_id(&app, &t).await;
        let mut ids = Vec::new();
        for i in 0..60 {
            let r = app.post(&t.at("/users"), &t.key, json!({"user": {"username": format!("u{i}")}})).await;
            r.assert_status(201);
            ids.push(r.results()[0]["id"].as_str().unwrap().to_string());
        }
        for id in [&ids[0], &ids[30], &ids[59]] {
            let found = feed(&app, &t, &t.key, &format!("after={start}&object_id={id}")).await;
            assert_eq!(found.len(), 1, "{id}");
            assert_eq!(found[0]["data"]["id"], json!(id));
        }
        let all = feed(&app, &t, &t.key, &format!("after={start}&limit=1000")).await;
        assert_eq!(all.len(), 60);
        let ids_of = |events: &[Value]| events.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(ids_of(&feed(&app, &t, &t.key, &format!("after={start}&limit=45")).await), ids_of(&all[..45]));
        // One write of 50: pages of 20 split it, and carry on where they stopped.
        let names: Vec<String> = (0..50).map(|i| format!("b{i}")).collect();
        app.users(&t, &names.iter().map(String::as_str).collect::<Vec<_>>()).await;
        let after = all.last().unwrap()["id"].as_str().unwrap().to_string();
        let mut pages = Vec::new();
        let mut cursor = after.clone();
        loop {
            let r = app.get(&t.at(&format!("/events?after={cursor}&limit=20")), &t.key).await;
            let page = r.results();
            if page.is_empty() {
                break;
            }
            pages.push(page.len());
            cursor = r.body["meta"]["next_after"].as_str().unwrap().to_string();
        }
        assert_eq!(pages, [20, 20, 10]);
        let last: u64 = after.parse().unwrap();
        assert_eq!(cursor, (last + 50).to_string());
    }

    async fn a_user_key_reads_only_what_it_may_see(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["me", "mate", "stranger"]).await;
        let groups = app.groups(&t, &["mine", "theirs"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[1], "group_id": groups[0]},
            {"user_id": users[2], "group_id": groups[1]},
        ]})).await.assert_status(201);
        app.patch(&t.at(&format!("/users/{}", users[2])), &t.key, json!({"user": {"name": "S"}})).await.assert_status(200);
        let key = app.user_key(&t, &users[0]).await;
        let mine = feed(&app, &t, &key, "limit=1000").await;
        assert_eq!(types(&mine), ["user.created", "membership.created", "membership.created"]);
        assert_eq!(mine[0]["object_id"], json!(users[0]));
        for e in &mine[1..] {
            assert_eq!(e["data"]["group_id"], json!(groups[0]));
        }
    }

    async fn a_read_makes_new_events_durable_once(app) {
        // On PostgreSQL a write's commit does not wait for its flush under the counter's
        // lock (db::events): the first read that shows new events flushes them (two
        // statements: the counter, then a transaction of its own), and reads of what is
        // already known to be on disk do not. SQLite has nothing to flush.
        let t = app.tenant("acme").await;
        app.post(&t.at("/users"), &t.key, json!({"user": {"username": "d1"}})).await.assert_status(201);
        let count = |r: &crate::support::Resp| -> u64 {
            r.header("x-query-count").unwrap().parse().unwrap()
        };
        let first = app.get(&t.at("/events?after=0"), &t.key).await;
        first.assert_status(200);
        let again = app.get(&t.at("/events?after=0"), &t.key).await;
        assert_eq!(again.results(), first.results());
        let flush = match app.backend { crate::support::Backend::Postgres => 2, crate::support::Backend::Sqlite => 0 };
        assert_eq!(count(&first), count(&again) + flush, "first {} then {}", count(&first), count(&again));
        // A new event is flushed by the next read that shows it, once.
        app.post(&t.at("/users"), &t.key, json!({"user": {"username": "d2"}})).await.assert_status(201);
        let newer = app.get(&t.at("/events?after=0"), &t.key).await;
        assert_eq!(newer.results().len(), first.results().len() + 1);
        assert_eq!(count(&newer), count(&again) + flush);
        // Nothing new to show: no flush.
        let none = app.get(&t.at("/events?after=0&types=group.deleted"), &t.key).await;
        assert_eq!(none.results().len(), 0);
    }

    async fn a_long_poll_answers_when_a_write_commits(app) {
        let t = app.tenant("acme").await;
        let start = last_id(&app, &t).await;
        // Nothing comes: an empty answer after the wait, next_after unchanged.
        let began = Instant::now();
        let r = app.get(&t.at(&format!("/events?after={start}&wait=1")), &t.key).await;
        assert!(began.elapsed() >= Duration::from_millis(900), "{:?}", began.elapsed());
        assert_eq!(r.results().len(), 0);
        assert_eq!(r.body["meta"]["next_after"], json!(start.to_string()));
        // A write 300 ms into a 30 s wait answers it at once, with that event.
        let (a, t2) = (app.base.clone(), t.key.clone());
        let path = t.at("/users");
        let writer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            reqwest::Client::new().post(format!("{a}{path}")).header("X-API-KEY", t2)
                .json(&json!({"user": {"username": "late"}})).send().await.unwrap();
        });
        let began = Instant::now();
        let r = app.get(&t.at(&format!("/events?after={start}&wait=30")), &t.key).await;
        let took = began.elapsed();
        writer.await.unwrap();
        assert_eq!(types(&r.results()), ["user.created"]);
        assert!(took < Duration::from_secs(3), "the long-poll took {took:?}");
        // A filter that matches nothing keeps waiting past other events.
        let began = Instant::now();
        let r = app.get(&t.at(&format!("/events?after={start}&wait=1&types=group.deleted")), &t.key).await;
        assert!(began.elapsed() >= Duration::from_millis(900));
        assert_eq!(r.results().len(), 0);
    }

    async fn a_write_through_another_process_wakes_a_long_poll(app) {
        // A second app on the same database: its own pool, its own wake-ups. On
        // PostgreSQL its commit reaches this app's long-poll through NOTIFY and this
        // app's LISTEN thread; on SQLite (one process writes in production) through the
        // 5 s safety net.
        let t = app.tenant("acme").await;
        let start = last_id(&app, &t).await;
        let other = app.spawn_beside(|_| {});
        let (base, key, path) = (other.base.clone(), t.key.clone(), t.at("/users"));
        let writer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            reqwest::Client::new().post(format!("{base}{path}")).header("X-API-KEY", key)
                .json(&json!({"user": {"username": "elsewhere"}})).send().await.unwrap();
        });
        let began = Instant::now();
        let r = app.get(&t.at(&format!("/events?after={start}&wait=30")), &t.key).await;
        let took = began.elapsed();
        writer.await.unwrap();
        assert_eq!(types(&r.results()), ["user.created"]);
        let limit = match app.backend {
            crate::support::Backend::Postgres => Duration::from_secs(2),
            crate::support::Backend::Sqlite => Duration::from_secs(7),
        };
        assert!(took < limit, "woken after {took:?} on {:?}", app.backend);
        other.stop().await;
    }

    async fn the_stream_sends_events_and_resumes_from_last_event_id(app) {
        let t = app.tenant("acme").await;
        let start = last_id(&app, &t).await;
        app.users(&t, &["a", "b"]).await;
        let mut res = reqwest::Client::new()
            .get(format!("{}{}", app.base, t.at(&format!("/events/stream?after={start}"))))
            .header("X-API-KEY", &t.key)
            .send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let mut text = String::new();
        let mut wrote = false;
        let deadline = Instant::now() + Duration::from_secs(10);
        while text.matches("\ndata: ").count() < 3 && Instant::now() < deadline {
            if text.matches("\ndata: ").count() == 2 && !wrote {
                app.users(&t, &["c"]).await;
                wrote = true;
            }
            match tokio::time::timeout(Duration::from_secs(5), res.chunk()).await {
                Ok(Ok(Some(c))) => text.push_str(&String::from_utf8_lossy(&c)),
                _ => break,
            }
        }
        drop(res);
        let messages: Vec<(u64, Value)> = text.split("\n\n").filter_map(|m| {
            let id = m.lines().find_map(|l| l.strip_prefix("id: "))?.parse().ok()?;
            let data = m.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((id, serde_json::from_str(data).unwrap()))
        }).collect();
        assert_eq!(messages.len(), 3, "{text}");
        for (i, (id, e)) in messages.iter().enumerate() {
            assert_eq!(*id, start + 1 + i as u64);
            assert_eq!(e["id"], json!(id.to_string()));
            assert_eq!(e["type"], "user.created");
        }
        // Resuming: Last-Event-ID wins over ?after=.
        let mut res = reqwest::Client::new()
            .get(format!("{}{}", app.base, t.at("/events/stream?after=0")))
            .header("X-API-KEY", &t.key)
            .header("Last-Event-ID", (start + 2).to_string())
            .send().await.unwrap();
        let mut text = String::new();
        while !text.contains("\ndata: ") {
            match tokio::time::timeout(Duration::from_secs(5), res.chunk()).await {
                Ok(Ok(Some(c))) => text.push_str(&String::from_utf8_lossy(&c)),
                _ => break,
            }
        }
        assert!(text.contains(&format!("id: {}\n", start + 3)), "{text}");
        assert!(!text.contains(&format!("id: {}\n", start + 2)), "{text}");
        // A bad cursor is refused before the stream starts.
        app.get(&t.at("/events/stream?after=x"), &t.key).await.assert_error(400, "bad_request");
    }

    async fn the_import_door_is_recorded_as_import(app) {
        let t = app.tenant("acme").await;
        let start = last_id(&app, &t).await;
        let r = app.raw(reqwest::Method::POST, &t.at("/users")).header("X-API-KEY", &t.key)
            .header("Roster-Source", "import").json(&json!({"user": {"username": "i"}})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let events = feed(&app, &t, &t.key, &format!("after={start}")).await;
        assert_eq!(events[0]["source"], "import");
    }

    async fn retention_answers_an_expired_cursor_with_410(app) {
        let t = app.tenant("acme").await;
        // Three writes (a write's events share their time, so they age together).
        for name in ["a", "b", "c"] {
            app.post(&t.at("/users"), &t.key, json!({"user": {"username": name}})).await.assert_status(201);
        }
        let last = last_id(&app, &t).await;
        // Age the first events, then run the purge as the hourly task does.
        app.sql(&format!(
            "UPDATE event_batches SET occurred_at = '2000-01-01 00:00:00' WHERE last_id <= {}",
            last - 1
        ));
        let url = roster::db::DatabaseUrl::parse(&app.database_url).unwrap();
        let pool = roster::db::build_pool(&url, 2, Duration::from_secs(5)).unwrap();
        let purged = roster::service::events::purge(&pool, 30).await.unwrap();
        assert_eq!(purged as u64, last - 1);
        let r = app.get(&t.at("/events?after=0"), &t.key).await;
        r.assert_error(410, "cursor_expired");
        assert_eq!(r.body["errors"][0]["field"], "after");
        app.get(&t.at(&format!("/events?after={}", last - 2)), &t.key).await.assert_error(410, "cursor_expired");
        app.get(&t.at("/events/stream?after=0"), &t.key).await.assert_error(410, "cursor_expired");
        let kept = feed(&app, &t, &t.key, &format!("after={}", last - 1)).await;
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0]["id"], json!(last.to_string()));
    }

    async fn the_feed_reads_the_same_after_its_storage_migration_and_back(app) {
        // 2026-12-01-000005 moved the feed from one row per event to one row per write;
        // its down.sql moves it back. Each way, every event must read as it did.
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["ana", "bo", "cy"]).await;
        let groups = app.groups(&t, &["eng"]).await;
        app.post(&t.at("/memberships"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[1], "group_id": groups[0], "role": "admin"},
        ]})).await.assert_status(201);
        app.patch(&t.at(&format!("/users/{}", users[2])), &t.key, json!({"user": {"name": "Cy \"é\" ☃"}}))
            .await.assert_status(200);
        app.delete(&t.at(&format!("/users/{}", users[0])), &t.key).await.assert_status(204);
        let before = feed(&app, &t, &t.key, "after=0&limit=1000").await;
        assert!(before.len() >= 10, "{}", before.len());
        assert!(before.iter().any(|e| !e["previous"].is_null()));

        // Down: a row per event again. Then an app started on the database runs the
        // migration again, which makes each of those rows a write of its own.
        app.stop().await;
        app.revert_last_migration();
        let back = app.spawn_beside(|_| {});
        assert_eq!(feed(&back, &t, &t.key, "after=0&limit=1000").await, before);
        // Filters and cursors read the converted rows as they read any.
        let from = before[1]["id"].as_str().unwrap();
        let created: Vec<Value> = before[2..].iter().filter(|e| e["type"] == "membership.created").cloned().collect();
        assert_eq!(created.len(), 2);
        assert_eq!(feed(&back, &t, &t.key, &format!("after={from}&types=membership.created")).await, created);
        // And new writes go on from the last id.
        back.users(&t, &["dee"]).await;
        let newest = feed(&back, &t, &t.key, &format!("after={}", before.last().unwrap()["id"].as_str().unwrap())).await;
        assert_eq!(types(&newest), ["user.created"]);
        let last: u64 = before.last().unwrap()["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(newest[0]["id"], json!((last + 1).to_string()));
    }

    async fn events_tail_prints_the_feed_as_json_lines(app) {
        let t = app.tenant("acme").await;
        app.users(&t, &["a", "b"]).await;
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["events", "tail", "--instance", "acme", "--once"])
            .env("ROSTER_DATABASE_URL", &app.database_url)
            .env("ROSTER_LOG", "error")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines()
            .map(|l| serde_json::from_str(l).unwrap()).collect();
        let http = feed(&app, &t, &t.key, "after=0").await;
        assert_eq!(lines, http);
        assert_eq!(types(&lines[lines.len() - 2..]), ["user.created", "user.created"]);
        let after = http[0]["id"].as_str().unwrap().to_string();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["events", "tail", "--instance", "acme", "--once", "--after", &after])
            .env("ROSTER_DATABASE_URL", &app.database_url)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), http.len() - 1);
    }
}
