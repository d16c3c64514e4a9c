//! Scenarios: which municipalities take part, how much they are expected to
//! use the hub, and the key that splits the yearly cost between them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::lines::{CostLine, Driver, Scaling, Volume};
use super::money::{
    self, div_round, kr, kr_ore, largest_remainder, number, parse_fixed, percent_bp, Ore,
    ParseError,
};
use super::trace::Trace;
use crate::errors::{FieldError, FieldErrors};

/// The parts an allocation key can mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPart {
    Employees,
    Inhabitants,
    Use,
    Equal,
}

impl KeyPart {
    pub const ALL: [KeyPart; 4] = [
        KeyPart::Employees,
        KeyPart::Inhabitants,
        KeyPart::Use,
        KeyPart::Equal,
    ];
    pub fn code(self) -> &'static str {
        match self {
            KeyPart::Employees => "employees",
            KeyPart::Inhabitants => "inhabitants",
            KeyPart::Use => "use",
            KeyPart::Equal => "equal",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            KeyPart::Employees => "antal anställda",
            KeyPart::Inhabitants => "antal invånare",
            KeyPart::Use => "användning (kurstimmar)",
            KeyPart::Equal => "lika delar",
        }
    }
    /// The form and API field that holds this part's weight.
    pub fn field(self) -> &'static str {
        match self {
            KeyPart::Employees => "weight_employees",
            KeyPart::Inhabitants => "weight_inhabitants",
            KeyPart::Use => "weight_use",
            KeyPart::Equal => "weight_equal",
        }
    }
}

/// The weights of an allocation key in basis points (10 000 = 100 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Weights {
    pub employees_bp: i64,
    pub inhabitants_bp: i64,
    pub use_bp: i64,
    pub equal_bp: i64,
}

impl Weights {
    pub fn get(&self, p: KeyPart) -> i64 {
        match p {
            KeyPart::Employees => self.employees_bp,
            KeyPart::Inhabitants => self.inhabitants_bp,
            KeyPart::Use => self.use_bp,
            KeyPart::Equal => self.equal_bp,
        }
    }
    pub fn sum(&self) -> i64 {
        KeyPart::ALL.iter().map(|p| self.get(*p)).sum()
    }
    /// `"50 % antal anställda + 50 % användning (kurstimmar)"`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = KeyPart::ALL
            .iter()
            .filter(|p| self.get(**p) > 0)
            .map(|p| format!("{} {}", percent_bp(self.get(*p)), p.label_sv()))
            .collect();
        parts.join(" + ")
    }
}

/// A participating municipality, optionally with its own expected volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioMunicipality {
    pub municipality_id: i64,
    /// Expected course hours per year, in hundredths; `None` = from actual use.
    pub course_hours_centi: Option<i64>,
    /// Expected participants per year; `None` = from actual use.
    pub participants: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub municipalities: Vec<ScenarioMunicipality>,
    pub weights: Weights,
    /// Expected volume as a share of actual use, in basis points, for the
    /// municipalities without their own figure.
    pub volume_bp: i64,
}

/// Model-wide settings the scenarios share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Actual use and co-financing are counted from this date (the project start).
    pub use_from: NaiveDate,
    /// What one co-financed course hour was worth during the project.
    pub cofinancing_rate: Ore,
    /// Course hours per session in hundredths; `None` = the average of the
    /// sessions held.
    pub hours_per_session_centi: Option<i64>,
}

/// A municipality's registered figures and its actual use in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityFacts {
    pub id: i64,
    pub name: String,
    pub employees: Option<i64>,
    pub inhabitants: Option<i64>,
    pub inhabitants_approx: bool,
    /// Attended course hours (participant hours) in the period.
    pub attended_hours: f64,
    /// Unique people with at least one attended session in the period.
    pub participants: i64,
}

/// Actual use from `from` to `to` (both inclusive), as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actuals {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub municipalities: Vec<MunicipalityFacts>,
    /// Sessions with at least one attended participant in the period.
    pub sessions_held: i64,
}

impl Actuals {
    /// Days in the period, at least one.
    pub fn days(&self) -> i64 {
        ((self.to - self.from).num_days() + 1).max(1)
    }
    pub fn attended_hours_total(&self) -> f64 {
        self.municipalities.iter().map(|m| m.attended_hours).sum()
    }
    pub fn facts(&self, id: i64) -> Option<&MunicipalityFacts> {
        self.municipalities.iter().find(|m| m.id == id)
    }
}

/// Where an expected volume came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeSource {
    /// Entered in the scenario.
    Scenario,
    /// Actual use, per year, times the scenario's volume percentage.
    Actual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineResult {
    pub line_id: i64,
    pub label: String,
    pub kind: String,
    pub kind_label: String,
    pub fixed: bool,
    pub scaling: String,
    pub base_annual: Ore,
    pub annual: Ore,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityResult {
    pub id: i64,
    pub name: String,
    pub employees: Option<i64>,
    pub inhabitants: Option<i64>,
    pub inhabitants_approx: bool,
    /// Expected course hours per year.
    pub course_hours: f64,
    pub course_hours_source: VolumeSource,
    pub participants: f64,
    pub participants_source: VolumeSource,
    /// The share of each key part, in the order of `KeyPart::ALL`.
    pub parts: Vec<(KeyPart, Ore)>,
    pub share: Ore,
    /// The share of the total, 0–1.
    pub fraction: f64,
    pub per_course_hour: Option<Ore>,
    pub per_participant: Option<Ore>,
    pub per_inhabitant: Option<Ore>,
    /// Attended course hours since the project started (co-financing paid in staff time).
    pub cofinancing_hours: f64,
    pub cofinancing_hours_per_year: f64,
    pub cofinancing_value_per_year: Ore,
}

/// What one remaining municipality pays before and after another leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaveChange {
    pub id: i64,
    pub name: String,
    pub before: Ore,
    pub after: Ore,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaveOutcome {
    pub total_before: Ore,
    pub total_after: Ore,
    pub fixed: Ore,
    pub variable_before: Ore,
    pub variable_after: Ore,
    pub leaver_share: Ore,
    pub changes: Vec<LeaveChange>,
}

/// What happens if one municipality leaves the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaveEffect {
    pub leaver_id: i64,
    pub leaver_name: String,
    /// `Err` with a Swedish reason when the rest cannot carry the key
    /// (e.g. none of them has any use to split by).
    pub outcome: Result<LeaveOutcome, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    pub scenario_id: i64,
    pub name: String,
    pub description: String,
    pub weights: Weights,
    pub weights_label: String,
    pub volume_bp: i64,
    pub lines: Vec<LineResult>,
    pub fixed: Ore,
    pub variable: Ore,
    pub total: Ore,
    pub course_hours: f64,
    pub sessions: Option<f64>,
    pub hours_per_session: Option<f64>,
    pub participants: f64,
    /// Sum of the participants' inhabitants; `None` if any lacks a figure.
    pub inhabitants: Option<i64>,
    pub per_course_hour: Option<Ore>,
    pub per_participant: Option<Ore>,
    pub per_inhabitant: Option<Ore>,
    /// Participating municipalities in Swedish alphabetical order.
    pub municipalities: Vec<MunicipalityResult>,
    pub leaving: Vec<LeaveEffect>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub assumptions: Vec<String>,
    pub trace: Trace,
}

impl ScenarioResult {
    pub fn municipality(&self, id: i64) -> Option<&MunicipalityResult> {
        self.municipalities.iter().find(|m| m.id == id)
    }
    pub fn leave(&self, leaver_id: i64) -> Option<&LeaveEffect> {
        self.leaving.iter().find(|l| l.leaver_id == leaver_id)
    }
}

// ---------------------------------------------------------------------------
// Drafts and checks

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
                            "Förväntade kurstimmar för {} får inte vara negativa.",
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
                            "Ange förväntade kurstimmar per år för {} som ett tal (högst två decimaler), eller lämna tomt för att utgå från hittillsvarande användning.",
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
                "Värdet per kurstimme får inte vara negativt.",
            );
            None
        }
        _ => {
            e.add(
                "cofinancing_rate",
                "invalid_amount",
                "Ange vad en medfinansierad kurstimme var värd, i kronor (t.ex. 259,91).",
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
            "Ange kurstimmar per kurstillfälle som ett tal större än 0, eller lämna tomt för att använda snittet av genomförda kurstillfällen.",
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

// ---------------------------------------------------------------------------
// Computation

/// One participating municipality with its expected volume.
#[derive(Debug, Clone)]
struct Member<'a> {
    facts: &'a MunicipalityFacts,
    hours_centi: i64,
    hours_source: VolumeSource,
    participants_centi: i64,
    participants_source: VolumeSource,
}

fn fmt_centi(v: i64) -> String {
    number(v as f64 / 100.0, 2)
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Swedish genitive of a place name: Nora → Noras, Hällefors → Hällefors.
pub fn genitive(name: &str) -> String {
    if name.ends_with(['s', 'x', 'z']) {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

/// "1 kommun", "3 kommuner".
pub fn kommuner(n: usize) -> String {
    if n == 1 {
        "1 kommun".into()
    } else {
        format!("{n} kommuner")
    }
}

/// "A", "A och B", "A, B och C".
pub fn join_sv(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} och {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// Sum of line costs at a volume, or the error naming the setting to fill in.
fn line_costs(lines: &[CostLine], volume: &Volume) -> Result<Vec<Ore>, FieldError> {
    lines
        .iter()
        .map(|l| {
            l.annual(volume).ok_or_else(|| {
                FieldError::new(
                    "hours_per_session",
                    "no_sessions",
                    format!(
                        "Raden ”{}” följer antalet kurstillfällen, men det finns inga genomförda kurstillfällen att räkna ett snitt från. Ange antal kurstimmar per kurstillfälle i kostnadsmodellens inställningar.",
                        l.label
                    ),
                )
            })
        })
        .collect()
}

fn volume_of(members: &[Member], hps_centi: Option<i64>) -> Volume {
    let hours: i64 = members.iter().map(|m| m.hours_centi).sum();
    Volume {
        course_hours_centi: hours,
        sessions_centi: hps_centi.map(|h| div_round(hours as i128 * 100, h as i128) as i64),
    }
}

/// The key values of one part for each member, or the error that says why
/// the part cannot be used.
fn key_values(part: KeyPart, members: &[Member]) -> Result<Vec<i128>, FieldError> {
    let missing = |f: fn(&MunicipalityFacts) -> Option<i64>| -> Vec<String> {
        members
            .iter()
            .filter(|m| f(m.facts).is_none())
            .map(|m| m.facts.name.clone())
            .collect()
    };
    let values: Vec<i128> = match part {
        KeyPart::Employees => {
            let miss = missing(|f| f.employees);
            if !miss.is_empty() {
                return Err(FieldError::new(
                    part.field(),
                    "missing_employees",
                    format!(
                        "Fördelning efter antal anställda kräver antal anställda för varje deltagande kommun; det saknas för {}. Ange det under Kommuner eller sätt vikten till 0.",
                        join_sv(&miss)
                    ),
                ));
            }
            members
                .iter()
                .map(|m| m.facts.employees.unwrap_or(0) as i128)
                .collect()
        }
        KeyPart::Inhabitants => {
            let miss = missing(|f| f.inhabitants);
            if !miss.is_empty() {
                return Err(FieldError::new(
                    part.field(),
                    "missing_inhabitants",
                    format!(
                        "Fördelning efter antal invånare kräver invånartal för varje deltagande kommun; det saknas för {}. Ange det under Kommuner eller sätt vikten till 0.",
                        join_sv(&miss)
                    ),
                ));
            }
            members
                .iter()
                .map(|m| m.facts.inhabitants.unwrap_or(0) as i128)
                .collect()
        }
        KeyPart::Use => members.iter().map(|m| m.hours_centi as i128).collect(),
        KeyPart::Equal => members.iter().map(|_| 1).collect(),
    };
    if values.iter().sum::<i128>() <= 0 {
        let what = match part {
            KeyPart::Employees => "har några anställda registrerade",
            KeyPart::Inhabitants => "har några invånare registrerade",
            KeyPart::Use => "har någon förväntad användning (kurstimmar)",
            KeyPart::Equal => "deltar",
        };
        return Err(FieldError::new(
            part.field(),
            "nothing_to_split_by",
            format!(
                "Ingen av de deltagande kommunerna {what}, så kostnaden kan inte fördelas efter {}. Sätt vikten till 0 eller ange värden.",
                part.label_sv()
            ),
        ));
    }
    Ok(values)
}

/// The result of splitting a total.
struct Allocation {
    part_totals: Vec<(KeyPart, Ore)>,
    /// Per member: each part's amount (order of `part_totals`).
    shares: Vec<Vec<Ore>>,
    values: Vec<Vec<i128>>,
}

impl Allocation {
    fn share(&self, i: usize) -> Ore {
        self.shares[i].iter().sum()
    }
}

/// Split `total` first between the key parts by their weights, then each
/// part between the members by their key values; both by largest remainder.
fn allocate(total: Ore, weights: &Weights, members: &[Member]) -> Result<Allocation, FieldErrors> {
    let mut errors = FieldErrors::new();
    let parts: Vec<KeyPart> = KeyPart::ALL
        .into_iter()
        .filter(|p| weights.get(*p) > 0)
        .collect();
    let mut values = Vec::new();
    for p in &parts {
        match key_values(*p, members) {
            Ok(v) => values.push(v),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let w: Vec<i128> = parts.iter().map(|p| weights.get(*p) as i128).collect();
    let part_amounts = largest_remainder(total, &w).expect("weights sum to 100 %");
    let mut shares = vec![Vec::new(); members.len()];
    for (pi, amount) in part_amounts.iter().enumerate() {
        let split = largest_remainder(*amount, &values[pi]).expect("checked above");
        for (mi, s) in split.into_iter().enumerate() {
            shares[mi].push(s);
        }
    }
    Ok(Allocation {
        part_totals: parts.into_iter().zip(part_amounts).collect(),
        shares,
        values,
    })
}

fn per_unit(amount: Ore, units_centi: i64) -> Option<Ore> {
    (units_centi > 0).then(|| div_round(amount as i128 * 100, units_centi as i128) as Ore)
}

/// Compute a scenario. Errors name the field to fix (a weight whose key
/// figures are missing, or the sessions setting a line needs).
pub fn compute(
    lines: &[CostLine],
    settings: &Settings,
    scenario: &Scenario,
    actuals: &Actuals,
) -> Result<ScenarioResult, FieldErrors> {
    let mut errors = FieldErrors::new();
    if scenario.municipalities.is_empty() {
        errors.add(
            "municipalities",
            "no_municipality",
            "Välj minst en kommun som deltar i scenariot.",
        );
        return Err(errors);
    }
    if scenario.weights.sum() != 10_000 {
        errors.add(
            "weights",
            "weights_sum",
            format!(
                "Vikterna i fördelningsnyckeln summerar till {}; de måste tillsammans bli 100 %.",
                percent_bp(scenario.weights.sum())
            ),
        );
        return Err(errors);
    }
    let days = actuals.days() as i128;
    let annualise = |v: f64| -> i64 { div_round((v * 100.0).round() as i128 * 365, days) as i64 };
    let mut members: Vec<Member> = Vec::new();
    for sm in &scenario.municipalities {
        let Some(facts) = actuals.facts(sm.municipality_id) else {
            errors.add(
                "municipalities",
                "unknown_municipality",
                format!("Okänd kommun (id {}).", sm.municipality_id),
            );
            continue;
        };
        let scale = |per_year_centi: i64| {
            div_round(per_year_centi as i128 * scenario.volume_bp as i128, 10_000) as i64
        };
        let (hours_centi, hours_source) = match sm.course_hours_centi {
            Some(h) => (h, VolumeSource::Scenario),
            None => (scale(annualise(facts.attended_hours)), VolumeSource::Actual),
        };
        let (participants_centi, participants_source) = match sm.participants {
            Some(p) => (p * 100, VolumeSource::Scenario),
            None => (
                scale(annualise(facts.participants as f64)),
                VolumeSource::Actual,
            ),
        };
        members.push(Member {
            facts,
            hours_centi,
            hours_source,
            participants_centi,
            participants_source,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    members.sort_by(|a, b| crate::collation::swedish_cmp(&a.facts.name, &b.facts.name));

    let attended_total = actuals.attended_hours_total();
    let hps_centi = settings.hours_per_session_centi.or_else(|| {
        (actuals.sessions_held > 0 && attended_total > 0.0)
            .then(|| {
                div_round(
                    (attended_total * 100.0).round() as i128,
                    actuals.sessions_held as i128,
                ) as i64
            })
            .filter(|h| *h > 0)
    });
    let volume = volume_of(&members, hps_centi);
    let costs = line_costs(lines, &volume).map_err(|e| FieldErrors(vec![e]))?;
    let total: Ore = costs.iter().sum();
    let fixed: Ore = lines
        .iter()
        .zip(&costs)
        .filter(|(l, _)| l.scaling.is_fixed())
        .map(|(_, c)| c)
        .sum();
    let variable = total - fixed;
    let alloc = allocate(total, &scenario.weights, &members)?;

    let mut trace = Trace::default();
    let period = format!("{}–{}", fmt_date(actuals.from), fmt_date(actuals.to));
    let days_i = actuals.days();
    let volume_pct = percent_bp(scenario.volume_bp);

    // Volume figures.
    for m in &members {
        let f = m.facts;
        let key = format!("hours-{}", f.id);
        let label = format!("Förväntade kurstimmar per år, {}", f.name);
        match m.hours_source {
            VolumeSource::Scenario => {
                trace
                    .add(key, label, fmt_centi(m.hours_centi), "angivet i scenariot")
                    .input("Kurstimmar per år", fmt_centi(m.hours_centi), "scenariot");
            }
            VolumeSource::Actual => {
                trace
                    .add(
                        key,
                        label,
                        fmt_centi(m.hours_centi),
                        format!(
                            "{} kurstimmar med närvaro under {period} × 365 ÷ {days_i} dagar × {volume_pct} = {}",
                            number(f.attended_hours, 2),
                            fmt_centi(m.hours_centi)
                        ),
                    )
                    .input(
                        "Kurstimmar med närvaro (deltagartimmar)",
                        number(f.attended_hours, 2),
                        format!("närvaroregistrerade kurstillfällen {period}"),
                    )
                    .input("Dagar i perioden", days_i.to_string(), "kostnadsmodellens startdatum till i dag")
                    .input("Volym i procent av hittillsvarande användning", volume_pct.clone(), "scenariot");
            }
        }
        let key = format!("participants-{}", f.id);
        let label = format!("Förväntade deltagare per år, {}", f.name);
        match m.participants_source {
            VolumeSource::Scenario => {
                trace
                    .add(
                        key,
                        label,
                        fmt_centi(m.participants_centi),
                        "angivet i scenariot",
                    )
                    .input(
                        "Deltagare per år",
                        fmt_centi(m.participants_centi),
                        "scenariot",
                    );
            }
            VolumeSource::Actual => {
                trace
                    .add(
                        key,
                        label,
                        fmt_centi(m.participants_centi),
                        format!(
                            "{} unika deltagare under {period} × 365 ÷ {days_i} dagar × {volume_pct} = {} (ungefärligt: en person som deltar flera år räknas en gång)",
                            f.participants,
                            fmt_centi(m.participants_centi)
                        ),
                    )
                    .input(
                        "Unika deltagare med närvaro",
                        f.participants.to_string(),
                        format!("närvaroregistrerade kurstillfällen {period}"),
                    );
            }
        }
    }
    {
        let fig = trace.add(
            "volume-hours",
            "Förväntade kurstimmar per år, alla deltagande kommuner",
            fmt_centi(volume.course_hours_centi),
            "summan av kommunernas förväntade kurstimmar",
        );
        for m in &members {
            fig.input_figure(
                m.facts.name.clone(),
                fmt_centi(m.hours_centi),
                format!("hours-{}", m.facts.id),
            );
        }
    }
    match (settings.hours_per_session_centi, hps_centi) {
        (Some(h), _) => {
            trace
                .add(
                    "hours-per-session",
                    "Kurstimmar per kurstillfälle",
                    fmt_centi(h),
                    "angivet i kostnadsmodellens inställningar",
                )
                .input(
                    "Kurstimmar per kurstillfälle",
                    fmt_centi(h),
                    "kostnadsmodellens inställningar",
                );
        }
        (None, Some(h)) => {
            trace
                .add(
                    "hours-per-session",
                    "Kurstimmar per kurstillfälle",
                    fmt_centi(h),
                    format!(
                        "{} kurstimmar med närvaro ÷ {} genomförda kurstillfällen under {period} = {}",
                        number(attended_total, 2),
                        actuals.sessions_held,
                        fmt_centi(h)
                    ),
                )
                .input("Kurstimmar med närvaro, alla kommuner", number(attended_total, 2), format!("närvaro {period}"))
                .input("Genomförda kurstillfällen med närvaro", actuals.sessions_held.to_string(), format!("kurstillfällen {period}"));
        }
        (None, None) => {}
    }
    if let (Some(s), Some(h)) = (volume.sessions_centi, hps_centi) {
        trace
            .add(
                "volume-sessions",
                "Förväntade kurstillfällen per år",
                fmt_centi(s),
                format!(
                    "{} kurstimmar ÷ {} kurstimmar per kurstillfälle = {}",
                    fmt_centi(volume.course_hours_centi),
                    fmt_centi(h),
                    fmt_centi(s)
                ),
            )
            .input_figure(
                "Förväntade kurstimmar per år",
                fmt_centi(volume.course_hours_centi),
                "volume-hours",
            )
            .input_figure(
                "Kurstimmar per kurstillfälle",
                fmt_centi(h),
                "hours-per-session",
            );
    }
    let participants_centi: i64 = members.iter().map(|m| m.participants_centi).sum();
    {
        let fig = trace.add(
            "volume-participants",
            "Förväntade deltagare per år, alla deltagande kommuner",
            fmt_centi(participants_centi),
            "summan av kommunernas förväntade deltagare",
        );
        for m in &members {
            fig.input_figure(
                m.facts.name.clone(),
                fmt_centi(m.participants_centi),
                format!("participants-{}", m.facts.id),
            );
        }
    }

    // Lines.
    let mut line_results = Vec::new();
    for (i, (l, cost)) in lines.iter().zip(&costs).enumerate() {
        let key = format!("line-{}", if l.id != 0 { l.id } else { i as i64 + 1 });
        let fig = trace.add(
            key.clone(),
            format!("Kostnadsrad: {}", l.label),
            kr(*cost),
            format!("{}; {}", l.base_formula(), l.scaling_formula(&volume)),
        );
        fig.input("Kostnadsslag", l.kind.label_sv(), "kostnadsmodellen");
        fig.input("Beräkningssätt", l.basis.label_sv(), "kostnadsmodellen");
        fig.input(
            "Belopp före volymanpassning",
            kr(l.base_annual()),
            "kostnadsmodellen",
        );
        if let Scaling::PerVolume { driver, .. } = l.scaling {
            match driver {
                Driver::CourseHours => fig.input_figure(
                    "Förväntade kurstimmar per år",
                    fmt_centi(volume.course_hours_centi),
                    "volume-hours",
                ),
                Driver::Sessions => fig.input_figure(
                    "Förväntade kurstillfällen per år",
                    volume.sessions_centi.map(fmt_centi).unwrap_or_default(),
                    "volume-sessions",
                ),
            };
        }
        if !l.note.is_empty() {
            fig.input("Anteckning", l.note.clone(), "kostnadsmodellen");
        }
        line_results.push(LineResult {
            line_id: l.id,
            label: l.label.clone(),
            kind: l.kind.code().into(),
            kind_label: l.kind.label_sv().into(),
            fixed: l.scaling.is_fixed(),
            scaling: l.scaling.describe(),
            base_annual: l.base_annual(),
            annual: *cost,
            key,
        });
    }
    for (key, label, amount, fixed_lines) in [
        ("fixed", "Fasta kostnader per år", fixed, true),
        ("variable", "Rörliga kostnader per år", variable, false),
    ] {
        let fig = trace.add(
            key,
            label,
            kr(amount),
            if fixed_lines {
                "summan av de fasta raderna; de ändras inte med volymen eller med vilka kommuner som deltar"
            } else {
                "summan av de rader som följer volymen (kurstimmar eller kurstillfällen)"
            },
        );
        for lr in line_results.iter().filter(|r| r.fixed == fixed_lines) {
            fig.input_figure(lr.label.clone(), kr(lr.annual), lr.key.clone());
        }
    }
    trace
        .add(
            "total",
            "Total kostnad per år",
            kr(total),
            "fasta kostnader + rörliga kostnader",
        )
        .input_figure("Fasta kostnader", kr(fixed), "fixed")
        .input_figure("Rörliga kostnader", kr(variable), "variable");

    // Key parts.
    for (pi, (part, amount)) in alloc.part_totals.iter().enumerate() {
        let fig = trace.add(
            format!("part-{}", part.code()),
            format!("Del som fördelas efter {}", part.label_sv()),
            kr(*amount),
            format!(
                "{} × {} = {} (delarna avrundas med största-rest-metoden så att de blir exakt totalen)",
                percent_bp(scenario.weights.get(*part)),
                kr(total),
                kr(*amount)
            ),
        );
        fig.input_figure("Total kostnad per år", kr(total), "total")
            .input(
                format!("Vikt för {}", part.label_sv()),
                percent_bp(scenario.weights.get(*part)),
                "scenariots fördelningsnyckel",
            );
        let _ = pi;
    }

    // Municipalities.
    let inhabitants_all: Option<i64> = members.iter().map(|m| m.facts.inhabitants).sum();
    let mut results = Vec::new();
    for (mi, m) in members.iter().enumerate() {
        let f = m.facts;
        let share = alloc.share(mi);
        let mut formula_parts = Vec::new();
        for (pi, (part, amount)) in alloc.part_totals.iter().enumerate() {
            let v = alloc.values[pi][mi];
            let sum: i128 = alloc.values[pi].iter().sum();
            let exact_ore = *amount as f64 * v as f64 / sum as f64;
            let shown = |x: i128| match part {
                KeyPart::Use => fmt_centi(x as i64),
                _ => money::group_thousands(x),
            };
            formula_parts.push(format!(
                "{}: {} × {} ÷ {} = {} kr → {}",
                part.label_sv(),
                kr(*amount),
                shown(v),
                shown(sum),
                number(exact_ore / 100.0, 4),
                kr_ore(alloc.shares[mi][pi])
            ));
        }
        let fig = trace.add(
            format!("share-{}", f.id),
            format!("{} betalar per år", f.name),
            kr(share),
            format!(
                "{}; summa {} (varje del avrundad till hela ören med största-rest-metoden)",
                formula_parts.join("; "),
                kr(share)
            ),
        );
        for (pi, (part, amount)) in alloc.part_totals.iter().enumerate() {
            fig.input_figure(
                format!("Del efter {}", part.label_sv()),
                kr(*amount),
                format!("part-{}", part.code()),
            );
            let v = alloc.values[pi][mi];
            match part {
                KeyPart::Employees => {
                    fig.input(
                        format!("Anställda i {}", f.name),
                        money::group_thousands(v),
                        "kommunregistret",
                    );
                }
                KeyPart::Inhabitants => {
                    fig.input(
                        format!("Invånare i {}", f.name),
                        money::group_thousands(v),
                        if f.inhabitants_approx {
                            "kommunregistret (ungefärligt värde, endast för demo)"
                        } else {
                            "kommunregistret"
                        },
                    );
                }
                KeyPart::Use => {
                    fig.input_figure(
                        format!("Förväntade kurstimmar, {}", f.name),
                        fmt_centi(m.hours_centi),
                        format!("hours-{}", f.id),
                    );
                }
                KeyPart::Equal => {
                    fig.input(
                        "Antal deltagande kommuner",
                        members.len().to_string(),
                        "scenariot",
                    );
                }
            }
        }
        let per_course_hour = per_unit(share, m.hours_centi);
        let per_participant = per_unit(share, m.participants_centi);
        let per_inhabitant = f.inhabitants.and_then(|i| per_unit(share, i * 100));
        if let Some(v) = per_course_hour {
            trace
                .add(
                    format!("per-hour-{}", f.id),
                    format!("{}: kostnad per kurstimme", f.name),
                    kr_ore(v),
                    format!(
                        "{} ÷ {} kurstimmar = {}",
                        kr(share),
                        fmt_centi(m.hours_centi),
                        kr_ore(v)
                    ),
                )
                .input_figure(
                    format!("{} betalar per år", f.name),
                    kr(share),
                    format!("share-{}", f.id),
                )
                .input_figure(
                    "Förväntade kurstimmar per år",
                    fmt_centi(m.hours_centi),
                    format!("hours-{}", f.id),
                );
        }
        if let Some(v) = per_participant {
            trace
                .add(
                    format!("per-participant-{}", f.id),
                    format!("{}: kostnad per deltagare", f.name),
                    kr_ore(v),
                    format!(
                        "{} ÷ {} deltagare = {}",
                        kr(share),
                        fmt_centi(m.participants_centi),
                        kr_ore(v)
                    ),
                )
                .input_figure(
                    format!("{} betalar per år", f.name),
                    kr(share),
                    format!("share-{}", f.id),
                )
                .input_figure(
                    "Förväntade deltagare per år",
                    fmt_centi(m.participants_centi),
                    format!("participants-{}", f.id),
                );
        }
        if let (Some(v), Some(inh)) = (per_inhabitant, f.inhabitants) {
            trace
                .add(
                    format!("per-inhabitant-{}", f.id),
                    format!("{}: kostnad per invånare", f.name),
                    kr_ore(v),
                    format!(
                        "{} ÷ {} invånare = {}",
                        kr(share),
                        money::group_thousands(inh as i128),
                        kr_ore(v)
                    ),
                )
                .input_figure(
                    format!("{} betalar per år", f.name),
                    kr(share),
                    format!("share-{}", f.id),
                )
                .input(
                    "Invånare",
                    money::group_thousands(inh as i128),
                    if f.inhabitants_approx {
                        "kommunregistret (ungefärligt värde, endast för demo)"
                    } else {
                        "kommunregistret"
                    },
                );
        }
        let cof_per_year_centi = annualise(f.attended_hours);
        let cof_value = div_round(
            cof_per_year_centi as i128 * settings.cofinancing_rate as i128,
            100,
        ) as Ore;
        trace
            .add(
                format!("cofinancing-{}", f.id),
                format!("{}: medfinansiering under projektet, värde per år", f.name),
                kr(cof_value),
                format!(
                    "{} kurstimmar med närvaro under {period} (arbetstid som medfinansiering) × 365 ÷ {days_i} dagar = {} per år × {} per kurstimme = {}",
                    number(f.attended_hours, 2),
                    fmt_centi(cof_per_year_centi),
                    kr_ore(settings.cofinancing_rate),
                    kr(cof_value)
                ),
            )
            .input("Kurstimmar med närvaro", number(f.attended_hours, 2), format!("närvaroregistrerade kurstillfällen {period}"))
            .input("Värde per medfinansierad kurstimme", kr_ore(settings.cofinancing_rate), "kostnadsmodellens inställningar");
        results.push(MunicipalityResult {
            id: f.id,
            name: f.name.clone(),
            employees: f.employees,
            inhabitants: f.inhabitants,
            inhabitants_approx: f.inhabitants_approx,
            course_hours: m.hours_centi as f64 / 100.0,
            course_hours_source: m.hours_source,
            participants: m.participants_centi as f64 / 100.0,
            participants_source: m.participants_source,
            parts: alloc
                .part_totals
                .iter()
                .enumerate()
                .map(|(pi, (p, _))| (*p, alloc.shares[mi][pi]))
                .collect(),
            share,
            fraction: if total > 0 {
                share as f64 / total as f64
            } else {
                0.0
            },
            per_course_hour,
            per_participant,
            per_inhabitant,
            cofinancing_hours: f.attended_hours,
            cofinancing_hours_per_year: cof_per_year_centi as f64 / 100.0,
            cofinancing_value_per_year: cof_value,
        });
    }
    let per_course_hour = per_unit(total, volume.course_hours_centi);
    let per_participant = per_unit(total, participants_centi);
    let per_inhabitant = inhabitants_all.and_then(|i| per_unit(total, i * 100));
    if let Some(v) = per_course_hour {
        trace
            .add(
                "per-hour",
                "Kostnad per kurstimme",
                kr_ore(v),
                format!(
                    "{} ÷ {} kurstimmar = {}",
                    kr(total),
                    fmt_centi(volume.course_hours_centi),
                    kr_ore(v)
                ),
            )
            .input_figure("Total kostnad per år", kr(total), "total")
            .input_figure(
                "Förväntade kurstimmar per år",
                fmt_centi(volume.course_hours_centi),
                "volume-hours",
            );
    }
    if let Some(v) = per_participant {
        trace
            .add(
                "per-participant",
                "Kostnad per deltagare",
                kr_ore(v),
                format!(
                    "{} ÷ {} deltagare = {}",
                    kr(total),
                    fmt_centi(participants_centi),
                    kr_ore(v)
                ),
            )
            .input_figure("Total kostnad per år", kr(total), "total")
            .input_figure(
                "Förväntade deltagare per år",
                fmt_centi(participants_centi),
                "volume-participants",
            );
    }
    if let (Some(v), Some(inh)) = (per_inhabitant, inhabitants_all) {
        trace
            .add(
                "per-inhabitant",
                "Kostnad per invånare",
                kr_ore(v),
                format!(
                    "{} ÷ {} invånare i de deltagande kommunerna = {}",
                    kr(total),
                    money::group_thousands(inh as i128),
                    kr_ore(v)
                ),
            )
            .input_figure("Total kostnad per år", kr(total), "total")
            .input(
                "Invånare, summa",
                money::group_thousands(inh as i128),
                "kommunregistret",
            );
    }

    // Leaving.
    let mut leaving = Vec::new();
    if members.len() >= 2 {
        for (li, leaver) in members.iter().enumerate() {
            let rest: Vec<Member> = members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != li)
                .map(|(_, m)| m.clone())
                .collect();
            let outcome = leave_outcome(
                lines,
                &scenario.weights,
                &rest,
                hps_centi,
                leaver,
                &results,
                total,
                fixed,
                variable,
            );
            leaving.push(LeaveEffect {
                leaver_id: leaver.facts.id,
                leaver_name: leaver.facts.name.clone(),
                outcome,
            });
        }
    }

    let assumptions = assumptions(
        lines, settings, scenario, actuals, &members, hps_centi, &volume, fixed, variable,
    );
    Ok(ScenarioResult {
        scenario_id: scenario.id,
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        weights: scenario.weights,
        weights_label: scenario.weights.describe(),
        volume_bp: scenario.volume_bp,
        lines: line_results,
        fixed,
        variable,
        total,
        course_hours: volume.course_hours_centi as f64 / 100.0,
        sessions: volume.sessions_centi.map(|s| s as f64 / 100.0),
        hours_per_session: hps_centi.map(|h| h as f64 / 100.0),
        participants: participants_centi as f64 / 100.0,
        inhabitants: inhabitants_all,
        per_course_hour,
        per_participant,
        per_inhabitant,
        municipalities: results,
        leaving,
        period_from: actuals.from,
        period_to: actuals.to,
        assumptions,
        trace,
    })
}

#[allow(clippy::too_many_arguments)]
fn leave_outcome(
    lines: &[CostLine],
    weights: &Weights,
    rest: &[Member],
    hps_centi: Option<i64>,
    leaver: &Member,
    before: &[MunicipalityResult],
    total_before: Ore,
    fixed: Ore,
    variable_before: Ore,
) -> Result<LeaveOutcome, String> {
    let volume = volume_of(rest, hps_centi);
    let costs = line_costs(lines, &volume).map_err(|e| e.message)?;
    let total_after: Ore = costs.iter().sum();
    let variable_after = total_after - fixed;
    let alloc = allocate(total_after, weights, rest).map_err(|e| {
        e.0.iter()
            .map(|x| x.message.clone())
            .collect::<Vec<_>>()
            .join(" ")
    })?;
    let leaver_name = &leaver.facts.name;
    let leaver_share = before
        .iter()
        .find(|r| r.id == leaver.facts.id)
        .map(|r| r.share)
        .unwrap_or(0);
    let n_rest = rest.len();
    let mut changes = Vec::new();
    for (i, m) in rest.iter().enumerate() {
        let b = before
            .iter()
            .find(|r| r.id == m.facts.id)
            .map(|r| r.share)
            .unwrap_or(0);
        let a = alloc.share(i);
        let delta = a - b;
        let verb = if delta > 0 {
            format!("{} mer", kr(delta))
        } else if delta < 0 {
            format!("{} mindre", kr(-delta))
        } else {
            "lika mycket".into()
        };
        let rest_phrase = if n_rest == 1 {
            format!("får bäras av {} ensam", m.facts.name)
        } else {
            format!("fördelas på de {n_rest} kommuner som är kvar")
        };
        let mut why = vec![format!(
            "{} andel på {} {rest_phrase}",
            genitive(leaver_name),
            kr(leaver_share)
        )];
        if fixed > 0 {
            why.push(format!("de fasta kostnaderna ({}) minskar inte", kr(fixed)));
        }
        if variable_before != variable_after {
            why.push(format!(
                "de rörliga kostnaderna minskar med {} när {} {} kurstimmar per år försvinner",
                kr(variable_before - variable_after),
                genitive(leaver_name),
                fmt_centi(leaver.hours_centi)
            ));
        }
        let explanation = format!(
            "Om {leaver_name} lämnar betalar {} {verb} per år ({} i stället för {}), eftersom {}.",
            m.facts.name,
            kr(a),
            kr(b),
            join_sv(&why)
        );
        changes.push(LeaveChange {
            id: m.facts.id,
            name: m.facts.name.clone(),
            before: b,
            after: a,
            explanation,
        });
    }
    Ok(LeaveOutcome {
        total_before,
        total_after,
        fixed,
        variable_before,
        variable_after,
        leaver_share,
        changes,
    })
}

#[allow(clippy::too_many_arguments)]
fn assumptions(
    lines: &[CostLine],
    settings: &Settings,
    scenario: &Scenario,
    actuals: &Actuals,
    members: &[Member],
    hps_centi: Option<i64>,
    volume: &Volume,
    fixed: Ore,
    variable: Ore,
) -> Vec<String> {
    let period = format!("{}–{}", fmt_date(actuals.from), fmt_date(actuals.to));
    let mut a = vec![
        format!(
            "Kostnadsmodellen har {} rader: fasta kostnader {} per år och rörliga kostnader {} per år vid {} kurstimmar.",
            lines.len(),
            kr(fixed),
            kr(variable),
            fmt_centi(volume.course_hours_centi)
        ),
        "Rörliga kostnader följer volymen i proportion (kurstimmar eller kurstillfällen); fasta kostnader är desamma oavsett volym och hur många kommuner som deltar.".to_string(),
        format!("Fördelningsnyckel: {}.", scenario.weights.describe()),
    ];
    let from_actual = members
        .iter()
        .filter(|m| m.hours_source == VolumeSource::Actual)
        .count();
    if from_actual > 0 {
        a.push(format!(
            "Förväntad volym för {} av {} kommuner: närvaroregistrerade kurstimmar under {period} ({} dagar) omräknade till helår × {}.",
            from_actual,
            members.len(),
            actuals.days(),
            percent_bp(scenario.volume_bp)
        ));
    }
    let own: Vec<String> = members
        .iter()
        .filter(|m| m.hours_source == VolumeSource::Scenario)
        .map(|m| m.facts.name.clone())
        .collect();
    if !own.is_empty() {
        a.push(format!(
            "Förväntade kurstimmar angivna i scenariot för {}.",
            join_sv(&own)
        ));
    }
    match (settings.hours_per_session_centi, hps_centi) {
        (Some(h), _) => a.push(format!(
            "Kurstimmar per kurstillfälle: {} (angivet).",
            fmt_centi(h)
        )),
        (None, Some(h)) => a.push(format!(
            "Kurstimmar per kurstillfälle: {} (snitt för genomförda kurstillfällen {period}).",
            fmt_centi(h)
        )),
        (None, None) => {}
    }
    if scenario.weights.employees_bp > 0 {
        a.push("Antal anställda hämtas från kommunregistret i Navet.".into());
    }
    let approx: Vec<String> = members
        .iter()
        .filter(|m| m.facts.inhabitants_approx && m.facts.inhabitants.is_some())
        .map(|m| m.facts.name.clone())
        .collect();
    if !approx.is_empty() {
        a.push(format!(
            "Invånartalen för {} är ungefärliga värden för demo, inte officiell statistik.",
            join_sv(&approx)
        ));
    }
    a.push(format!(
        "Medfinansieringen under projektet är närvaroregistrerade kurstimmar sedan {} (arbetstid), värderade till {} per kurstimme.",
        fmt_date(settings.use_from),
        kr_ore(settings.cofinancing_rate)
    ));
    a.push("Avrundning: varje kostnadsrad avrundas till hela ören (avrundning från noll vid exakt hälften); totalen delas först mellan nyckelns delar och sedan mellan kommunerna med största-rest-metoden, så att kommunernas andelar summerar exakt till totalen.".into());
    a
}
