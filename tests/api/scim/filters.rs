//! Filters in the database: each operator, precedence and grouping, value paths,
//! dates; paging; `attributes` and `excludedAttributes`.

use serde_json::{json, Value};

use super::{assert_scim_error, enc, get, ids, post};
use crate::both;
use crate::support::{Tenant, TestApp};

/// alice (Alice Smith, alice@acme.com), bob (Bob, bob@other.org), carol (no name or
/// email), a_b, AxB: ids in that order.
async fn people(app: &TestApp, t: &Tenant) -> Vec<String> {
    let mut out = Vec::new();
    for body in [
        json!({"userName": "alice", "displayName": "Alice Smith", "emails": [{"value": "alice@acme.com"}]}),
        json!({"userName": "bob", "displayName": "Bob", "emails": [{"value": "bob@other.org"}]}),
        json!({"userName": "carol"}),
        json!({"userName": "a_b"}),
        json!({"userName": "AxB"}),
    ] {
        let r = post(app, t, "/Users", body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        out.push(r.body["id"].as_str().unwrap().to_string());
    }
    out
}

async fn users_where(app: &TestApp, t: &Tenant, filter: &str) -> Vec<String> {
    let r = get(app, t, &format!("/Users?filter={}", enc(filter))).await;
    assert_eq!(r.status, 200, "{filter}: {}", r.text);
    assert_eq!(
        r.body["totalResults"].as_u64().unwrap() as usize,
        ids(&r).len()
    );
    ids(&r)
}

both! {
    async fn every_operator(app) {
        let t = app.tenant("acme").await;
        let p = people(&app, &t).await;
        let (alice, bob, carol, a_b, axb) = (&p[0], &p[1], &p[2], &p[3], &p[4]);
        let cases: Vec<(&str, Vec<&String>)> = vec![
            // userName and emails compare without case (RFC 7643 caseExact false).
            (r#"userName eq "ALICE""#, vec![alice]),
            (r#"USERNAME Eq "alice""#, vec![alice]),
            (r#"userName ne "alice""#, vec![bob, carol, a_b, axb]),
            (r#"userName co "O""#, vec![bob, carol]),
            (r#"userName sw "a""#, vec![alice, a_b, axb]),
            (r#"userName ew "B""#, vec![bob, a_b, axb]),
            // LIKE wildcards in the value are literal.
            (r#"userName co "_""#, vec![a_b]),
            (r#"userName co "%""#, vec![]),
            (r#"userName gt "bob""#, vec![carol]),
            (r#"userName ge "bob""#, vec![bob, carol]),
            (r#"userName lt "alice""#, vec![a_b]),
            (r#"userName le "alice""#, vec![alice, a_b]),
            (r#"emails pr"#, vec![alice, bob]),
            (r#"displayName pr"#, vec![alice, bob]),
            (r#"emails.value ew "@ACME.com""#, vec![alice]),
            (r#"emails[type eq "work" and value co "other"]"#, vec![bob]),
            (r#"emails[type eq "home"]"#, vec![]),
            (r#"displayName ne "Bob""#, vec![alice, carol, a_b, axb]),
            (r#"displayName eq null"#, vec![carol, a_b, axb]),
            (r#"name.formatted sw "alice""#, vec![alice]),
            (r#"active eq true"#, vec![alice, bob, carol, a_b, axb]),
            (r#"externalId pr"#, vec![]),
            (r#"id eq "zzz""#, vec![]),
            (r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "carol""#, vec![carol]),
            (r#"meta.resourceType eq "User" and userName eq "bob""#, vec![bob]),
        ];
        for (filter, want) in cases {
            let want: Vec<String> = want.into_iter().cloned().collect();
            assert_eq!(users_where(&app, &t, filter).await, want, "{filter}");
        }
        assert_eq!(users_where(&app, &t, &format!(r#"id eq "{bob}""#)).await, vec![bob.clone()]);
        assert_eq!(users_where(&app, &t, &format!(r#"id ne "{bob}" and id le "{carol}""#)).await, vec![alice.clone(), carol.clone()]);
    }

    async fn precedence_grouping_and_not(app) {
        let t = app.tenant("acme").await;
        let p = people(&app, &t).await;
        let (alice, bob, carol) = (&p[0], &p[1], &p[2]);
        // `and` binds tighter: carol or (bob and emails pr).
        assert_eq!(users_where(&app, &t, r#"userName eq "carol" or userName eq "bob" and emails pr"#).await, vec![bob.clone(), carol.clone()]);
        // Grouped: (carol or bob) and emails pr.
        assert_eq!(users_where(&app, &t, r#"(userName eq "carol" or userName eq "bob") and emails pr"#).await, vec![bob.clone()]);
        assert_eq!(users_where(&app, &t, r#"userName eq "alice" or userName eq "bob" and not (emails pr)"#).await, vec![alice.clone()]);
        assert_eq!(users_where(&app, &t, r#"not (emails pr) and not (userName sw "a")"#).await, vec![carol.clone()]);
        assert_eq!(users_where(&app, &t, r#"not (not (userName eq "bob"))"#).await, vec![bob.clone()]);
        // lastModified: later than bob's creation is carol, a_b, AxB.
        let r = get(&app, &t, &format!("/Users/{bob}")).await;
        let t_bob = r.body["meta"]["lastModified"].as_str().unwrap().to_string();
        let later = users_where(&app, &t, &format!(r#"meta.lastModified gt "{t_bob}""#)).await;
        assert_eq!(later, p[2..].to_vec());
        let upto = users_where(&app, &t, &format!(r#"meta.lastModified le "{t_bob}""#)).await;
        assert_eq!(upto, p[..2].to_vec());
    }

    async fn bad_filters_are_invalid_filter(app) {
        let t = app.tenant("acme").await;
        people(&app, &t).await;
        for bad in [
            r#"nickName eq "x""#,
            r#"userName eq"#,
            r#"userName eq "a" or"#,
            r#"(userName eq "a""#,
            r#"userName zz "a""#,
            r#"userName eq 3"#,
            r#"active gt false"#,
            r#"meta.lastModified gt "last week""#,
            r#"emails[type eq "work""#,
        ] {
            let r = get(&app, &t, &format!("/Users?filter={}", enc(bad))).await;
            assert_scim_error(&r, 400, Some("invalidFilter"));
        }
        let r = get(&app, &t, &format!("/Groups?filter={}", enc(r#"userName eq "x""#))).await;
        assert_scim_error(&r, 400, Some("invalidFilter"));
    }

    async fn paging(app) {
        let t = app.tenant("acme").await;
        let p = people(&app, &t).await;
        let r = get(&app, &t, "/Users?startIndex=2&count=2").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]));
        assert_eq!((r.body["totalResults"].clone(), r.body["startIndex"].clone(), r.body["itemsPerPage"].clone()), (json!(5), json!(2), json!(2)));
        assert_eq!(ids(&r), p[1..3].to_vec());
        let r = get(&app, &t, "/Users?startIndex=1&count=100").await;
        assert_eq!(ids(&r), p);
        let r = get(&app, &t, "/Users?startIndex=5&count=10").await;
        assert_eq!(ids(&r), p[4..].to_vec());
        let r = get(&app, &t, "/Users?startIndex=9").await;
        assert_eq!((r.body["totalResults"].clone(), r.body["itemsPerPage"].clone()), (json!(5), json!(0)));
        let r = get(&app, &t, "/Users?count=0").await;
        assert_eq!((r.body["totalResults"].clone(), r.body["itemsPerPage"].clone()), (json!(5), json!(0)));
        // Below 1 is 1; a count over 200 is 200.
        let r = get(&app, &t, "/Users?startIndex=-4&count=100000").await;
        assert_eq!((r.body["startIndex"].clone(), ids(&r)), (json!(1), p.clone()));
        let r = get(&app, &t, &format!("/Users?filter={}&startIndex=2&count=1", enc(r#"userName sw "a""#))).await;
        assert_eq!((r.body["totalResults"].clone(), ids(&r)), (json!(3), vec![p[3].clone()]));
        assert_scim_error(&get(&app, &t, "/Users?count=many").await, 400, Some("invalidValue"));
        // POST /.search takes the same in a body.
        let r = post(&app, &t, "/Users/.search", json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": "userName sw \"a\"", "startIndex": 1, "count": 2, "attributes": ["userName"]})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((r.body["totalResults"].clone(), ids(&r)), (json!(3), p[..1].iter().chain(&p[3..4]).cloned().collect::<Vec<_>>()));
        assert!(r.body["Resources"][0].get("emails").is_none());
    }

    async fn attributes_and_excluded_attributes(app) {
        let t = app.tenant("acme").await;
        let p = people(&app, &t).await;
        let r = get(&app, &t, &format!("/Users?attributes=userName&filter={}", enc(r#"userName eq "alice""#))).await;
        let res = &r.body["Resources"][0];
        let mut keys: Vec<&str> = res.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["id", "meta", "schemas", "userName"]);
        let r = get(&app, &t, &format!("/Users/{}?attributes=emails.value,name.formatted", p[0])).await;
        assert_eq!(r.body["emails"], json!([{"value": "alice@acme.com"}]));
        assert_eq!(r.body["name"], json!({"formatted": "Alice Smith"}));
        assert!(r.body.get("userName").is_none());
        let r = get(&app, &t, &format!("/Users/{}?excludedAttributes=emails,displayName,id", p[0])).await;
        assert!(r.body.get("emails").is_none() && r.body.get("displayName").is_none());
        assert_eq!(r.body["id"], json!(p[0]));
        assert_eq!(r.body["userName"], json!("alice"));
        assert!(r.body["meta"]["version"].is_string());
        let _: Value = r.body;
    }
}

both! {
    async fn the_root_queries_users_then_groups(app) {
        let t = app.tenant("acme").await;
        let u = people(&app, &t).await;
        let g1 = post(&app, &t, "/Groups", json!({"displayName": "alpha"})).await.body["id"].as_str().unwrap().to_string();
        let g2 = post(&app, &t, "/Groups", json!({"displayName": "beta"})).await.body["id"].as_str().unwrap().to_string();
        let r = get(&app, &t, "").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["totalResults"], json!(7));
        let all: Vec<String> = u.iter().cloned().chain([g1.clone(), g2.clone()]).collect();
        assert_eq!(ids(&r), all);
        let kinds: Vec<&str> = r.body["Resources"].as_array().unwrap().iter().map(|x| x["meta"]["resourceType"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["User", "User", "User", "User", "User", "Group", "Group"]);
        // A page across the boundary.
        let r = get(&app, &t, "?startIndex=5&count=2").await;
        assert_eq!(ids(&r), vec![u[4].clone(), g1.clone()]);
        let r = get(&app, &t, "?startIndex=7&count=2").await;
        assert_eq!(ids(&r), vec![g2.clone()]);
        // An attribute of one type only matches none of the other.
        let r = post(&app, &t, "/.search", json!({"filter": "displayName sw \"b\"", "attributes": ["displayName"]})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(ids(&r), vec![u[1].clone(), g2.clone()]);
        assert!(r.body["Resources"][0].get("userName").is_none());
        let r = post(&app, &t, "/.search", json!({"filter": "userName eq \"carol\""})).await;
        assert_eq!(ids(&r), vec![u[2].clone()]);
        assert_scim_error(&post(&app, &t, "/.search", json!({"filter": "nickName eq \"x\""})).await, 400, Some("invalidFilter"));
        let _: Value = r.body;
    }
}
