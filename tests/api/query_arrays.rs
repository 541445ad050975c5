//! Array query parameters as generated clients send them: `include`, `ids` and `fields`
//! repeated (`include=user&include=group`) are merged, and mean what the comma-separated
//! form means; any other parameter given twice is still a 400 naming it.

use serde_json::{json, Value};

use crate::both;

/// The IDs of `results`, in order.
fn ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The attribute names of one object, sorted.
fn keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

both! {
    async fn repeated_array_parameters_are_merged(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt", "ciri", "yennefer", "triss"]).await;
        let groups = app.groups(&t, &["witchers"]).await;
        let body = json!({"memberships": [
            {"user_id": users[0], "group_id": groups[0]},
            {"user_id": users[1], "group_id": groups[0]},
        ]});
        // A create, repeated and comma-separated alike.
        let r = app.post(&t.at("/memberships?include=user&include=group"), &t.key, body).await;
        r.assert_status(201);
        assert_eq!(keys(&r.body["users"]), [users[0].clone(), users[1].clone()], "{}", r.text);
        assert_eq!(keys(&r.body["groups"]), [groups[0].clone()], "{}", r.text);

        // ids: the same as the comma form, over every repetition, in ID order.
        let (a, b, c) = (&users[0], &users[1], &users[2]);
        let repeated = app.get(&t.at(&format!("/users?ids={c}&ids={a}")), &t.key).await;
        repeated.assert_status(200);
        let commas = app.get(&t.at(&format!("/users?ids={c},{a}")), &t.key).await;
        assert_eq!(ids(&repeated.body), [a.clone(), c.clone()]);
        assert_eq!(ids(&repeated.body), ids(&commas.body));
        let mixed = app.get(&t.at(&format!("/users?ids={a},{b}&ids={c}&ids={a}")), &t.key).await;
        mixed.assert_status(200);
        assert_eq!(ids(&mixed.body), [a.clone(), b.clone(), c.clone()]);

        // include and fields on a list, repeated.
        let path = format!("/memberships?include=user&include=group&fields=role&fields=user_id&user_id={a}");
        let r = app.get(&t.at(&path), &t.key).await;
        r.assert_status(200);
        let m = &r.body["memberships"][&ids(&r.body)[0]];
        assert_eq!(keys(m), ["id", "role", "user_id"], "{}", r.text);
        assert_eq!(r.body["users"][a]["username"], "geralt", "{}", r.text);
        assert_eq!(r.body["groups"][&groups[0]]["name"], "witchers", "{}", r.text);

        // include and fields on one object, repeated; a has-many include.
        let path = format!("/users/{a}?fields=username&fields=name&include=memberships&include=memberships.group");
        let r = app.get(&t.at(&path), &t.key).await;
        r.assert_status(200);
        assert_eq!(keys(&r.body["users"][a]), ["id", "membership_ids", "name", "username"], "{}", r.text);
        assert_eq!(r.body["groups"][&groups[0]]["name"], "witchers", "{}", r.text);

        // Each repetition is an item list of its own: an empty one is refused, and an
        // unknown name in any repetition is.
        for bad in ["/users?ids=&ids=1", "/users?include=memberships&include=", "/users?fields=name&fields=nope"] {
            let r = app.get(&t.at(bad), &t.key).await;
            r.assert_error(400, "bad_request");
        }
    }
}

both! {
    async fn a_repeated_scalar_parameter_is_refused(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt"]).await;
        let u = &users[0];
        let first = app.get(&t.at("/users?per_page=1"), &t.key).await;
        first.assert_status(200);
        for (path, param) in [
            ("/users?page=1&page=2".to_string(), "page"),
            ("/users?per_page=1&per_page=1".to_string(), "per_page"),
            ("/users?order=id&order=id".to_string(), "order"),
            ("/users?username=geralt&username=ciri".to_string(), "username"),
            ("/users?cursor=abc&cursor=abc".to_string(), "cursor"),
            (format!("/memberships?user_id={u}&user_id={u}"), "user_id"),
        ] {
            let r = app.get(&t.at(&path), &t.key).await;
            r.assert_error(400, "bad_request");
            assert_eq!(r.body["errors"][0]["field"], param, "{path}: {}", r.text);
            let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains("more than once"), "{path}: {}", r.text);
        }
        // On a create too, before anything is written.
        let groups = app.groups(&t, &["witchers"]).await;
        let body = json!({"membership": {"user_id": u, "group_id": groups[0]}});
        let path = "/memberships?include=user&include=group&on_conflict=ignore&on_conflict=ignore";
        let r = app.post(&t.at(path), &t.key, body).await;
        r.assert_error(400, "bad_request");
        assert_eq!(r.body["errors"][0]["field"], "on_conflict", "{}", r.text);
        let r = app.get(&t.at("/memberships"), &t.key).await;
        assert_eq!(r.body["meta"]["count"], 0, "{}", r.text);
    }
}
