//! The change feed's order (API.md §9), on both backends: ids are handed out in commit
//! order, so a reader tailing the feed over HTTP (`after`, `wait`) never misses an event
//! or sees one twice, whatever the writers' timing; a rolled-back write leaves no event.
//! (`db::events` says why the design is exact; this is the proof by trial.)

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use roster::db::events::{self, Entry, EventFilter, NewEvents};
use roster::db::{self, DatabaseUrl, DbPool};
use roster::domain::{ActorKind, EventId, EventType, InstanceId, Source};
use roster::service::ServiceError;

use crate::both;

/// A pool of the test's own on the app's database (what the app's service layer uses).
fn pool_of(app: &crate::support::TestApp) -> DbPool {
    let url = DatabaseUrl::parse(&app.database_url).expect("url");
    db::build_pool(&url, 12, Duration::from_secs(10)).expect("pool")
}

async fn instance_id(pool: &DbPool, name: &'static str) -> InstanceId {
    db::read(pool, move |conn| -> Result<_, ServiceError> {
        Ok(db::instances::find_by_name(conn, name)?
            .expect("instance")
            .id)
    })
    .await
    .expect("instance id")
}

/// A write's events, by an admin key (`key`, if any), at the same time.
fn new_events(key: Option<roster::domain::KeyId>) -> NewEvents {
    NewEvents::new(ActorKind::Admin, key, None, None, db::now().into())
}

/// Adds an event of `object_id` to `b`, whose data is `{"id": "<object_id>"}`.
fn push(
    b: &mut NewEvents,
    kind: EventType,
    object_id: i64,
    source: Source,
    user: Option<i64>,
    group: Option<i64>,
) {
    let entry = Entry {
        kind,
        object_id,
        source,
        subject_user_id: user.map(roster::domain::UserId),
        subject_group_id: group.map(roster::domain::GroupId),
        previous: None,
    };
    b.push(entry, |out| {
        out.extend_from_slice(format!("{{\"id\":\"{object_id}\"}}").as_bytes())
    });
}

/// `n` events of `object_id`, as one write.
fn events_of(object_id: i64, n: usize) -> NewEvents {
    let mut b = new_events(None);
    for _ in 0..n {
        push(
            &mut b,
            EventType::UserCreated,
            object_id,
            Source::Api,
            None,
            None,
        );
    }
    b
}

/// A small deterministic generator per writer (the test needs spread, not secrecy).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

async fn last_of(pool: &DbPool, instance: InstanceId) -> EventId {
    db::read(pool, move |conn| -> Result<_, ServiceError> {
        Ok(events::last(conn, instance)?)
    })
    .await
    .expect("last")
}

/// A long-poll of the feed (`wait=1`) after `after`, as a client tails it.
async fn read_http(client: &reqwest::Client, url: &str, key: &str, after: EventId) -> Vec<EventId> {
    let r = client
        .get(format!("{url}?after={}&limit=50&wait=1", after.get()))
        .header("X-API-KEY", key)
        .send()
        .await
        .expect("GET events");
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    let ids: Vec<EventId> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| EventId(r["id"].as_str().expect("id").parse().expect("number")))
        .collect();
    let next: i64 = body["meta"]["next_after"]
        .as_str()
        .expect("next_after")
        .parse()
        .expect("n");
    assert_eq!(next, ids.last().copied().unwrap_or(after).get());
    ids
}

both! {
    async fn a_tailing_reader_sees_every_committed_event_once_in_order(app) {
        let t = app.tenant("acme").await;
        let pool = pool_of(&app);
        let instance = instance_id(&pool, "acme").await;
        // What the tenant's setup recorded (its admin key) comes before.
        let start = last_of(&pool, instance).await;
        const WRITERS: u64 = 8;
        const WRITES: u64 = 12;
        let done = Arc::new(AtomicBool::new(false));

        // The reader tails the feed over HTTP the whole time, with `after` and `wait`.
        let reader = {
            let done = done.clone();
            let url = format!("{}{}", app.base, t.at("/events"));
            let key = t.key.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let (mut seen, mut cursor) = (Vec::new(), start);
                loop {
                    let finished = done.load(Ordering::SeqCst);
                    let page = read_http(&client, &url, &key, cursor).await;
                    for id in &page {
                        assert!(*id > cursor, "event {id} after the reader was at {cursor}");
                        cursor = *id;
                    }
                    seen.extend(page.iter().copied());
                    if finished && page.is_empty() {
                        return seen;
                    }
                }
            })
        };

        // Eight writers: each transaction waits a random time before it takes its ids
        // and again before it commits; one in four rolls back.
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let pool = pool.clone();
            writers.push(tokio::spawn(async move {
                let mut rng = Lcg(w + 1);
                let mut committed = Vec::new();
                for i in 0..WRITES {
                    let (before, after) = (rng.next(8), rng.next(8));
                    let roll_back = rng.next(4) == 0;
                    let n = 1 + rng.next(3) as usize;
                    let object = (w * 1000 + i) as i64;
                    let result = db::write(&pool, move |conn| {
                        db::write_transaction(conn, |conn| {
                            std::thread::sleep(Duration::from_millis(before));
                            let batch = events_of(object, n);
                            let last = events::append(conn, instance, &batch)?
                                .expect("ids for a non-empty batch");
                            std::thread::sleep(Duration::from_millis(after));
                            if roll_back {
                                return Err(ServiceError::NotFound);
                            }
                            Ok((last, n))
                        })
                    })
                    .await;
                    match result {
                        Ok((last, n)) => {
                            committed.extend((last.get() - n as i64 + 1..=last.get()).map(EventId))
                        }
                        Err(ServiceError::NotFound) => assert!(roll_back),
                        Err(other) => panic!("a write failed: {other:?}"),
                    }
                }
                committed
            }));
        }
        let mut committed = BTreeSet::new();
        for w in writers {
            for id in w.await.expect("writer") {
                assert!(committed.insert(id), "id {id} given twice");
            }
        }
        done.store(true, Ordering::SeqCst);
        let seen = reader.await.expect("reader");

        let feed = db::read(&pool, move |conn| -> Result<_, ServiceError> {
            Ok(events::after(conn, instance, start, 10_000, &EventFilter::default())?)
        })
        .await
        .expect("the whole feed");
        let feed: Vec<EventId> = feed.into_iter().map(|e| e.id).collect();
        let expected: Vec<EventId> = committed.into_iter().collect();
        assert_eq!(feed, expected, "the feed holds exactly the committed events");
        assert_eq!(seen, feed, "the reader saw the feed exactly, in order");
        let n = feed.len() as i64;
        assert_eq!(
            feed,
            (start.get() + 1..=start.get() + n).map(EventId).collect::<Vec<_>>(),
            "no gaps: a rolled-back write's ids are given again"
        );
        assert_eq!(last_of(&pool, instance).await, EventId(start.get() + n));
    }
}

/// The feed's filters (§9: `types`, `object_id`, `actor_key_id`, `source`,
/// `occurred_after`) and what a user key may read of it (its own user, its memberships,
/// the memberships of its groups), as `db::events::after` applies them.
async fn ids_where(pool: &DbPool, instance: InstanceId, f: EventFilter) -> Vec<i64> {
    let start = last_of(pool, instance).await;
    let start = EventId(start.get() - 7);
    db::read(pool, move |conn| -> Result<_, ServiceError> {
        Ok(events::after(conn, instance, start, 100, &f)?)
    })
    .await
    .expect("read the feed")
    .into_iter()
    .map(|e| e.object_id)
    .collect()
}

both! {
    async fn reads_keep_what_the_filters_and_a_user_key_allow(app) {
        use roster::domain::{KeyId, UserId};
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["alice", "bob", "carol"]).await;
        let groups = app.groups(&t, &["mine", "other"]).await;
        let (alice, bob, carol): (i64, i64, i64) =
            (users[0].parse().unwrap(), users[1].parse().unwrap(), users[2].parse().unwrap());
        let (mine, other): (i64, i64) = (groups[0].parse().unwrap(), groups[1].parse().unwrap());
        app.post(&t.at("/memberships"), &t.key, serde_json::json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
        ]}))
        .await
        .assert_status(201);
        let pool = pool_of(&app);
        let instance = instance_id(&pool, "acme").await;
        let before = db::now();
        std::thread::sleep(Duration::from_millis(5));

        // Object ids 1xx: users; 2xx: groups; 3xx: memberships. Two writes: the
        // second by another key, through another door.
        let mut batch = new_events(None);
        let at = |b: &mut NewEvents, kind, object_id, user: Option<i64>, group: Option<i64>| {
            push(b, kind, object_id, Source::Api, user, group)
        };
        at(&mut batch, EventType::UserCreated, 101, Some(alice), None);
        at(&mut batch, EventType::UserUpdated, 102, Some(bob), None);
        at(&mut batch, EventType::GroupCreated, 201, None, Some(mine));
        at(&mut batch, EventType::MembershipCreated, 301, Some(alice), Some(other));
        at(&mut batch, EventType::MembershipCreated, 302, Some(bob), Some(mine));
        at(&mut batch, EventType::MembershipDeleted, 303, Some(carol), Some(other));
        let mut by_cli = new_events(Some(KeyId(7)));
        push(&mut by_cli, EventType::UserDeleted, 103, Source::Cli, Some(carol), None);
        db::write(&pool, move |conn| {
            db::write_transaction(conn, |conn| -> Result<_, ServiceError> {
                events::append(conn, instance, &batch)?;
                Ok(events::append(conn, instance, &by_cli)?)
            })
        })
        .await
        .expect("append");

        let all = ids_where(&pool, instance, EventFilter::default()).await;
        assert_eq!(all, vec![101, 102, 201, 301, 302, 303, 103]);
        let only = |f: EventFilter| ids_where(&pool, instance, f);
        let types = vec![EventType::MembershipCreated, EventType::UserDeleted];
        let cases = [
            (EventFilter { types: Some(types), ..Default::default() }, vec![301, 302, 103]),
            (EventFilter { object_id: Some(302), ..Default::default() }, vec![302]),
            (EventFilter { source: Some(Source::Cli), ..Default::default() }, vec![103]),
            (EventFilter { actor_key_id: Some(KeyId(7)), ..Default::default() }, vec![103]),
            (EventFilter { occurred_after: Some(before), ..Default::default() }, all.clone()),
            (
                EventFilter {
                    occurred_after: Some(db::now() + chrono::Duration::seconds(60)),
                    ..Default::default()
                },
                vec![],
            ),
            // Alice, a member of "mine": her user, her memberships, and those of "mine";
            // not another user, not a group, not a membership of a group she is not in.
            (EventFilter { visible_to: Some(UserId(alice)), ..Default::default() }, vec![101, 301, 302]),
            (EventFilter { visible_to: Some(UserId(carol)), ..Default::default() }, vec![303, 103]),
        ];
        for (filter, expected) in cases {
            let what = format!("{filter:?}");
            assert_eq!(only(filter).await, expected, "{what}");
        }
    }
}
