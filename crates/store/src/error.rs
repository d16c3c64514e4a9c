use domain::{FieldError, FieldErrors};

/// Errors a store call can end in. `Invalid` and `Conflict` carry messages
/// meant for the user; `Db` is an internal failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("hittades inte: {0}")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
    },
    #[error("åtkomst nekad: {0}")]
    Forbidden(String),
    #[error("databasfel: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(FieldErrors(vec![FieldError::new(field, code, message)]))
    }
    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            field: field.map(str::to_string),
            message: message.into(),
        }
    }
    /// True when the database refused a row because of a UNIQUE constraint.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(e) => is_unique_violation(e),
            _ => false,
        }
    }
}

pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            // PostgreSQL: SQLSTATE 23505; SQLite: extended code 2067 (or 1555 for PK).
            matches!(
                d.code().as_deref(),
                Some("23505") | Some("2067") | Some("1555")
            ) || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}
