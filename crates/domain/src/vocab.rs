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
            /// (code, label) of every value, in English or Swedish: a form's choices.
            pub fn options(english: bool) -> Vec<(&'static str, &'static str)> {
                $name::ALL
                    .iter()
                    .map(|v| (v.code(), if english { v.label_en() } else { v.label_sv() }))
                    .collect()
            }
            /// Accepts the code or the Swedish label, case-insensitively.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim().to_lowercase();
                $name::ALL.iter().copied().find(|v| v.code() == s || v.label_sv() == s)
            }
        }
    };
}
