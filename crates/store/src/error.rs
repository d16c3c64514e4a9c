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

/// Reads a text column holding one of a closed vocabulary's codes
/// (`BookingStatus`, `SessionStatus`, …). A value this version does not
/// know is a decode error naming the column and the value, never a panic
/// or a default. `FromRow` structs get the same with
/// `#[sqlx(try_from = "String")]`.
pub(crate) fn code<T>(r: &sqlx::any::AnyRow, column: &str) -> Result<T, sqlx::Error>
where
    T: std::str::FromStr<Err = domain::vocab::UnknownCode>,
{
    use sqlx::Row;
    let text: String = r.try_get(column)?;
    parse_code(column, &text)
}

fn parse_code<T>(column: &str, text: &str) -> Result<T, sqlx::Error>
where
    T: std::str::FromStr<Err = domain::vocab::UnknownCode>,
{
    text.parse().map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: Box::new(e),
    })
}
