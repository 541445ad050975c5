//! The API description against the server: every route described and nothing else
//! (the drift guard), `/openapi.json` and Swagger UI at `/docs` served without a key,
//! and 405s that say which methods a route takes.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::both;

/// The parameters of an operation, those named under `components/parameters` read there.
fn parameters(doc: &Value, op: &Value) -> Vec<Value> {
    let named = &doc["components"]["parameters"];
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| match p["$ref"].as_str() {
            Some(r) => named[r.trim_start_matches("#/components/parameters/")].clone(),
            None => p.clone(),
        })
        .collect()
}

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
            let params = parameters(&doc, op);
            assert!(
                params.iter().all(|p| p["name"].is_string()),
                "{method} {path}"
            );
            let params: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
            if method == "post" {
                assert!(params.contains(&"Idempotency-Key"), "{method} {path}");
                let body = &op["requestBody"]["content"]["application/json"]["schema"];
                assert!(body.is_object(), "{method} {path} has no JSON body");
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    let name = response["$ref"].as_str().unwrap_or_default();
                    let name = name.strip_prefix("#/components/responses/");
                    let error = name.map(|n| &doc["components"]["responses"][n]);
                    let schema = error.map(|e| &e["content"]["application/json"]["schema"]["$ref"]);
                    assert_eq!(
                        schema.and_then(Value::as_str),
                        Some("#/components/schemas/Error"),
                        "{method} {path} {status}"
                    );
                }
            }
            // 405 is answered on every path, for the methods it does not serve.
            assert!(op["responses"]["405"].is_object(), "{method} {path}");
        }
    }
    // One error body, whose type is one of the §7 types.
    let schemas = &doc["components"]["schemas"];
    assert!(schemas
        .as_object()
        .unwrap()
        .keys()
        .all(|k| !k.starts_with("Error4") && !k.starts_with("Error5")));
    assert_eq!(
        schemas["ErrorEntry"]["properties"]["type"]["$ref"],
        "#/components/schemas/ErrorType"
    );
    assert!(doc["servers"].as_array().is_some_and(|s| !s.is_empty()));
    // Bulk creates take the singular and the plural key, each a named schema.
    let create = &schemas["MembershipCreate"]["oneOf"];
    assert_eq!(
        create[0]["$ref"],
        "#/components/schemas/MembershipCreateOne"
    );
    assert_eq!(
        create[1]["$ref"],
        "#/components/schemas/MembershipCreateBulk"
    );
    assert_eq!(schemas["MembershipCreateOne"]["required"][0], "membership");
    let bulk = &schemas["MembershipCreateBulk"];
    assert_eq!(bulk["required"][0], "memberships");
    assert_eq!(bulk["properties"]["memberships"]["maxItems"], 100);
    for name in [
        "UserCreate",
        "GroupCreate",
        "BarrierCreate",
        "GroupUsersCreate",
        "ApiKeyNew",
    ] {
        for variant in schemas[name]["oneOf"].as_array().unwrap() {
            assert!(
                variant["$ref"].is_string(),
                "{name}: an inline variant {variant}"
            );
        }
    }
}

/// Every object a generator would make a type of (an object schema, an enum, a
/// combination) is a named schema: nothing inline but plain values and arrays of them.
#[test]
fn request_bodies_and_parameters_use_named_schemas() {
    let doc: Value = serde_json::from_str(roster::api::openapi::json()).unwrap();
    fn inline_types(at: &str, schema: &Value, out: &mut Vec<String>) {
        if schema.get("$ref").is_some() {
            return;
        }
        let composite = ["oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| schema.get(k).is_some());
        if schema.get("properties").is_some() || composite {
            out.push(at.to_string());
        }
        if let Some(items) = schema.get("items") {
            inline_types(&format!("{at}/items"), items, out);
        }
    }
    let mut inline = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            for p in parameters(&doc, op) {
                inline_types(&format!("{at} {}", p["name"]), &p["schema"], &mut inline);
            }
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            if body.is_object() {
                inline_types(&format!("{at} body"), body, &mut inline);
            }
        }
    }
    assert!(inline.is_empty(), "inline object schemas: {inline:?}");
}

#[test]
fn whole_objects_by_default_and_a_fields_shape_beside_them() {
    let doc: Value = serde_json::from_str(roster::api::openapi::json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        let list = schemas[name]["required"].as_array();
        list.into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    let props = |name: &str| -> Vec<String> {
        schemas[name]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    for (view, optional) in [
        ("User", &["membership_ids"][..]),
        ("Group", &["membership_ids"]),
        ("Membership", &[]),
        ("Barrier", &[]),
        ("ApiKey", &["key"]),
        ("Instance", &[]),
    ] {
        let always: Vec<String> = props(view)
            .into_iter()
            .filter(|p| !optional.contains(&p.as_str()))
            .collect();
        assert_eq!(required(view), always, "{view}");
        let fields = format!("{view}Fields");
        assert_eq!(required(&fields), ["id"], "{fields}");
        assert_eq!(props(&fields), props(view), "{fields}");
    }
    // An operation that takes fields= answers either envelope; one that does not, the
    // whole one only. No parameter has a default a client would send on every call
    // (page would then conflict with cursor).
    let mut with_fields = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params = parameters(&doc, op);
            assert!(params
                .iter()
                .all(|p| p["name"] != "page" || p["schema"]["default"].is_null()));
            let takes_fields = params.iter().any(|p| p["name"] == "fields");
            for status in ["200", "201"] {
                let schema = &op["responses"][status]["content"]["application/json"]["schema"];
                let Some(any) = schema["anyOf"].as_array() else {
                    let whole = schema["$ref"].as_str().unwrap_or_default();
                    assert!(
                        !takes_fields || !whole.ends_with("Envelope"),
                        "{method} {path}"
                    );
                    continue;
                };
                assert!(takes_fields, "{method} {path}");
                with_fields += 1;
                let whole = any[0]["$ref"].as_str().unwrap();
                let fields = any[1]["$ref"].as_str().unwrap();
                assert_eq!(
                    fields,
                    whole.replace("Envelope", "FieldsEnvelope"),
                    "{method} {path}"
                );
            }
        }
    }
    assert!(with_fields >= 20, "{with_fields}");
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
