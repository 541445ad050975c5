//! The change feed over HTTP (API.md §9): `GET …/events` (a page after a cursor, with
//! filters and a long-poll) and `GET …/events/stream` (Server-Sent Events).

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::caller::InstanceCaller;
use super::common::params;
use super::envelope::Envelope;
use super::query::Params;
use crate::domain::{parse_id_str, EventId, EventType, KeyId, Source};
use crate::error::ApiError;
use crate::service::events::{self, EventFilter, Query};
use crate::state::AppState;

/// Page size of the feed: default and most.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1_000;
/// The longest long-poll, in seconds.
pub const MAX_WAIT: i64 = 60;
/// How often a stream with nothing to send writes a comment (proxies close idle
/// connections).
const KEEPALIVE: Duration = Duration::from_secs(15);

const FILTERS: &[&str] = &[
    "after",
    "limit",
    "types",
    "object_id",
    "actor_key_id",
    "source",
    "occurred_after",
];

fn cursor(v: &str) -> Result<EventId, ApiError> {
    if v == "0" {
        return Ok(EventId(0));
    }
    parse_id_str(v).map(EventId).ok_or_else(|| {
        ApiError::bad_param("after", "after must be an event ID (0: from the start)")
    })
}

fn filter(p: &Params) -> Result<EventFilter, ApiError> {
    let types = p
        .get("types")
        .map(|raw| {
            raw.split(',')
                .map(|t| {
                    EventType::parse_str(t.trim()).ok_or_else(|| {
                        ApiError::bad_param("types", format!("types: {t:?} is not an event type"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let source = p
        .get("source")
        .map(|s| {
            Source::parse_str(s).ok_or_else(|| {
                let all: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
                ApiError::bad_param(
                    "source",
                    format!("source must be one of: {}", all.join(", ")),
                )
            })
        })
        .transpose()?;
    Ok(EventFilter {
        types,
        object_id: p.id("object_id")?,
        actor_key_id: p.id("actor_key_id")?.map(KeyId),
        source,
        occurred_after: p.time("occurred_after")?,
        visible_to: None,
    })
}

fn query(p: &Params, after: EventId) -> Result<Query, ApiError> {
    let limit = p.int("limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
    Ok(Query {
        after,
        limit,
        filter: filter(p)?,
        wait: None,
    })
}

/// `GET /instances/{instance}/events`: the events after `after`, in id order.
#[utoipa::path(get, path = "/instances/{instance}/events", operation_id = "listEvents", tag = "events",
    summary = "Read the change feed after a cursor (long-poll with wait)", params(super::openapi::events::EventParams),
    responses((status = 200, description = "The events after `after`, in id order", body = super::openapi::events::EventEnvelope),
        super::openapi::errors::Feed))]
pub async fn list(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[FILTERS, &["wait"]])?;
    let after = p
        .get("after")
        .map(cursor)
        .transpose()?
        .unwrap_or(EventId(0));
    let mut q = query(&p, after)?;
    q.wait = p
        .int("wait", 0, MAX_WAIT)?
        .filter(|s| *s > 0)
        .map(|s| Duration::from_secs(s.unsigned_abs()));
    let page = events::read(&state.pool, who.caller, who.instance.id, q).await?;
    let mut env = Envelope::new("events");
    env.reserve("events", page.events.len());
    for e in &page.events {
        env.push(e);
    }
    env.plain(page.events.len() as i64);
    env.meta(
        "next_after",
        serde_json::json!(page.next_after.get().to_string()),
    );
    env.respond(StatusCode::OK)
}

/// One event as a Server-Sent Event: `id:` is its id, `data:` its JSON (one line).
fn sse(e: &events::Event) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + e.data.len());
    out.extend_from_slice(b"id: ");
    out.extend_from_slice(itoa::Buffer::new().format(e.id.get()).as_bytes());
    out.extend_from_slice(b"\ndata: ");
    events::write_event(e, &mut out);
    out.extend_from_slice(b"\n\n");
    out
}

/// `GET /instances/{instance}/events/stream`: the feed as Server-Sent Events, from
/// `Last-Event-ID` or `?after=`, else from now on.
#[utoipa::path(get, path = "/instances/{instance}/events/stream", operation_id = "streamEvents", tag = "events",
    summary = "The change feed as Server-Sent Events", params(super::openapi::events::StreamParams),
    responses((status = 200, description = "`text/event-stream`: one message per event, `id:` its id, `data:` its JSON", content_type = "text/event-stream", body = String),
        super::openapi::errors::Feed))]
pub async fn stream(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[FILTERS])?;
    let last_event_id = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let after = match last_event_id.or(p.get("after")) {
        Some(v) => cursor(v)?,
        None => events::last(&state.pool, who.instance.id).await?,
    };
    let mut q = query(&p, after)?;
    q.wait = Some(KEEPALIVE);
    // The first read answers now: a cursor past the retention is a 410, not a stream.
    let first = events::read(
        &state.pool,
        who.caller,
        who.instance.id,
        Query {
            wait: None,
            ..q.clone()
        },
    )
    .await?;
    let pool = state.pool.clone();
    let (caller, instance) = (who.caller, who.instance.id);
    let start = Bytes::from_static(b"retry: 2000\n\n");
    let state0 = (Some(first), q, false);
    let body = futures_util::stream::unfold(state0, move |(pending, mut q, ended)| {
        let pool = pool.clone();
        async move {
            if ended {
                return None;
            }
            let page = match pending {
                Some(page) => page,
                None => match events::read(&pool, caller, instance, q.clone()).await {
                    Ok(page) => page,
                    Err(e) => {
                        tracing::info!(error = %e, "an event stream ended");
                        return Some((Ok::<_, actix_web::Error>(Bytes::new()), (None, q, true)));
                    }
                },
            };
            let mut out = Vec::new();
            for e in &page.events {
                out.extend_from_slice(&sse(e));
            }
            if out.is_empty() {
                out.extend_from_slice(b": keep-alive\n\n");
            }
            q.after = page.next_after;
            Some((Ok(Bytes::from(out)), (None, q, false)))
        }
    });
    let body = futures_util::stream::once(async move { Ok(start) }).chain(body);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(body))
}
