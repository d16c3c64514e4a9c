//! Expected volumes: each municipality's course hours and participants per
//! year (entered in the scenario or from actual use), course hours per
//! session, and what the cost lines come to at that volume.

use super::words::fmt_date;
use super::{Actuals, MunicipalityFacts, Scenario, Settings, VolumeSource};
use crate::costs::lines::{CostLine, Volume};
use crate::costs::money::{div_round, Ore};
use crate::errors::{FieldError, FieldErrors};

/// One participating municipality with its expected volume.
#[derive(Debug, Clone)]
pub(super) struct Member<'a> {
    pub facts: &'a MunicipalityFacts,
    pub hours_centi: i64,
    pub hours_source: VolumeSource,
    pub participants_centi: i64,
    pub participants_source: VolumeSource,
}

/// Fixed, variable and total cost per year.
#[derive(Debug, Clone, Copy)]
pub(super) struct Totals {
    pub fixed: Ore,
    pub variable: Ore,
    pub total: Ore,
}

/// What the later steps of a computation share: the inputs, the members
/// with their volumes, and the cost of each line at that volume.
pub(super) struct Basis<'a> {
    pub lines: &'a [CostLine],
    pub settings: &'a Settings,
    pub scenario: &'a Scenario,
    pub actuals: &'a Actuals,
    /// In Swedish alphabetical order.
    pub members: Vec<Member<'a>>,
    pub hps_centi: Option<i64>,
    pub volume: Volume,
    pub participants_centi: i64,
    /// Sum of the members' inhabitants; `None` if any lacks a figure.
    pub inhabitants_all: Option<i64>,
    /// Per line, in the order of `lines`.
    pub costs: Vec<Ore>,
    pub totals: Totals,
}

impl<'a> Basis<'a> {
    /// The members' volumes and the line costs, or the errors naming the
    /// setting to fill in.
    pub fn new(
        lines: &'a [CostLine],
        settings: &'a Settings,
        scenario: &'a Scenario,
        actuals: &'a Actuals,
    ) -> Result<Basis<'a>, FieldErrors> {
        let members = members(scenario, actuals)?;
        let hps_centi = hours_per_session(settings, actuals);
        let volume = volume_of(&members, hps_centi);
        let costs = line_costs(lines, &volume).map_err(|e| FieldErrors(vec![e]))?;
        let totals = totals(lines, &costs);
        Ok(Basis {
            participants_centi: members.iter().map(|m| m.participants_centi).sum(),
            inhabitants_all: members.iter().map(|m| m.facts.inhabitants).sum(),
            lines,
            settings,
            scenario,
            actuals,
            members,
            hps_centi,
            volume,
            costs,
            totals,
        })
    }

    /// The period of actual use, `"2025-01-01–2026-11-23"`.
    pub fn period(&self) -> String {
        format!(
            "{}–{}",
            fmt_date(self.actuals.from),
            fmt_date(self.actuals.to)
        )
    }
}

/// A figure over `days` days as a figure per year, in hundredths.
pub(super) fn annualise(v: f64, days: i64) -> i64 {
    div_round((v * 100.0).round() as i128 * 365, days as i128) as i64
}

/// The participating municipalities with their expected volumes, in Swedish
/// alphabetical order.
fn members<'a>(scenario: &Scenario, actuals: &'a Actuals) -> Result<Vec<Member<'a>>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let days = actuals.days();
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
            None => (
                scale(annualise(facts.attended_hours, days)),
                VolumeSource::Actual,
            ),
        };
        let (participants_centi, participants_source) = match sm.participants {
            Some(p) => (p * 100, VolumeSource::Scenario),
            None => (
                scale(annualise(facts.participants as f64, days)),
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
    Ok(members)
}

/// Course hours per session: the setting, or else the average of the
/// sessions held.
fn hours_per_session(settings: &Settings, actuals: &Actuals) -> Option<i64> {
    let attended_total = actuals.attended_hours_total();
    settings.hours_per_session_centi.or_else(|| {
        (actuals.sessions_held > 0 && attended_total > 0.0)
            .then(|| {
                div_round(
                    (attended_total * 100.0).round() as i128,
                    actuals.sessions_held as i128,
                ) as i64
            })
            .filter(|h| *h > 0)
    })
}

fn totals(lines: &[CostLine], costs: &[Ore]) -> Totals {
    let total: Ore = costs.iter().sum();
    let fixed: Ore = lines
        .iter()
        .zip(costs)
        .filter(|(l, _)| l.scaling.is_fixed())
        .map(|(_, c)| c)
        .sum();
    Totals {
        fixed,
        variable: total - fixed,
        total,
    }
}

/// Sum of line costs at a volume, or the error naming the setting to fill in.
pub(super) fn line_costs(lines: &[CostLine], volume: &Volume) -> Result<Vec<Ore>, FieldError> {
    lines
        .iter()
        .map(|l| {
            l.annual(volume).ok_or_else(|| {
                FieldError::new(
                    "hours_per_session",
                    "no_sessions",
                    format!(
                        "Raden ”{}” följer antalet kurstillfällen, men det finns inga genomförda kurstillfällen att räkna ett snitt från. Ange antal deltagartimmar per kurstillfälle i kostnadsmodellens inställningar.",
                        l.label
                    ),
                )
            })
        })
        .collect()
}

pub(super) fn volume_of(members: &[Member], hps_centi: Option<i64>) -> Volume {
    let hours: i64 = members.iter().map(|m| m.hours_centi).sum();
    Volume {
        course_hours_centi: hours,
        sessions_centi: hps_centi.map(|h| div_round(hours as i128 * 100, h as i128) as i64),
    }
}
