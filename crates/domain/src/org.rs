//! Organisations and the fixed vocabularies that describe people.

use serde::{Deserialize, Serialize};

/// Gender as the funder's indicators count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Kvinna,
    Man,
    Annat,
    EjAngivet,
}

impl Gender {
    pub const ALL: [Gender; 4] = [
        Gender::Kvinna,
        Gender::Man,
        Gender::Annat,
        Gender::EjAngivet,
    ];

    /// The stored and API code (`kvinna`, `man`, `annat`, `ej_angivet`).
    pub fn code(self) -> &'static str {
        match self {
            Gender::Kvinna => "kvinna",
            Gender::Man => "man",
            Gender::Annat => "annat",
            Gender::EjAngivet => "ej_angivet",
        }
    }

    /// Swedish label for the UI.
    pub fn label_sv(self) -> &'static str {
        match self {
            Gender::Kvinna => "kvinna",
            Gender::Man => "man",
            Gender::Annat => "annat",
            Gender::EjAngivet => "ej angivet",
        }
    }

    /// Accepts the code, the Swedish label and the usual HR-system spellings
    /// (K/M, kvinna/man, female/male), case-insensitively.
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim().to_lowercase().as_str() {
            "kvinna" | "k" | "f" | "female" | "woman" | "kvinnor" => Some(Gender::Kvinna),
            "man" | "m" | "male" | "män" => Some(Gender::Man),
            "annat" | "other" | "a" | "x" => Some(Gender::Annat),
            "ej_angivet" | "ej angivet" | "" | "okänt" | "unknown" | "-" => {
                Some(Gender::EjAngivet)
            }
            _ => None,
        }
    }
}

/// The role groups of `seed-data/roles.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoleGroup {
    Baspersonal,
    LegitimeradPersonal,
    OvrigHalsoOchSjukvardspersonal,
    Chef,
    Ledningsfunktion,
}

impl RoleGroup {
    pub const ALL: [RoleGroup; 5] = [
        RoleGroup::Baspersonal,
        RoleGroup::LegitimeradPersonal,
        RoleGroup::OvrigHalsoOchSjukvardspersonal,
        RoleGroup::Chef,
        RoleGroup::Ledningsfunktion,
    ];
    pub fn label_sv(self) -> &'static str {
        match self {
            RoleGroup::Baspersonal => "baspersonal",
            RoleGroup::LegitimeradPersonal => "legitimerad personal",
            RoleGroup::OvrigHalsoOchSjukvardspersonal => "övrig hälso- och sjukvårdspersonal",
            RoleGroup::Chef => "chef",
            RoleGroup::Ledningsfunktion => "ledningsfunktion",
        }
    }
    pub fn parse(s: &str) -> Option<RoleGroup> {
        let s = s.trim().to_lowercase();
        RoleGroup::ALL.into_iter().find(|g| g.label_sv() == s)
    }
}

/// Verksamhetsområde of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActivityArea {
    Aldreomsorg,
    Funktionsstod,
    Socialpsykiatri,
    KommunalHalsoOchSjukvard,
}

impl ActivityArea {
    pub const ALL: [ActivityArea; 4] = [
        ActivityArea::Aldreomsorg,
        ActivityArea::Funktionsstod,
        ActivityArea::Socialpsykiatri,
        ActivityArea::KommunalHalsoOchSjukvard,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ActivityArea::Aldreomsorg => "aldreomsorg",
            ActivityArea::Funktionsstod => "funktionsstod",
            ActivityArea::Socialpsykiatri => "socialpsykiatri",
            ActivityArea::KommunalHalsoOchSjukvard => "kommunal_hso",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            ActivityArea::Aldreomsorg => "äldreomsorg",
            ActivityArea::Funktionsstod => "funktionsstöd",
            ActivityArea::Socialpsykiatri => "socialpsykiatri",
            ActivityArea::KommunalHalsoOchSjukvard => "kommunal hälso- och sjukvård",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            ActivityArea::Aldreomsorg => "elderly care",
            ActivityArea::Funktionsstod => "disability support",
            ActivityArea::Socialpsykiatri => "social psychiatry",
            ActivityArea::KommunalHalsoOchSjukvard => "municipal health care",
        }
    }
    pub fn parse(s: &str) -> Option<ActivityArea> {
        let s = s.trim().to_lowercase();
        ActivityArea::ALL
            .into_iter()
            .find(|a| a.code() == s || a.label_sv() == s)
    }
}

labelled!(ActivityArea);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_parses_hr_spellings_and_rejects_unknown() {
        assert_eq!(Gender::parse("K"), Some(Gender::Kvinna));
        assert_eq!(Gender::parse(" Man "), Some(Gender::Man));
        assert_eq!(Gender::parse("ej angivet"), Some(Gender::EjAngivet));
        assert_eq!(Gender::parse("kanske"), None);
        for g in Gender::ALL {
            assert_eq!(Gender::parse(g.code()), Some(g));
        }
    }

    #[test]
    fn activity_area_round_trips() {
        for a in ActivityArea::ALL {
            assert_eq!(ActivityArea::parse(a.code()), Some(a));
            assert_eq!(ActivityArea::parse(a.label_sv()), Some(a));
        }
    }
}
