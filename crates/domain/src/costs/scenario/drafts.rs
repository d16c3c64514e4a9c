//! Scenarios and settings as typed in a form or sent to the API, and the
//! checks that turn them into a [`Scenario`] and [`Settings`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{KeyPart, Scenario, ScenarioMunicipality, Settings, Weights};
use crate::costs::money::{self, number, parse_fixed, percent_bp, ParseError};
use crate::errors::FieldErrors;

/// A scenario as typed in a form or sent to the API, before checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioDraft {
    pub name: String,
    pub description: String,
    /// Municipality ids as text.
    pub municipalities: Vec<String>,
    pub weight_employees: String,
    pub weight_inhabitants: String,
    pub weight_use: String,
    pub weight_equal: String,
    /// Percent of actual use; empty = 100.
    pub volume_pct: String,
    /// Municipality id → expected course hours per year (empty = from actual use).
    pub course_hours: BTreeMap<i64, String>,
    /// Municipality id → expected participants per year (empty = from actual use).
    pub participants: BTreeMap<i64, String>,
}

impl ScenarioDraft {
    pub fn weight(&self, p: KeyPart) -> &str {
        match p {
            KeyPart::Employees => &self.weight_employees,
            KeyPart::Inhabitants => &self.weight_inhabitants,
            KeyPart::Use => &self.weight_use,
            KeyPart::Equal => &self.weight_equal,
        }
    }

    pub fn from_scenario(s: &Scenario) -> ScenarioDraft {
        let pct = |bp: i64| number(bp as f64 / 100.0, 2).replace(' ', "");
        let w = |p: KeyPart| {
            if s.weights.get(p) == 0 {
                String::new()
            } else {
                pct(s.weights.get(p))
            }
        };
        ScenarioDraft {
            name: s.name.clone(),
            description: s.description.clone(),
            municipalities: s
                .municipalities
                .iter()
                .map(|m| m.municipality_id.to_string())
                .collect(),
            weight_employees: w(KeyPart::Employees),
            weight_inhabitants: w(KeyPart::Inhabitants),
            weight_use: w(KeyPart::Use),
            weight_equal: w(KeyPart::Equal),
            volume_pct: pct(s.volume_bp),
            course_hours: s
                .municipalities
                .iter()
                .filter_map(|m| m.course_hours_centi.map(|h| (m.municipality_id, pct(h))))
                .collect(),
            participants: s
                .municipalities
                .iter()
                .filter_map(|m| m.participants.map(|p| (m.municipality_id, p.to_string())))
                .collect(),
        }
    }
}

/// The form field for one municipality's expected course hours.
pub fn course_hours_field(id: i64) -> String {
    format!("course_hours_{id}")
}
/// The form field for one municipality's expected participants.
pub fn participants_field(id: i64) -> String {
    format!("participants_{id}")
}

/// Check a scenario draft against the known municipalities (id, name).
/// The scenario gets id 0. Municipalities keep the order of `known`.
pub fn check_scenario(d: &ScenarioDraft, known: &[(i64, String)]) -> Result<Scenario, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = d.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        e.add(
            "name",
            "invalid_name",
            "Scenariots namn måste vara 1–120 tecken.",
        );
    }
    let description = d.description.trim().to_string();
    if description.chars().count() > 2000 {
        e.add(
            "description",
            "too_long",
            "Beskrivningen får vara högst 2 000 tecken.",
        );
    }
    let mut chosen: Vec<i64> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for raw in &d.municipalities {
        match raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| known.iter().any(|(k, _)| k == id))
        {
            Some(id) => chosen.push(id),
            None => unknown.push(raw.trim().to_string()),
        }
    }
    if !unknown.is_empty() {
        e.add(
            "municipalities",
            "unknown_municipality",
            format!("Okänd kommun: {}.", unknown.join(", ")),
        );
    } else if chosen.is_empty() {
        e.add(
            "municipalities",
            "no_municipality",
            "Välj minst en kommun som deltar i scenariot.",
        );
    }
    let mut weights = Weights::default();
    let mut weights_ok = true;
    for p in KeyPart::ALL {
        let raw = d.weight(p);
        let v = if raw.trim().is_empty() {
            Ok(0)
        } else {
            parse_fixed(raw, 2)
        };
        match v {
            Ok(bp) if bp <= 10_000 => match p {
                KeyPart::Employees => weights.employees_bp = bp,
                KeyPart::Inhabitants => weights.inhabitants_bp = bp,
                KeyPart::Use => weights.use_bp = bp,
                KeyPart::Equal => weights.equal_bp = bp,
            },
            Err(ParseError::Negative) => {
                weights_ok = false;
                e.add(
                    p.field(),
                    "negative",
                    format!("Vikten för {} får inte vara negativ.", p.label_sv()),
                );
            }
            _ => {
                weights_ok = false;
                e.add(
                    p.field(),
                    "invalid_weight",
                    format!(
                        "Ange vikten för {} i procent, 0–100, med högst två decimaler.",
                        p.label_sv()
                    ),
                );
            }
        }
    }
    if weights_ok && weights.sum() != 10_000 {
        e.add(
            "weights",
            "weights_sum",
            format!(
                "Vikterna i fördelningsnyckeln summerar till {}; de måste tillsammans bli 100 %.",
                percent_bp(weights.sum())
            ),
        );
    }
    let volume_bp = if d.volume_pct.trim().is_empty() {
        Some(10_000)
    } else {
        parse_fixed(&d.volume_pct, 2)
            .ok()
            .filter(|v| *v <= 1_000_00)
    };
    if volume_bp.is_none() {
        e.add(
            "volume_pct",
            "invalid_volume",
            "Ange förväntad volym i procent av hittillsvarande användning, 0–1 000 (t.ex. 100).",
        );
    }
    let name_of = |id: i64| {
        known
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, n)| n.as_str())
            .unwrap_or("")
    };
    let mut municipalities = Vec::new();
    for (id, _) in known {
        if !chosen.contains(id) {
            continue;
        }
        let hours = match d
            .course_hours
            .get(id)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match parse_fixed(s, 2) {
                Ok(v) if v <= 100_000_000_00 => Some(v),
                Err(ParseError::Negative) => {
                    e.add(
                        &course_hours_field(*id),
                        "negative",
                        format!(
                            "Förväntade deltagartimmar för {} får inte vara negativa.",
                            name_of(*id)
                        ),
                    );
                    None
                }
                _ => {
                    e.add(
                        &course_hours_field(*id),
                        "invalid_hours",
                        format!(
                            "Ange förväntade deltagartimmar per år för {} som ett tal (högst två decimaler), eller lämna tomt för att utgå från hittillsvarande användning.",
                            name_of(*id)
                        ),
                    );
                    None
                }
            },
        };
        let participants = match d
            .participants
            .get(id)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match parse_fixed(s, 0) {
                Ok(v) if v <= 10_000_000 => Some(v),
                Err(ParseError::Negative) => {
                    e.add(
                        &participants_field(*id),
                        "negative",
                        format!(
                            "Förväntat antal deltagare för {} får inte vara negativt.",
                            name_of(*id)
                        ),
                    );
                    None
                }
                _ => {
                    e.add(
                        &participants_field(*id),
                        "invalid_participants",
                        format!(
                            "Ange förväntat antal deltagare per år för {} som ett heltal, eller lämna tomt.",
                            name_of(*id)
                        ),
                    );
                    None
                }
            },
        };
        municipalities.push(ScenarioMunicipality {
            municipality_id: *id,
            course_hours_centi: hours,
            participants,
        });
    }
    match volume_bp {
        Some(volume_bp) if e.is_empty() => Ok(Scenario {
            id: 0,
            name,
            description,
            municipalities,
            weights,
            volume_bp,
        }),
        _ => Err(e),
    }
}

/// Settings as typed in a form, before checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsDraft {
    pub use_from: String,
    pub cofinancing_rate: String,
    pub hours_per_session: String,
}

impl SettingsDraft {
    pub fn from_settings(s: &Settings) -> SettingsDraft {
        SettingsDraft {
            use_from: s.use_from.format("%Y-%m-%d").to_string(),
            cofinancing_rate: format!(
                "{},{:02}",
                s.cofinancing_rate / 100,
                s.cofinancing_rate % 100
            ),
            hours_per_session: s
                .hours_per_session_centi
                .map(|h| number(h as f64 / 100.0, 2).replace(' ', ""))
                .unwrap_or_default(),
        }
    }
}

pub fn check_settings(d: &SettingsDraft, today: NaiveDate) -> Result<Settings, FieldErrors> {
    let mut e = FieldErrors::new();
    let use_from = NaiveDate::parse_from_str(d.use_from.trim(), "%Y-%m-%d").ok();
    match use_from {
        None => e.add(
            "use_from",
            "invalid_date",
            "Ange ett datum som ÅÅÅÅ-MM-DD, t.ex. 2025-01-01.",
        ),
        Some(f) if f > today => e.add(
            "use_from",
            "future_date",
            "Startdatumet kan inte ligga i framtiden.",
        ),
        _ => {}
    }
    let rate = match money::parse_kr(&d.cofinancing_rate) {
        Ok(v) if v <= 100_000_00 => Some(v),
        Err(ParseError::Negative) => {
            e.add(
                "cofinancing_rate",
                "negative",
                "Värdet per deltagartimme får inte vara negativt.",
            );
            None
        }
        _ => {
            e.add(
                "cofinancing_rate",
                "invalid_amount",
                "Ange vad en medfinansierad deltagartimme var värd, i kronor (t.ex. 259,91).",
            );
            None
        }
    };
    let hps = if d.hours_per_session.trim().is_empty() {
        Some(None)
    } else {
        parse_fixed(&d.hours_per_session, 2)
            .ok()
            .filter(|v| *v > 0 && *v <= 100_000_00)
            .map(Some)
    };
    if hps.is_none() {
        e.add(
            "hours_per_session",
            "invalid_hours",
            "Ange deltagartimmar per kurstillfälle som ett tal större än 0, eller lämna tomt för att använda snittet av genomförda kurstillfällen.",
        );
    }
    match (use_from, rate, hps) {
        (Some(use_from), Some(cofinancing_rate), Some(hours_per_session_centi)) if e.is_empty() => {
            Ok(Settings {
                use_from,
                cofinancing_rate,
                hours_per_session_centi,
            })
        }
        _ => Err(e),
    }
}
