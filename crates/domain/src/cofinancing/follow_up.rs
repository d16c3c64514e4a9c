//! The funding page's follow-up: per municipality, the co-financing reached
//! (hours and kronor) against its commitment, and where it ends at the
//! programme's end at the pace so far; per month, what was reached.

use chrono::NaiveDate;
use serde::Serialize;

use super::{forecast, month_end, Cell, Valuation};
use crate::costs::money::{largest_remainder, Ore};
use crate::funding::Programme;

/// One municipality against its commitment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityRow {
    pub id: i64,
    pub name: String,
    /// Target hours × share of employees.
    pub commitment_hours: f64,
    /// The co-financing in kronor (granted × rate) split by employees.
    pub commitment_ore: Ore,
    pub reached: Cell,
    /// Reached kronor as a percentage of the commitment in kronor.
    pub achieved_pct: f64,
    /// Rounded hours as a percentage of the commitment in hours.
    pub achieved_hours_pct: f64,
    /// At the pace so far, at the programme's end.
    pub forecast_centi_hours: Option<i64>,
    pub forecast_ore: Option<Ore>,
    pub on_track: bool,
}

/// One month of one municipality (or all together).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthRow {
    pub month: NaiveDate,
    pub cell: Cell,
    /// Kronor reached from the programme's start through this month.
    pub cumulative_ore: Ore,
    /// That as a percentage of the commitment in kronor.
    pub cumulative_pct: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    /// The date the figures run to (today, or the programme's end).
    pub at: NaiveDate,
    /// Share of the programme period elapsed at `at`, 0–1.
    pub elapsed_share: f64,
    pub municipalities: Vec<MunicipalityRow>,
    pub total: MunicipalityRow,
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole * 100.0
    } else {
        0.0
    }
}

/// The programme's co-financing in öre (granted × rate), rounded to the öre.
pub fn cofinancing_ore(p: &Programme) -> Ore {
    (p.granted_sek as f64 * 100.0 * p.cofinancing_rate).round() as Ore
}

fn row(
    id: i64,
    name: String,
    commitment_hours: f64,
    commitment_ore: Ore,
    reached: Cell,
    elapsed: f64,
) -> MunicipalityRow {
    let achieved_pct = pct(reached.value_ore as f64, commitment_ore as f64);
    MunicipalityRow {
        id,
        name,
        commitment_hours,
        commitment_ore,
        achieved_hours_pct: pct(reached.rounded_centi_hours as f64 / 100.0, commitment_hours),
        forecast_centi_hours: forecast(reached.rounded_centi_hours, elapsed),
        forecast_ore: forecast(reached.value_ore, elapsed),
        on_track: commitment_ore > 0 && achieved_pct + 1e-9 >= elapsed * 100.0,
        achieved_pct,
        reached,
    }
}

/// Each municipality named in the programme (with its id from
/// `municipalities`, (id, name)) against its commitment at `at`.
pub fn follow_up(
    p: &Programme,
    municipalities: &[(i64, String)],
    v: &Valuation,
    at: NaiveDate,
) -> FollowUp {
    let at = at.min(p.ends);
    let elapsed = p.elapsed_share(at);
    let commitments = p.commitments();
    let weights: Vec<i128> = commitments.iter().map(|c| c.employees as i128).collect();
    let total_ore = cofinancing_ore(p);
    let split = largest_remainder(total_ore, &weights).unwrap_or_else(|| vec![0; weights.len()]);
    let mut rows = Vec::new();
    let mut total = Cell::default();
    for (c, ore) in commitments.iter().zip(split) {
        let id = municipalities
            .iter()
            .find(|(_, n)| *n == c.municipality)
            .map(|(id, _)| *id)
            .unwrap_or(0);
        let reached = v.municipality_total(id);
        total.add(&reached);
        rows.push(row(
            id,
            c.municipality.clone(),
            c.commitment_hours,
            ore,
            reached,
            elapsed,
        ));
    }
    FollowUp {
        at,
        elapsed_share: elapsed,
        total: row(0, String::new(), p.target_hours, total_ore, total, elapsed),
        municipalities: rows,
    }
}

/// Month by month from the programme's start through `at`, for one
/// municipality (`Some(id)`) or all together, with the running total
/// against `commitment_ore`.
pub fn months(
    p: &Programme,
    v: &Valuation,
    municipality: Option<i64>,
    commitment_ore: Ore,
    at: NaiveDate,
) -> Vec<MonthRow> {
    let mut out = Vec::new();
    let mut m = super::month_of(p.starts);
    let last = at.min(p.ends);
    let mut running: Ore = 0;
    while m <= last {
        let cell = match municipality {
            Some(id) => v.cells.get(&(id, m)).cloned().unwrap_or_default(),
            None => v.month_total(m),
        };
        running += cell.value_ore;
        out.push(MonthRow {
            month: m,
            cell,
            cumulative_ore: running,
            cumulative_pct: pct(running as f64, commitment_ore as f64),
        });
        match month_end(m).succ_opt() {
            Some(n) => m = n,
            None => break,
        }
    }
    out
}
