//! The SCIM door's error and its one mapping to the wire (RFC 7644 §3.12): every
//! `ServiceError`, and every error of the shared HTTP extractors, becomes a status and
//! an `urn:ietf:params:scim:api:messages:2.0:Error` body.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use super::SCIM_JSON;
use crate::error::ApiError;
use crate::service::{ErrorItem, ServiceError};

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

#[derive(Debug, thiserror::Error)]
#[error("{status} {scim_type:?}: {detail}")]
pub struct ScimError {
    pub status: StatusCode,
    /// RFC 7644 Table 9's `scimType`, where one applies.
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad("invalidValue", detail)
    }

    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad("invalidFilter", detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad("invalidPath", detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad("invalidSyntax", detail)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, None, "no such resource")
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            None,
            "an instance admin key is required (Authorization: Bearer)",
        )
    }
}

/// The problems of a write: the first one's kind decides the status.
fn problems(items: &[ErrorItem]) -> ScimError {
    let detail = items
        .iter()
        .map(|i| match &i.field {
            Some(f) => format!("{f}: {}", i.message),
            None => i.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    match items.first().map(|i| i.kind) {
        Some("duplicate") => ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), detail),
        Some("too_many") => ScimError::bad("tooMany", detail),
        // invalid, missing_reference (an unknown member), forbidden_by_policy (a barrier)
        _ => ScimError::invalid_value(detail),
    }
}

impl From<ServiceError> for ScimError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound => Self::not_found(),
            ServiceError::Forbidden { message, .. } => {
                Self::new(StatusCode::FORBIDDEN, None, message)
            }
            ServiceError::Invalid(items) => problems(&items),
            ServiceError::Conflict(message) => Self::new(StatusCode::CONFLICT, None, message),
            ServiceError::Stale => Self::new(
                StatusCode::PRECONDITION_FAILED,
                None,
                ServiceError::Stale.to_string(),
            ),
            ServiceError::CursorExpired(message) => Self::invalid_value(message),
            ServiceError::Unavailable(cause) => {
                tracing::error!(cause = %cause, "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    None,
                    "the database is unavailable; nothing was written",
                )
            }
            ServiceError::Internal(cause) => {
                tracing::error!(cause = %cause, "internal error");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, None, "internal error")
            }
        }
    }
}

/// The shared extractors' errors (key, body): same status, SCIM's form.
impl From<ApiError> for ScimError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::Unauthorized => Self::unauthorized(),
            ApiError::NotFound => Self::not_found(),
            ApiError::Unprocessable(items) => problems(&items),
            ApiError::BadRequest { message, .. } => Self::invalid_syntax(message),
            ApiError::Unavailable(cause) => ServiceError::Unavailable(cause).into(),
            ApiError::Internal(cause) => ServiceError::Internal(cause).into(),
            other => {
                let detail = other
                    .items()
                    .into_iter()
                    .map(|i| i.message)
                    .collect::<Vec<_>>()
                    .join("; ");
                Self::new(other.status_code(), None, detail)
            }
        }
    }
}

impl ResponseError for ScimError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, SCIM_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.body(body.to_string())
    }
}
