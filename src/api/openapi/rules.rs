//! The rules that hold for every route, applied once to the operations the
//! `#[utoipa::path]`s declare: path parameters from the path templates, the two ways to
//! send a key, `Idempotency-Key` on every POST, the headers of every response, the
//! errors the HTTP layer answers anywhere, the `fields=` envelopes beside the whole ones,
//! and the links from a create to what it made. Last, every parameter that is the same
//! wherever it appears is named once under `components/parameters` (`hoist.rs`).

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{AnyOfBuilder, Schema};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, PathItem, Ref, RefOr, Required};
use utoipa::Modify;

use super::envelopes::fields_envelope;
use super::errors::{add_responses, common_headers, error_response, EDGE_STATUSES};
use super::patterns::instance_name;
use super::{hoist, query, r};
use crate::api::views::{string, Id};
use crate::domain::MAX_IDEMPOTENCY_KEY;

/// The operations of a path, with their methods.
pub(super) fn operations(
    item: &mut PathItem,
) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("patch", &mut item.patch),
        ("delete", &mut item.delete),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_mut().map(|op| (method, op)))
}

/// The operations of a path, to read.
pub(super) fn operations_of(item: &PathItem) -> impl Iterator<Item = &Operation> {
    [&item.get, &item.put, &item.post, &item.patch, &item.delete]
        .into_iter()
        .flatten()
}

/// The template parameters of a path: `{instance}`, `{id}`, ...
fn template(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
}

fn path_param(name: &str) -> Parameter {
    let (schema, description): (RefOr<Schema>, _) = match name {
        "instance" => (instance_name().into(), "the instance's name"),
        "user_id" => (r::<Id>(), "a user's ID"),
        "group_id" => (r::<Id>(), "a group's ID"),
        _ => (r::<Id>(), "the object's ID"),
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema))
        .description(Some(description))
        .build()
}

fn idempotency_key() -> Parameter {
    let schema = string()
        .min_length(Some(1))
        .max_length(Some(MAX_IDEMPOTENCY_KEY))
        .pattern(Some("^[!-~](?:[ -~]*[!-~])?$"));
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .schema(Some(schema))
        .description(Some(
            "1-255 printable characters. The same key with the same request replays the \
             stored response (Idempotent-Replayed: true); with another request it is a 422 \
             idempotency_mismatch; while the first is running, a 409. Kept for 24 hours.",
        ))
        .build()
}

/// The operations a create links to: those on what it made, `P/{p}` and (inside an
/// instance) `P/{p}/<name>`, with `{p}` the first object made.
fn links(create: &str, ops: &[(String, String)]) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for (path, id) in ops {
        let Some(rest) = path.strip_prefix(create).and_then(|r| r.strip_prefix("/{")) else {
            continue;
        };
        let Some((param, tail)) = rest.split_once('}') else {
            continue;
        };
        let nested = create.starts_with("/instances/{instance}/") && !tail.contains('{');
        if tail.is_empty() || (nested && tail.starts_with('/')) {
            let params = template(path).map(str::to_string).collect();
            out.push((id.clone(), param.to_string(), params));
        }
    }
    out
}

/// The rules of the whole API, applied to the operations `#[utoipa::path]` declares.
pub struct Rules;

impl Modify for Rules {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-KEY",
                "an account key, an instance admin key or an instance user key (rk_...)",
            ))),
        );
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("the same key as Authorization: Bearer <key>"));
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer.build()));
        add_responses(components);
        components.schemas.extend(query::schemas());

        let mut ops = Vec::new();
        for (path, item) in doc.paths.paths.iter_mut() {
            for (_, op) in operations(item) {
                ops.push((path.clone(), op.operation_id.clone().unwrap_or_default()));
            }
        }
        for (path, item) in doc.paths.paths.iter_mut() {
            for (method, op) in operations(item) {
                let params = op.parameters.get_or_insert_with(Vec::new);
                let at = template(path).map(|p| path_param(p).into());
                params.splice(0..0, at);
                if method == "post" {
                    params.push(idempotency_key().into());
                }
                // What the HTTP layer answers before any handler runs (§7).
                for status in EDGE_STATUSES {
                    let response = error_response(*status);
                    op.responses.responses.insert(status.to_string(), response);
                }
                let documentation = op.operation_id.as_deref() == Some("openapi");
                let takes_fields = op.parameters.iter().flatten().any(|p| {
                    matches!(p, RefOr::T(p) if p.name == "fields" && p.parameter_in == ParameterIn::Query)
                });
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    if !documentation {
                        common_headers(response);
                    }
                    if takes_fields {
                        with_fields_envelope(response);
                    }
                    if method == "post" && status == "201" {
                        let replayed = HeaderBuilder::new()
                            .schema(Some(string().enum_values(Some(["true"]))))
                            .description(Some("present on a replay of a stored response"));
                        response
                            .headers
                            .insert("Idempotent-Replayed".into(), replayed.build().into());
                    }
                }
                let creates = op
                    .operation_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with("create"));
                let made = op.responses.responses.get_mut("201");
                if let (true, Some(RefOr::T(made))) = (creates, made) {
                    for (target, param, params) in links(path, &ops) {
                        let mut link = LinkBuilder::new()
                            .operation_id(&target)
                            .description("the first object created");
                        for p in params {
                            let value = match (p == param, path.as_str()) {
                                (true, "/instances") => "$request.body#/instance/name".to_string(),
                                (true, _) => "$response.body#/results/0/id".to_string(),
                                (false, _) => format!("$request.path.{p}"),
                            };
                            link = link.parameter(p, value);
                        }
                        made.links.insert(target, link.build().into());
                    }
                }
            }
        }
        hoist::parameters(doc);
    }
}

/// An answer of an operation that takes `fields`: the whole envelope, or (with
/// `fields=`) the envelope of `Fields` objects. `anyOf`, since a whole envelope is both.
fn with_fields_envelope(response: &mut Response) {
    for content in response.content.values_mut() {
        let RefOr::T(content) = content else {
            continue;
        };
        let Some(RefOr::Ref(whole)) = &content.schema else {
            continue;
        };
        let name = whole.ref_location.rsplit('/').next().unwrap_or_default();
        let Some(fields) = fields_envelope(name) else {
            continue;
        };
        let either = AnyOfBuilder::new()
            .item(whole.clone())
            .item(Ref::from_schema_name(fields))
            .build();
        content.schema = Some(Schema::AnyOf(either).into());
    }
}

#[cfg(test)]
mod tests {
    use super::links;

    #[test]
    fn creates_link_to_what_they_made() {
        let ops: Vec<(String, String)> = [
            ("/instances", "createInstance"),
            ("/instances/{instance}", "getInstance"),
            ("/instances/{instance}/users", "createUsers"),
            ("/instances/{instance}/users/{id}", "getUser"),
            (
                "/instances/{instance}/users/{user_id}/groups",
                "listUserGroups",
            ),
        ]
        .map(|(p, i)| (p.to_string(), i.to_string()))
        .into();
        let names = |p| links(p, &ops).into_iter().map(|l| l.0).collect::<Vec<_>>();
        assert_eq!(names("/instances"), ["getInstance"]);
        assert_eq!(
            names("/instances/{instance}/users"),
            ["getUser", "listUserGroups"]
        );
    }
}
