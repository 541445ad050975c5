//! Webhooks (API.md §10), on both backends, with real HTTP receivers on 127.0.0.1 run
//! inside the test (`Receiver`). Nothing is ever sent off this machine: delivery tests
//! allow private targets (`ROSTER_WEBHOOK_ALLOW_PRIVATE`) and point at loopback only;
//! the refusal tests keep the setting off.

mod crud;
mod delivery;
mod failures;
mod processes;
mod receiver;

use std::time::Duration;

use roster::config::Settings;
use roster::db::events::{self, Entry, EventFilter, NewEvents};
use roster::db::{self, DbPool};
use roster::domain::{ActorKind, EventId, EventType, InstanceId, Source};
use roster::service::ServiceError;
use serde_json::{json, Value};

use crate::support::{Tenant, TestApp};
pub use receiver::{Mode, Receipt, Receiver};

/// Short timings, so that a timeout, a retry or a disabling takes a second, not hours.
pub fn fast(s: &mut Settings) {
    s.webhooks.allow_private = true;
    s.webhooks.timeout_ms = 1000;
    s.webhooks.retry_base_ms = 100;
    s.webhooks.retry_max_ms = 400;
}

/// `fast`, with private targets refused (the default).
pub fn strict(s: &mut Settings) {
    fast(s);
    s.webhooks.allow_private = false;
}

/// `both!` with the settings `fast` (or the given tweak) on each backend.
#[macro_export]
macro_rules! hooks {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $crate::hooks!($(with $crate::webhooks::fast; async fn $name($app) $body)*);
    };
    ($(with $tweak:path; async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[allow(unused_imports)]
                use $crate::support::*;

                async fn run($app: TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = TestApp::spawn_with(Backend::Sqlite, $tweak).await.expect("sqlite app");
                    run(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = TestApp::spawn_with(Backend::Postgres, $tweak).await {
                        run(app).await;
                    }
                }
            }
        )*
    };
}

pub async fn instance_id(pool: &DbPool, name: &str) -> InstanceId {
    let name = name.to_string();
    db::read(pool, move |conn| -> Result<_, ServiceError> {
        Ok(db::instances::find_by_name(conn, &name)?
            .expect("instance")
            .id)
    })
    .await
    .expect("instance id")
}

/// Records `n` events in the tenant's feed, as a write would, and wakes the app's
/// readers (what the service does after a write's commit); their ids.
pub async fn emit(app: &TestApp, t: &Tenant, n: usize) -> Vec<EventId> {
    let instance = instance_id(&app.pool, &t.name).await;
    let mut new = NewEvents::new(ActorKind::Admin, None, None, None, db::now().into());
    for i in 0..n {
        let kind = if i % 2 == 0 {
            EventType::UserCreated
        } else {
            EventType::GroupCreated
        };
        let entry = Entry {
            kind,
            object_id: i as i64 + 1,
            source: Source::Api,
            subject_user_id: None,
            subject_group_id: None,
            previous: None,
        };
        new.push(entry, |out| {
            out.extend_from_slice(format!("{{\"id\":\"{}\"}}", i + 1).as_bytes())
        });
    }
    let last = db::write(&app.pool, move |conn| -> Result<_, ServiceError> {
        db::write_transaction(conn, |conn| Ok(events::append(conn, instance, &new)?))
    })
    .await
    .expect("append events")
    .expect("a last id");
    app.pool.wakes().wake(instance);
    ((last.get() - n as i64 + 1)..=last.get())
        .map(EventId)
        .collect()
}

/// The tenant's events after `after`, in id order, as ids and types.
pub async fn feed_after(app: &TestApp, t: &Tenant, after: i64) -> Vec<(String, String)> {
    let instance = instance_id(&app.pool, &t.name).await;
    db::read(&app.pool, move |conn| -> Result<_, ServiceError> {
        Ok(events::after(
            conn,
            instance,
            EventId(after),
            10_000,
            &EventFilter::default(),
        )?)
    })
    .await
    .expect("read the feed")
    .into_iter()
    .map(|e| (e.id.to_string(), e.kind.as_str().to_string()))
    .collect()
}

/// Creates an endpoint; (its id, its secret, where its deliveries start).
pub async fn create_hook(app: &TestApp, t: &Tenant, body: Value) -> (String, String, i64) {
    let r = app
        .post(&t.at("/webhooks"), &t.key, json!({ "webhook": body }))
        .await;
    r.assert_status(201);
    let id = r.id();
    let hook = &r.body["webhooks"][&id];
    let secret = hook["secret"].as_str().expect("secret").to_string();
    let from = hook["delivered_through"]
        .as_str()
        .expect("cursor")
        .parse()
        .expect("number");
    (id, secret, from)
}

/// Waits until `ready` holds (checked every 20 ms), at most `limit`; whether it did.
pub async fn eventually(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let end = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < end {
        if ready() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ready()
}

/// The endpoint's delivery log, newest first.
pub async fn deliveries(app: &TestApp, t: &Tenant, id: &str) -> Vec<Value> {
    let r = app
        .get(
            &t.at(&format!("/webhooks/{id}/deliveries?per_page=200")),
            &t.key,
        )
        .await;
    r.assert_status(200);
    r.results()
}
