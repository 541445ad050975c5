//! An event's JSON (API.md §9), the same in the feed, the stream and webhook bodies.

use crate::db::events::Event;
use crate::domain::{write_time_json, ActorKind};

/// Appends `e`'s JSON to `out`: `data` and `previous` are stored as the JSON they are.
pub fn write_event(e: &Event, out: &mut Vec<u8>) {
    let id = |out: &mut Vec<u8>, v: i64| {
        out.push(b'"');
        out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        out.push(b'"');
    };
    let opt_id = |out: &mut Vec<u8>, v: Option<i64>| match v {
        Some(v) => id(out, v),
        None => out.extend_from_slice(b"null"),
    };
    out.extend_from_slice(b"{\"id\":");
    id(out, e.id.get());
    out.extend_from_slice(b",\"type\":\"");
    out.extend_from_slice(e.kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"object_id\":");
    id(out, e.object_id);
    out.extend_from_slice(b",\"data\":");
    out.extend_from_slice(e.data.as_bytes());
    out.extend_from_slice(b",\"previous\":");
    match &e.previous {
        Some(p) => out.extend_from_slice(p.as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"actor\":{\"kind\":\"");
    out.extend_from_slice(e.actor_kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"key_id\":");
    opt_id(out, e.actor_key_id.map(|k| k.get()));
    out.extend_from_slice(b",\"user_id\":");
    let user = match e.actor_kind {
        ActorKind::User => e.actor_user_id.map(|u| u.get()),
        _ => None,
    };
    opt_id(out, user);
    out.extend_from_slice(b"},\"source\":\"");
    out.extend_from_slice(e.source.as_str().as_bytes());
    out.extend_from_slice(b"\",\"request_id\":");
    match &e.request_id {
        Some(r) => super::super::objects::write_json(out, r.as_str()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"occurred_at\":");
    write_time_json(out, e.occurred_at.0);
    out.push(b'}');
}

/// `e`'s JSON as a string.
pub fn event_json(e: &Event) -> String {
    let mut out = Vec::with_capacity(256 + e.data.len());
    write_event(e, &mut out);
    // Everything written above is UTF-8: stored JSON text, ASCII words and escaped text.
    String::from_utf8(out).unwrap_or_default()
}
