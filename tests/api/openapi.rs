//! The API description against the server: every route described and nothing else
//! (the drift guard), `/openapi.json` and Swagger UI at `/docs` served without a key,
//! and 405s that say which methods a route takes.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::both;

/// (METHOD, path) of every operation in the description.
fn described() -> BTreeSet<(String, String)> {
    let doc: Value = serde_json::from_str(roster::api::openapi::json()).expect("JSON");
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if [
                "get", "post", "put", "patch", "delete", "head", "options", "trace",
            ]
            .contains(&method.as_str())
            {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// (METHOD, path) of every route the server registers, plus the description itself.
fn served() -> BTreeSet<(String, String)> {
    let mut out: BTreeSet<(String, String)> = roster::api::ROUTES
        .iter()
        .flat_map(|(path, methods)| methods.iter().map(|m| (m.to_string(), path.to_string())))
        .collect();
    out.insert(("GET".into(), roster::api::openapi::OPENAPI_PATH.into()));
    out
}

#[test]
fn every_served_route_is_described_and_nothing_else() {
    let (described, served) = (described(), served());
    let undescribed: Vec<_> = served.difference(&described).collect();
    let unserved: Vec<_> = described.difference(&served).collect();
    assert!(
        undescribed.is_empty(),
        "routes the server serves without an OpenAPI operation (add them to \
         a #[utoipa::path] and ApiDoc's paths(...)): {undescribed:?}"
    );
    assert!(
        unserved.is_empty(),
        "OpenAPI operations the server does not serve: {unserved:?}"
    );
}

#[test]
fn the_description_is_openapi_3_1_with_both_security_schemes() {
    let doc: Value = serde_json::from_str(roster::api::openapi::json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["api_key"]["type"], "apiKey");
    assert_eq!(schemes["api_key"]["in"], "header");
    assert_eq!(schemes["api_key"]["name"], "X-API-KEY");
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    // Every operation has an ID, every POST takes an Idempotency-Key, every error
    // response is the §7 body.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str();
            assert!(id.is_some(), "{method} {path} has no operationId");
            let params: Vec<&str> = op["parameters"]
                .as_array()
                .map(|a| a.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            if method == "post" {
                assert!(params.contains(&"Idempotency-Key"), "{method} {path}");
                let body = &op["requestBody"]["content"]["application/json"]["schema"];
                assert!(body.is_object(), "{method} {path} has no JSON body");
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema.as_str(),
                        Some(format!("#/components/schemas/Error{status}").as_str()),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    // Bulk creates take the singular and the plural key.
    let create = &doc["components"]["schemas"]["MembershipCreate"]["oneOf"];
    assert_eq!(create[0]["required"][0], "membership");
    assert_eq!(create[1]["required"][0], "memberships");
    assert_eq!(create[1]["properties"]["memberships"]["maxItems"], 100);
}

both! {
    async fn openapi_json_and_swagger_ui_are_served_without_a_key(app) {
        let r = app.request(Method::GET, "/openapi.json", None, None).await;
        r.assert_status(200);
        assert!(r.header("content-type").unwrap_or("").starts_with("application/json"));
        assert_eq!(r.body["openapi"], "3.1.0");
        assert_eq!(r.body, serde_json::from_str::<Value>(roster::api::openapi::json()).unwrap());
        // A trailing slash is accepted here as on every route.
        app.request(Method::GET, "/openapi.json/", None, None).await.assert_status(200);
        // HEAD is served wherever GET is: the same status and headers, no body.
        let head = app.raw(Method::HEAD, "/openapi.json").send().await.unwrap();
        assert_eq!(head.status().as_u16(), 200);
        assert!(head.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        assert!(head.text().await.unwrap().is_empty());
        let head = app.raw(Method::HEAD, "/docs").send().await.unwrap();
        assert_ne!(head.status().as_u16(), 405, "HEAD /docs");

        // /docs and /docs/ lead to the page; its assets come from the binary.
        for path in ["/docs", "/docs/"] {
            let r = app.raw(Method::GET, path).send().await.unwrap();
            let url = r.url().path().to_string();
            let page = r.text().await.unwrap();
            assert_eq!(url, "/docs/index.html", "{path}");
            assert!(page.contains("swagger-ui-bundle.js"), "{page}");
        }
        let init = app.raw(Method::GET, "/docs/swagger-initializer.js").send().await.unwrap();
        assert_eq!(init.status(), 200);
        assert!(init.text().await.unwrap().contains("\"url\": \"/openapi.json\""));
        for asset in ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/swagger-ui-standalone-preset.js"] {
            let r = app.raw(Method::GET, asset).send().await.unwrap();
            assert_eq!(r.status(), 200, "{asset}");
            assert!(r.bytes().await.unwrap().len() > 1000, "{asset}");
        }
        app.request(Method::GET, "/docs/nothing-here.js", None, None).await.assert_status(404);
        let r = app.request(Method::POST, "/openapi.json", None, None).await;
        r.assert_error(405, "method_not_allowed");
        assert_eq!(r.header("allow"), Some("GET, HEAD"));
    }
}

both! {
    async fn method_not_allowed_names_the_allowed_methods(app) {
        for (method, path, allow) in [
            // HEAD is served wherever GET is (API.md §7), so Allow names it there.
            ("PUT", "/instances", "POST, GET, HEAD"),
            ("TRACE", "/healthz", "GET, HEAD"),
            ("POST", "/instances/acme/users/1", "GET, HEAD, PATCH, DELETE"),
            ("PATCH", "/instances/acme/groups/1/users/2/", "GET, HEAD, DELETE"),
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
