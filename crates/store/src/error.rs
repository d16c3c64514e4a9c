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

/// A text column holding one of a closed vocabulary's codes, decoded
/// straight into the value (`BookingStatus`, `SessionStatus`, …). A value
/// this version does not know is a decode error naming the column and the
/// value, never a panic or a default. `FromRow` structs read such a field
/// with `#[sqlx(try_from = "Stored<BookingStatus>")]`; rows read by name
/// with [`code`].
pub struct Stored<T>(pub T);

impl<T> sqlx::Type<sqlx::Any> for Stored<T> {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }
    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <String as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r, T> sqlx::Decode<'r, sqlx::Any> for Stored<T>
where
    T: std::str::FromStr<Err = domain::vocab::UnknownCode>,
{
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <String as sqlx::Decode<sqlx::Any>>::decode(value)?;
        Ok(Stored(text.parse()?))
    }
}

/// `Stored<T>` into `T`, for `try_from` (one impl per type: the orphan
/// rule allows no blanket one).
macro_rules! stored_into {
    ($($t:ty),+ $(,)?) => {
        $(impl From<Stored<$t>> for $t {
            fn from(s: Stored<$t>) -> $t {
                s.0
            }
        })+
    };
}
stored_into!(
    domain::booking::BookingStatus,
    domain::booking::HoldKind,
    domain::sessions::SessionStatus,
    domain::catalogue::CourseStatus,
    domain::requirements::NeedStatus,
    domain::requirements::RequirementKind,
    domain::planning::requests::RequestStatus,
    domain::education::EducationKind,
    domain::staff_import::ChangeKind,
);

/// A nullable text column of codes (see [`Stored`]): NULL is `None`, an
/// unknown code an error. `FromRow` structs read it with
/// `#[sqlx(try_from = "MaybeStored<CourseStatus>")]` into an `Option`.
pub struct MaybeStored<T>(pub Option<T>);

impl<T> sqlx::Type<sqlx::Any> for MaybeStored<T> {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }
    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <String as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r, T> sqlx::Decode<'r, sqlx::Any> for MaybeStored<T>
where
    T: std::str::FromStr<Err = domain::vocab::UnknownCode>,
{
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <Option<String> as sqlx::Decode<sqlx::Any>>::decode(value)?;
        Ok(MaybeStored(text.map(|t| t.parse()).transpose()?))
    }
}

/// `MaybeStored<T>` into `Option<T>`, for `try_from`.
macro_rules! maybe_stored_into {
    ($($t:ty),+ $(,)?) => {
        $(impl From<MaybeStored<$t>> for Option<$t> {
            fn from(s: MaybeStored<$t>) -> Option<$t> {
                s.0
            }
        })+
    };
}
maybe_stored_into!(
    domain::booking::BookingStatus,
    domain::catalogue::CourseStatus,
);

/// Reads a nullable column of a row read by name as a vocabulary value.
pub(crate) fn code_opt<T>(r: &sqlx::any::AnyRow, column: &str) -> Result<Option<T>, sqlx::Error>
where
    T: std::str::FromStr<Err = domain::vocab::UnknownCode>,
{
    use sqlx::Row;
    Ok(r.try_get::<MaybeStored<T>, _>(column)?.0)
}

/// Reads a column of a row read by name as a vocabulary value (see
/// [`Stored`]).
pub(crate) fn code<T>(r: &sqlx::any::AnyRow, column: &str) -> Result<T, sqlx::Error>
where
    T: std::str::FromStr<Err = domain::vocab::UnknownCode>,
{
    use sqlx::Row;
    Ok(r.try_get::<Stored<T>, _>(column)?.0)
}
