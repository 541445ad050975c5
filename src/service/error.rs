//! The rule layer's error: domain facts, never HTTP. Each door maps them to its wire
//! form in one place (REST: `crate::error`, API.md §7).

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

use crate::db::writer::WriterError;
use crate::db::PoolError;

/// One problem with a request's object: its kind (API.md §7's 422 types and the
/// others), a message for people, and where it applies.
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
pub enum ServiceError {
    /// No such row, or not visible to the caller (API.md §1, §6).
    #[error("not found")]
    NotFound,
    /// The caller may see the object but not do this.
    #[error("forbidden: {message}")]
    Forbidden {
        message: String,
        index: Option<usize>,
    },
    /// Object-level problems, sorted by index.
    #[error("unprocessable: {0:?}")]
    Invalid(Vec<ErrorItem>),
    /// Another request holds what this one needs (an Idempotency-Key still running, a
    /// race that did not settle).
    #[error("conflict: {0}")]
    Conflict(String),
    /// An events cursor older than the retention (§9).
    #[error("cursor expired: {0}")]
    CursorExpired(String),
    /// The object's version is not the one the write expected (SCIM `If-Match`).
    #[error("the object has changed since the version the request names")]
    Stale,
    /// The database cannot be reached; nothing was written.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A bug.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

impl ServiceError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            message: message.into(),
            index: None,
        }
    }

    pub fn one(item: ErrorItem) -> Self {
        Self::Invalid(vec![item])
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::one(ErrorItem::invalid(field, message))
    }

    /// The collected problems, sorted by index (stable: within an index, in the order
    /// found).
    pub fn problems(mut errors: Vec<ErrorItem>) -> Self {
        errors.sort_by_key(|e| e.index);
        Self::Invalid(errors)
    }
}

/// What the database said, as a domain fact: a unique violation is a `duplicate`, a
/// foreign-key violation a `missing_reference`, a lost connection `Unavailable`.
impl From<DieselError> for ServiceError {
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
            other if crate::db::pool::is_lost_connection(&other) => {
                Self::Unavailable(other.to_string())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

/// The SQLite writer thread: gone or unable to reach the database is `Unavailable`; a
/// failed commit, a panic or a nested write is a bug or a fault of the database file.
impl From<WriterError> for ServiceError {
    fn from(err: WriterError) -> Self {
        match err {
            WriterError::Stopped
            | WriterError::Connect(_)
            | WriterError::Start(_)
            | WriterError::Connection(_) => Self::Unavailable(err.to_string()),
            WriterError::CommitFailed(_) | WriterError::Panicked(_) | WriterError::Nested => {
                Self::Internal(err.to_string())
            }
        }
    }
}

impl From<PoolError> for ServiceError {
    fn from(err: PoolError) -> Self {
        match err {
            PoolError::Task(cause) => Self::Internal(cause),
            other => Self::Unavailable(other.to_string()),
        }
    }
}

/// A unique violation that slipped past the checks (a racing request) still names the
/// field it is about.
pub fn duplicate_on(field: &'static str) -> impl Fn(ServiceError) -> ServiceError {
    move |err| match err {
        ServiceError::Invalid(items) if items.iter().all(|i| i.kind == "duplicate") => {
            ServiceError::Invalid(
                items
                    .into_iter()
                    .map(|i| {
                        ErrorItem::new("duplicate", format!("{field} is already taken"))
                            .field(field)
                            .at(i.index)
                    })
                    .collect(),
            )
        }
        other => other,
    }
}

/// A unique violation (a racing create, or an update, which the database alone checks)
/// as a `duplicate` of the field whose constraint it broke, as the database names it
/// (PostgreSQL the constraint, SQLite the columns): `fields[1]` (`external_id`) when
/// named, checked first since the name field's word (`name`) may be part of others,
/// else `fields[0]`.
pub fn duplicate_of(fields: [&'static str; 2]) -> impl Fn(DieselError) -> ServiceError {
    move |err| {
        let field = match &err {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let said = format!(
                    "{} {}",
                    info.message(),
                    info.constraint_name().unwrap_or("")
                );
                fields
                    .iter()
                    .rev()
                    .find(|f| said.contains(*f))
                    .copied()
                    .unwrap_or(fields[0])
            }
            _ => fields[0],
        };
        duplicate_on(field)(err.into())
    }
}
