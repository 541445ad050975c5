//! The endpoints' routes: create (the secret once), read, list, update, delete, the
//! validation of every field in §7's form, who may use them, and the refusal of
//! private targets.

use base64::Engine;
use serde_json::json;

use super::*;
use crate::hooks;

fn no_secret_anywhere(text: &str, secret: &str) {
    assert!(!text.contains(secret), "the secret was shown again: {text}");
    assert!(
        !text.contains("\"secret\""),
        "a secret field was shown again: {text}"
    );
}

hooks! {
    async fn webhooks_crud_and_the_secret_shown_once(app) {
        let t = app.tenant("acme").await;
        let r = app.post(&t.at("/webhooks"), &t.key, json!({"webhook": {
            "url": "http://127.0.0.1:9/hook", "description": "crm sync"}})).await;
        r.assert_status(201);
        let id = r.id();
        let hook = &r.body["webhooks"][&id];
        let secret = hook["secret"].as_str().unwrap().to_string();
        let raw = secret.strip_prefix("whsec_").expect("whsec_ prefix");
        let bytes = base64::engine::general_purpose::STANDARD.decode(raw).expect("base64");
        assert_eq!(bytes.len(), 32);
        assert_eq!(hook["url"], "http://127.0.0.1:9/hook");
        assert_eq!(hook["types"], json!(null), "default: every type");
        assert_eq!(hook["enabled"], true);
        assert_eq!(hook["description"], "crm sync");
        assert_eq!(hook["disabled_reason"], json!(null));

        let got = app.get(&t.at(&format!("/webhooks/{id}")), &t.key).await;
        got.assert_status(200);
        no_secret_anywhere(&got.text, &secret);
        assert_eq!(got.body["webhooks"][&id]["url"], "http://127.0.0.1:9/hook");
        let list = app.get(&t.at("/webhooks"), &t.key).await;
        list.assert_status(200);
        no_secret_anywhere(&list.text, &secret);
        assert_eq!(list.body["meta"]["count"], 1);
        assert_eq!(list.results().len(), 1);

        let p = app.patch(&t.at(&format!("/webhooks/{id}")), &t.key, json!({"webhook": {
            "types": ["membership.created", "user.deleted"], "enabled": false,
            "url": "https://127.0.0.1:9/other", "description": null}})).await;
        p.assert_status(200);
        no_secret_anywhere(&p.text, &secret);
        let h = &p.body["webhooks"][&id];
        assert_eq!(h["types"], json!(["membership.created", "user.deleted"]));
        assert_eq!((h["enabled"].clone(), h["description"].clone()), (json!(false), json!(null)));
        assert_eq!(h["url"], "https://127.0.0.1:9/other");
        let p = app.patch(&t.at(&format!("/webhooks/{id}")), &t.key,
            json!({"webhook": {"types": null}})).await;
        assert_eq!(p.body["webhooks"][&id]["types"], json!(null));

        let log = app.get(&t.at(&format!("/webhooks/{id}/deliveries")), &t.key).await;
        log.assert_status(200);
        assert_eq!(log.body["meta"]["count"], 0);
        assert!(log.body["webhook_deliveries"].is_object());

        app.delete(&t.at(&format!("/webhooks/{id}")), &t.key).await.assert_status(204);
        app.get(&t.at(&format!("/webhooks/{id}")), &t.key).await.assert_error(404, "not_found");
        app.get(&t.at(&format!("/webhooks/{id}/deliveries")), &t.key).await.assert_error(404, "not_found");
        app.delete(&t.at(&format!("/webhooks/{id}")), &t.key).await.assert_error(404, "not_found");
        // The account key may too; an instance's deletion takes its endpoints along.
        let r = app.post(&t.at("/webhooks"), &app.account_key,
            json!({"webhook": {"url": "http://127.0.0.1:9/a"}})).await;
        r.assert_status(201);
        app.delete("/instances/acme", &app.account_key).await.assert_status(204);
        let t2 = app.tenant("acme").await;
        assert_eq!(app.get(&t2.at("/webhooks"), &t2.key).await.body["meta"]["count"], 0);
    }

    async fn webhooks_fields_are_validated_in_the_error_form(app) {
        let t = app.tenant("acme").await;
        let long = format!("http://127.0.0.1/{}", "a".repeat(2048));
        for (body, field) in [
            (json!({"url": "ftp://127.0.0.1/x"}), "url"),
            (json!({"url": "not a url"}), "url"),
            (json!({"url": 17}), "url"),
            (json!({"url": long}), "url"),
            (json!({}), "url"),
            (json!({"url": "http://127.0.0.1/x", "types": ["user.exploded"]}), "types"),
            (json!({"url": "http://127.0.0.1/x", "types": []}), "types"),
            (json!({"url": "http://127.0.0.1/x", "types": "user.created"}), "types"),
            (json!({"url": "http://127.0.0.1/x", "enabled": "yes"}), "enabled"),
            (json!({"url": "http://127.0.0.1/x", "description": "d".repeat(4097)}), "description"),
            (json!({"url": "http://127.0.0.1/x", "secret": "whsec_mine"}), "secret"),
        ] {
            let r = app.post(&t.at("/webhooks"), &t.key, json!({"webhook": body})).await;
            r.assert_error(422, "invalid");
            assert_eq!(r.body["errors"][0]["field"], field, "{}", r.text);
        }
        let (id, _, _) = create_hook(&app, &t, json!({"url": "http://127.0.0.1:9/x"})).await;
        let r = app.patch(&t.at(&format!("/webhooks/{id}")), &t.key,
            json!({"webhook": {"url": "gopher://x"}})).await;
        r.assert_error(422, "invalid");
        assert_eq!(r.body["errors"][0]["field"], "url");
        let r = app.patch(&t.at(&format!("/webhooks/{id}")), &t.key,
            json!({"webhook": {"delivered_through": "5"}})).await;
        r.assert_error(422, "invalid");
        assert_eq!(app.get(&t.at("/webhooks"), &t.key).await.body["meta"]["count"], 1);
    }

    async fn webhooks_user_keys_are_refused_and_other_tenants_see_nothing(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("globex").await;
        let (id, _, _) = create_hook(&app, &t, json!({"url": "http://127.0.0.1:9/x"})).await;
        let users = app.users(&t, &["geralt"]).await;
        let user_key = app.user_key(&t, &users[0]).await;
        let body = json!({"webhook": {"url": "http://127.0.0.1:9/y"}});
        app.post(&t.at("/webhooks"), &user_key, body.clone()).await.assert_error(403, "forbidden");
        let list = app.get(&t.at("/webhooks"), &user_key).await;
        list.assert_status(200);
        assert_eq!(list.body["meta"]["count"], 0);
        let one = t.at(&format!("/webhooks/{id}"));
        app.get(&one, &user_key).await.assert_error(404, "not_found");
        app.get(&format!("{one}/deliveries"), &user_key).await.assert_error(404, "not_found");
        app.patch(&one, &user_key, json!({"webhook": {"enabled": false}})).await
            .assert_error(404, "not_found");
        app.delete(&one, &user_key).await.assert_error(404, "not_found");
        // Another tenant's admin key: the instance does not exist for it.
        for r in [
            app.get(&one, &other.key).await,
            app.get(&t.at("/webhooks"), &other.key).await,
            app.post(&t.at("/webhooks"), &other.key, body.clone()).await,
            app.delete(&one, &other.key).await,
        ] {
            r.assert_error(404, "not_found");
        }
        // Its own instance has no such endpoint either.
        app.get(&other.at(&format!("/webhooks/{id}")), &other.key).await.assert_error(404, "not_found");
        app.get(&one, &t.key).await.assert_status(200);
    }
}

hooks! {
    with crate::webhooks::strict;
    async fn webhooks_private_targets_are_refused(app) {
        let t = app.tenant("acme").await;
        for url in [
            "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/x",
            "http://10.1.2.3/x", "http://172.16.0.9/x", "http://192.168.1.1/x",
            "http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/",
            "http://100.64.0.1/x", "http://0.0.0.0/x", "http://[fe80::1]/x", "http://[fc00::1]/x",
            "http://[::ffff:127.0.0.1]/x",
        ] {
            let r = app.post(&t.at("/webhooks"), &t.key, json!({"webhook": {"url": url}})).await;
            r.assert_error(422, "invalid");
            assert_eq!(r.body["errors"][0]["field"], "url", "{url}: {}", r.text);
        }
        // A documentation address (TEST-NET-1) passes the check; disabled, so nothing is
        // ever sent to it.
        let (id, _, _) = create_hook(&app, &t,
            json!({"url": "http://192.0.2.10/x", "enabled": false})).await;
        let one = t.at(&format!("/webhooks/{id}"));
        let r = app.patch(&one, &t.key, json!({"webhook": {"url": "http://127.0.0.1/x"}})).await;
        r.assert_error(422, "invalid");
        assert_eq!(r.body["errors"][0]["field"], "url");

        // At delivery time too: the stored URL is made to point at a live receiver on
        // loopback behind the API's back (as a DNS change would), and nothing reaches it.
        let rx = Receiver::start(Mode::Ok).await;
        app.sql(&format!("UPDATE webhooks SET url = '{}'", rx.url));
        app.patch(&one, &t.key, json!({"webhook": {"enabled": true}})).await.assert_status(200);
        emit(&app, &t, 1).await;
        let mut log = Vec::new();
        for _ in 0..150 {
            log = deliveries(&app, &t, &id).await;
            if !log.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(!log.is_empty(), "no attempt was logged");
        let error = log[0]["error"].as_str().unwrap_or_default();
        assert!(error.contains("refused"), "{error}");
        assert_eq!(log[0]["status_code"], json!(null));
        assert!(log[0]["next_retry_at"].is_string());
        assert_eq!(rx.count(), 0, "a refused target received a request");
    }
}
