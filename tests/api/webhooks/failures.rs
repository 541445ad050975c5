//! Deliveries that fail: a 500, a timeout, a receiver that closes the connection; each
//! retried with backoff until it works, in order, with every attempt logged; and an
//! endpoint that fails for its whole failure window is disabled with its reason.

use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::hooks;

/// The endpoint's log once it holds at least `n` attempts (newest first).
async fn log_of(app: &TestApp, t: &Tenant, id: &str, n: usize) -> Vec<Value> {
    let mut log = Vec::new();
    for _ in 0..200 {
        log = deliveries(app, t, id).await;
        if log.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    log
}

/// Fails with `bad` for a while, then recovers: every event arrives once answered
/// 200, in id order, and the failures are in the log with their retries.
async fn fails_then_recovers(app: &TestApp, bad: Mode, error_has: &str) {
    let t = app.tenant("acme").await;
    let rx = Receiver::start(bad).await;
    let (id, _, from) = create_hook(app, &t, json!({"url": rx.url})).await;
    emit(app, &t, 3).await;
    assert!(
        eventually(Duration::from_secs(10), || rx.count() >= 3).await,
        "retries came"
    );
    let failed = rx.receipts();
    assert!(
        failed.iter().all(|r| r.id == failed[0].id),
        "the next event waits for the first"
    );
    rx.set(Mode::Ok);
    emit(app, &t, 2).await;
    let ids: Vec<String> = feed_after(app, &t, from)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert!(
        eventually(Duration::from_secs(10), || rx.delivered().len()
            >= ids.len())
        .await,
        "delivered {:?} of {ids:?}",
        rx.delivered()
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        rx.delivered(),
        ids,
        "each event answered 200 once, in order"
    );
    let log = log_of(app, &t, &id, rx.count()).await;
    let oldest_first: Vec<&Value> = log.iter().rev().collect();
    let first_event = &oldest_first[0]["event_id"];
    let attempts: Vec<&Value> = oldest_first
        .iter()
        .copied()
        .filter(|d| &d["event_id"] == first_event)
        .collect();
    assert!(attempts.len() >= 3, "{attempts:?}");
    for (i, a) in attempts.iter().enumerate() {
        assert_eq!(a["attempt"], i as i64 + 1);
        if i + 1 < attempts.len() {
            let error = a["error"].as_str().unwrap_or_default();
            assert!(error.contains(error_has), "{error}");
            assert!(a["next_retry_at"].is_string());
        }
    }
    let ok = attempts.last().unwrap();
    assert_eq!(
        (ok["status_code"].clone(), ok["error"].clone()),
        (json!(200), json!(null))
    );
    // Backoff: the waits between attempts grow (100 ms, 200 ms, ... ±20% here).
    let times: Vec<std::time::Instant> = failed.iter().map(|r| r.at).collect();
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps.iter().all(|g| *g >= Duration::from_millis(70)),
        "{gaps:?}"
    );
    let hook = app.get(&t.at(&format!("/webhooks/{id}")), &t.key).await;
    let h = &hook.body["webhooks"][&id];
    assert_eq!(
        (h["failing_since"].clone(), h["enabled"].clone()),
        (json!(null), json!(true))
    );
}

hooks! {
    async fn webhooks_a_500_is_retried_until_it_works(app) {
        fails_then_recovers(&app, Mode::Status(500), "500").await;
    }

    async fn webhooks_a_timeout_is_a_failure(app) {
        // The test timeout is 1 s; the receiver answers after 1.5 s, too late.
        fails_then_recovers(&app, Mode::Sleep(Duration::from_millis(1500)), "").await;
    }

    async fn webhooks_a_receiver_that_drops_the_connection_then_comes_back(app) {
        fails_then_recovers(&app, Mode::Close, "").await;
    }

    async fn webhooks_a_receiver_that_is_down_then_comes_back(app) {
        let t = app.tenant("acme").await;
        // A port with nothing listening: connection refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}/hook");
        let (id, _, from) = create_hook(&app, &t, json!({"url": url})).await;
        emit(&app, &t, 4).await;
        let log = log_of(&app, &t, &id, 2).await;
        assert!(log.len() >= 2 && log.iter().all(|d| d["status_code"].is_null()), "{log:?}");
        let rx = Receiver::start(Mode::Ok).await;
        app.patch(&t.at(&format!("/webhooks/{id}")), &t.key,
            json!({"webhook": {"url": rx.url}})).await.assert_status(200);
        let ids: Vec<String> = feed_after(&app, &t, from).await.into_iter().map(|e| e.0).collect();
        assert!(eventually(Duration::from_secs(10), || rx.delivered().len() >= ids.len()).await);
        assert_eq!(rx.delivered(), ids);
    }
}

fn window_of_two_seconds(s: &mut roster::config::Settings) {
    super::fast(s);
    s.webhooks.failure_window_ms = 2000;
}

hooks! {
    with window_of_two_seconds;
    async fn webhooks_disabled_after_the_failure_window_then_resumed(app) {
        let t = app.tenant("acme").await;
        let rx = Receiver::start(Mode::Status(503)).await;
        let (id, _, from) = create_hook(&app, &t, json!({"url": rx.url})).await;
        emit(&app, &t, 2).await;
        let one = t.at(&format!("/webhooks/{id}"));
        let mut hook = Value::Null;
        for _ in 0..200 {
            hook = app.get(&one, &t.key).await.body["webhooks"][&id].clone();
            if hook["enabled"] == false {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(hook["enabled"], false, "{hook}");
        let reason = hook["disabled_reason"].as_str().expect("a reason");
        assert!(reason.contains("503"), "{reason}");
        let attempts = rx.count();
        assert!(attempts >= 3, "{attempts}");
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(rx.count(), attempts, "a disabled endpoint gets nothing");
        // Enabled again: its failure state is cleared and it goes on from its cursor.
        rx.set(Mode::Ok);
        let r = app.patch(&one, &t.key, json!({"webhook": {"enabled": true}})).await;
        r.assert_status(200);
        let h = &r.body["webhooks"][&id];
        assert_eq!((h["disabled_reason"].clone(), h["failing_since"].clone()), (json!(null), json!(null)));
        let ids: Vec<String> = feed_after(&app, &t, from).await.into_iter().map(|e| e.0).collect();
        assert!(eventually(Duration::from_secs(10), || rx.delivered().len() >= ids.len()).await);
        assert_eq!(rx.delivered(), ids);
    }
}
