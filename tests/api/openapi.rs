//! 405s that say which methods a route takes (RFC 9110 `Allow`).

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
