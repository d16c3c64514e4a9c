//! Ids as newtypes: a `PersonId` cannot be passed where a `SessionId` is
//! wanted, so swapped arguments are a compile error rather than a wrong
//! row. Each is the row's `BIGINT` key; JSON carries the plain number
//! (`#[serde(transparent)]`) and `Display` writes it. `.get()` gives the
//! number back. With the `sqlx` feature (the store enables it) each one
//! binds and decodes as the `i64` it wraps, on any engine.

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$m:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl $name {
            /// The number, for SQL binding and for structs that stay `i64`.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )+};
}

ids! {
    /// A row of `people`.
    PersonId,
    /// A row of `accounts` (a login).
    AccountId,
    /// A row of `sessions` (one occasion of a course).
    SessionId,
    /// A row of `courses`.
    CourseId,
    /// A row of `bookings`.
    BookingId,
    /// A row of `units` (a workplace in a municipality).
    UnitId,
    /// A row of `municipalities`.
    MunicipalityId,
    /// A row of `session_holds` (seats reserved for a unit, or offered to a person).
    HoldId,
    /// A row of `person_educations` (an education a person holds).
    EducationId,
    /// A row of `staff_imports` (one confirmed staff import).
    ImportId,
    /// A row of `packages` (courses bundled for a target group).
    PackageId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_form_is_the_plain_number() {
        assert_eq!(serde_json::to_string(&PersonId(42)).unwrap(), "42");
        assert_eq!(
            serde_json::from_str::<SessionId>("7").unwrap(),
            SessionId(7)
        );
        assert_eq!(
            serde_json::to_string(&vec![BookingId(1), BookingId(2)]).unwrap(),
            "[1,2]"
        );
    }

    #[test]
    fn display_is_the_number_and_get_gives_it_back() {
        assert_eq!(CourseId(12).to_string(), "12");
        assert_eq!(format!("/sessions/{}", SessionId(3)), "/sessions/3");
        assert_eq!(UnitId(5).get(), 5);
        assert_eq!(i64::from(MunicipalityId(9)), 9);
    }
}
