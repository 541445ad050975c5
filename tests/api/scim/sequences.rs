//! The request sequences Okta and Microsoft Entra ID send, as their public SCIM
//! documentation shows them, each step's effect checked on the rows over REST.

use serde_json::{json, Value};

use super::{delete, enc, get, ids, member_ids, patch, post, put, GROUP, USER};
use crate::both;
use crate::support::{Tenant, TestApp};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

async fn rest_user(app: &TestApp, t: &Tenant, id: &str) -> Value {
    let r = app.get(&t.at(&format!("/users/{id}")), &t.key).await;
    r.assert_status(200);
    r.results()[0].clone()
}

both! {
    async fn okta(app) {
        let t = app.tenant("acme").await;
        // Import/lookup before create: paged as Okta pages.
        let find = format!("/Users?filter={}&startIndex=1&count=100", enc(r#"userName eq "john.doe@example.com""#));
        let r = get(&app, &t, &find).await;
        assert_eq!((r.status.as_u16(), r.body["totalResults"].clone()), (200, json!(0)));
        let r = post(&app, &t, "/Users", json!({
            "schemas": [USER], "userName": "john.doe@example.com",
            "name": {"givenName": "John", "familyName": "Doe"},
            "emails": [{"primary": true, "value": "john.doe@example.com", "type": "work"}],
            "displayName": "John Doe", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [], "password": "1mz050nq", "active": true,
        })).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let uid = r.body["id"].as_str().unwrap().to_string();
        let r = get(&app, &t, &find).await;
        assert_eq!(ids(&r), vec![uid.clone()]);
        let row = rest_user(&app, &t, &uid).await;
        assert_eq!((row["username"].clone(), row["name"].clone(), row["email"].clone()),
                   (json!("john.doe@example.com"), json!("John Doe"), json!("john.doe@example.com")));
        assert_eq!((row["external_id"].clone(), row["active"].clone()), (json!("00ujl29u0le5T6Aj10h7"), json!(true)));
        // Profile push: PUT of the whole user.
        let r = put(&app, &t, &format!("/Users/{uid}"), json!({
            "schemas": [USER], "id": uid, "userName": "john.doe@example.com",
            "name": {"givenName": "Johnny", "familyName": "Doe"},
            "emails": [{"primary": true, "value": "johnny@example.com", "type": "work"}],
            "displayName": "Johnny Doe", "active": true, "externalId": "00ujl29u0le5T6Aj10h7",
        })).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let row = rest_user(&app, &t, &uid).await;
        assert_eq!((row["name"].clone(), row["email"].clone()), (json!("Johnny Doe"), json!("johnny@example.com")));
        // Deactivation: a replace without a path.
        let r = patch(&app, &t, &format!("/Users/{uid}"), json!([{"op": "replace", "value": {"active": false}}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let row = rest_user(&app, &t, &uid).await; // kept, not deleted
        assert_eq!((row["active"].clone(), row["external_id"].clone()), (json!(false), json!("00ujl29u0le5T6Aj10h7")));
        assert_eq!(r.body["active"], json!(false));

        // Groups: lookup, create, add, rename, filtered remove, PUT, delete.
        let second = crate::scim::scim_user(&app, &t, "jane@example.com").await;
        let r = get(&app, &t, &format!("/Groups?filter={}&startIndex=1&count=100", enc(r#"displayName eq "Engineering""#))).await;
        assert_eq!(r.body["totalResults"], json!(0));
        let r = post(&app, &t, "/Groups", json!({"schemas": [GROUP], "displayName": "Engineering", "members": []})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let gid = r.body["id"].as_str().unwrap().to_string();
        let r = patch(&app, &t, &format!("/Groups/{gid}"), json!([{"op": "add", "path": "members",
            "value": [{"value": uid, "display": "john.doe@example.com"}, {"value": second, "display": "jane@example.com"}]}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(member_ids(&app, &t, &gid).await, vec![uid.clone(), second.clone()]);
        let r = patch(&app, &t, &format!("/Groups/{gid}"), json!([{"op": "replace", "value": {"id": gid, "displayName": "Engineering Team"}}])).await;
        assert_eq!(r.status, 200);
        let row = app.get(&t.at(&format!("/groups/{gid}")), &t.key).await.results()[0].clone();
        assert_eq!(row["name"], json!("Engineering Team"));
        let r = patch(&app, &t, &format!("/Groups/{gid}"), json!([{"op": "remove", "path": format!("members[value eq \"{uid}\"]")}])).await;
        assert_eq!(r.status, 200);
        assert_eq!(member_ids(&app, &t, &gid).await, vec![second.clone()]);
        let r = put(&app, &t, &format!("/Groups/{gid}"), json!({"schemas": [GROUP], "id": gid, "displayName": "Engineering Team",
            "members": [{"value": uid, "display": "john.doe@example.com"}]})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(member_ids(&app, &t, &gid).await, vec![uid.clone()]);
        assert_eq!(delete(&app, &t, &format!("/Groups/{gid}")).await.status, 204);
        app.get(&t.at(&format!("/groups/{gid}")), &t.key).await.assert_status(404);
        assert!(app.get(&t.at("/memberships"), &t.key).await.results().is_empty());
        // Every change came through SCIM.
        let events = app.get(&t.at("/events?limit=1000"), &t.key).await.results();
        let directory: Vec<&Value> = events.iter().filter(|e| !e["type"].as_str().unwrap().starts_with("api_key.")).collect();
        assert!(directory.len() >= 10);
        assert!(directory.iter().all(|e| e["source"] == json!("scim") || e["source"] == json!("cascade")), "{directory:?}");
    }

    async fn entra(app) {
        let t = app.tenant("acme").await;
        let name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1";
        let find = format!("/Users?filter={}", enc(&format!("userName eq \"{name}\"")));
        assert_eq!(get(&app, &t, &find).await.body["totalResults"], json!(0));
        let r = post(&app, &t, "/Users", json!({
            "schemas": [USER, ENTERPRISE],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "userName": name, "active": true,
            "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
            "roles": [],
        })).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let uid = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(ids(&get(&app, &t, &find).await), vec![uid.clone()]);
        assert_eq!(rest_user(&app, &t, &uid).await["external_id"], json!("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"));
        // Attribute updates, one PATCH with several Replace operations.
        let r = patch(&app, &t, &format!("/Users/{uid}"), json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
        ])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let row = rest_user(&app, &t, &uid).await;
        assert_eq!((row["email"].clone(), row["name"].clone()), (json!("updatedEmail@microsoft.com"), json!("givenName familyName")));
        let new_name = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com";
        let r = patch(&app, &t, &format!("/Users/{uid}"), json!([{"op": "Replace", "path": "userName", "value": new_name}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(rest_user(&app, &t, &uid).await["username"], json!(new_name));
        let r = patch(&app, &t, &format!("/Users/{uid}"), json!([{"op": "Replace", "path": "active", "value": false}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(rest_user(&app, &t, &uid).await["active"], json!(false));

        // Groups, read without members, members changed only by PATCH.
        let member = crate::scim::scim_user(&app, &t, "Test_User_member@testuser.com").await;
        let gfind = format!("/Groups?excludedAttributes=members&filter={}", enc("displayName eq \"displayName\""));
        assert_eq!(get(&app, &t, &gfind).await.body["totalResults"], json!(0));
        let r = post(&app, &t, "/Groups", json!({"schemas": [GROUP], "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "displayName", "meta": {"resourceType": "Group"}, "members": []})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let gid = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(app.get(&t.at(&format!("/groups/{gid}")), &t.key).await.results()[0]["external_id"], json!("8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"));
        let r = get(&app, &t, &gfind).await;
        assert_eq!(ids(&r), vec![gid.clone()]);
        assert!(r.body["Resources"][0].get("members").is_none());
        let r = get(&app, &t, &format!("/Groups/{gid}?excludedAttributes=members")).await;
        assert_eq!((r.status.as_u16(), r.body.get("members")), (200, None));
        let renamed = "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName";
        let r = patch(&app, &t, &format!("/Groups/{gid}"), json!([{"op": "Replace", "path": "displayName", "value": renamed}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(app.get(&t.at(&format!("/groups/{gid}")), &t.key).await.results()[0]["name"], json!(renamed));
        let r = patch(&app, &t, &format!("/Groups/{gid}"), json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": uid}, {"$ref": null, "value": member}]}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(member_ids(&app, &t, &gid).await, vec![uid.clone(), member.clone()]);
        let r = patch(&app, &t, &format!("/Groups/{gid}"), json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": uid}]}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(member_ids(&app, &t, &gid).await, vec![member.clone()]);
        // The same Remove again (Entra never re-reads): still one member, no error.
        let r = patch(&app, &t, &format!("/Groups/{gid}"), json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": uid}]}])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(member_ids(&app, &t, &gid).await, vec![member.clone()]);
        assert_eq!(delete(&app, &t, &format!("/Groups/{gid}")).await.status, 204);
        assert_eq!(delete(&app, &t, &format!("/Users/{uid}")).await.status, 204);
        app.get(&t.at(&format!("/users/{uid}")), &t.key).await.assert_status(404);
        app.get(&t.at(&format!("/groups/{gid}")), &t.key).await.assert_status(404);
    }
}
