//! Discovery endpoints, the content type, errors in SCIM's form, and who may call.

use reqwest::Method;
use serde_json::json;

use super::{assert_scim_error, at, get, scim, GROUP, USER};
use crate::both;

both! {
    async fn service_provider_config_resource_types_and_schemas(app) {
        let t = app.tenant("acme").await;
        let r = get(&app, &t, "/ServiceProviderConfig").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("content-type"), Some("application/scim+json"));
        assert_eq!(r.body["patch"]["supported"], json!(true));
        assert_eq!(r.body["filter"]["supported"], json!(true));
        assert_eq!(r.body["filter"]["maxResults"], json!(200));
        assert_eq!(r.body["etag"]["supported"], json!(true));
        assert_eq!(r.body["bulk"]["supported"], json!(false));
        assert_eq!(r.body["authenticationSchemes"][0]["type"], json!("oauthbearertoken"));

        let r = get(&app, &t, "/ResourceTypes").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["totalResults"], json!(2));
        let names: Vec<&str> = r.body["Resources"].as_array().unwrap().iter()
            .map(|x| x["id"].as_str().unwrap()).collect();
        assert_eq!(names, ["User", "Group"]);
        let r = get(&app, &t, "/ResourceTypes/Group").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["endpoint"], json!("/Groups"));
        assert_eq!(r.body["schema"], json!(GROUP));
        assert_scim_error(&get(&app, &t, "/ResourceTypes/Printer").await, 404, None);

        let r = get(&app, &t, "/Schemas").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["totalResults"], json!(2));
        let r = get(&app, &t, &format!("/Schemas/{USER}")).await;
        assert_eq!(r.status, 200);
        let attrs: Vec<&str> = r.body["attributes"].as_array().unwrap().iter()
            .map(|a| a["name"].as_str().unwrap()).collect();
        for a in ["userName", "name", "displayName", "emails", "photos", "active"] {
            assert!(attrs.contains(&a), "{a} missing from {attrs:?}");
        }
        assert_eq!(r.body["attributes"][0]["uniqueness"], json!("server"));
        assert_eq!(r.body["attributes"][0]["required"], json!(true));
        assert_scim_error(&get(&app, &t, "/Schemas/urn:nothing").await, 404, None);
    }

    async fn unknown_paths_and_methods_answer_in_scim_form(app) {
        let t = app.tenant("acme").await;
        assert_scim_error(&get(&app, &t, "/Printers").await, 404, None);
        let r = scim(&app, Method::DELETE, &at(&t, "/ServiceProviderConfig"), &t.key, None, &[]).await;
        assert_scim_error(&r, 405, None);
        let r = scim(&app, Method::PUT, &at(&t, "/Users"), &t.key, Some(json!({})), &[]).await;
        assert_scim_error(&r, 405, None);
    }

    async fn keys_a_user_key_and_another_instances_key(app) {
        let t = app.tenant("acme").await;
        let other = app.tenant("globex").await;
        let u = app.users(&t, &["alice"]).await;
        let user_key = app.user_key(&t, &u[0]).await;
        let path = at(&t, "/Users");
        // No key, an unknown key, a user key: 401, with the Bearer challenge.
        let r = app.raw(Method::GET, &path).send().await.unwrap();
        let r = crate::support::TestApp::read(r).await;
        assert_scim_error(&r, 401, None);
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        assert_scim_error(&scim(&app, Method::GET, &path, "rk_nonsense", None, &[]).await, 401, None);
        let r = scim(&app, Method::GET, &path, &user_key, None, &[]).await;
        assert_scim_error(&r, 401, None);
        let r = scim(&app, Method::POST, &path, &user_key, Some(json!({"userName": "mallory"})), &[]).await;
        assert_scim_error(&r, 401, None);
        // Another instance's admin key: 404, as if the instance did not exist; nothing
        // of the instance shows.
        let r = scim(&app, Method::GET, &path, &other.key, None, &[]).await;
        assert_scim_error(&r, 404, None);
        assert!(!r.text.contains("alice"));
        let r = scim(&app, Method::GET, &at(&t, &format!("/Users/{}", u[0])), &other.key, None, &[]).await;
        assert_scim_error(&r, 404, None);
        let r = scim(&app, Method::GET, "/instances/nowhere/scim/v2/Users", &t.key, None, &[]).await;
        assert_scim_error(&r, 404, None);
        // The instance's admin key and the account key may.
        let r = scim(&app, Method::GET, &path, &t.key, None, &[]).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["totalResults"], json!(1));
        let r = scim(&app, Method::GET, &path, &app.account_key, None, &[]).await;
        assert_eq!(r.status, 200);
        // The user key changed nothing.
        assert_eq!(app.get(&t.at("/users"), &t.key).await.results().len(), 1);
    }
}
