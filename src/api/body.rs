//! Request bodies: the JSON extractor and the singular/plural (bulk) forms of API.md §4.

use std::io::Write;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut, Data};
use actix_web::{FromRequest, HttpRequest};
use flate2::write::MultiGzDecoder;
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorItem};
use crate::state::AppState;

pub use crate::domain::limits::MAX_BULK;

/// A JSON body: 415 unless `application/json`, 413 over the configured limit, 400
/// unless it parses as JSON. Keeps the (decoded) bytes for idempotency fingerprints.
pub struct JsonBody(pub Value, pub Bytes);

fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// A JSON body's bytes, read and checked as `JsonBody` reads them but not yet parsed:
/// for a handler that reads the common shape of its body straight into its own types
/// and parses into a `Value` (`parse_json`) only when that fails.
pub struct JsonBytes(pub Bytes);

/// The body as JSON text: 400 unless it parses.
pub fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

/// How a body is encoded (`Content-Encoding`): as sent, or gzip (also `x-gzip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
}

/// The body's `Content-Encoding`: 415 for any coding but gzip and identity.
fn encoding(req: &HttpRequest) -> Result<Encoding, ApiError> {
    let mut found = Encoding::Identity;
    for value in req.headers().get_all(header::CONTENT_ENCODING) {
        let text = String::from_utf8_lossy(value.as_bytes());
        for coding in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let gzip = coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip");
            if coding.eq_ignore_ascii_case("identity") {
                continue;
            }
            let named = if gzip { text.trim() } else { coding };
            if !gzip || found == Encoding::Gzip {
                return Err(ApiError::UnsupportedEncoding(
                    named.chars().take(64).collect(),
                ));
            }
            found = Encoding::Gzip;
        }
    }
    Ok(found)
}

/// Reads the body, gzip decoded when so encoded: 415 for another encoding, 413 when the
/// (decoded) body is over the limit, 408 unless it all arrives within the body timeout,
/// 400 if it cannot be read or decoded, 415 unless JSON.
fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<'static, Result<Bytes, ApiError>> {
    let (limit, timeout) = req
        .app_data::<Data<AppState>>()
        .map(|s| {
            let timeout = Duration::from_millis(s.settings.body_timeout_ms);
            (s.settings.max_body_bytes, timeout)
        })
        .unwrap_or((1 << 20, Duration::from_secs(30)));
    let json = is_json(req);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let encoding = encoding(req);
    let mut payload = payload.take();
    Box::pin(async move {
        let encoding = encoding?;
        let body = match encoding {
            Encoding::Identity => {
                if declared.is_some_and(|n| n > limit) {
                    return Err(ApiError::PayloadTooLarge(limit));
                }
                let read = read_plain(&mut payload, limit, declared.unwrap_or(0));
                tokio::time::timeout(timeout, read).await
            }
            Encoding::Gzip => tokio::time::timeout(timeout, read_gzip(&mut payload, limit)).await,
        }
        .map_err(|_| ApiError::RequestTimeout)??;
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        Ok(body)
    })
}

fn read_error(err: PayloadError, limit: usize) -> ApiError {
    match err {
        PayloadError::Overflow => ApiError::PayloadTooLarge(limit),
        _ => ApiError::bad_request("the body could not be read"),
    }
}

/// The body as sent, at most `limit` bytes.
async fn read_plain(payload: &mut Payload, limit: usize, expect: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::with_capacity(expect.min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| read_error(e, limit))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The gzip body decoded, at most `limit` bytes of it. The decoder writes out at most
/// 32 KiB past the limit before it is stopped, whatever the ratio of a "gzip bomb";
/// the compressed bytes may be a little over the limit (gzip's framing of
/// incompressible data), not more.
async fn read_gzip(payload: &mut Payload, limit: usize) -> Result<Bytes, ApiError> {
    let compressed_limit = limit + limit / 16 + 1024;
    let mut decoder = MultiGzDecoder::new(Capped {
        out: Vec::new(),
        limit,
        over: false,
    });
    let mut compressed = 0;
    let corrupt = |decoder: &MultiGzDecoder<Capped>| {
        if decoder.get_ref().over {
            ApiError::PayloadTooLarge(limit)
        } else {
            ApiError::bad_request("the body is not valid gzip")
        }
    };
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| read_error(e, limit))?;
        compressed += chunk.len();
        if compressed > compressed_limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        if decoder.write_all(&chunk).is_err() {
            return Err(corrupt(&decoder));
        }
    }
    if decoder.try_finish().is_err() {
        return Err(corrupt(&decoder));
    }
    let out = std::mem::take(&mut decoder.get_mut().out);
    Ok(Bytes::from(out))
}

/// Collects decoded bytes, refusing any past `limit`.
struct Capped {
    out: Vec<u8>,
    limit: usize,
    over: bool,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > self.limit {
            self.over = true;
            return Err(std::io::Error::other("over the body limit"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload);
        Box::pin(async move {
            let body = body.await?;
            parse_json(&body).map(|v| JsonBody(v, body))
        })
    }
}

impl FromRequest for JsonBytes {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload);
        Box::pin(async move { body.await.map(JsonBytes) })
    }
}

/// The objects of a create body, and whether the plural (bulk) key was used.
pub struct Objects {
    pub items: Vec<Value>,
    pub bulk: bool,
}

impl Objects {
    /// The index to report for object `i`: only bulk objects carry one.
    pub fn index(&self, i: usize) -> Option<usize> {
        self.bulk.then_some(i)
    }
}

/// Takes `{"<singular>": {...}}` or `{"<plural>": [{...}, ...]}` (1 to 100 objects).
pub fn take_objects(body: Value, singular: &str, plural: &str) -> Result<Objects, ApiError> {
    let Value::Object(mut map) = body else {
        return Err(ApiError::invalid(
            singular,
            format!("the body must be an object with a {singular:?} or {plural:?} key"),
        ));
    };
    let one = map.remove(singular);
    let many = map.remove(plural);
    if let Some(unknown) = map.keys().next() {
        return Err(ApiError::invalid(
            unknown,
            format!("unknown field {unknown:?}; expected {singular:?} or {plural:?}"),
        ));
    }
    one_or_many(one, many, singular, plural, "objects")
}

/// The singular/plural rule of API.md §4 on the values of the two keys: exactly one of
/// them, the plural an array of 1 to 100 (`what` names its items in messages). Shared
/// by every create body and Syncano's `{"user": id}` / `{"users": [ids]}`.
pub fn one_or_many(
    one: Option<Value>,
    many: Option<Value>,
    singular: &str,
    plural: &str,
    what: &str,
) -> Result<Objects, ApiError> {
    match (one, many) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            plural,
            format!("give either {singular:?} or {plural:?}, not both"),
        )),
        (None, None) => Err(ApiError::invalid(
            singular,
            format!("the body must have a {singular:?} or {plural:?} key"),
        )),
        (Some(v), None) => Ok(Objects {
            items: vec![v],
            bulk: false,
        }),
        (None, Some(Value::Array(items))) => {
            if items.is_empty() {
                Err(ApiError::invalid(
                    plural,
                    format!("{plural} must hold 1 to {MAX_BULK} {what}"),
                ))
            } else if items.len() > MAX_BULK {
                Err(ApiError::one(
                    ErrorItem::new(
                        "too_many",
                        format!(
                            "{plural} holds {} {what}; at most {MAX_BULK} are allowed",
                            items.len()
                        ),
                    )
                    .field(plural),
                ))
            } else {
                Ok(Objects { items, bulk: true })
            }
        }
        (None, Some(_)) => Err(ApiError::invalid(
            plural,
            format!("{plural} must be an array of {what}"),
        )),
    }
}

/// Takes the singular key of a PATCH body.
pub fn take_patch(body: Value, singular: &str) -> Result<Map<String, Value>, ApiError> {
    let Value::Object(mut map) = body else {
        return Err(ApiError::invalid(
            singular,
            format!("the body must be an object with a {singular:?} key"),
        ));
    };
    let inner = map.remove(singular);
    if let Some(unknown) = map.keys().next() {
        return Err(ApiError::invalid(
            unknown,
            format!("unknown field {unknown:?}; expected {singular:?}"),
        ));
    }
    match inner {
        Some(Value::Object(fields)) => Ok(fields),
        Some(_) => Err(ApiError::invalid(
            singular,
            format!("{singular} must be an object"),
        )),
        None => Err(ApiError::invalid(
            singular,
            format!("the body must have a {singular:?} key"),
        )),
    }
}

/// Reads the fields of one object, collecting every problem with its field and index.
pub struct FieldReader<'a> {
    map: Map<String, Value>,
    index: Option<usize>,
    errors: &'a mut Vec<ErrorItem>,
    failed: bool,
}

impl<'a> FieldReader<'a> {
    /// Fails (recording the error) when `value` is not an object.
    pub fn new(
        value: Value,
        index: Option<usize>,
        what: &str,
        errors: &'a mut Vec<ErrorItem>,
    ) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Self {
                map,
                index,
                errors,
                failed: false,
            }),
            _ => {
                errors.push(
                    ErrorItem::new("invalid", format!("each {what} must be an object")).at(index),
                );
                None
            }
        }
    }

    pub fn from_map(
        map: Map<String, Value>,
        index: Option<usize>,
        errors: &'a mut Vec<ErrorItem>,
    ) -> Self {
        Self {
            map,
            index,
            errors,
            failed: false,
        }
    }

    pub fn index(&self) -> Option<usize> {
        self.index
    }

    pub fn error(&mut self, item: ErrorItem) {
        self.failed = true;
        self.errors.push(item.at(self.index));
    }

    fn parse_value<T>(
        &mut self,
        name: &str,
        value: &Value,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        if has_nul(value) {
            // PostgreSQL cannot store it; no field of Roster takes it on either backend.
            self.error(ErrorItem::invalid(
                name,
                "must not contain the NUL character (U+0000)",
            ));
            return None;
        }
        match parse(value) {
            Ok(v) => Some(v),
            Err(message) => {
                self.error(ErrorItem::invalid(name, message));
                None
            }
        }
    }

    /// A field that must be present.
    pub fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match self.map.remove(name) {
            Some(value) => self.parse_value(name, &value, parse),
            None => {
                self.error(ErrorItem::invalid(name, format!("{name} is required")));
                None
            }
        }
    }

    /// A field that may be absent: `None` when absent (or invalid: see `finish`).
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.map.remove(name)?;
        self.parse_value(name, &value, parse)
    }

    /// Reports unknown fields; true when the whole object was valid.
    pub fn finish(mut self) -> bool {
        let unknown: Vec<String> = self.map.keys().cloned().collect();
        for name in unknown {
            self.error(ErrorItem::invalid(&name, format!("unknown field {name:?}")));
        }
        !self.failed
    }
}

/// Whether a string anywhere in the value holds U+0000.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

pub use crate::service::bulk::repeats;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn singular_plural_rules() {
        assert!(
            !take_objects(json!({"user": {}}), "user", "users")
                .unwrap()
                .bulk
        );
        assert_eq!(
            take_objects(json!({"users": [{}, {}]}), "user", "users")
                .unwrap()
                .items
                .len(),
            2
        );
        assert!(take_objects(json!({"users": []}), "user", "users").is_err());
        assert!(take_objects(json!({"user": {}, "users": [{}]}), "user", "users").is_err());
        assert!(take_objects(json!({}), "user", "users").is_err());
        assert!(take_objects(json!({"user": {}, "x": 1}), "user", "users").is_err());
        let many = Value::Array(vec![json!({}); 101]);
        match take_objects(json!({ "users": many }), "user", "users") {
            Err(ApiError::Unprocessable(items)) => assert_eq!(items[0].kind, "too_many"),
            _ => panic!("expected too_many"),
        }
    }

    #[test]
    fn repeats_point_at_the_later_index() {
        assert_eq!(
            repeats(vec![(0, "a"), (1, "b"), (2, "a"), (3, "a")]),
            vec![(2, 0), (3, 0)]
        );
    }
}
