//! 405s that say which methods a route takes (RFC 9110 `Allow`), and NUL characters
//! refused as invalid input rather than failing in PostgreSQL.

use reqwest::Method;

use crate::both;

both! {
    async fn method_not_allowed_names_the_allowed_methods(app) {
        for (method, path, allow) in [
            ("PUT", "/instances", "POST, GET"),
            ("TRACE", "/healthz", "GET"),
            ("POST", "/instances/acme/users/1", "GET, PATCH, DELETE"),
            ("PATCH", "/instances/acme/groups/1/users/2/", "GET, DELETE"),
        ] {
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let r = app.request(m, path, Some(&app.account_key), None).await;
            r.assert_error(405, "method_not_allowed");
            assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
        }
    }
}

both! {
    async fn nul_characters_are_refused_not_a_500(app) {
        let t = app.tenant("acme").await;
        // In a body field (with its index in a bulk), in a query value, in a path name.
        let r = app.post(&t.at("/groups"), &t.key, serde_json::json!({"groups": [{"name": "ok"}, {"name": "a\u{0}b"}]})).await;
        r.assert_error(422, "invalid");
        assert_eq!(r.body["errors"][0]["field"], "name", "{}", r.text);
        assert_eq!(r.body["errors"][0]["index"], 1, "{}", r.text);
        let r = app.post(&t.at("/users"), &t.key, serde_json::json!({"user": {"username": "u", "name": "\u{0}"}})).await;
        r.assert_error(422, "invalid");
        assert_eq!(r.body["errors"][0]["field"], "name", "{}", r.text);
        app.get(&t.at("/users?username=a%00"), &t.key).await.assert_error(400, "bad_request");
        app.get(&t.at("/groups?name=%00"), &t.key).await.assert_error(400, "bad_request");
        app.get("/instances/ac%00me", &app.account_key).await.assert_error(404, "not_found");
        app.get(&t.at("/groups"), &t.key).await.assert_status(200);
    }
}
