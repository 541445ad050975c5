//! Discovery (RFC 7644 §4, RFC 7643 §5–§7): what this server supports, its resource
//! types and their schemas: only the attributes Roster stores (API.md §12).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::auth::ScimCaller;
use super::error::ScimError;
use super::query::MAX_COUNT;
use super::resource::{GROUP_SCHEMA, USER_SCHEMA};
use super::{list_response, respond};

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// One attribute's definition.
fn attr(name: &str, kind: &str, required: bool, case_exact: bool, uniqueness: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": name,
        "required": required,
        "caseExact": case_exact,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": uniqueness,
    })
}

fn multi(name: &str, subs: Vec<Value>) -> Value {
    let mut a = attr(name, "complex", false, false, "none");
    a["multiValued"] = json!(true);
    a["subAttributes"] = json!(subs);
    a
}

fn user_schema(base: &str) -> Value {
    let mut name = attr("name", "complex", false, false, "none");
    name["subAttributes"] = json!([attr("formatted", "string", false, false, "none")]);
    let mut active = attr("active", "boolean", true, false, "none");
    active["description"] = json!("every user has one: true unless set to false");
    let mut photo_value = attr("value", "reference", false, false, "none");
    photo_value["referenceTypes"] = json!(["external"]);
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "User Account",
        "attributes": [
            attr("userName", "string", true, false, "server"),
            name,
            attr("displayName", "string", false, false, "none"),
            // One email and one photo are stored: their values (the primary one, the
            // first), not their type or primary flag.
            multi("emails", vec![attr("value", "string", false, false, "none")]),
            multi("photos", vec![photo_value]),
            active,
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{USER_SCHEMA}")},
    })
}

fn group_schema(base: &str) -> Value {
    let mut value = attr("value", "string", false, true, "none");
    value["mutability"] = json!("immutable");
    let mut reference = attr("$ref", "reference", false, true, "none");
    reference["referenceTypes"] = json!(["User"]);
    reference["mutability"] = json!("immutable");
    let mut display = attr("display", "string", false, false, "none");
    display["mutability"] = json!("readOnly");
    display["returned"] = json!("request");
    let mut kind = attr("type", "string", false, false, "none");
    kind["canonicalValues"] = json!(["User"]);
    kind["mutability"] = json!("immutable");
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "Group",
        "attributes": [
            attr("displayName", "string", true, false, "server"),
            multi("members", vec![value, reference, display, kind]),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{GROUP_SCHEMA}")},
    })
}

fn resource_type(base: &str, id: &str, endpoint: &str, schema: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": id,
        "name": id,
        "endpoint": endpoint,
        "description": id,
        "schema": schema,
        "schemaExtensions": [],
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{id}")},
    })
}

fn resource_types(base: &str) -> Vec<Value> {
    vec![
        resource_type(base, "User", "/Users", USER_SCHEMA),
        resource_type(base, "Group", "/Groups", GROUP_SCHEMA),
    ]
}

pub async fn service_provider_config(who: ScimCaller) -> Result<HttpResponse, ScimError> {
    let body = json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": "https://github.com/roster/roster#scim",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "An instance admin key, sent as Authorization: Bearer <key>",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", who.base),
        },
    });
    Ok(respond(StatusCode::OK, body, None))
}

pub async fn list_resource_types(who: ScimCaller) -> Result<HttpResponse, ScimError> {
    let all = resource_types(&who.base);
    Ok(respond(
        StatusCode::OK,
        list_response(all.len() as i64, 1, all),
        None,
    ))
}

pub async fn get_resource_type(
    who: ScimCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ScimError> {
    let id = req.match_info().get("id").unwrap_or_default();
    resource_types(&who.base)
        .into_iter()
        .find(|r| r["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
        .map(|r| respond(StatusCode::OK, r, None))
        .ok_or_else(ScimError::not_found)
}

pub async fn list_schemas(who: ScimCaller) -> Result<HttpResponse, ScimError> {
    let all = vec![user_schema(&who.base), group_schema(&who.base)];
    Ok(respond(
        StatusCode::OK,
        list_response(all.len() as i64, 1, all),
        None,
    ))
}

pub async fn get_schema(who: ScimCaller, req: HttpRequest) -> Result<HttpResponse, ScimError> {
    let id = req.match_info().get("id").unwrap_or_default();
    [user_schema(&who.base), group_schema(&who.base)]
        .into_iter()
        .find(|s| s["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
        .map(|s| respond(StatusCode::OK, s, None))
        .ok_or_else(ScimError::not_found)
}
