//! The change feed's description (API.md §9): its query parameters, and the envelope
//! of events.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Required, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::api::events::{DEFAULT_LIMIT, MAX_LIMIT, MAX_WAIT};
use crate::api::views::{integer, string, Id};
use crate::domain::{ActorKind, EventType, Source};

fn query(name: &str, schema: impl Into<RefOr<Schema>>, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .schema(Some(schema))
        .description(Some(description))
        .build()
}

fn words(all: &[&str]) -> ObjectBuilder {
    string().enum_values(Some(all.to_vec()))
}

fn event_types() -> ObjectBuilder {
    let all: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    words(&all)
}

fn sources() -> ObjectBuilder {
    let all: Vec<&str> = Source::ALL.iter().map(|t| t.as_str()).collect();
    words(&all)
}

fn time() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
}

fn cursor() -> ObjectBuilder {
    string().pattern(Some("^(0|[1-9][0-9]{0,17})$"))
}

fn filters(out: &mut Vec<Parameter>) {
    let limit = integer(1, MAX_LIMIT).default(Some(DEFAULT_LIMIT.into()));
    out.push(query("limit", limit, "how many events at most"));
    let types = ArrayBuilder::new().items(event_types()).min_items(Some(1));
    let mut p = query(
        "types",
        types,
        "only events of these types; repeat the parameter or separate them with commas",
    );
    p.style = Some(ParameterStyle::Form);
    p.explode = Some(false);
    out.push(p);
    out.push(query(
        "object_id",
        Id::schema(),
        "only events of this object",
    ));
    out.push(query(
        "actor_key_id",
        Id::schema(),
        "only events made with this API key",
    ));
    out.push(query(
        "source",
        sources(),
        "only events that came through this door",
    ));
    out.push(query(
        "occurred_after",
        time(),
        "only events that occurred after this time",
    ));
}

/// `GET …/events`.
pub struct EventParams;

impl IntoParams for EventParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut out = vec![query(
            "after",
            cursor(),
            "the events after this id (0, the default: from the oldest kept); pass meta.next_after",
        )];
        filters(&mut out);
        out.push(query(
            "wait",
            integer(0, MAX_WAIT),
            "long-poll: answer as soon as a matching event exists, or empty after this many seconds",
        ));
        out
    }
}

/// `GET …/events/stream`.
pub struct StreamParams;

impl IntoParams for StreamParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut out = vec![query(
            "after",
            cursor(),
            "start after this id (Last-Event-ID takes precedence); without either, from now on",
        )];
        filters(&mut out);
        out.retain(|p| p.name != "limit");
        out
    }
}

fn actor_kinds() -> ObjectBuilder {
    let all: Vec<&str> = ActorKind::ALL.iter().map(|t| t.as_str()).collect();
    words(&all)
}

fn nullable_id() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .pattern(Some("^[1-9][0-9]{0,18}$"))
}

/// Who made a change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventActor {
    #[schema(schema_with = actor_kinds)]
    pub kind: String,
    /// The API key used (null for the account key, the CLI, the system).
    #[schema(schema_with = nullable_id, required)]
    pub key_id: Option<String>,
    /// The user of a user key.
    #[schema(schema_with = nullable_id, required)]
    pub user_id: Option<String>,
}

/// One committed change.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: Id,
    #[serde(rename = "type")]
    #[schema(schema_with = event_types)]
    pub kind: String,
    pub object_id: Id,
    /// The object as the API shows it, after the change (before it, for deleted and
    /// expired).
    pub data: BTreeMap<String, serde_json::Value>,
    /// The old values of the fields an update changed.
    #[schema(required)]
    pub previous: Option<BTreeMap<String, serde_json::Value>>,
    pub actor: EventActor,
    #[schema(schema_with = sources)]
    pub source: String,
    #[schema(required)]
    pub request_id: Option<String>,
    #[schema(schema_with = time)]
    pub occurred_at: String,
}

/// The events by id.
#[derive(ToSchema)]
pub struct EventMap(pub BTreeMap<String, Event>);

/// One of the events, in order.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventResult {
    #[schema(schema_with = events_key)]
    pub key: String,
    pub id: Id,
}

fn events_key() -> ObjectBuilder {
    words(&["events"])
}

/// The feed's `meta`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventMeta {
    #[schema(minimum = 0)]
    pub count: i64,
    /// Pass as `after` for the next read: the last id returned, or `after` itself.
    #[schema(schema_with = cursor)]
    pub next_after: String,
}

/// A page of the change feed.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventEnvelope {
    #[schema(minimum = 0)]
    pub count: i64,
    pub meta: EventMeta,
    pub results: Vec<EventResult>,
    pub events: EventMap,
}
