//! What the cost API answers with for computed results and comparisons:
//! amounts in öre, each figure with its trace key.

use domain::costs::scenario::VolumeSource;
use domain::costs::{Comparison, ScenarioResult};
use serde::Serialize;
use utoipa::ToSchema;

use super::WeightsIo;

#[derive(Serialize, ToSchema)]
pub struct LineResultOut {
    pub line_id: i64,
    pub label: String,
    pub kind: String,
    pub fixed: bool,
    pub annual_ore: i64,
    /// Key of the figure in `trace`.
    pub trace_key: String,
}

#[derive(Serialize, ToSchema)]
pub struct KeyPartOut {
    /// employees, inhabitants, use, equal
    pub part: String,
    pub amount_ore: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityResultOut {
    pub id: i64,
    pub name: String,
    pub share_ore: i64,
    /// Share of the total, 0–1.
    pub fraction: f64,
    pub parts: Vec<KeyPartOut>,
    /// Expected participant hours per year (deltagartimmar).
    pub participant_hours: f64,
    /// The same as `participant_hours` under its old name.
    pub course_hours: f64,
    /// "scenario" (entered) or "actual" (actual use per year × volume_pct)
    pub course_hours_source: String,
    pub participants: f64,
    /// Cost per participant hour.
    pub per_participant_hour_ore: Option<i64>,
    /// The same as `per_participant_hour_ore` under its old name.
    pub per_course_hour_ore: Option<i64>,
    pub per_participant_ore: Option<i64>,
    pub per_inhabitant_ore: Option<i64>,
    pub employees: Option<i64>,
    pub inhabitants: Option<i64>,
    /// True when the inhabitant figure is an approximate demo value.
    pub inhabitants_approx: bool,
    /// Participant hours since the project start (co-financing in staff time).
    pub cofinancing_hours: f64,
    pub cofinancing_hours_per_year: f64,
    pub cofinancing_value_per_year_ore: i64,
}

#[derive(Serialize, ToSchema)]
pub struct LeaveChangeOut {
    pub municipality_id: i64,
    pub municipality: String,
    pub before_ore: i64,
    pub after_ore: i64,
    pub explanation: String,
}

#[derive(Serialize, ToSchema)]
pub struct LeaveOut {
    pub municipality_id: i64,
    pub municipality: String,
    /// Why the rest cannot carry the key, when they cannot.
    pub error: Option<String>,
    pub leaver_share_ore: Option<i64>,
    pub total_after_ore: Option<i64>,
    pub changes: Vec<LeaveChangeOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TraceInputOut {
    pub label: String,
    pub value: String,
    /// Another figure's key when the input was itself computed.
    pub key: Option<String>,
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct FigureOut {
    pub key: String,
    pub label: String,
    pub value: String,
    pub formula: String,
    pub inputs: Vec<TraceInputOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ResultOut {
    pub scenario_id: i64,
    pub name: String,
    pub weights: WeightsIo,
    pub total_ore: i64,
    pub fixed_ore: i64,
    pub variable_ore: i64,
    /// Expected participant hours per year (deltagartimmar).
    pub participant_hours: f64,
    /// The same as `participant_hours` under its old name.
    pub course_hours: f64,
    pub sessions: Option<f64>,
    pub participants: f64,
    /// Cost per participant hour.
    pub per_participant_hour_ore: Option<i64>,
    /// The same as `per_participant_hour_ore` under its old name.
    pub per_course_hour_ore: Option<i64>,
    pub per_participant_ore: Option<i64>,
    pub per_inhabitant_ore: Option<i64>,
    /// Actual use is counted from this date …
    pub period_from: String,
    /// … to this date.
    pub period_to: String,
    pub lines: Vec<LineResultOut>,
    pub municipalities: Vec<MunicipalityResultOut>,
    pub leaving: Vec<LeaveOut>,
    pub assumptions: Vec<String>,
    /// How every figure was computed.
    pub trace: Vec<FigureOut>,
}

fn weights_io(r: &ScenarioResult) -> WeightsIo {
    WeightsIo {
        employees: r.weights.employees_bp as f64 / 100.0,
        inhabitants: r.weights.inhabitants_bp as f64 / 100.0,
        use_: r.weights.use_bp as f64 / 100.0,
        equal: r.weights.equal_bp as f64 / 100.0,
    }
}

impl From<&ScenarioResult> for ResultOut {
    fn from(r: &ScenarioResult) -> Self {
        ResultOut {
            scenario_id: r.scenario_id,
            name: r.name.clone(),
            weights: weights_io(r),
            total_ore: r.total,
            fixed_ore: r.fixed,
            variable_ore: r.variable,
            participant_hours: r.course_hours,
            course_hours: r.course_hours,
            sessions: r.sessions,
            participants: r.participants,
            per_participant_hour_ore: r.per_course_hour,
            per_course_hour_ore: r.per_course_hour,
            per_participant_ore: r.per_participant,
            per_inhabitant_ore: r.per_inhabitant,
            period_from: r.period_from.format("%Y-%m-%d").to_string(),
            period_to: r.period_to.format("%Y-%m-%d").to_string(),
            lines: r
                .lines
                .iter()
                .map(|l| LineResultOut {
                    line_id: l.line_id,
                    label: l.label.clone(),
                    kind: l.kind.clone(),
                    fixed: l.fixed,
                    annual_ore: l.annual,
                    trace_key: l.key.clone(),
                })
                .collect(),
            municipalities: r
                .municipalities
                .iter()
                .map(|m| MunicipalityResultOut {
                    id: m.id,
                    name: m.name.clone(),
                    share_ore: m.share,
                    fraction: m.fraction,
                    parts: m
                        .parts
                        .iter()
                        .map(|(p, a)| KeyPartOut {
                            part: p.code().into(),
                            amount_ore: *a,
                        })
                        .collect(),
                    participant_hours: m.course_hours,
                    course_hours: m.course_hours,
                    course_hours_source: match m.course_hours_source {
                        VolumeSource::Scenario => "scenario".into(),
                        VolumeSource::Actual => "actual".into(),
                    },
                    participants: m.participants,
                    per_participant_hour_ore: m.per_course_hour,
                    per_course_hour_ore: m.per_course_hour,
                    per_participant_ore: m.per_participant,
                    per_inhabitant_ore: m.per_inhabitant,
                    employees: m.employees,
                    inhabitants: m.inhabitants,
                    inhabitants_approx: m.inhabitants_approx,
                    cofinancing_hours: m.cofinancing_hours,
                    cofinancing_hours_per_year: m.cofinancing_hours_per_year,
                    cofinancing_value_per_year_ore: m.cofinancing_value_per_year,
                })
                .collect(),
            leaving: r
                .leaving
                .iter()
                .map(|l| match &l.outcome {
                    Ok(o) => LeaveOut {
                        municipality_id: l.leaver_id,
                        municipality: l.leaver_name.clone(),
                        error: None,
                        leaver_share_ore: Some(o.leaver_share),
                        total_after_ore: Some(o.total_after),
                        changes: o
                            .changes
                            .iter()
                            .map(|c| LeaveChangeOut {
                                municipality_id: c.id,
                                municipality: c.name.clone(),
                                before_ore: c.before,
                                after_ore: c.after,
                                explanation: c.explanation.clone(),
                            })
                            .collect(),
                    },
                    Err(e) => LeaveOut {
                        municipality_id: l.leaver_id,
                        municipality: l.leaver_name.clone(),
                        error: Some(e.clone()),
                        leaver_share_ore: None,
                        total_after_ore: None,
                        changes: vec![],
                    },
                })
                .collect(),
            assumptions: r.assumptions.clone(),
            trace: r
                .trace
                .figures
                .iter()
                .map(|f| FigureOut {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    value: f.value.clone(),
                    formula: f.formula.clone(),
                    inputs: f
                        .inputs
                        .iter()
                        .map(|i| TraceInputOut {
                            label: i.label.clone(),
                            value: i.value.clone(),
                            key: i.key.clone(),
                            source: i.source.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ColumnOut {
    pub scenario_id: i64,
    pub name: String,
    pub weights: String,
    pub municipalities: usize,
    pub total_ore: i64,
    pub fixed_ore: i64,
    pub variable_ore: i64,
    /// Expected participant hours per year (deltagartimmar).
    pub participant_hours: f64,
    /// The same as `participant_hours` under its old name.
    pub course_hours: f64,
    /// Cost per participant hour.
    pub per_participant_hour_ore: Option<i64>,
    /// The same as `per_participant_hour_ore` under its old name.
    pub per_course_hour_ore: Option<i64>,
    pub per_participant_ore: Option<i64>,
    pub per_inhabitant_ore: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RowOut {
    pub municipality_id: i64,
    pub municipality: String,
    /// Per scenario in `scenarios` order; null when not taking part.
    pub shares_ore: Vec<Option<i64>>,
}

#[derive(Serialize, ToSchema)]
pub struct DifferenceOut {
    pub base_scenario_id: i64,
    pub scenario_id: i64,
    pub summary: String,
    /// One plain-Swedish sentence per municipality.
    pub municipalities: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ComparisonOut {
    pub scenarios: Vec<ColumnOut>,
    pub rows: Vec<RowOut>,
    pub differences: Vec<DifferenceOut>,
}

impl From<&Comparison> for ComparisonOut {
    fn from(c: &Comparison) -> Self {
        ComparisonOut {
            scenarios: c
                .columns
                .iter()
                .map(|col| ColumnOut {
                    scenario_id: col.scenario_id,
                    name: col.name.clone(),
                    weights: col.weights_label.clone(),
                    municipalities: col.municipalities,
                    total_ore: col.total,
                    fixed_ore: col.fixed,
                    variable_ore: col.variable,
                    participant_hours: col.course_hours,
                    course_hours: col.course_hours,
                    per_participant_hour_ore: col.per_course_hour,
                    per_course_hour_ore: col.per_course_hour,
                    per_participant_ore: col.per_participant,
                    per_inhabitant_ore: col.per_inhabitant,
                })
                .collect(),
            rows: c
                .rows
                .iter()
                .map(|r| RowOut {
                    municipality_id: r.municipality_id,
                    municipality: r.name.clone(),
                    shares_ore: r.shares.clone(),
                })
                .collect(),
            differences: c
                .differences
                .iter()
                .map(|d| DifferenceOut {
                    base_scenario_id: c.columns[d.base].scenario_id,
                    scenario_id: c.columns[d.other].scenario_id,
                    summary: d.summary.clone(),
                    municipalities: d.municipalities.clone(),
                })
                .collect(),
        }
    }
}
