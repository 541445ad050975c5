//! One operation of the description: parameters, body, responses, links.

use serde_json::json;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn, ParameterStyle,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Required, SecurityRequirement};

use super::schemas::{self, integer, r, string, S};
use super::{Described, Resource, GROUP, MEMBERSHIP};
use crate::api::query::{ListSpec, MAX_OFFSET, MAX_PER_PAGE};

/// What an operation does, which decides its parameters and responses.
#[derive(Clone, Copy)]
pub enum Kind {
    Health {
        ready: bool,
    },
    OpenApi,
    List(&'static Resource, &'static ListSpec),
    Create(&'static Resource),
    /// Syncano's `POST /groups/{group_id}/users`.
    AddGroupUsers,
    Get(&'static Resource),
    Update(&'static Resource),
    Delete(&'static Resource),
}

const JSON: &str = "application/json";
/// How many IDs `ids=` may name (api::query).
const MAX_IDS: usize = 1_000;

pub fn method(m: &str) -> HttpMethod {
    match m {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        "PUT" => HttpMethod::Put,
        other => unreachable!("no method {other}"),
    }
}

fn param(name: &str, at: ParameterIn, schema: impl Into<S>, description: &str) -> ParameterBuilder {
    let required = if matches!(at, ParameterIn::Path) {
        Required::True
    } else {
        Required::False
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(required)
        .schema(Some(schema))
        .description(Some(description))
}

/// A comma-separated list in the query (`include=user,group`).
fn csv_param(name: &str, items: S, max: Option<usize>, description: &str) -> ParameterBuilder {
    param(
        name,
        ParameterIn::Query,
        ArrayBuilder::new()
            .items(items)
            .min_items(Some(1))
            .max_items(max),
        description,
    )
    .style(Some(ParameterStyle::Form))
    .explode(Some(false))
}

fn names(values: &[&str]) -> S {
    string().enum_values(Some(values.iter().copied())).into()
}

fn path_params(path: &str) -> Vec<ParameterBuilder> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| match name {
            "instance" => param(
                name,
                ParameterIn::Path,
                schemas::instance_name(),
                "the instance's name",
            ),
            "user_id" => param(name, ParameterIn::Path, r("Id"), "a user's ID"),
            "group_id" => param(name, ParameterIn::Path, r("Id"), "a group's ID"),
            _ => param(name, ParameterIn::Path, r("Id"), "the object's ID"),
        })
        .collect()
}

fn include_and_fields(spec: &ListSpec) -> Vec<ParameterBuilder> {
    let mut out = Vec::new();
    if !spec.includes.is_empty() {
        out.push(csv_param(
            "include",
            names(spec.includes),
            None,
            "associations to sideload beside the primary objects",
        ));
    }
    out.push(csv_param(
        "fields",
        names(spec.fields),
        None,
        "only these attributes of the primary objects (id is always returned)",
    ));
    out
}

fn order_values(spec: &ListSpec) -> Vec<String> {
    let mut fields = vec!["id", "created_at"];
    if spec.has_updated {
        fields.push("updated_at");
    }
    fields.extend(spec.name_field);
    fields
        .iter()
        .flat_map(|f| [f.to_string(), format!("{f}:asc"), format!("{f}:desc")])
        .collect()
}

fn filter_param(name: &str) -> ParameterBuilder {
    match name {
        "user_id" => param(
            name,
            ParameterIn::Query,
            r("Id"),
            "only the memberships of this user",
        ),
        "group_id" => param(
            name,
            ParameterIn::Query,
            r("Id"),
            "only those of this group",
        ),
        "role" => param(
            name,
            ParameterIn::Query,
            names(&["member", "admin"]),
            "only this role",
        ),
        "principal" => param(
            name,
            ParameterIn::Query,
            names(&["user", "service_account"]),
            "only this kind of user",
        ),
        "username" => param(
            name,
            ParameterIn::Query,
            string().pattern(Some(schemas::NO_NUL)),
            "only the user with this username",
        ),
        "name" => param(
            name,
            ParameterIn::Query,
            string().pattern(Some(schemas::NO_NUL)),
            "only the one with this name",
        ),
        other => unreachable!("no filter {other}"),
    }
}

fn list_params(spec: &ListSpec) -> Vec<ParameterBuilder> {
    let time = || {
        string().format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
            utoipa::openapi::schema::KnownFormat::DateTime,
        )))
    };
    let mut out = vec![csv_param("ids", r("Id"), Some(MAX_IDS), "only these IDs")];
    out.extend(spec.filters.iter().map(|f| filter_param(f)));
    out.push(param(
        "created_after",
        ParameterIn::Query,
        time(),
        "only objects created after this time (RFC 3339)",
    ));
    if spec.has_updated {
        out.push(param(
            "updated_after",
            ParameterIn::Query,
            time(),
            "only objects changed after this time (RFC 3339), for sync scripts",
        ));
    }
    out.push(param(
        "order",
        ParameterIn::Query,
        string().enum_values(Some(order_values(spec))),
        "field:asc or field:desc (default id:asc)",
    ));
    out.push(param(
        "page",
        ParameterIn::Query,
        integer(1, MAX_OFFSET + 1).default(Some(json!(1))),
        &format!(
            "page number from 1; the offset (page - 1) * per_page may be at most \
             {MAX_OFFSET} (400 beyond): use the cursor to go deeper; not with cursor"
        ),
    ));
    out.push(param(
        "per_page",
        ParameterIn::Query,
        integer(1, MAX_PER_PAGE).default(Some(json!(20))),
        "page size",
    ));
    out.push(param(
        "cursor",
        ParameterIn::Query,
        string().pattern(Some("^[A-Za-z0-9_-]+$")),
        "meta.next_cursor of the previous page: the next page, at the same cost at any \
         depth; not with page",
    ));
    out.extend(include_and_fields(spec));
    out
}

fn idempotency_key() -> ParameterBuilder {
    param(
        "Idempotency-Key",
        ParameterIn::Header,
        string()
            .min_length(Some(1))
            .max_length(Some(255))
            .pattern(Some("^[!-~](?:[ -~]*[!-~])?$")),
        "1-255 printable characters. The same key with the same request replays the \
         stored response (Idempotent-Replayed: true); with another request it is a 422 \
         idempotency_mismatch; while the first is running, a 409. Kept for 24 hours.",
    )
}

fn json_response(description: &str, schema: S) -> ResponseBuilder {
    ResponseBuilder::new()
        .description(description)
        .content(JSON, ContentBuilder::new().schema(Some(schema)).build())
}

fn common_headers(b: ResponseBuilder) -> ResponseBuilder {
    b.header(
        "X-Request-Id",
        HeaderBuilder::new()
            .schema(Some(string()))
            .description(Some("the request's ID, as logged"))
            .build(),
    )
    .header(
        "X-Query-Count",
        HeaderBuilder::new()
            .schema(Some(string().pattern(Some("^[0-9]+$"))))
            .description(Some("how many SQL statements the request sent"))
            .build(),
    )
}

fn error(status: u16) -> Response {
    let what = match status {
        400 => "A bad query parameter, a body that is not JSON, an unknown include, an offset over 10,000",
        401 => "No key, an unknown key or a revoked key",
        403 => "The key may see the resource but not do this",
        404 => "No such instance or object, or not visible to this key",
        409 => "A request with the same Idempotency-Key is still being processed",
        413 => "The body is over the configured limit (1 MiB by default)",
        415 => "The body is not sent as application/json",
        422 => "Object-level problems, each with its field and (in a bulk) index; nothing was written",
        429 => "Too many requests; see Retry-After",
        500 => "A bug; the message reveals no internals",
        503 => "The database cannot be reached; nothing was written",
        _ => "An error",
    };
    let mut b = common_headers(json_response(what, r(&format!("Error{status}"))));
    if status == 401 {
        b = b.header(
            "WWW-Authenticate",
            HeaderBuilder::new().schema(Some(string())).build(),
        );
    }
    if status == 429 {
        b = b.header(
            "Retry-After",
            HeaderBuilder::new().schema(Some(string())).build(),
        );
    }
    b.build()
}

/// The create's links to the operations on what it made, for clients and stateful tests.
fn links(res: &Resource, mut b: ResponseBuilder) -> ResponseBuilder {
    let made = "$response.body#/results/0/id";
    let instance = "$request.path.instance";
    let targets: &[(&str, &str)] = match res.singular {
        "instance" => &[
            ("getInstance", ""),
            ("updateInstance", ""),
            ("deleteInstance", ""),
        ],
        "api_key" => &[("revokeApiKey", "id")],
        "user" => &[
            ("getUser", "id"),
            ("updateUser", "id"),
            ("deleteUser", "id"),
            ("listUserGroups", "user_id"),
        ],
        "group" => &[
            ("getGroup", "id"),
            ("updateGroup", "id"),
            ("deleteGroup", "id"),
            ("listGroupUsers", "group_id"),
            ("addGroupUsers", "group_id"),
        ],
        "membership" => &[
            ("getMembership", "id"),
            ("updateMembership", "id"),
            ("deleteMembership", "id"),
        ],
        "barrier" => &[("getBarrier", "id"), ("deleteBarrier", "id")],
        _ => &[],
    };
    for (target, param) in targets {
        let link = if res.singular == "instance" {
            LinkBuilder::new()
                .operation_id(*target)
                .parameter("instance", "$request.body#/instance/name")
        } else {
            LinkBuilder::new()
                .operation_id(*target)
                .parameter("instance", instance)
                .parameter(*param, made)
        };
        b = b.link(
            *target,
            link.description("the first object created").build(),
        );
    }
    b
}

fn errors(statuses: &[u16]) -> Vec<(String, Response)> {
    statuses
        .iter()
        .map(|s| (s.to_string(), error(*s)))
        .collect()
}

fn body(schema: &str, description: &str) -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .description(Some(description))
        .content(JSON, ContentBuilder::new().schema(Some(r(schema))).build())
        .build()
}

/// Builds the operation a row of `OPERATIONS` describes.
pub fn build(d: &Described) -> Operation {
    let mut params = path_params(d.path);
    let (tag, mut responses, request_body): (&str, Vec<(String, Response)>, _) = match d.kind {
        Kind::Health { ready } => {
            let status = if ready { "ready" } else { "ok" };
            let ok = ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("status", string().enum_values(Some([status])))
                .required("status");
            let mut out = vec![(
                "200".to_string(),
                common_headers(json_response(
                    &format!("{{\"status\": \"{status}\"}}"),
                    ok.into(),
                ))
                .build(),
            )];
            if ready {
                out.extend(errors(&[503]));
            }
            out.extend(errors(&[500]));
            ("health", out, None)
        }
        Kind::OpenApi => (
            "documentation",
            vec![(
                "200".to_string(),
                json_response(
                    "This OpenAPI 3.1 description",
                    ObjectBuilder::new().schema_type(Type::Object).into(),
                )
                .build(),
            )],
            None,
        ),
        Kind::List(res, spec) => {
            params.extend(list_params(spec));
            let mut out = vec![(
                "200".to_string(),
                common_headers(json_response(
                    &format!("A page of {}", res.plural),
                    r(&format!("{}Envelope", res.name)),
                ))
                .build(),
            )];
            let mut statuses = vec![400, 401];
            // Only the admin-only lists can be forbidden; elsewhere a user key sees less.
            if res.singular == "api_key" || res.singular == "barrier" {
                statuses.push(403);
            }
            if d.path != "/instances" {
                statuses.push(404);
            }
            statuses.extend([429, 500, 503]);
            out.extend(errors(&statuses));
            (res.tag, out, None)
        }
        Kind::Get(res) => {
            params.extend(include_and_fields(res.spec));
            let mut statuses = vec![400, 401];
            if res.singular == "barrier" {
                statuses.push(403);
            }
            statuses.extend([404, 429, 500, 503]);
            let mut out = vec![(
                "200".to_string(),
                common_headers(json_response(
                    &format!("The {}", res.singular),
                    r(&format!("{}Envelope", res.name)),
                ))
                .build(),
            )];
            out.extend(errors(&statuses));
            (res.tag, out, None)
        }
        Kind::Update(res) => {
            params.extend(include_and_fields(res.spec));
            let mut out = vec![(
                "200".to_string(),
                common_headers(json_response(
                    &format!("The changed {}", res.singular),
                    r(&format!("{}Envelope", res.name)),
                ))
                .build(),
            )];
            out.extend(errors(&[400, 401, 403, 404, 413, 415, 422, 429, 500, 503]));
            (
                res.tag,
                out,
                Some(body(
                    &format!("{}Update", res.name),
                    &format!("the {} key with the fields to change", res.singular),
                )),
            )
        }
        Kind::Delete(res) => {
            let mut out = vec![(
                "204".to_string(),
                common_headers(
                    ResponseBuilder::new().description(if res.singular == "api_key" {
                        "Revoked (again): the key stays listed with revoked_at"
                    } else {
                        "Deleted; no body"
                    }),
                )
                .build(),
            )];
            out.extend(errors(&[400, 401, 403, 404, 429, 500, 503]));
            (res.tag, out, None)
        }
        Kind::Create(_) | Kind::AddGroupUsers => {
            let (res, schema) = match d.kind {
                Kind::Create(res) => (res, format!("{}Create", res.name)),
                _ => (&MEMBERSHIP, "GroupUsersCreate".to_string()),
            };
            if res.singular != "api_key" {
                params.extend(include_and_fields(res.spec));
            }
            if res.singular == "membership" {
                params.push(param(
                    "on_conflict",
                    ParameterIn::Query,
                    names(&["error", "ignore"]),
                    "ignore: a (user, group) that already has a membership is not an error; \
                     the existing membership is returned in its place (meta.created counts \
                     the new ones)",
                ));
            }
            params.push(idempotency_key());
            let created = common_headers(json_response(
                "Created, in request order",
                r(&format!("{}Envelope", res.name)),
            ))
            .header(
                "Idempotent-Replayed",
                HeaderBuilder::new()
                    .schema(Some(string().enum_values(Some(["true"]))))
                    .description(Some("present on a replay of a stored response"))
                    .build(),
            );
            let created = if matches!(d.kind, Kind::Create(_)) {
                links(res, created)
            } else {
                created
            };
            let mut out = vec![("201".to_string(), created.build())];
            let mut statuses = vec![400, 401, 403];
            if res.singular != "instance" {
                statuses.push(404);
            }
            statuses.extend([409, 413, 415, 422, 429, 500, 503]);
            out.extend(errors(&statuses));
            let what = if matches!(d.kind, Kind::AddGroupUsers) {
                "{\"user\": <id>} or {\"users\": [<id>, ...]} (1 to 100), with an optional \
                 role and configurable_permissions for all of them"
                    .to_string()
            } else if res.bulk {
                format!(
                    "{{\"{}\": {{...}}}} or {{\"{}\": [{{...}}, ...]}} (1 to 100, all or nothing)",
                    res.singular, res.plural
                )
            } else {
                format!("{{\"{}\": {{...}}}}", res.singular)
            };
            (
                if matches!(d.kind, Kind::AddGroupUsers) {
                    GROUP.tag
                } else {
                    res.tag
                },
                out,
                Some(body(&schema, &what)),
            )
        }
    };
    responses.sort_by(|a, b| a.0.cmp(&b.0));
    let mut b = OperationBuilder::new()
        .operation_id(Some(d.operation_id))
        .summary(Some(d.summary))
        .tag(tag)
        .parameters(Some(params.into_iter().map(|p| p.build())));
    if let Some(rb) = request_body {
        b = b.request_body(Some(rb));
    }
    for (status, resp) in responses {
        b = b.response(status, resp);
    }
    if matches!(d.kind, Kind::Health { .. } | Kind::OpenApi) {
        b = b.securities(Some(Vec::<SecurityRequirement>::new()));
    }
    b.build()
}
