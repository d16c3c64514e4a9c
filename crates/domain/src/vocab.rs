//! Closed vocabularies: an enum with a stable code, a Swedish label and an
//! English label for each value, parsed from the code or the Swedish label
//! (case-insensitively).

/// `vocab!(/// doc \n Name { Variant = ("code", "svensk etikett", "English label"), … })`;
/// attributes before the name (e.g. `#[serde(...)]`) are passed on.
macro_rules! vocab {
    ($(#[$m:meta])* $name:ident { $($v:ident = ($code:literal, $sv:literal, $en:literal)),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        $(#[$m])*
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn code(self) -> &'static str { match self { $($name::$v => $code),+ } }
            pub fn label_sv(self) -> &'static str { match self { $($name::$v => $sv),+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$v => $en),+ } }
            /// Accepts the code or the Swedish label, case-insensitively.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim().to_lowercase();
                $name::ALL.iter().copied().find(|v| v.code() == s || v.label_sv() == s)
            }
        }
        labelled!($name);
        stored_code!($name);
    };
}

/// A stored code that is none of a vocabulary's values: the database holds
/// something this version of Navet does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} code {value:?}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub value: String,
}

/// `stored_code!(Type)` for an enum with `ALL` and `code()`: `FromStr` and
/// `TryFrom<&str>`/`TryFrom<String>` accepting exactly the stored codes (no
/// labels, no case folding), for reading a row; `code()` is what is stored.
macro_rules! stored_code {
    ($name:ident) => {
        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == s)
                    .ok_or_else(|| $crate::vocab::UnknownCode {
                        what: stringify!($name),
                        value: s.to_string(),
                    })
            }
        }
        impl TryFrom<&str> for $name {
            type Error = $crate::vocab::UnknownCode;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
        impl TryFrom<String> for $name {
            type Error = $crate::vocab::UnknownCode;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}

/// A closed vocabulary with a stable code and a label in each language.
pub trait Labelled: Copy + 'static {
    fn all() -> &'static [Self];
    fn code_of(self) -> &'static str;
    fn label_in(self, english: bool) -> &'static str;
    /// (code, label) of every value, in English or Swedish: a form's choices.
    fn options(english: bool) -> Vec<(&'static str, &'static str)> {
        Self::all()
            .iter()
            .map(|v| (v.code_of(), v.label_in(english)))
            .collect()
    }
}

/// `labelled!(Type)` for an enum with `ALL`, `code`, `label_sv` and `label_en`.
macro_rules! labelled {
    ($name:ident) => {
        impl $crate::vocab::Labelled for $name {
            fn all() -> &'static [$name] {
                &$name::ALL
            }
            fn code_of(self) -> &'static str {
                self.code()
            }
            fn label_in(self, english: bool) -> &'static str {
                if english {
                    self.label_en()
                } else {
                    self.label_sv()
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::UnknownCode;
    use std::fmt::Debug;
    use std::str::FromStr;

    /// Every value reads back from its stored code; nothing else does.
    fn round_trip<T>(all: &[T], code: fn(T) -> &'static str)
    where
        T: Copy + PartialEq + Debug + FromStr<Err = UnknownCode>,
        T: for<'a> TryFrom<&'a str, Error = UnknownCode> + TryFrom<String, Error = UnknownCode>,
    {
        for &v in all {
            assert_eq!(code(v).parse::<T>(), Ok(v));
            assert_eq!(T::try_from(code(v)), Ok(v));
            assert_eq!(T::try_from(code(v).to_string()), Ok(v));
            // Only the exact code: no label, no other case, no padding.
            assert!(code(v).to_uppercase().parse::<T>().is_err() || code(v).is_empty());
            assert!(format!(" {}", code(v)).parse::<T>().is_err());
        }
        let e = "no-such-code".parse::<T>().unwrap_err();
        assert_eq!(e.value, "no-such-code");
        assert!(e.to_string().contains("no-such-code"), "{e}");
    }

    #[test]
    fn stored_codes_round_trip() {
        use crate::attestation::Status as AttestationStatus;
        use crate::booking::{BookingStatus, HoldKind};
        use crate::catalogue::{CourseStatus, Format, Level};
        use crate::education::{Direction, EducationKind};
        use crate::planning::requests::RequestStatus;
        use crate::requirements::{NeedStatus, RequirementKind};
        use crate::sessions::SessionStatus;
        use crate::staff_import::ChangeKind;

        round_trip(&BookingStatus::ALL, BookingStatus::code);
        round_trip(&HoldKind::ALL, HoldKind::code);
        round_trip(&SessionStatus::ALL, SessionStatus::code);
        round_trip(&RequestStatus::ALL, RequestStatus::code);
        round_trip(&AttestationStatus::ALL, AttestationStatus::code);
        round_trip(&RequirementKind::ALL, RequirementKind::code);
        round_trip(&ChangeKind::ALL, ChangeKind::code);
        round_trip(CourseStatus::ALL, CourseStatus::code);
        round_trip(NeedStatus::ALL, NeedStatus::code);
        round_trip(Level::ALL, Level::code);
        round_trip(Format::ALL, Format::code);
        round_trip(EducationKind::ALL, EducationKind::code);
        round_trip(Direction::ALL, Direction::code);
    }

    #[test]
    fn a_label_is_not_a_stored_code() {
        use crate::booking::BookingStatus;
        use crate::catalogue::CourseStatus;
        // The lenient `parse` of forms takes the Swedish label; a row does not.
        assert_eq!(BookingStatus::parse("bokad"), Some(BookingStatus::Booked));
        assert!("bokad".parse::<BookingStatus>().is_err());
        assert_eq!(CourseStatus::parse("Aktiv"), Some(CourseStatus::Aktiv));
        assert!("Aktiv".parse::<CourseStatus>().is_err());
        assert_eq!(
            "under utveckling".parse::<CourseStatus>(),
            Err(UnknownCode {
                what: "CourseStatus",
                value: "under utveckling".into()
            })
        );
    }
}
