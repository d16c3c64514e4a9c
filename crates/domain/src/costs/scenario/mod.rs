//! Scenarios: which municipalities take part, how much they are expected to
//! use the hub, and the key that splits the yearly cost between them.
//!
//! [`compute`] runs in named steps, each in its own module:
//! `volumes` (expected use and line costs), `allocation` (the key's split),
//! `explain` and `shares` (results with their trace), `leaving` (each
//! municipality leaving) and `assumptions`; `drafts` checks input.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::lines::CostLine;
use super::money::{percent_bp, Ore};
use super::trace::Trace;
use crate::errors::FieldErrors;

mod allocation;
mod assumptions;
mod drafts;
mod explain;
mod leaving;
mod shares;
mod volumes;
mod words;

pub use drafts::{
    check_scenario, check_settings, course_hours_field, participants_field, ScenarioDraft,
    SettingsDraft,
};
pub use words::{genitive, join_sv, kommuner};

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
            KeyPart::Use => "användning (deltagartimmar)",
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
    /// `"50 % antal anställda + 50 % användning (deltagartimmar)"`.
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
    /// The co-financing in the period valued at the unit costs (the
    /// funding page's figure), or None when no unit cost is recorded and
    /// the settings' value per participant hour is used instead.
    #[serde(default)]
    pub cofinancing_value: Option<Ore>,
}

/// Actual use from `from` to `to` (both inclusive), as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actuals {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub municipalities: Vec<MunicipalityFacts>,
    /// Sessions with at least one attended participant in the period.
    pub sessions_held: i64,
    /// How `cofinancing_value` was valued (the rounding rule), when it was.
    #[serde(default)]
    pub cofinancing_valuation: Option<String>,
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

/// Compute a scenario. Errors name the field to fix (a weight whose key
/// figures are missing, or the sessions setting a line needs).
pub fn compute(
    lines: &[CostLine],
    settings: &Settings,
    scenario: &Scenario,
    actuals: &Actuals,
) -> Result<ScenarioResult, FieldErrors> {
    compute_to(lines, settings, scenario, actuals, Depth::WithLeaving)
}

/// How much of a scenario to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Everything, the effect of each participant leaving included.
    WithLeaving,
    /// Everything but the leaving effects (`leaving` is empty): they
    /// recompute the scenario once per participant, which at national
    /// scale (290) costs 400 ms, and lists and comparisons do not show them.
    WithoutLeaving,
}

/// [`compute`] to the given depth.
pub fn compute_to(
    lines: &[CostLine],
    settings: &Settings,
    scenario: &Scenario,
    actuals: &Actuals,
    depth: Depth,
) -> Result<ScenarioResult, FieldErrors> {
    check_key(scenario)?;
    let b = volumes::Basis::new(lines, settings, scenario, actuals)?;
    let alloc = allocation::allocate(b.totals.total, &scenario.weights, &b.members)?;

    let mut trace = Trace::default();
    explain::volumes(&mut trace, &b);
    let line_results = explain::lines(&mut trace, &b);
    explain::key_parts(&mut trace, &b, &alloc);
    let municipalities = shares::municipalities(&mut trace, &b, &alloc);
    let overall = shares::per_unit_overall(&mut trace, &b);
    let leaving = match depth {
        Depth::WithLeaving => leaving::effects(&b, &municipalities),
        Depth::WithoutLeaving => vec![],
    };
    let assumptions = assumptions::assumptions(&b);

    Ok(ScenarioResult {
        scenario_id: scenario.id,
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        weights: scenario.weights,
        weights_label: scenario.weights.describe(),
        volume_bp: scenario.volume_bp,
        lines: line_results,
        fixed: b.totals.fixed,
        variable: b.totals.variable,
        total: b.totals.total,
        course_hours: b.volume.course_hours_centi as f64 / 100.0,
        sessions: b.volume.sessions_centi.map(|s| s as f64 / 100.0),
        hours_per_session: b.hps_centi.map(|h| h as f64 / 100.0),
        participants: b.participants_centi as f64 / 100.0,
        inhabitants: b.inhabitants_all,
        per_course_hour: overall.per_course_hour,
        per_participant: overall.per_participant,
        per_inhabitant: overall.per_inhabitant,
        municipalities,
        leaving,
        period_from: actuals.from,
        period_to: actuals.to,
        assumptions,
        trace,
    })
}

/// At least one municipality, and weights that add up to 100 %.
fn check_key(scenario: &Scenario) -> Result<(), FieldErrors> {
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
    Ok(())
}
