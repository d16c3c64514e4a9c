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
