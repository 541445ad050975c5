//! API.md §1, §3 (health, instances, keys) and §7 (errors).

use serde_json::json;

use crate::both;

both! {
    async fn health_and_readiness(app) {
        let r = app.request(reqwest::Method::GET, "/healthz", None, None).await;
        r.assert_status(200);
        assert_eq!(r.body, json!({"status": "ok"}));
        app.request(reqwest::Method::GET, "/readyz", None, None).await.assert_status(200);
    }

    async fn smoke_membership_bulk(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt", "ciri"]).await;
        let groups = app.groups(&t, &["witchers"]).await;
        let r = app.post(&t.at("/memberships?include=user,group"), &t.key, json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0], "role": "admin"},
            {"user_id": users[1], "group_id": groups[0]}
        ]})).await;
        r.assert_status(201);
        assert_eq!(r.body["count"], json!(2));
        assert_eq!(r.body["users"].as_object().unwrap().len(), 2);
    }
}
