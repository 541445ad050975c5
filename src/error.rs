//! The one error type, and its mapping to the status and body of API.md §7.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

/// One entry of the `errors` array.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorItem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

impl ErrorItem {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            index: None,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn at(mut self, index: Option<usize>) -> Self {
        self.index = index;
        self
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new("invalid", message).field(field)
    }
}

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
    #[error("conflict: {0}")]
    Conflict(String),
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
            Self::Conflict(message) => vec![ErrorItem::new("conflict", message.clone())],
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

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Conflict(_) => StatusCode::CONFLICT,
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
        response.json(ErrorBody {
            errors: self.items(),
        })
    }
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::debug!(detail = info.message(), "unique violation");
                Self::one(ErrorItem::new(
                    "duplicate",
                    "an object with these values already exists",
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                tracing::debug!(detail = info.message(), "foreign key violation");
                Self::one(ErrorItem::new(
                    "missing_reference",
                    "a referenced object does not exist",
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_string())
            }
            DieselError::BrokenTransactionManager => {
                Self::Unavailable("broken transaction manager".into())
            }
            other => {
                let text = other.to_string();
                if looks_like_lost_connection(&text) {
                    Self::Unavailable(text)
                } else {
                    Self::Internal(text)
                }
            }
        }
    }
}

/// libpq reports a dropped server as an unknown database error with these words.
fn looks_like_lost_connection(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("server closed the connection")
        || t.contains("connection refused")
        || t.contains("no connection to the server")
        || t.contains("terminating connection")
        || t.contains("could not receive data")
        || t.contains("could not send data")
}
