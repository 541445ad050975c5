//! The one error type, and its mapping to the status and body of API.md §7.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// One entry of the `errors` array (the service's problems, as the wire shows them).
pub use crate::service::ErrorItem;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden: {message}")]
    Forbidden {
        message: String,
        index: Option<usize>,
    },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("payload too large")]
    PayloadTooLarge(usize),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A `Content-Encoding` other than gzip or identity (the encoding as sent).
    #[error("unsupported content encoding: {0}")]
    UnsupportedEncoding(String),
    #[error("request timeout")]
    RequestTimeout,
    /// The request target is longer than the limit (in bytes).
    #[error("URI too long")]
    UriTooLong(usize),
    #[error("request headers too large")]
    HeadersTooLarge,
    #[error("conflict: {0}")]
    Conflict(String),
    /// An events cursor older than the retention (API.md §9).
    #[error("cursor expired: {0}")]
    CursorExpired(String),
    #[error("unprocessable: {0:?}")]
    Unprocessable(Vec<ErrorItem>),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_param(param: &str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            field: Some(param.to_string()),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            message: message.into(),
            index: None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Unprocessable(vec![ErrorItem::invalid(field, message)])
    }

    pub fn one(item: ErrorItem) -> Self {
        Self::Unprocessable(vec![item])
    }

    /// The entries of the `errors` array this error is answered with.
    pub fn items(&self) -> Vec<ErrorItem> {
        match self {
            Self::BadRequest { message, field } => {
                let item = ErrorItem::new("bad_request", message.clone());
                vec![match field {
                    Some(f) => item.field(f.clone()),
                    None => item,
                }]
            }
            Self::Unauthorized => vec![ErrorItem::new(
                "unauthorized",
                "a valid API key is required (X-API-KEY or Authorization: Bearer)",
            )],
            Self::Forbidden { message, index } => {
                vec![ErrorItem::new("forbidden", message.clone()).at(*index)]
            }
            Self::NotFound => vec![ErrorItem::new("not_found", "not found")],
            Self::MethodNotAllowed => vec![ErrorItem::new(
                "method_not_allowed",
                "this method is not allowed on this route",
            )],
            Self::PayloadTooLarge(limit) => vec![ErrorItem::new(
                "payload_too_large",
                format!("the body is larger than the limit of {limit} bytes"),
            )],
            Self::UnsupportedMediaType => vec![ErrorItem::new(
                "unsupported_media_type",
                "the body must be sent as Content-Type: application/json",
            )],
            Self::UnsupportedEncoding(encoding) => vec![ErrorItem::new(
                "unsupported_media_type",
                format!("Content-Encoding {encoding:?} is not supported; send gzip or identity"),
            )],
            Self::RequestTimeout => vec![ErrorItem::new(
                "request_timeout",
                "the request arrived too slowly; the connection is closed",
            )],
            Self::UriTooLong(limit) => vec![ErrorItem::new(
                "uri_too_long",
                format!("the request target is longer than the limit of {limit} bytes"),
            )],
            Self::HeadersTooLarge => vec![ErrorItem::new(
                "headers_too_large",
                "the request headers are too many or too large",
            )],
            Self::Conflict(message) => vec![ErrorItem::new("conflict", message.clone())],
            Self::CursorExpired(message) => {
                vec![ErrorItem::new("cursor_expired", message.clone()).field("after")]
            }
            Self::Unprocessable(items) => items.clone(),
            Self::RateLimited { .. } => {
                vec![ErrorItem::new(
                    "rate_limited",
                    "too many requests; retry later",
                )]
            }
            Self::Unavailable(_) => vec![ErrorItem::new(
                "unavailable",
                "the database is unavailable; nothing was written, retry later",
            )],
            Self::Internal(_) => vec![ErrorItem::new("internal", "an internal error occurred")],
        }
    }
}

#[derive(Serialize)]
struct ErrorBody {
    errors: Vec<ErrorItem>,
}

impl ApiError {
    /// The §7 body as JSON text, for the responses written below actix-web (`api::edge`).
    pub fn body_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&ErrorBody {
            errors: self.items(),
        })
        .unwrap_or_default()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType | Self::UnsupportedEncoding(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::CursorExpired(_) => StatusCode::GONE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unavailable(cause) => tracing::error!(cause = %cause, "database unavailable"),
            Self::Internal(cause) => tracing::error!(cause = %cause, "internal error"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        if let Self::RateLimited { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if matches!(self, Self::Unauthorized) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if matches!(self, Self::RequestTimeout) {
            // The rest of a body that came too slowly is never read: the connection
            // cannot carry another request.
            response.force_close();
        }
        response.json(ErrorBody {
            errors: self.items(),
        })
    }
}

impl From<crate::db::PoolError> for ApiError {
    fn from(err: crate::db::PoolError) -> Self {
        match err {
            crate::db::PoolError::Task(cause) => Self::Internal(cause),
            other => Self::Unavailable(other.to_string()),
        }
    }
}

/// The rule layer's errors as API.md §7 answers them.
impl From<crate::service::ServiceError> for ApiError {
    fn from(err: crate::service::ServiceError) -> Self {
        use crate::service::ServiceError as S;
        match err {
            S::NotFound => Self::NotFound,
            S::Forbidden { message, index } => Self::Forbidden { message, index },
            S::Invalid(items) => Self::Unprocessable(items),
            S::Conflict(message) => Self::Conflict(message),
            S::CursorExpired(message) => Self::CursorExpired(message),
            S::Stale => Self::Conflict(S::Stale.to_string()),
            S::Unavailable(cause) => Self::Unavailable(cause),
            S::Internal(cause) => Self::Internal(cause),
        }
    }
}
