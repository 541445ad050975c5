//! Helpers the resource handlers share.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

pub use super::envelope::json_response;
use super::envelope::Envelope;
use super::query::{Cursor, ListParams, Params};
use super::render::Row;
use crate::db::listing::{After, Page};
use crate::domain::parse_id_str;
use crate::error::{ApiError, ErrorItem};

/// An ID from the path; anything that is not one names nothing, so 404.
/// The ID in the path segment `name`, as the ID type of its table; `404` if it is not
/// one (no such row can exist).
pub fn path_id<I: From<i64>>(req: &HttpRequest, name: &str) -> Result<I, ApiError> {
    req.match_info()
        .get(name)
        .and_then(parse_id_str)
        .map(I::from)
        .ok_or(ApiError::NotFound)
}

pub fn params(req: &HttpRequest) -> Result<Params, ApiError> {
    Params::parse(req.query_string())
}

/// The envelope of a list page, with `meta` and `next_cursor`.
pub fn page_envelope<T: Row>(page: &Page<T>, p: &ListParams) -> Envelope {
    let mut env = Envelope::new(T::PLURAL);
    env.reserve(T::PLURAL, page.rows.len());
    for row in &page.rows {
        env.push(row);
    }
    let next = page.rows.last().filter(|_| page.has_more).map(|last| {
        Cursor {
            field: p.window.field,
            desc: p.window.desc,
            after: After {
                value: last.sort_value(p.window.field),
                id: last.id(),
            },
        }
        .encode()
    });
    env.page_meta(page, p.page_number, p.per_page, next);
    env
}

/// The envelope of rows in the given order.
pub fn rows_envelope<T: Row>(rows: &[T]) -> Envelope {
    let mut env = Envelope::new(T::PLURAL);
    env.reserve(T::PLURAL, rows.len());
    for row in rows {
        env.push(row);
    }
    env
}

/// A create's answer as sent: the envelope with only the asked-for fields.
pub fn created_body(
    mut env: Envelope,
    fields: &Option<Vec<String>>,
) -> Result<String, crate::service::ServiceError> {
    env.keep_fields(fields);
    Ok(env.into_body()?)
}

pub fn respond(status: StatusCode, value: Value) -> HttpResponse {
    HttpResponse::build(status).json(value)
}

/// Sorts collected errors by index (stable: within an index, in the order found) and
/// turns them into the 422.
pub fn unprocessable(mut errors: Vec<ErrorItem>) -> ApiError {
    errors.sort_by_key(|e| e.index);
    ApiError::Unprocessable(errors)
}
