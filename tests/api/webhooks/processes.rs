//! Deliveries across processes: pending ones survive a restart (the cursor is in the
//! database), and two Roster apps on one database deliver each event once (the lease).

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::hooks;

hooks! {
    async fn webhooks_pending_deliveries_survive_a_restart(app) {
        let t = app.tenant("acme").await;
        let rx = Receiver::start(Mode::Ok).await;
        let (_, _, from) = create_hook(&app, &t, json!({"url": rx.url})).await;
        emit(&app, &t, 5).await;
        assert!(eventually(Duration::from_secs(10), || rx.delivered().len() >= 5).await);
        // The receiver fails: these stay pending while the app stops.
        rx.set(Mode::Status(500));
        emit(&app, &t, 5).await;
        assert!(eventually(Duration::from_secs(5), || rx.count() >= 7).await);
        app.stop().await;
        let after_stop = rx.count();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(rx.count(), after_stop, "a stopped app delivers nothing");

        let again = app.spawn_beside(super::fast);
        rx.set(Mode::Ok);
        emit(&again, &t, 5).await;
        let ids: Vec<String> = feed_after(&again, &t, from).await.into_iter().map(|e| e.0).collect();
        assert_eq!(ids.len(), 15);
        assert!(eventually(Duration::from_secs(15), || rx.delivered().len() >= ids.len()).await,
            "delivered {:?}", rx.delivered());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(rx.delivered(), ids, "nothing missed, nothing twice, in order");
        again.stop().await;
    }

    async fn webhooks_two_apps_on_one_database_deliver_each_event_once(app) {
        let t = app.tenant("acme").await;
        let other = app.spawn_beside(super::fast);
        let receivers = [
            Receiver::start(Mode::Ok).await,
            Receiver::start(Mode::Ok).await,
            Receiver::start(Mode::Ok).await,
        ];
        let mut from = 0;
        for rx in &receivers {
            from = create_hook(&app, &t, json!({"url": rx.url})).await.2;
        }
        for round in 0..6 {
            let writer = if round % 2 == 0 { &app } else { &other };
            emit(writer, &t, 5).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let ids: Vec<String> = feed_after(&app, &t, from).await.into_iter().map(|e| e.0).collect();
        assert_eq!(ids.len(), 30);
        for rx in &receivers {
            // The other app hears of this one's commits by polling (no LISTEN here).
            assert!(eventually(Duration::from_secs(20), || rx.delivered().len() >= ids.len()).await,
                "delivered {} of {}", rx.delivered().len(), ids.len());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        for rx in &receivers {
            let seen: Vec<String> = rx.receipts().into_iter().map(|r| r.id).collect();
            let unique: HashSet<&String> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len(), "an event was delivered twice: {seen:?}");
            assert_eq!(rx.delivered(), ids);
        }
        other.stop().await;
    }
}
