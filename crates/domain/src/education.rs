//! Formal education (formell kompetens): the programmes a person has
//! completed outside Navet, as registered by their manager or a coordinator.
//!
//! The values are a closed list: an unknown value is refused, so that gap
//! analysis never silently compares free text. A higher programme counts as
//! having the lower one it builds on (a specialistundersköterska has the
//! vård- och omsorgsprogrammet; a specialistsjuksköterska is a sjuksköterska).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;

macro_rules! closed_list {
    ($(#[$m:meta])* $name:ident { $($v:ident = ($code:literal, $sv:literal $(, $alias:literal)*)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// Stable code for storage and the API.
            pub fn code(self) -> &'static str { match self { $($name::$v => $code),+ } }
            /// Swedish label for the UI.
            pub fn label_sv(self) -> &'static str { match self { $($name::$v => $sv),+ } }
            /// Accepts the code, the Swedish label and common spellings, case-insensitively.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim().to_lowercase();
                if s.is_empty() { return None; }
                $(
                    if s == $code || s == $sv.to_lowercase() $(|| s == $alias)* {
                        return Some($name::$v);
                    }
                )+
                None
            }
        }
        stored_code!($name);
    };
}

closed_list!(
    /// A formal programme (utbildning).
    EducationKind {
        Ingen = ("ingen", "ingen formell vård- och omsorgsutbildning", "ingen", "outbildad", "none"),
        Vardbitradesutbildning = ("vardbitradesutbildning", "vårdbiträdesutbildning"),
        VardOchOmsorgsprogrammet = ("vard_och_omsorgsprogrammet", "vård- och omsorgsprogrammet", "vård- och omsorgsutbildning", "gymnasial vård- och omsorgsutbildning", "undersköterskeutbildning"),
        BarnOchFritidsprogrammet = ("barn_och_fritidsprogrammet", "barn- och fritidsprogrammet"),
        SpecialistunderskoterskaYh = ("specialistunderskoterska_yh", "specialistundersköterska (YH)", "specialistundersköterska", "specialistundersköterska yh"),
        StodpedagogYh = ("stodpedagog_yh", "stödpedagog (YH)", "stödpedagog", "stödpedagog yh"),
        Sjukskoterska = ("sjukskoterska", "sjuksköterskeexamen", "sjuksköterska"),
        Specialistsjukskoterska = ("specialistsjukskoterska", "specialistsjuksköterskeexamen", "specialistsjuksköterska"),
        Arbetsterapeut = ("arbetsterapeut", "arbetsterapeutexamen", "arbetsterapeut"),
        Fysioterapeut = ("fysioterapeut", "fysioterapeutexamen", "fysioterapeut"),
        Socionom = ("socionom", "socionomexamen", "socionom"),
    }
);

closed_list!(
    /// The direction (inriktning) of a specialist programme.
    Direction {
        Demens = ("demens", "demens", "demensvård", "demenssjukdom"),
        Geriatrik = ("geriatrik", "äldres hälsa/geriatrik", "geriatrik", "äldres hälsa", "vård av äldre"),
        PalliativVard = ("palliativ_vard", "palliativ vård", "palliativ"),
        Psykiatri = ("psykiatri", "psykiatri", "psykisk ohälsa"),
        Rehabilitering = ("rehabilitering", "rehabilitering"),
        Funktionsnedsattning = ("funktionsnedsattning", "funktionsnedsättning", "funktionshinder"),
        Distrikt = ("distrikt", "distriktssköterska", "distrikt"),
    }
);

impl Direction {
    /// English label for the UI.
    pub fn label_en(self) -> &'static str {
        use Direction::*;
        match self {
            Demens => "dementia",
            Geriatrik => "health of older people/geriatrics",
            PalliativVard => "palliative care",
            Psykiatri => "psychiatry",
            Rehabilitering => "rehabilitation",
            Funktionsnedsattning => "disability",
            Distrikt => "district nursing",
        }
    }
}

impl EducationKind {
    /// The directions a programme has; empty for programmes without one.
    /// English label for the UI.
    pub fn label_en(self) -> &'static str {
        use EducationKind::*;
        match self {
            Ingen => "no formal health and social care education",
            Vardbitradesutbildning => "care assistant training",
            VardOchOmsorgsprogrammet => "health and social care programme (upper secondary)",
            BarnOchFritidsprogrammet => "child and recreation programme (upper secondary)",
            SpecialistunderskoterskaYh => "specialist assistant nurse (higher vocational)",
            StodpedagogYh => "support educator (higher vocational)",
            Sjukskoterska => "nursing degree",
            Specialistsjukskoterska => "specialist nursing degree",
            Arbetsterapeut => "occupational therapy degree",
            Fysioterapeut => "physiotherapy degree",
            Socionom => "social work degree",
        }
    }
    pub fn directions(self) -> &'static [Direction] {
        use Direction::*;
        match self {
            EducationKind::SpecialistunderskoterskaYh => &[
                Demens,
                Geriatrik,
                PalliativVard,
                Psykiatri,
                Rehabilitering,
                Funktionsnedsattning,
            ],
            EducationKind::Specialistsjukskoterska => {
                &[Distrikt, Geriatrik, PalliativVard, Psykiatri, Demens]
            }
            _ => &[],
        }
    }

    pub fn has_direction(self) -> bool {
        !self.directions().is_empty()
    }

    /// Programmes this one includes (besides itself).
    fn includes(self) -> &'static [EducationKind] {
        use EducationKind::*;
        match self {
            SpecialistunderskoterskaYh => &[VardOchOmsorgsprogrammet, Vardbitradesutbildning],
            VardOchOmsorgsprogrammet => &[Vardbitradesutbildning],
            Specialistsjukskoterska => &[Sjukskoterska],
            _ => &[],
        }
    }

    /// Which external provider gives the programme, for the UI.
    pub fn provider_sv(self) -> &'static str {
        use EducationKind::*;
        match self {
            Ingen => "",
            Vardbitradesutbildning | VardOchOmsorgsprogrammet | BarnOchFritidsprogrammet => {
                "gymnasieskola/komvux"
            }
            SpecialistunderskoterskaYh | StodpedagogYh => "yrkeshögskola",
            Sjukskoterska | Specialistsjukskoterska | Arbetsterapeut | Fysioterapeut | Socionom => {
                "högskola/universitet"
            }
        }
    }
}

/// A formal education a person holds, or one a requirement asks for
/// (`direction: None` in a requirement accepts any direction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Education {
    pub kind: EducationKind,
    pub direction: Option<Direction>,
}

impl Education {
    pub fn new(kind: EducationKind, direction: Option<Direction>) -> Self {
        Self { kind, direction }
    }

    /// "specialistundersköterska (YH), inriktning demens".
    pub fn label_sv(&self) -> String {
        match self.direction {
            Some(d) => format!("{}, inriktning {}", self.kind.label_sv(), d.label_sv()),
            None => self.kind.label_sv().to_string(),
        }
    }

    /// Does holding `self` satisfy a requirement for `required`?
    pub fn satisfies(&self, required: &Education) -> bool {
        if required.kind == EducationKind::Ingen || self.kind == EducationKind::Ingen {
            return false;
        }
        if self.kind == required.kind {
            return match required.direction {
                None => true,
                Some(d) => self.direction == Some(d),
            };
        }
        // A lower programme has no direction to match.
        required.direction.is_none() && self.kind.includes().contains(&required.kind)
    }
}

/// Does any of `held` satisfy `required`?
pub fn holds(held: &[Education], required: &Education) -> bool {
    held.iter().any(|h| h.satisfies(required))
}

/// Check a kind and direction as typed. `field` names the kind's field, the
/// direction's field is `direction`.
pub fn check_education(kind: &str, direction: &str, field: &str) -> Result<Education, FieldErrors> {
    let mut e = FieldErrors::new();
    let k = EducationKind::parse(kind);
    if k.is_none() {
        let known: Vec<&str> = EducationKind::ALL.iter().map(|k| k.label_sv()).collect();
        if kind.trim().is_empty() {
            e.add(field, "missing_education", "Välj en utbildning.");
        } else {
            e.add(
                field,
                "unknown_education",
                format!(
                    "Okänd utbildning ”{}”. Kända värden: {}.",
                    kind.trim(),
                    known.join(", ")
                ),
            );
        }
    }
    let d = if direction.trim().is_empty() {
        None
    } else {
        match Direction::parse(direction) {
            Some(d) => Some(d),
            None => {
                e.add(
                    "direction",
                    "unknown_direction",
                    crate::text::unknown("inriktning", direction),
                );
                None
            }
        }
    };
    let Some(k) = k else { return Err(e) };
    if !e.is_empty() {
        return Err(e);
    }
    match d {
        Some(_) if !k.has_direction() => {
            e.add(
                "direction",
                "direction_not_allowed",
                format!("{} har ingen inriktning.", k.label_sv()),
            );
        }
        Some(d) if !k.directions().contains(&d) => {
            let allowed: Vec<&str> = k.directions().iter().map(|d| d.label_sv()).collect();
            e.add(
                "direction",
                "direction_not_allowed",
                format!(
                    "{} finns inte med inriktning {}. Välj {}.",
                    k.label_sv(),
                    d.label_sv(),
                    allowed.join(", ")
                ),
            );
        }
        _ => {}
    }
    e.into_result(Education::new(k, d))
}

/// An education registered for a person, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonEducationDraft {
    pub kind: String,
    #[serde(default)]
    pub direction: String,
    /// `YYYY-MM-DD`, optional.
    #[serde(default)]
    pub completed_on: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPersonEducation {
    pub education: Education,
    pub completed_on: Option<NaiveDate>,
    pub note: String,
}

/// A registered education must be a known value (with a direction where the
/// programme has one), and not dated in the future.
pub fn check_person_education(
    d: &PersonEducationDraft,
    today: NaiveDate,
) -> Result<CheckedPersonEducation, FieldErrors> {
    let mut errors = FieldErrors::new();
    let education = match check_education(&d.kind, &d.direction, "kind") {
        Ok(ed) => {
            if ed.kind.has_direction() && ed.direction.is_none() {
                errors.add(
                    "direction",
                    "missing_direction",
                    format!("Ange inriktning för {}.", ed.kind.label_sv()),
                );
            }
            Some(ed)
        }
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let completed_on = if d.completed_on.trim().is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(d.completed_on.trim(), "%Y-%m-%d") {
            Ok(date) if date > today => {
                errors.add(
                    "completed_on",
                    "future_date",
                    "Examensdatum kan inte ligga i framtiden.",
                );
                None
            }
            Ok(date) => Some(date),
            Err(_) => {
                errors.add(
                    "completed_on",
                    "invalid_date",
                    "Ange datum som ÅÅÅÅ-MM-DD, t.ex. 2024-06-14.",
                );
                None
            }
        }
    };
    let note = d.note.trim().to_string();
    if note.chars().count() > 500 {
        errors.add(
            "note",
            "too_long",
            "Anteckningen får vara högst 500 tecken.",
        );
    }
    match education {
        Some(education) if errors.is_empty() => Ok(CheckedPersonEducation {
            education,
            completed_on,
            note,
        }),
        _ => Err(errors),
    }
}

labelled!(EducationKind);
labelled!(Direction);

#[cfg(test)]
mod tests {
    use super::*;
    use EducationKind::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 14).unwrap()
    }

    #[test]
    fn every_value_round_trips_by_code_and_label() {
        for k in EducationKind::ALL {
            assert_eq!(EducationKind::parse(k.code()), Some(*k));
            assert_eq!(EducationKind::parse(k.label_sv()), Some(*k));
            assert_eq!(EducationKind::parse(&k.label_sv().to_uppercase()), Some(*k));
        }
        for d in Direction::ALL {
            assert_eq!(Direction::parse(d.code()), Some(*d));
            assert_eq!(Direction::parse(d.label_sv()), Some(*d));
        }
        assert_eq!(
            EducationKind::parse("Vård- och omsorgsprogrammet"),
            Some(VardOchOmsorgsprogrammet)
        );
        assert_eq!(EducationKind::parse("outbildad"), Some(Ingen));
    }

    #[test]
    fn unknown_values_are_refused_with_the_field_named() {
        let e = check_education("sjukgymnast", "", "education").unwrap_err();
        assert_eq!(e.0[0].field, "education");
        assert_eq!(e.0[0].code, "unknown_education");
        assert!(e.0[0].message.contains("sjukgymnast"));
        assert!(e.0[0].message.contains("vård- och omsorgsprogrammet"));
        let e = check_education("", "", "kind").unwrap_err();
        assert_eq!(e.0[0].code, "missing_education");
        let e = check_education("specialistundersköterska", "kirurgi", "kind").unwrap_err();
        assert_eq!(e.0[0].field, "direction");
    }

    #[test]
    fn direction_must_belong_to_the_programme() {
        assert!(check_education("sjuksköterska", "demens", "kind").is_err());
        let e = check_education("specialistundersköterska", "distrikt", "kind").unwrap_err();
        assert_eq!(e.0[0].code, "direction_not_allowed");
        assert_eq!(
            check_education("specialistsjuksköterska", "distriktssköterska", "kind").unwrap(),
            Education::new(Specialistsjukskoterska, Some(Direction::Distrikt))
        );
        // A requirement may leave the direction open.
        assert_eq!(
            check_education("specialistundersköterska", "", "kind").unwrap(),
            Education::new(SpecialistunderskoterskaYh, None)
        );
    }

    #[test]
    fn higher_programmes_include_the_lower_ones() {
        let spec_usk_demens = Education::new(SpecialistunderskoterskaYh, Some(Direction::Demens));
        assert!(spec_usk_demens.satisfies(&Education::new(VardOchOmsorgsprogrammet, None)));
        assert!(spec_usk_demens.satisfies(&Education::new(Vardbitradesutbildning, None)));
        assert!(spec_usk_demens.satisfies(&Education::new(SpecialistunderskoterskaYh, None)));
        assert!(spec_usk_demens.satisfies(&Education::new(
            SpecialistunderskoterskaYh,
            Some(Direction::Demens)
        )));
        assert!(!spec_usk_demens.satisfies(&Education::new(
            SpecialistunderskoterskaYh,
            Some(Direction::Psykiatri)
        )));
        let voo = Education::new(VardOchOmsorgsprogrammet, None);
        assert!(!voo.satisfies(&Education::new(SpecialistunderskoterskaYh, None)));
        assert!(!voo.satisfies(&Education::new(Sjukskoterska, None)));
        let spec_ssk = Education::new(Specialistsjukskoterska, Some(Direction::Distrikt));
        assert!(spec_ssk.satisfies(&Education::new(Sjukskoterska, None)));
        assert!(!Education::new(Sjukskoterska, None)
            .satisfies(&Education::new(Specialistsjukskoterska, None)));
    }

    #[test]
    fn none_satisfies_nothing() {
        let none = Education::new(Ingen, None);
        for k in EducationKind::ALL {
            assert!(!none.satisfies(&Education::new(*k, None)), "{k:?}");
        }
        assert!(!holds(&[], &Education::new(VardOchOmsorgsprogrammet, None)));
        assert!(holds(
            &[none, Education::new(VardOchOmsorgsprogrammet, None)],
            &Education::new(Vardbitradesutbildning, None)
        ));
    }

    #[test]
    fn registration_needs_direction_and_a_past_date() {
        let ok = check_person_education(
            &PersonEducationDraft {
                kind: "specialistundersköterska (YH)".into(),
                direction: "demens".into(),
                completed_on: "2024-06-14".into(),
                note: " YH Örebro ".into(),
            },
            today(),
        )
        .unwrap();
        assert_eq!(ok.education.direction, Some(Direction::Demens));
        assert_eq!(ok.note, "YH Örebro");
        let e = check_person_education(
            &PersonEducationDraft {
                kind: "specialistundersköterska".into(),
                completed_on: "2027-01-01".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["direction", "completed_on"]);
        let e = check_person_education(
            &PersonEducationDraft {
                kind: "pilot".into(),
                completed_on: "14/6 2024".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["kind", "completed_on"]);
    }
}
