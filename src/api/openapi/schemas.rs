//! The component schemas: resources as the server renders them, request bodies as it
//! parses them, the envelope, and the §7 error body.

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Ref, Schema,
    SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{ComponentsBuilder, RefOr};

use super::{Resource, RESOURCES};
use crate::api::body::MAX_BULK;

pub type S = RefOr<Schema>;

/// At most this many keys in `configurable_permissions` (domain::permissions).
const MAX_PERMISSION_KEYS: usize = 32;
const MAX_TEXT: usize = 4096;

/// Every error `type` of API.md §7, by status.
pub const ERROR_TYPES: &[(u16, &[&str])] = &[
    (400, &["bad_request"]),
    (401, &["unauthorized"]),
    (403, &["forbidden"]),
    (404, &["not_found"]),
    (405, &["method_not_allowed"]),
    (409, &["conflict"]),
    (413, &["payload_too_large"]),
    (415, &["unsupported_media_type"]),
    (
        422,
        &[
            "invalid",
            "missing_reference",
            "duplicate",
            "forbidden_by_policy",
            "too_many",
            "idempotency_mismatch",
        ],
    ),
    (429, &["rate_limited"]),
    (500, &["internal"]),
    (503, &["unavailable"]),
];

pub fn r(name: &str) -> S {
    Ref::from_schema_name(name).into()
}

pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

pub fn integer(min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(Some(max))
}

fn nullable(t: Type) -> SchemaType {
    SchemaType::from_iter([t, Type::Null])
}

fn enumeration(values: &[&str]) -> ObjectBuilder {
    string().enum_values(Some(values.iter().copied()))
}

fn timestamp() -> ObjectBuilder {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .description(Some("RFC 3339 in UTC"))
}

/// An object that takes no property it does not list.
fn strict<'a>(props: impl IntoIterator<Item = (&'a str, S)>, required: &[&str]) -> ObjectBuilder {
    let mut o = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for (name, schema) in props {
        o = o.property(name, schema);
    }
    for name in required {
        o = o.required(*name);
    }
    o
}

fn array(items: S, min: usize, max: Option<usize>) -> ArrayBuilder {
    ArrayBuilder::new()
        .items(items)
        .min_items(Some(min))
        .max_items(max)
}

/// The decimal numbers from 1 to `max`, without leading zeros, as one regular expression
/// (so that a client, or a test generator, knows exactly which IDs can exist).
pub fn decimal_range_pattern(max: u64) -> String {
    let digits: Vec<u32> = max
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let n = digits.len();
    let mut alternatives = Vec::new();
    if n > 1 {
        alternatives.push(format!("[1-9][0-9]{{0,{}}}", n - 2));
    }
    for i in 0..n {
        let low = if i == 0 { 1 } else { 0 };
        if digits[i] > low {
            let prefix: String = digits[..i].iter().map(|d| d.to_string()).collect();
            let rest = n - i - 1;
            let class = if digits[i] - 1 == low {
                low.to_string()
            } else {
                format!("[{low}-{}]", digits[i] - 1)
            };
            alternatives.push(match rest {
                0 => format!("{prefix}{class}"),
                _ => format!("{prefix}{class}[0-9]{{{rest}}}"),
            });
        }
    }
    alternatives.push(max.to_string());
    format!("^(?:{})$", alternatives.join("|"))
}

/// An ID as the server writes it, and as paths and query parameters take it.
pub fn id_string() -> ObjectBuilder {
    string()
        .pattern(Some(decimal_range_pattern(i64::MAX as u64)))
        .description(Some(
            "a positive 64-bit integer, written as a string of digits",
        ))
        .examples(["1"])
}

/// An ID in a request body: a string of digits or a number.
fn id_input() -> S {
    OneOfBuilder::new()
        .item(id_string())
        .item(integer(1, i64::MAX))
        .description(Some("an ID, as a string or as a number"))
        .into()
}

/// An object keyed by ID: how every envelope holds its objects.
fn by_id(schema: &str) -> S {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(Some(Schema::Object(id_string().build())))
        .additional_properties(Some(r(schema)))
        .description(Some(format!("{schema} objects keyed by their ID")))
        .into()
}

fn permissions() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(nullable(Type::Object))
        .property_names(Some(Schema::Object(
            string().pattern(Some("^[a-z][a-z0-9_]{0,63}$")).build(),
        )))
        .additional_properties(Some(ObjectBuilder::new().schema_type(Type::Boolean)))
        .max_properties(Some(MAX_PERMISSION_KEYS))
        .description(Some(
            "Box's configurable permissions of an admin member: each key true or false, \
             omitted keys enabled ({} enables every permission), null disables every \
             permission. The server enforces can_manage_members.",
        ))
        .examples([serde_json::json!({"can_manage_members": true})])
}

fn text(max: usize, nullable_: bool) -> ObjectBuilder {
    let t = if nullable_ {
        nullable(Type::String)
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(t)
        .max_length(Some(max))
        .pattern(Some(NO_NUL))
}

/// At least one character that is not White_Space (what the server trims), spelled
/// out: `\s` means other things in other regular expression engines.
const NOT_BLANK: &str = r"^[^\x00]*[^\x00\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$";

/// No text takes U+0000 (PostgreSQL cannot store it).
pub const NO_NUL: &str = r"^[^\x00]*$";

/// ASCII exactly as the server takes it; beyond ASCII the server decides which
/// characters are letters or digits (Unicode's Alphabetic and Numeric), which a regular
/// expression cannot say the same way in every tool and Unicode version.
const USERNAME_PATTERN: &str = r"^(?:[A-Za-z0-9.@+_-]|[^\x00-\x7f])+$";
const INSTANCE_NAME_PATTERN: &str = "^[a-z0-9][a-z0-9-]{1,62}$";

pub fn instance_name() -> ObjectBuilder {
    string()
        .pattern(Some(INSTANCE_NAME_PATTERN))
        .description(Some(
            "2-63 of a-z, 0-9 and -, starting with a letter or digit",
        ))
        .examples(["acme"])
}

fn username() -> ObjectBuilder {
    string()
        .pattern(Some(USERNAME_PATTERN))
        .min_length(Some(1))
        .max_length(Some(150))
        .description(Some(
            "1-150 letters and digits (of any script) and . @ + - _; unique in the instance",
        ))
        .examples(["geralt"])
}

fn group_name() -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some(NOT_BLANK))
        .description(Some("1-255 characters, not blank; unique in the instance"))
        .examples(["witchers"])
}

fn email() -> ObjectBuilder {
    text(254, true)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .description(Some("a valid e-mail address, or null"))
}

fn avatar_url() -> ObjectBuilder {
    text(2048, true)
        .format(Some(SchemaFormat::Custom("uri".into())))
        .pattern(Some("^[hH][tT][tT][pP][sS]?://"))
        .description(Some("an http(s) URL of at most 2048 characters, or null"))
}

fn user_input(create: bool) -> ObjectBuilder {
    let props = [
        ("username", username().into()),
        ("name", text(255, true).into()),
        ("email", email().into()),
        ("avatar_url", avatar_url().into()),
        (
            "principal",
            enumeration(&["user", "service_account"])
                .description(Some("user (the default) or service_account"))
                .into(),
        ),
    ];
    strict(props, if create { &["username"] } else { &[] })
}

fn group_input(create: bool) -> ObjectBuilder {
    let props = [
        ("name", group_name().into()),
        ("description", text(MAX_TEXT, true).into()),
    ];
    strict(props, if create { &["name"] } else { &[] })
}

fn role() -> ObjectBuilder {
    enumeration(&["member", "admin"]).description(Some("member (the default) or admin"))
}

fn membership_input(create: bool) -> ObjectBuilder {
    let mut props: Vec<(&str, S)> = Vec::new();
    if create {
        props.push(("user_id", id_input()));
        props.push(("group_id", id_input()));
    }
    props.push(("role", role().into()));
    props.push(("configurable_permissions", permissions().into()));
    strict(
        props,
        if create {
            &["user_id", "group_id"]
        } else {
            &[]
        },
    )
    .description(Some(if create {
        "a new membership"
    } else {
        "the fields to change; user_id and group_id cannot change"
    }))
}

fn barrier_input() -> ObjectBuilder {
    let group_ids = array(id_input(), 2, Some(2))
        .unique_items(true)
        .description(Some("exactly two distinct groups"));
    strict(
        [
            ("group_ids", group_ids.into()),
            ("description", text(MAX_TEXT, true).into()),
        ],
        &["group_ids"],
    )
}

fn instance_input(create: bool) -> ObjectBuilder {
    let props = [
        ("name", instance_name().into()),
        ("description", text(MAX_TEXT, true).into()),
    ];
    strict(props, if create { &["name"] } else { &[] })
}

fn api_key_input() -> S {
    let description = || text(MAX_TEXT, true).into();
    OneOfBuilder::new()
        .item(
            strict(
                [
                    ("role", enumeration(&["admin"]).into()),
                    ("description", description()),
                ],
                &["role"],
            )
            .title(Some("admin key")),
        )
        .item(
            strict(
                [
                    ("role", enumeration(&["user"]).into()),
                    ("user_id", id_input()),
                    ("description", description()),
                ],
                &["role", "user_id"],
            )
            .title(Some("user key")),
        )
        .into()
}

/// `{"<singular>": {...}}` or, where bulk creates are allowed, `{"<plural>": [...]}`.
fn create_body(res: &Resource) -> S {
    let one = strict(
        [(res.singular, r(&format!("{}New", res.name)))],
        &[res.singular],
    )
    .title(Some(format!("one {}", res.singular)));
    if !res.bulk {
        return one.into();
    }
    let many = strict(
        [(
            res.plural,
            array(r(&format!("{}New", res.name)), 1, Some(MAX_BULK)).into(),
        )],
        &[res.plural],
    )
    .title(Some(format!(
        "1 to {MAX_BULK} {}, all or nothing",
        res.plural
    )));
    OneOfBuilder::new().item(one).item(many).into()
}

fn update_body(res: &Resource) -> S {
    strict(
        [(res.singular, r(&format!("{}Changes", res.name)))],
        &[res.singular],
    )
    .into()
}

/// Syncano's `POST /groups/{group_id}/users`: `user` or `users` (IDs), with a shared role.
fn group_users_body() -> S {
    let shared = |key: &'static str, ids: S| {
        strict(
            [
                (key, ids),
                ("role", role().into()),
                ("configurable_permissions", permissions().into()),
            ],
            &[key],
        )
    };
    OneOfBuilder::new()
        .item(shared("user", id_input()).title(Some("one user")))
        .item(
            shared("users", array(id_input(), 1, Some(MAX_BULK)).into())
                .title(Some(format!("1 to {MAX_BULK} users, all or nothing"))),
        )
        .into()
}

/// A resource as the server renders it. `fields=` keeps only some attributes, so only
/// `id` is always present.
fn resource(res: &Resource) -> ObjectBuilder {
    let id_list = || array(r("Id"), 0, None);
    let mut props: Vec<(&str, S)> = vec![("id", r("Id"))];
    match res.singular {
        "instance" => {
            props.push(("name", string().into()));
            props.push(("description", string().into()));
        }
        "api_key" => {
            props.push(("role", enumeration(&["admin", "user"]).into()));
            props.push((
                "user_id",
                ObjectBuilder::new()
                    .schema_type(nullable(Type::String))
                    .pattern(Some(decimal_range_pattern(i64::MAX as u64)))
                    .description(Some("the user a user key acts as; null for admin keys"))
                    .into(),
            ));
            props.push(("description", text(MAX_TEXT, true).into()));
            props.push((
                "prefix",
                string()
                    .description(Some("the first 8 characters of the key"))
                    .into(),
            ));
            props.push((
                "key",
                string()
                    .pattern(Some("^rk_[A-Za-z0-9]{32,}$"))
                    .description(Some("the secret: only in the create response, shown once"))
                    .into(),
            ));
        }
        "user" => {
            props.push(("username", string().into()));
            props.push(("name", text(255, true).into()));
            props.push((
                "email",
                ObjectBuilder::new()
                    .schema_type(nullable(Type::String))
                    .into(),
            ));
            props.push((
                "avatar_url",
                ObjectBuilder::new()
                    .schema_type(nullable(Type::String))
                    .into(),
            ));
            props.push((
                "principal",
                enumeration(&["user", "service_account"]).into(),
            ));
        }
        "group" => {
            props.push(("name", string().into()));
            props.push(("description", text(MAX_TEXT, true).into()));
        }
        "membership" => {
            props.push(("user_id", r("Id")));
            props.push(("group_id", r("Id")));
            props.push(("role", enumeration(&["member", "admin"]).into()));
            props.push(("configurable_permissions", permissions().into()));
        }
        "barrier" => {
            props.push((
                "group_ids",
                array(r("Id"), 2, Some(2))
                    .description(Some("the two groups, in ascending order"))
                    .into(),
            ));
            props.push(("description", text(MAX_TEXT, true).into()));
        }
        other => unreachable!("no schema for {other}"),
    }
    props.push(("created_at", timestamp().into()));
    match res.singular {
        "api_key" => props.push((
            "revoked_at",
            ObjectBuilder::new()
                .schema_type(nullable(Type::String))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .into(),
        )),
        "barrier" => {}
        _ => props.push(("updated_at", timestamp().into())),
    }
    if res.spec.includes.contains(&"memberships") {
        props.push((
            "membership_ids",
            id_list()
                .description(Some(
                    "with include=memberships: the memberships, sideloaded",
                ))
                .into(),
        ));
    }
    strict(props, &["id"])
}

/// What an `include` sideloads: the plural names of the maps it adds.
pub fn sideloads(includes: &[&str]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for include in includes {
        let adds: &[&'static str] = match *include {
            "user" => &["users"],
            "group" => &["groups"],
            "memberships" => &["memberships"],
            "memberships.group" => &["memberships", "groups"],
            "memberships.user" => &["memberships", "users"],
            other => unreachable!("unknown include {other}"),
        };
        for a in adds {
            if !out.contains(a) {
                out.push(a);
            }
        }
    }
    out
}

fn schema_of_plural(plural: &str) -> &'static str {
    RESOURCES
        .iter()
        .find(|r| r.plural == plural)
        .map(|r| r.name)
        .unwrap_or_else(|| unreachable!("no resource {plural}"))
}

/// The envelope: `count`, `meta`, `results` in order, the primary map and any sideloads.
fn envelope(res: &Resource) -> ObjectBuilder {
    let result = strict(
        [("key", enumeration(&[res.plural]).into()), ("id", r("Id"))],
        &["key", "id"],
    );
    let mut props: Vec<(&str, S)> = vec![
        (
            "count",
            integer(0, i64::MAX)
                .description(Some("the number of matches (of a list: in all pages)"))
                .into(),
        ),
        ("meta", r("Meta")),
        (
            "results",
            array(result.into(), 0, None)
                .description(Some("the primary objects, in order"))
                .into(),
        ),
        (res.plural, by_id(res.name)),
    ];
    for plural in sideloads(res.spec.includes) {
        props.push((plural, by_id(schema_of_plural(plural))));
    }
    strict(props, &["count", "meta", "results", res.plural]).description(Some(format!(
        "Kantata-style envelope of {}; sideloads appear with include",
        res.plural
    )))
}

/// The `meta` of every envelope (API.md §5): a create or a read of one object is one
/// page; `created` only on membership creates.
fn meta() -> ObjectBuilder {
    strict(
        [
            (
                "count",
                integer(0, i64::MAX)
                    .description(Some("the number of matches (of a list: in all pages)"))
                    .into(),
            ),
            ("page_count", integer(0, i64::MAX).into()),
            (
                "page_number",
                ObjectBuilder::new()
                    .schema_type(nullable(Type::Integer))
                    .minimum(Some(1))
                    .description(Some("null on a page asked for by cursor"))
                    .into(),
            ),
            ("page_size", integer(1, 200).into()),
            (
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(nullable(Type::String))
                    .description(Some("pass as ?cursor= for the next page; null on the last"))
                    .into(),
            ),
            (
                "created",
                integer(0, MAX_BULK as i64)
                    .description(Some(
                        "membership creates: how many rows this request made (see on_conflict)",
                    ))
                    .into(),
            ),
        ],
        &[
            "count",
            "page_count",
            "page_number",
            "page_size",
            "next_cursor",
        ],
    )
}

/// The §7 body with the error types a status can carry.
pub fn error_body(types: &[&str]) -> S {
    let item = strict(
        [
            ("type", enumeration(types).into()),
            ("message", string().into()),
            (
                "field",
                string()
                    .description(Some("the field or parameter the error is about"))
                    .into(),
            ),
            (
                "index",
                integer(0, MAX_BULK as i64 - 1)
                    .description(Some("the object of a bulk the error is about"))
                    .into(),
            ),
        ],
        &["type", "message"],
    );
    strict(
        [("errors", array(item.into(), 1, None).into())],
        &["errors"],
    )
    .into()
}

/// Every named schema.
pub fn components(mut c: ComponentsBuilder) -> ComponentsBuilder {
    c = c.schema("Id", id_string()).schema("Meta", meta());
    for res in RESOURCES {
        c = c
            .schema(res.name, resource(res))
            .schema(format!("{}Envelope", res.name), envelope(res))
            .schema(format!("{}Create", res.name), create_body(res));
        match res.singular {
            "user" => {
                c = c
                    .schema("UserNew", user_input(true))
                    .schema("UserChanges", user_input(false))
            }
            "group" => {
                c = c
                    .schema("GroupNew", group_input(true))
                    .schema("GroupChanges", group_input(false))
            }
            "membership" => {
                c = c
                    .schema("MembershipNew", membership_input(true))
                    .schema("MembershipChanges", membership_input(false))
                    .schema("GroupUsersCreate", group_users_body())
            }
            "barrier" => c = c.schema("BarrierNew", barrier_input()),
            "instance" => {
                c = c
                    .schema("InstanceNew", instance_input(true))
                    .schema("InstanceChanges", instance_input(false))
            }
            "api_key" => c = c.schema("ApiKeyNew", api_key_input()),
            _ => {}
        }
        if res.updatable {
            c = c.schema(format!("{}Update", res.name), update_body(res));
        }
    }
    for (status, types) in ERROR_TYPES {
        c = c.schema(format!("Error{status}"), error_body(types));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::decimal_range_pattern;

    #[test]
    fn decimal_ranges() {
        assert_eq!(decimal_range_pattern(9), "^(?:[1-8]|9)$");
        assert_eq!(
            decimal_range_pattern(305),
            "^(?:[1-9][0-9]{0,1}|[1-2][0-9]{2}|30[0-4]|305)$"
        );
        assert_eq!(decimal_range_pattern(100), "^(?:[1-9][0-9]{0,1}|100)$");
    }
}
