//! Request bodies: the JSON extractor (media type, size, gzip, timeout: API.md §7);
//! `shape.rs` reads the singular and plural (bulk) forms of §4 and each object's fields.

mod shape;

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
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

pub use crate::domain::limits::MAX_BULK;
pub use shape::{one_or_many, take_objects, take_patch, FieldReader, Objects};

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
