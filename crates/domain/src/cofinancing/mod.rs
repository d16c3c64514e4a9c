//! Co-financing in kronor: the municipalities' co-financing of the funding
//! programme is their staff's attended time valued at the funder's unit
//! costs (per occupational category and validity period, see
//! [`unit_costs`]). Attended hours are summed per person and month, rounded
//! by the programme's [`RoundingRule`] (default: whole hours, rounded down),
//! and valued at the unit cost of the category the person had when they
//! attended, in force in that month.
//!
//! Hours are handled in hundredths (`centi`) and money in öre, so every sum
//! is exact and the same on both database engines.

pub mod follow_up;
pub mod unit_costs;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::costs::money::{div_round, Ore};
pub use unit_costs::UnitCost;

/// How a person's attended hours in one month are rounded before they are
/// valued. The rule is per person and month: sessions are summed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingRule {
    /// Whole hours, rounded down (the funder's default: 7,5 h → 7 h).
    #[default]
    WholeHoursDown,
    /// Whole hours, rounded to the nearest (half up: 7,5 h → 8 h).
    WholeHoursNearest,
    /// Half hours, rounded down (7,75 h → 7,5 h).
    HalfHoursDown,
    /// No rounding (hundredths of an hour).
    Exact,
}

impl RoundingRule {
    pub const ALL: [RoundingRule; 4] = [
        RoundingRule::WholeHoursDown,
        RoundingRule::WholeHoursNearest,
        RoundingRule::HalfHoursDown,
        RoundingRule::Exact,
    ];

    /// The key stored and given in forms and the API.
    pub fn key(self) -> &'static str {
        match self {
            RoundingRule::WholeHoursDown => "whole_hours_down",
            RoundingRule::WholeHoursNearest => "whole_hours_nearest",
            RoundingRule::HalfHoursDown => "half_hours_down",
            RoundingRule::Exact => "exact",
        }
    }

    pub fn from_key(s: &str) -> Option<RoundingRule> {
        RoundingRule::ALL.into_iter().find(|r| r.key() == s.trim())
    }

    /// The rule as every report that uses it shows it.
    pub fn describe_sv(self) -> &'static str {
        match self {
            RoundingRule::WholeHoursDown => "hela timmar, avrundat nedåt, per person och månad",
            RoundingRule::WholeHoursNearest => {
                "hela timmar, avrundat till närmaste (halv timme uppåt), per person och månad"
            }
            RoundingRule::HalfHoursDown => "halva timmar, avrundat nedåt, per person och månad",
            RoundingRule::Exact => "ingen avrundning (hundradels timmar), per person och månad",
        }
    }

    pub fn describe_en(self) -> &'static str {
        match self {
            RoundingRule::WholeHoursDown => "whole hours, rounded down, per person and month",
            RoundingRule::WholeHoursNearest => {
                "whole hours, rounded to the nearest (half up), per person and month"
            }
            RoundingRule::HalfHoursDown => "half hours, rounded down, per person and month",
            RoundingRule::Exact => "no rounding (hundredths of an hour), per person and month",
        }
    }

    /// Round one person's hours in one month (hundredths of an hour, ≥ 0).
    pub fn apply(self, centi_hours: i64) -> i64 {
        let h = centi_hours.max(0);
        match self {
            RoundingRule::WholeHoursDown => h / 100 * 100,
            RoundingRule::WholeHoursNearest => (h + 50) / 100 * 100,
            RoundingRule::HalfHoursDown => h / 50 * 50,
            RoundingRule::Exact => h,
        }
    }
}

/// Hours as hundredths, rounded half away from zero (a session's 2,5 h is 250).
pub fn centi(hours: f64) -> i64 {
    (hours * 100.0).round() as i64
}

/// The first day of the month `d` falls in.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The last day of the month that starts at `first`.
pub fn month_end(first: NaiveDate) -> NaiveDate {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(first)
}

/// `2026-03` for the month starting at `first`.
pub fn month_label(first: NaiveDate) -> String {
    first.format("%Y-%m").to_string()
}

/// One person's attended hours in one month, for one municipality and
/// occupational category (those they had when they attended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonMonth {
    pub person_id: i64,
    /// First day of the month.
    pub month: NaiveDate,
    pub municipality_id: i64,
    pub category: String,
    pub centi_hours: i64,
    /// Attended sessions behind the hours.
    pub sessions: i64,
}

/// One municipality's co-financing in one month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Attended participant hours as recorded (hundredths).
    pub centi_hours: i64,
    /// The same after the rounding rule, summed over the people.
    pub rounded_centi_hours: i64,
    /// Rounded hours that have a unit cost, valued.
    pub value_ore: Ore,
    /// Rounded hours with no unit cost for the category and month.
    pub unvalued_centi_hours: i64,
    pub people: i64,
    pub sessions: i64,
}

impl Cell {
    pub fn add(&mut self, o: &Cell) {
        self.centi_hours += o.centi_hours;
        self.rounded_centi_hours += o.rounded_centi_hours;
        self.value_ore += o.value_ore;
        self.unvalued_centi_hours += o.unvalued_centi_hours;
        self.people += o.people;
        self.sessions += o.sessions;
    }
}

/// A category and month no unit cost covers (its hours are not valued).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Missing {
    pub category: String,
    pub month: NaiveDate,
}

/// Co-financing per municipality and month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Valuation {
    pub rule: RoundingRule,
    /// (municipality id, month) → cell.
    pub cells: BTreeMap<(i64, NaiveDate), Cell>,
    pub missing: Vec<Missing>,
}

impl Valuation {
    /// A municipality's total over all months.
    pub fn municipality_total(&self, municipality_id: i64) -> Cell {
        let mut t = Cell::default();
        for ((m, _), c) in &self.cells {
            if *m == municipality_id {
                t.add(c);
            }
        }
        t
    }

    /// The months that have any attended time, in order.
    pub fn months(&self) -> Vec<NaiveDate> {
        let mut v: Vec<NaiveDate> = self.cells.keys().map(|(_, d)| *d).collect();
        v.sort();
        v.dedup();
        v
    }

    /// All municipalities together in one month.
    pub fn month_total(&self, month: NaiveDate) -> Cell {
        let mut t = Cell::default();
        for ((_, d), c) in &self.cells {
            if *d == month {
                t.add(c);
            }
        }
        t
    }

    pub fn total(&self) -> Cell {
        let mut t = Cell::default();
        for c in self.cells.values() {
            t.add(c);
        }
        t
    }
}

/// The value of `rounded_centi_hours` at `hourly_ore` per hour, to the öre
/// (half away from zero).
pub fn value_of(rounded_centi_hours: i64, hourly_ore: Ore) -> Ore {
    div_round(rounded_centi_hours as i128 * hourly_ore as i128, 100) as Ore
}

/// The people who attended exactly the same hours in one month, for one
/// municipality and category. Rounding is per person, so `people` such
/// person-months round and are valued as `people` times one of them: the
/// valuation of a national programme needs a few thousand groups instead
/// of millions of person-months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursGroup {
    /// First day of the month.
    pub month: NaiveDate,
    pub municipality_id: i64,
    pub category: String,
    /// Each person's hours in the month (hundredths).
    pub centi_hours: i64,
    pub people: i64,
    /// Attended sessions behind the hours, all the people together.
    pub sessions: i64,
}

impl From<&PersonMonth> for HoursGroup {
    fn from(r: &PersonMonth) -> HoursGroup {
        HoursGroup {
            month: r.month,
            municipality_id: r.municipality_id,
            category: r.category.clone(),
            centi_hours: r.centi_hours,
            people: 1,
            sessions: r.sessions,
        }
    }
}

/// Value attended time: each person-month rounded by `rule`, then valued
/// at the unit cost of its category in force in that month.
pub fn value(rows: &[PersonMonth], costs: &[UnitCost], rule: RoundingRule) -> Valuation {
    let groups: Vec<HoursGroup> = rows.iter().map(HoursGroup::from).collect();
    value_groups(&groups, costs, rule)
}

/// [`value`] of person-months given as groups of equal hours.
pub fn value_groups(groups: &[HoursGroup], costs: &[UnitCost], rule: RoundingRule) -> Valuation {
    // Rounding is per person and month: a person with two categories or
    // municipalities in one month (a move mid-month) is rounded per part.
    let mut v = Valuation {
        rule,
        ..Default::default()
    };
    let mut missing = std::collections::BTreeSet::new();
    for r in groups {
        let n = r.people;
        let rounded = rule.apply(r.centi_hours) * n;
        let cell = v.cells.entry((r.municipality_id, r.month)).or_default();
        cell.centi_hours += r.centi_hours * n;
        cell.rounded_centi_hours += rounded;
        cell.people += n;
        cell.sessions += r.sessions;
        match unit_costs::in_force(costs, &r.category, r.month) {
            Some(u) => cell.value_ore += value_of(rule.apply(r.centi_hours), u.hourly_ore) * n,
            None => {
                cell.unvalued_centi_hours += rounded;
                if rounded > 0 {
                    missing.insert(Missing {
                        category: r.category.clone(),
                        month: r.month,
                    });
                }
            }
        }
    }
    v.missing = missing.into_iter().collect();
    v
}

/// Where a municipality ends at the programme's end at the pace so far:
/// what was reached by `at` divided by the share of the period elapsed.
/// `None` before anything of the period has passed.
pub fn forecast(reached: i64, elapsed_share: f64) -> Option<i64> {
    if elapsed_share <= 0.0 {
        return None;
    }
    Some((reached as f64 / elapsed_share.min(1.0)).round() as i64)
}

#[cfg(test)]
mod tests;
