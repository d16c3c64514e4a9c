//! The sums: each person's checks counted into their unit, municipality,
//! activity area and the region, with counts and shares.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::facts::PersonRecord;
use super::rules::{Check, CheckState, CoverageClass, Options, RuleSet};
use crate::org::ActivityArea;

/// Counts for one group (a person, a unit, a municipality, an activity
/// area, the region).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub people: u64,
    /// People to whom at least one requirement applies.
    pub people_with_requirements: u64,
    /// People with at least one gap.
    pub people_with_gaps: u64,
    /// Applicable person × requirement pairs.
    pub checks: u64,
    /// Checks met (including those expiring soon).
    pub met: u64,
    pub expiring: u64,
    pub gaps: u64,
    pub missing: u64,
    pub expired: u64,
    /// Gaps with a confirmed place on an upcoming session.
    pub planned: u64,
    /// Gaps by coverage.
    pub covered: u64,
    pub new_course: u64,
    pub recruitment: u64,
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.people += o.people;
        self.people_with_requirements += o.people_with_requirements;
        self.people_with_gaps += o.people_with_gaps;
        self.checks += o.checks;
        self.met += o.met;
        self.expiring += o.expiring;
        self.gaps += o.gaps;
        self.missing += o.missing;
        self.expired += o.expired;
        self.planned += o.planned;
        self.covered += o.covered;
        self.new_course += o.new_course;
        self.recruitment += o.recruitment;
    }
    /// Share (0–1) of the people concerned who have at least one gap.
    pub fn share_people_with_gaps(&self) -> f64 {
        share(self.people_with_gaps, self.people_with_requirements)
    }
    /// Share (0–1) of the applicable requirements that are met.
    pub fn share_met(&self) -> f64 {
        share(self.met, self.checks)
    }
    /// Share (0–1) of the gaps with a confirmed booking.
    pub fn share_planned(&self) -> f64 {
        share(self.planned, self.gaps)
    }
    /// Share (0–1) of the gaps a catalogue course covers.
    pub fn share_covered(&self) -> f64 {
        share(self.covered, self.gaps)
    }

    fn count(&mut self, c: &Check, class: CoverageClass) {
        self.checks += 1;
        match c.state {
            CheckState::Met => self.met += 1,
            CheckState::Expiring => {
                self.met += 1;
                self.expiring += 1;
            }
            CheckState::Missing => self.missing += 1,
            CheckState::Expired => self.expired += 1,
        }
        if c.is_gap() {
            self.gaps += 1;
            if c.is_planned() {
                self.planned += 1;
            }
            match class {
                CoverageClass::Covered => self.covered += 1,
                CoverageClass::NewCourse => self.new_course += 1,
                CoverageClass::Recruitment => self.recruitment += 1,
            }
        }
    }

    /// The tally of one person's checks.
    pub fn of_person(checks: &[Check], classes: impl Fn(&Check) -> CoverageClass) -> Tally {
        let mut t = Tally {
            people: 1,
            ..Default::default()
        };
        for c in checks {
            t.count(c, classes(c));
        }
        t.people_with_requirements = u64::from(t.checks > 0);
        t.people_with_gaps = u64::from(t.gaps > 0);
        t
    }
}

/// Counts for one requirement within a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RequirementTally {
    /// People the requirement applies to.
    pub applicable: u64,
    pub met: u64,
    pub expiring: u64,
    pub gaps: u64,
    pub expired: u64,
    pub planned: u64,
}

impl RequirementTally {
    fn add(&mut self, o: &RequirementTally) {
        self.applicable += o.applicable;
        self.met += o.met;
        self.expiring += o.expiring;
        self.gaps += o.gaps;
        self.expired += o.expired;
        self.planned += o.planned;
    }
    /// Share (0–1) of the people concerned who lack it.
    pub fn share_gaps(&self) -> f64 {
        share(self.gaps, self.applicable)
    }
}

/// A group's totals and its breakdown by requirement (indexed like the
/// rule set's requirements).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupSummary {
    pub tally: Tally,
    pub by_requirement: Vec<RequirementTally>,
}

impl GroupSummary {
    fn new(n: usize) -> GroupSummary {
        GroupSummary {
            tally: Tally::default(),
            by_requirement: vec![RequirementTally::default(); n],
        }
    }
    fn add(&mut self, o: &GroupSummary) {
        self.tally.add(&o.tally);
        for (a, b) in self.by_requirement.iter_mut().zip(&o.by_requirement) {
            a.add(b);
        }
    }
}

/// Sums on every level above the person.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Analysis {
    /// Requirement id for each index of `by_requirement`.
    pub requirement_ids: Vec<i64>,
    pub region: GroupSummary,
    pub municipalities: BTreeMap<i64, GroupSummary>,
    /// Region-wide, by activity area code.
    pub activity_areas: BTreeMap<&'static str, GroupSummary>,
    /// Within each municipality, by activity area code.
    pub municipality_areas: BTreeMap<(i64, &'static str), GroupSummary>,
    pub units: BTreeMap<i64, GroupSummary>,
}

impl Analysis {
    /// Add the analysis of other people against the same requirements (for
    /// analysing parts of a large group side by side).
    pub fn merge(&mut self, o: Analysis) {
        if self.requirement_ids.is_empty() {
            *self = o;
            return;
        }
        debug_assert_eq!(self.requirement_ids, o.requirement_ids);
        let n = self.requirement_ids.len();
        self.region.add(&o.region);
        for (k, g) in o.municipalities {
            self.municipalities
                .entry(k)
                .or_insert_with(|| GroupSummary::new(n))
                .add(&g);
        }
        for (k, g) in o.activity_areas {
            self.activity_areas
                .entry(k)
                .or_insert_with(|| GroupSummary::new(n))
                .add(&g);
        }
        for (k, g) in o.municipality_areas {
            self.municipality_areas
                .entry(k)
                .or_insert_with(|| GroupSummary::new(n))
                .add(&g);
        }
        for (k, g) in o.units {
            self.units
                .entry(k)
                .or_insert_with(|| GroupSummary::new(n))
                .add(&g);
        }
    }

    /// (requirement id, counts) pairs of a group, skipping requirements that
    /// concern nobody in it.
    pub fn requirement_rows<'s>(
        &'s self,
        g: &'s GroupSummary,
    ) -> impl Iterator<Item = (i64, &'s RequirementTally)> + 's {
        self.requirement_ids
            .iter()
            .copied()
            .zip(g.by_requirement.iter())
            .filter(|(_, t)| t.applicable > 0)
    }
}

type LeafKey = (i64, Option<i64>, Option<ActivityArea>);

/// Check every person and sum the results on every level. `each` sees every
/// person's checks (in requirement order) as they are made, for callers that
/// list people; the sums do not keep them.
pub fn analyse<'p, I, F>(rules: &RuleSet<'_>, people: I, opts: &Options, mut each: F) -> Analysis
where
    I: IntoIterator<Item = PersonRecord<'p>>,
    F: FnMut(&PersonRecord<'p>, &[Check]),
{
    let n = rules.requirements().len();
    let mut leaves: HashMap<LeafKey, GroupSummary> = HashMap::new();
    let mut checks = Vec::new();
    let mut idx = Vec::new();
    for person in people {
        checks.clear();
        idx.clear();
        rules.evaluate_into(&person, opts, &mut checks, &mut idx);
        let key = (
            person.facts.municipality_id,
            person.facts.placement.unit_id,
            person.facts.placement.activity_area,
        );
        let leaf = leaves.entry(key).or_insert_with(|| GroupSummary::new(n));
        let mut t = Tally {
            people: 1,
            ..Default::default()
        };
        for (c, &i) in checks.iter().zip(&idx) {
            t.count(c, rules.coverage_at(i).class());
            let rt = &mut leaf.by_requirement[i];
            rt.applicable += 1;
            match c.state {
                CheckState::Met => rt.met += 1,
                CheckState::Expiring => {
                    rt.met += 1;
                    rt.expiring += 1;
                }
                CheckState::Missing => rt.gaps += 1,
                CheckState::Expired => {
                    rt.gaps += 1;
                    rt.expired += 1;
                }
            }
            if c.is_gap() && c.is_planned() {
                rt.planned += 1;
            }
        }
        t.people_with_requirements = u64::from(t.checks > 0);
        t.people_with_gaps = u64::from(t.gaps > 0);
        leaf.tally.add(&t);
        each(&person, &checks);
    }

    let mut a = Analysis {
        requirement_ids: rules.requirements().iter().map(|r| r.id).collect(),
        region: GroupSummary::new(n),
        ..Default::default()
    };
    for ((muni, unit, area), leaf) in &leaves {
        a.region.add(leaf);
        a.municipalities
            .entry(*muni)
            .or_insert_with(|| GroupSummary::new(n))
            .add(leaf);
        if let Some(area) = area {
            a.activity_areas
                .entry(area.code())
                .or_insert_with(|| GroupSummary::new(n))
                .add(leaf);
            a.municipality_areas
                .entry((*muni, area.code()))
                .or_insert_with(|| GroupSummary::new(n))
                .add(leaf);
        }
        if let Some(u) = unit {
            a.units
                .entry(*u)
                .or_insert_with(|| GroupSummary::new(n))
                .add(leaf);
        }
    }
    a
}
