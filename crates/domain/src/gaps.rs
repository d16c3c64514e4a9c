//! Gap analysis after the Fyrbodal model: what the unit requires minus what
//! each employee has, summed on four levels — person, unit,
//! municipality/activity area, region — with counts and shares, and each gap
//! classified as covered by a catalogue course or not (a need for a new
//! course, or for recruitment).
//!
//! The rules:
//! - a requirement applies to a person when it names their current role and
//!   its scope (region, activity area, unit) contains their current unit;
//! - a course requirement is met by a completion of that course that has not
//!   expired. A completion expires on its `expires_on`, or, when that is not
//!   recorded, `validity_months` after it was completed; from that day on it
//!   is a gap ("förfallen"). Within `expiring_within_days` before that day it
//!   is still met but shown as expiring;
//! - an area requirement is met by an unexpired completion of any course in
//!   the area (or one of its sub-areas) at the required level or higher;
//! - an education requirement is met by a registered education that
//!   satisfies it (see `education`);
//! - a gap is *planned* when the person holds a booking on an upcoming
//!   session of a course that would close it (a place on the waiting list is
//!   reported, but is not a plan);
//! - completions stay with the person: moving units changes which
//!   requirements apply, never what the person has done;
//! - a requirement whose course has been retired still applies (the unit
//!   still needs the competence) and earlier completions still count, but no
//!   course in the catalogue covers the gap any more: it becomes a need for a
//!   new course.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use crate::catalogue::{CourseStatus, Level};
use crate::education::{holds, Education};
use crate::org::ActivityArea;
use crate::requirements::{level_rank, Placement, Requirement, RequirementTarget};

/// `YYYY-MM-DD` without the general-purpose parser (this runs millions of
/// times in a region-wide analysis).
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| {
            if c.is_ascii_digit() {
                Some(acc * 10 + u32::from(c - b'0'))
            } else {
                None
            }
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// A course as the analysis needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseFacts {
    pub id: i64,
    pub status: CourseStatus,
    pub level: Level,
    pub validity_months: Option<u32>,
    /// The competence areas the course is tagged with.
    pub areas: Vec<i64>,
}

/// The catalogue, with each course's areas widened to their parent areas.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    courses: HashMap<i64, CourseFacts>,
}

impl Catalogue {
    /// `area_parent` maps a sub-area to its parent area.
    pub fn new(courses: Vec<CourseFacts>, area_parent: &HashMap<i64, i64>) -> Catalogue {
        let courses = courses
            .into_iter()
            .map(|mut c| {
                let mut all = c.areas.clone();
                for a in &c.areas {
                    let mut cur = *a;
                    // Bounded walk: a malformed taxonomy cannot loop forever.
                    for _ in 0..16 {
                        match area_parent.get(&cur) {
                            Some(p) if !all.contains(p) => {
                                all.push(*p);
                                cur = *p;
                            }
                            _ => break,
                        }
                    }
                }
                c.areas = all;
                (c.id, c)
            })
            .collect();
        Catalogue { courses }
    }

    pub fn get(&self, id: i64) -> Option<&CourseFacts> {
        self.courses.get(&id)
    }

    pub fn courses(&self) -> impl Iterator<Item = &CourseFacts> {
        self.courses.values()
    }

    /// The day a holding stops counting, if it ever does.
    pub fn expiry(&self, h: &Holding) -> Option<NaiveDate> {
        h.expires_on.or_else(|| {
            let months = self.get(h.course_id)?.validity_months?;
            h.completed_on.checked_add_months(Months::new(months))
        })
    }

    /// Does completing `course_id` give the area at the level (or higher)?
    pub fn gives_area(&self, course_id: i64, area_id: i64, level: Level) -> bool {
        self.get(course_id)
            .is_some_and(|c| level_rank(c.level) >= level_rank(level) && c.areas.contains(&area_id))
    }

    /// Would completing `course_id` meet the requirement?
    pub fn closes(&self, course_id: i64, target: &RequirementTarget) -> bool {
        match *target {
            RequirementTarget::Course { course_id: c } => c == course_id,
            RequirementTarget::Area { area_id, level } => {
                self.gives_area(course_id, area_id, level)
            }
            RequirementTarget::Education { .. } => false,
        }
    }

    /// Is the requirement renewed periodically (its course has a validity)?
    pub fn is_recurring(&self, target: &RequirementTarget) -> bool {
        match *target {
            RequirementTarget::Course { course_id } => self
                .get(course_id)
                .is_some_and(|c| c.validity_months.is_some()),
            _ => false,
        }
    }
}

/// A person's latest completion of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    pub course_id: i64,
    pub completed_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

/// A live booking on an upcoming session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub course_id: i64,
    pub session_id: i64,
    pub starts_on: NaiveDate,
    pub waitlisted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonFacts {
    pub person_id: i64,
    pub municipality_id: i64,
    pub placement: Placement,
}

/// Everything the analysis knows about one person.
#[derive(Debug, Clone, Copy)]
pub struct PersonRecord<'a> {
    pub facts: PersonFacts,
    pub holdings: &'a [Holding],
    pub educations: &'a [Education],
    pub plans: &'a [Plan],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Met,
    /// Met, but the certificate runs out soon.
    Expiring,
    /// Never had it: a gap.
    Missing,
    /// Had it, it has run out: a gap.
    Expired,
}

impl CheckState {
    pub fn is_gap(self) -> bool {
        matches!(self, CheckState::Missing | CheckState::Expired)
    }
    pub fn code(self) -> &'static str {
        match self {
            CheckState::Met => "met",
            CheckState::Expiring => "expiring",
            CheckState::Missing => "missing",
            CheckState::Expired => "expired",
        }
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            CheckState::Met => "uppfyllt",
            CheckState::Expiring => "går snart ut",
            CheckState::Missing => "saknas",
            CheckState::Expired => "förfallet",
        }
    }
}

/// One requirement checked for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    pub requirement_id: i64,
    pub state: CheckState,
    /// The course whose completion meets (or last met) the requirement.
    pub course_id: Option<i64>,
    pub completed_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    /// An upcoming booking that would close the gap or renew the certificate.
    pub plan: Option<Plan>,
}

impl Check {
    pub fn is_gap(&self) -> bool {
        self.state.is_gap()
    }
    /// A gap with a confirmed place on an upcoming session.
    pub fn is_planned(&self) -> bool {
        self.plan.is_some_and(|p| !p.waitlisted)
    }
}

/// Whether the catalogue can close a requirement's gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Coverage {
    /// Bookable courses that close the gap.
    Catalogue { course_ids: Vec<i64> },
    /// No bookable course yet, but one is being developed.
    InDevelopment { course_ids: Vec<i64> },
    /// No course answers it (none exists, or it is paused or retired).
    NewCourse,
    /// A formal education: recruit, or send to an external programme.
    Recruitment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageClass {
    Covered,
    NewCourse,
    Recruitment,
}

impl Coverage {
    pub fn class(&self) -> CoverageClass {
        match self {
            Coverage::Catalogue { .. } => CoverageClass::Covered,
            Coverage::InDevelopment { .. } | Coverage::NewCourse => CoverageClass::NewCourse,
            Coverage::Recruitment => CoverageClass::Recruitment,
        }
    }
    pub fn label_sv(&self) -> &'static str {
        match self {
            Coverage::Catalogue { .. } => "täcks av kurs i katalogen",
            Coverage::InDevelopment { .. } => "kurs under utveckling",
            Coverage::NewCourse => "behov av ny kurs",
            Coverage::Recruitment => "behov av rekrytering eller extern utbildning",
        }
    }
    /// Courses to suggest for booking.
    pub fn course_ids(&self) -> &[i64] {
        match self {
            Coverage::Catalogue { course_ids } | Coverage::InDevelopment { course_ids } => {
                course_ids
            }
            _ => &[],
        }
    }
}

/// How the catalogue covers one requirement.
pub fn coverage(target: &RequirementTarget, catalogue: &Catalogue) -> Coverage {
    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };
    match *target {
        RequirementTarget::Education { .. } => Coverage::Recruitment,
        RequirementTarget::Course { course_id } => match catalogue.get(course_id).map(|c| c.status)
        {
            Some(s) if s.is_bookable() => Coverage::Catalogue {
                course_ids: vec![course_id],
            },
            Some(CourseStatus::UnderUtveckling) => Coverage::InDevelopment {
                course_ids: vec![course_id],
            },
            _ => Coverage::NewCourse,
        },
        RequirementTarget::Area { area_id, level } => {
            let closing: Vec<&CourseFacts> = catalogue
                .courses()
                .filter(|c| catalogue.gives_area(c.id, area_id, level))
                .collect();
            let bookable: Vec<i64> = closing
                .iter()
                .filter(|c| c.status.is_bookable())
                .map(|c| c.id)
                .collect();
            if !bookable.is_empty() {
                return Coverage::Catalogue {
                    course_ids: sorted(bookable),
                };
            }
            let dev: Vec<i64> = closing
                .iter()
                .filter(|c| c.status == CourseStatus::UnderUtveckling)
                .map(|c| c.id)
                .collect();
            if dev.is_empty() {
                Coverage::NewCourse
            } else {
                Coverage::InDevelopment {
                    course_ids: sorted(dev),
                }
            }
        }
    }
}

/// Analysis settings.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub as_of: NaiveDate,
    /// A met requirement whose certificate runs out within this many days is
    /// reported as expiring.
    pub expiring_within_days: i64,
}

impl Options {
    pub fn new(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            expiring_within_days: 90,
        }
    }
}

/// The requirements prepared for checking many people.
#[derive(Debug)]
pub struct RuleSet<'a> {
    requirements: &'a [Requirement],
    by_role: HashMap<i64, Vec<usize>>,
    coverage: Vec<Coverage>,
    catalogue: &'a Catalogue,
}

impl<'a> RuleSet<'a> {
    pub fn new(requirements: &'a [Requirement], catalogue: &'a Catalogue) -> RuleSet<'a> {
        let mut by_role: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, r) in requirements.iter().enumerate() {
            by_role.entry(r.role_id).or_default().push(i);
        }
        let coverage = requirements
            .iter()
            .map(|r| coverage(&r.target, catalogue))
            .collect();
        RuleSet {
            requirements,
            by_role,
            coverage,
            catalogue,
        }
    }

    pub fn requirements(&self) -> &'a [Requirement] {
        self.requirements
    }
    pub fn catalogue(&self) -> &'a Catalogue {
        self.catalogue
    }
    pub fn index_of(&self, requirement_id: i64) -> Option<usize> {
        self.requirements
            .iter()
            .position(|r| r.id == requirement_id)
    }
    pub fn coverage_at(&self, index: usize) -> &Coverage {
        &self.coverage[index]
    }
    pub fn coverage_of(&self, requirement_id: i64) -> Option<&Coverage> {
        self.index_of(requirement_id).map(|i| &self.coverage[i])
    }

    /// Indices of the requirements that apply to a placement.
    pub fn applicable<'s>(&'s self, p: &'s Placement) -> impl Iterator<Item = usize> + 's {
        self.by_role
            .get(&p.role_id)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |i| self.requirements[*i].applies_to(p))
    }

    /// Check every applicable requirement for one person.
    pub fn evaluate(&self, person: &PersonRecord<'_>, opts: &Options) -> Vec<Check> {
        let mut out = Vec::new();
        self.evaluate_into(person, opts, &mut out, &mut Vec::new());
        out
    }

    /// As `evaluate`, appending to `out`; `indices` receives each check's
    /// requirement index.
    pub fn evaluate_into(
        &self,
        person: &PersonRecord<'_>,
        opts: &Options,
        out: &mut Vec<Check>,
        indices: &mut Vec<usize>,
    ) {
        for i in self.applicable(&person.facts.placement) {
            out.push(self.check_one(&self.requirements[i], person, opts));
            indices.push(i);
        }
    }

    fn check_one(&self, r: &Requirement, person: &PersonRecord<'_>, opts: &Options) -> Check {
        let cat = self.catalogue;
        let mut check = Check {
            requirement_id: r.id,
            state: CheckState::Missing,
            course_id: None,
            completed_on: None,
            expires_on: None,
            plan: None,
        };
        match r.target {
            RequirementTarget::Education { education } => {
                if holds(person.educations, &education) {
                    check.state = CheckState::Met;
                }
                return check;
            }
            RequirementTarget::Course { .. } | RequirementTarget::Area { .. } => {
                // The holding that counts longest (never-expiring first).
                let mut best: Option<(Holding, Option<NaiveDate>)> = None;
                for h in person
                    .holdings
                    .iter()
                    .filter(|h| cat.closes(h.course_id, &r.target))
                {
                    let exp = cat.expiry(h);
                    let better = match best {
                        None => true,
                        Some((bh, bexp)) => match (exp, bexp) {
                            (None, Some(_)) => true,
                            (Some(a), Some(b)) => {
                                a > b || (a == b && h.completed_on > bh.completed_on)
                            }
                            (None, None) => h.completed_on > bh.completed_on,
                            (Some(_), None) => false,
                        },
                    };
                    if better {
                        best = Some((*h, exp));
                    }
                }
                if let Some((h, exp)) = best {
                    check.course_id = Some(h.course_id);
                    check.completed_on = Some(h.completed_on);
                    check.expires_on = exp;
                    check.state = match exp {
                        None => CheckState::Met,
                        Some(e) if opts.as_of >= e => CheckState::Expired,
                        Some(e) if (e - opts.as_of).num_days() <= opts.expiring_within_days => {
                            CheckState::Expiring
                        }
                        Some(_) => CheckState::Met,
                    };
                }
                if check.state != CheckState::Met {
                    check.plan = person
                        .plans
                        .iter()
                        .filter(|p| p.starts_on >= opts.as_of && cat.closes(p.course_id, &r.target))
                        .min_by_key(|p| (p.waitlisted, p.starts_on, p.session_id))
                        .copied();
                }
            }
        }
        check
    }
}

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
    let n = rules.requirements.len();
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
            t.count(c, rules.coverage[i].class());
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
        requirement_ids: rules.requirements.iter().map(|r| r.id).collect(),
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

/// One course due in one month of the year wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WheelEntry {
    pub course_id: i64,
    /// People whose certificate runs out (or has run out) then.
    pub due: u64,
    /// Of those, people already booked on a session.
    pub planned: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WheelMonth {
    pub year: i32,
    pub month: u32,
    pub entries: Vec<WheelEntry>,
}

/// Recurring training by month (årshjul): for the twelve months from
/// `as_of`'s month, how many people must renew which course; gaps already
/// open on recurring courses are `overdue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearWheel {
    pub overdue: Vec<WheelEntry>,
    pub months: Vec<WheelMonth>,
}

fn bump(entries: &mut Vec<WheelEntry>, course_id: i64, planned: bool) {
    let e = match entries.iter_mut().find(|e| e.course_id == course_id) {
        Some(e) => e,
        None => {
            entries.push(WheelEntry {
                course_id,
                due: 0,
                planned: 0,
            });
            entries.last_mut().expect("just pushed")
        }
    };
    e.due += 1;
    e.planned += u64::from(planned);
}

/// Build the year wheel from checks (of any number of people).
pub fn year_wheel<'c>(
    rules: &RuleSet<'_>,
    checks: impl IntoIterator<Item = &'c Check>,
    as_of: NaiveDate,
) -> YearWheel {
    let first = NaiveDate::from_ymd_opt(as_of.year(), as_of.month(), 1).expect("first of month");
    let mut months: Vec<WheelMonth> = (0..12)
        .map(|i| {
            let d = first
                .checked_add_months(Months::new(i))
                .expect("month in range");
            WheelMonth {
                year: d.year(),
                month: d.month(),
                entries: vec![],
            }
        })
        .collect();
    let mut overdue = vec![];
    for c in checks {
        let Some(i) = rules.index_of(c.requirement_id) else {
            continue;
        };
        let target = rules.requirements[i].target;
        if !rules.catalogue.is_recurring(&target) {
            continue;
        }
        let RequirementTarget::Course { course_id } = target else {
            continue;
        };
        if c.is_gap() {
            bump(&mut overdue, course_id, c.is_planned());
        } else if let Some(e) = c.expires_on {
            let k = (e.year() - first.year()) * 12 + e.month() as i32 - first.month() as i32;
            if (0..12).contains(&k) {
                bump(&mut months[k as usize].entries, course_id, c.is_planned());
            }
        }
    }
    for m in &mut months {
        m.entries.sort_by_key(|e| e.course_id);
    }
    overdue.sort_by_key(|e| e.course_id);
    YearWheel { overdue, months }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::education::{Direction, EducationKind};
    use crate::requirements::RequirementScope;

    const USK: i64 = 1;
    const SSK: i64 = 2;
    const HLR: i64 = 100;
    const HYGIEN: i64 = 101;
    const PALL_BAS: i64 = 102;
    const PALL_FORD: i64 = 103;
    const OLD_LIFT: i64 = 104;
    const DEV: i64 = 105;
    const PALLIATIVE_AREA: i64 = 50;
    const PALLIATIVE_SUB: i64 = 51;
    const ELDER: ActivityArea = ActivityArea::Aldreomsorg;
    const UNIT_A: i64 = 10;
    const UNIT_B: i64 = 11;
    const MUNI: i64 = 1;
    const MUNI2: i64 = 2;

    fn d(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    fn catalogue() -> Catalogue {
        let course = |id, status, level, validity: Option<u32>, areas: Vec<i64>| CourseFacts {
            id,
            status,
            level,
            validity_months: validity,
            areas,
        };
        let parents: HashMap<i64, i64> = [(PALLIATIVE_SUB, PALLIATIVE_AREA)].into();
        Catalogue::new(
            vec![
                course(HLR, CourseStatus::Aktiv, Level::Bas, Some(12), vec![]),
                course(HYGIEN, CourseStatus::Aktiv, Level::Bas, None, vec![]),
                course(
                    PALL_BAS,
                    CourseStatus::Aktiv,
                    Level::Bas,
                    None,
                    vec![PALLIATIVE_SUB],
                ),
                course(
                    PALL_FORD,
                    CourseStatus::Test,
                    Level::Fordjupning,
                    None,
                    vec![PALLIATIVE_AREA],
                ),
                course(OLD_LIFT, CourseStatus::Avvecklad, Level::Bas, None, vec![]),
                course(
                    DEV,
                    CourseStatus::UnderUtveckling,
                    Level::Spets,
                    None,
                    vec![PALLIATIVE_AREA],
                ),
            ],
            &parents,
        )
    }

    fn req(
        id: i64,
        role_id: i64,
        scope: RequirementScope,
        target: RequirementTarget,
    ) -> Requirement {
        Requirement {
            id,
            role_id,
            scope,
            target,
        }
    }
    fn course_req(id: i64, course_id: i64) -> Requirement {
        req(
            id,
            USK,
            RequirementScope::Region,
            RequirementTarget::Course { course_id },
        )
    }

    fn place(unit: Option<i64>, area: Option<ActivityArea>) -> PersonFacts {
        PersonFacts {
            person_id: 1,
            municipality_id: MUNI,
            placement: Placement {
                role_id: USK,
                unit_id: unit,
                activity_area: area,
            },
        }
    }

    fn held(course_id: i64, completed: &str) -> Holding {
        Holding {
            course_id,
            completed_on: d(completed),
            expires_on: None,
        }
    }

    fn person<'a>(
        facts: PersonFacts,
        holdings: &'a [Holding],
        educations: &'a [Education],
        plans: &'a [Plan],
    ) -> PersonRecord<'a> {
        PersonRecord {
            facts,
            holdings,
            educations,
            plans,
        }
    }

    fn opts() -> Options {
        Options::new(d("2026-03-14"))
    }

    fn one(r: Requirement, p: PersonRecord<'_>) -> Check {
        let cat = catalogue();
        let reqs = [r];
        let rules = RuleSet::new(&reqs, &cat);
        let v = rules.evaluate(&p, &opts());
        assert_eq!(v.len(), 1, "{v:?}");
        v[0]
    }

    #[test]
    fn iso_dates_parse_fast_and_strictly() {
        assert_eq!(
            parse_iso_date("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(parse_iso_date("2026-02-30"), None);
        assert_eq!(parse_iso_date("2026-2-28"), None);
        assert_eq!(parse_iso_date("2026-02-2x"), None);
        assert_eq!(parse_iso_date(""), None);
    }

    #[test]
    fn a_course_never_taken_is_missing_and_a_taken_one_is_met() {
        let c = one(
            course_req(1, HYGIEN),
            person(place(None, None), &[], &[], &[]),
        );
        assert_eq!(c.state, CheckState::Missing);
        assert!(c.is_gap());
        let h = [held(HYGIEN, "2019-05-02")];
        let c = one(
            course_req(1, HYGIEN),
            person(place(None, None), &h, &[], &[]),
        );
        assert_eq!(c.state, CheckState::Met);
        assert_eq!(c.expires_on, None);
        assert_eq!(c.completed_on, Some(d("2019-05-02")));
    }

    #[test]
    fn expired_recurring_training_is_a_gap() {
        // HLR lasts 12 months: taken 2025-03-14, it runs out on 2026-03-14.
        let h = [held(HLR, "2025-03-14")];
        let c = one(course_req(1, HLR), person(place(None, None), &h, &[], &[]));
        assert_eq!(c.state, CheckState::Expired);
        assert_eq!(c.expires_on, Some(d("2026-03-14")));
        assert!(c.is_gap());
        // The day before it runs out it still counts, as expiring.
        let h = [held(HLR, "2025-03-15")];
        let c = one(course_req(1, HLR), person(place(None, None), &h, &[], &[]));
        assert_eq!(c.state, CheckState::Expiring);
        // Comfortably valid.
        let h = [held(HLR, "2025-09-01")];
        assert_eq!(
            one(course_req(1, HLR), person(place(None, None), &h, &[], &[])).state,
            CheckState::Met
        );
        // A recorded expiry date wins over the computed one.
        let h = [Holding {
            expires_on: Some(d("2026-03-01")),
            ..held(HLR, "2025-09-01")
        }];
        assert_eq!(
            one(course_req(1, HLR), person(place(None, None), &h, &[], &[])).state,
            CheckState::Expired
        );
    }

    #[test]
    fn the_longest_lasting_completion_counts() {
        let h = [held(HLR, "2024-01-10"), held(HLR, "2025-12-01")];
        let c = one(course_req(1, HLR), person(place(None, None), &h, &[], &[]));
        assert_eq!(c.state, CheckState::Met);
        assert_eq!(c.completed_on, Some(d("2025-12-01")));
    }

    #[test]
    fn requirement_narrowed_to_a_unit_applies_only_there() {
        let cat = catalogue();
        let reqs = [
            course_req(1, HYGIEN),
            req(
                2,
                USK,
                RequirementScope::Unit { unit_id: UNIT_A },
                RequirementTarget::Course { course_id: HLR },
            ),
            req(
                3,
                USK,
                RequirementScope::ActivityArea {
                    activity_area: ELDER,
                },
                RequirementTarget::Course {
                    course_id: PALL_BAS,
                },
            ),
            req(
                4,
                SSK,
                RequirementScope::Region,
                RequirementTarget::Course { course_id: HLR },
            ),
        ];
        let rules = RuleSet::new(&reqs, &cat);
        let ids = |p: PersonFacts| -> Vec<i64> {
            rules
                .evaluate(&person(p, &[], &[], &[]), &opts())
                .iter()
                .map(|c| c.requirement_id)
                .collect()
        };
        assert_eq!(ids(place(Some(UNIT_A), Some(ELDER))), [1, 2, 3]);
        assert_eq!(ids(place(Some(UNIT_B), Some(ELDER))), [1, 3]);
        assert_eq!(
            ids(place(Some(UNIT_B), Some(ActivityArea::Funktionsstod))),
            [1]
        );
        assert_eq!(ids(place(None, None)), [1]);
    }

    #[test]
    fn a_person_moving_units_takes_completions_along_and_meets_the_new_units_requirements() {
        let cat = catalogue();
        let reqs = [
            req(
                1,
                USK,
                RequirementScope::Unit { unit_id: UNIT_A },
                RequirementTarget::Course { course_id: HYGIEN },
            ),
            req(
                2,
                USK,
                RequirementScope::Unit { unit_id: UNIT_B },
                RequirementTarget::Course { course_id: HLR },
            ),
            req(
                3,
                USK,
                RequirementScope::Unit { unit_id: UNIT_B },
                RequirementTarget::Course { course_id: HYGIEN },
            ),
        ];
        let rules = RuleSet::new(&reqs, &cat);
        let h = [held(HYGIEN, "2024-04-01")];
        let before = rules.evaluate(
            &person(place(Some(UNIT_A), Some(ELDER)), &h, &[], &[]),
            &opts(),
        );
        assert_eq!(before.len(), 1);
        assert_eq!(before[0].state, CheckState::Met);
        let after = rules.evaluate(
            &person(place(Some(UNIT_B), Some(ELDER)), &h, &[], &[]),
            &opts(),
        );
        let states: Vec<_> = after.iter().map(|c| (c.requirement_id, c.state)).collect();
        assert_eq!(states, [(2, CheckState::Missing), (3, CheckState::Met)]);
    }

    #[test]
    fn a_retired_courses_requirement_still_applies_but_no_course_covers_it() {
        let cat = catalogue();
        let reqs = [course_req(1, OLD_LIFT)];
        let rules = RuleSet::new(&reqs, &cat);
        assert_eq!(rules.coverage_of(1), Some(&Coverage::NewCourse));
        let without = rules.evaluate(&person(place(None, None), &[], &[], &[]), &opts());
        assert_eq!(without[0].state, CheckState::Missing);
        // Someone who took it before it was retired keeps it.
        let h = [held(OLD_LIFT, "2020-01-01")];
        let with = rules.evaluate(&person(place(None, None), &h, &[], &[]), &opts());
        assert_eq!(with[0].state, CheckState::Met);
        let a = analyse(
            &rules,
            [person(place(Some(UNIT_A), None), &[], &[], &[])],
            &opts(),
            |_, _| {},
        );
        assert_eq!(a.region.tally.new_course, 1);
        assert_eq!(a.region.tally.covered, 0);
    }

    #[test]
    fn area_requirement_needs_the_level_and_accepts_sub_areas() {
        let need_bas = req(
            1,
            USK,
            RequirementScope::Region,
            RequirementTarget::Area {
                area_id: PALLIATIVE_AREA,
                level: Level::Bas,
            },
        );
        let need_ford = req(
            1,
            USK,
            RequirementScope::Region,
            RequirementTarget::Area {
                area_id: PALLIATIVE_AREA,
                level: Level::Fordjupning,
            },
        );
        // PALL_BAS is tagged with the sub-area: it gives the parent area at bas.
        let h = [held(PALL_BAS, "2025-01-01")];
        assert_eq!(
            one(need_bas, person(place(None, None), &h, &[], &[])).state,
            CheckState::Met
        );
        assert_eq!(
            one(need_ford, person(place(None, None), &h, &[], &[])).state,
            CheckState::Missing
        );
        let h = [held(PALL_FORD, "2025-01-01")];
        let c = one(need_bas, person(place(None, None), &h, &[], &[]));
        assert_eq!(c.state, CheckState::Met);
        assert_eq!(c.course_id, Some(PALL_FORD));
        assert_eq!(
            one(need_ford, person(place(None, None), &h, &[], &[])).state,
            CheckState::Met
        );
        // A course without the area gives nothing.
        let h = [held(HLR, "2026-01-01")];
        assert_eq!(
            one(need_bas, person(place(None, None), &h, &[], &[])).state,
            CheckState::Missing
        );
    }

    #[test]
    fn area_coverage_lists_bookable_courses_at_the_level_then_courses_in_development() {
        let cat = catalogue();
        let t = |level| RequirementTarget::Area {
            area_id: PALLIATIVE_AREA,
            level,
        };
        assert_eq!(
            coverage(&t(Level::Bas), &cat),
            Coverage::Catalogue {
                course_ids: vec![PALL_BAS, PALL_FORD]
            }
        );
        assert_eq!(
            coverage(&t(Level::Fordjupning), &cat),
            Coverage::Catalogue {
                course_ids: vec![PALL_FORD]
            }
        );
        assert_eq!(
            coverage(&t(Level::Spets), &cat),
            Coverage::InDevelopment {
                course_ids: vec![DEV]
            }
        );
        assert_eq!(
            coverage(
                &RequirementTarget::Area {
                    area_id: 999,
                    level: Level::Bas
                },
                &cat
            ),
            Coverage::NewCourse
        );
        assert_eq!(
            coverage(&RequirementTarget::Course { course_id: DEV }, &cat).class(),
            CoverageClass::NewCourse
        );
        assert_eq!(
            coverage(&RequirementTarget::Course { course_id: 12345 }, &cat),
            Coverage::NewCourse
        );
        let edu = RequirementTarget::Education {
            education: Education::new(EducationKind::VardOchOmsorgsprogrammet, None),
        };
        assert_eq!(coverage(&edu, &cat), Coverage::Recruitment);
        assert_eq!(coverage(&edu, &cat).class(), CoverageClass::Recruitment);
    }

    #[test]
    fn education_requirement_is_met_by_an_including_programme() {
        let voo = req(
            1,
            USK,
            RequirementScope::Region,
            RequirementTarget::Education {
                education: Education::new(EducationKind::VardOchOmsorgsprogrammet, None),
            },
        );
        let ed = [Education::new(
            EducationKind::SpecialistunderskoterskaYh,
            Some(Direction::Demens),
        )];
        assert_eq!(
            one(voo, person(place(None, None), &[], &ed, &[])).state,
            CheckState::Met
        );
        let none = [Education::new(EducationKind::Ingen, None)];
        assert_eq!(
            one(voo, person(place(None, None), &[], &none, &[])).state,
            CheckState::Missing
        );
    }

    #[test]
    fn a_booked_upcoming_session_makes_a_gap_planned_a_waitlist_place_does_not() {
        let plan = |session_id, starts: &str, waitlisted| Plan {
            course_id: HLR,
            session_id,
            starts_on: d(starts),
            waitlisted,
        };
        let h = [held(HLR, "2024-01-01")];
        let plans = [
            plan(7, "2026-04-02", true),
            plan(8, "2026-05-20", false),
            plan(6, "2026-01-01", false),
        ];
        let c = one(
            course_req(1, HLR),
            person(place(None, None), &h, &[], &plans),
        );
        assert_eq!(c.state, CheckState::Expired);
        assert!(c.is_planned());
        assert_eq!(c.plan.unwrap().session_id, 8);
        let waiting = [plan(7, "2026-04-02", true)];
        let c = one(
            course_req(1, HLR),
            person(place(None, None), &h, &[], &waiting),
        );
        assert!(c.plan.is_some());
        assert!(!c.is_planned());
        // A renewal booked for an expiring certificate is reported too.
        let h = [held(HLR, "2025-04-01")];
        let c = one(
            course_req(1, HLR),
            person(place(None, None), &h, &[], &plans),
        );
        assert_eq!(c.state, CheckState::Expiring);
        assert_eq!(c.plan.unwrap().session_id, 8);
        // A booking on an unrelated course plans nothing.
        let other = [Plan {
            course_id: HYGIEN,
            ..plan(9, "2026-04-01", false)
        }];
        assert!(one(
            course_req(1, HLR),
            person(place(None, None), &[], &[], &other)
        )
        .plan
        .is_none());
    }

    /// Four people in two units of one municipality and one in another.
    #[test]
    fn sums_on_four_levels_with_counts_and_shares() {
        let cat = catalogue();
        let reqs = [
            course_req(1, HLR),
            course_req(2, HYGIEN),
            req(
                3,
                USK,
                RequirementScope::Region,
                RequirementTarget::Education {
                    education: Education::new(EducationKind::VardOchOmsorgsprogrammet, None),
                },
            ),
            req(
                4,
                USK,
                RequirementScope::Unit { unit_id: UNIT_B },
                RequirementTarget::Course {
                    course_id: OLD_LIFT,
                },
            ),
        ];
        let rules = RuleSet::new(&reqs, &cat);
        let voo = [Education::new(
            EducationKind::VardOchOmsorgsprogrammet,
            None,
        )];
        let all_ok = [held(HLR, "2025-10-01"), held(HYGIEN, "2020-01-01")];
        let hlr_expired = [held(HLR, "2024-01-01"), held(HYGIEN, "2020-01-01")];
        let booked = [Plan {
            course_id: HLR,
            session_id: 1,
            starts_on: d("2026-04-01"),
            waitlisted: false,
        }];
        let at = |person_id, muni, unit, area| PersonFacts {
            person_id,
            municipality_id: muni,
            placement: Placement {
                role_id: USK,
                unit_id: unit,
                activity_area: area,
            },
        };
        let ssk = PersonFacts {
            placement: Placement {
                role_id: SSK,
                unit_id: Some(UNIT_A),
                activity_area: Some(ELDER),
            },
            ..at(5, MUNI, Some(UNIT_A), Some(ELDER))
        };
        let people = vec![
            // Everything met: 3 checks.
            person(at(1, MUNI, Some(UNIT_A), Some(ELDER)), &all_ok, &voo, &[]),
            // HLR expired (booked) and no education: 2 gaps of 3.
            person(
                at(2, MUNI, Some(UNIT_A), Some(ELDER)),
                &hlr_expired,
                &[],
                &booked,
            ),
            // Unit B adds the retired course: 4 checks, HLR + HYGIEN + OLD missing, education met.
            person(
                at(3, MUNI, Some(UNIT_B), Some(ActivityArea::Funktionsstod)),
                &[],
                &voo,
                &[],
            ),
            // Another municipality, no unit: 3 checks, all missing.
            person(at(4, MUNI2, None, None), &[], &[], &[]),
            // No requirement for the role.
            person(ssk, &[], &[], &[]),
        ];
        let mut seen = vec![];
        let a = analyse(&rules, people, &opts(), |p, checks| {
            seen.push((
                p.facts.person_id,
                Tally::of_person(checks, |c| {
                    rules.coverage_of(c.requirement_id).unwrap().class()
                }),
            ));
        });
        // Person level.
        let p2 = seen.iter().find(|(id, _)| *id == 2).unwrap().1;
        assert_eq!(
            (p2.checks, p2.met, p2.gaps, p2.expired, p2.missing, p2.planned),
            (3, 1, 2, 1, 1, 1)
        );
        assert_eq!((p2.covered, p2.recruitment), (1, 1));
        let p5 = seen.iter().find(|(id, _)| *id == 5).unwrap().1;
        assert_eq!((p5.people_with_requirements, p5.checks), (0, 0));

        // Region.
        let r = a.region.tally;
        assert_eq!(r.people, 5);
        assert_eq!(r.people_with_requirements, 4);
        assert_eq!(r.people_with_gaps, 3);
        assert_eq!(r.checks, 3 + 3 + 4 + 3);
        assert_eq!(r.met, 3 + 1 + 1);
        assert_eq!(r.gaps, 2 + 3 + 3);
        assert_eq!(r.expired, 1);
        assert_eq!(r.planned, 1);
        assert_eq!(r.new_course, 1);
        assert_eq!(r.recruitment, 2);
        assert_eq!(r.covered, 5);
        assert!((r.share_people_with_gaps() - 0.75).abs() < 1e-9);
        assert!((r.share_met() - 5.0 / 13.0).abs() < 1e-9);

        // Municipality.
        let m1 = a.municipalities[&MUNI].tally;
        assert_eq!((m1.people, m1.checks, m1.gaps), (4, 10, 5));
        let m2 = a.municipalities[&MUNI2].tally;
        assert_eq!((m2.people, m2.checks, m2.gaps), (1, 3, 3));

        // Activity area (region-wide and within the municipality); the
        // unitless person belongs to none.
        let elder = a.activity_areas["aldreomsorg"].tally;
        assert_eq!((elder.people, elder.gaps), (3, 2));
        assert_eq!(a.municipality_areas[&(MUNI, "funktionsstod")].tally.gaps, 3);
        assert_eq!(a.activity_areas.len(), 2);

        // Unit, with the breakdown by requirement.
        let ua = &a.units[&UNIT_A];
        assert_eq!((ua.tally.people, ua.tally.people_with_gaps), (3, 1));
        let rows: Vec<(i64, u64, u64)> = a
            .requirement_rows(ua)
            .map(|(id, t)| (id, t.applicable, t.gaps))
            .collect();
        assert_eq!(rows, [(1, 2, 1), (2, 2, 0), (3, 2, 1)]);
        let ub = &a.units[&UNIT_B];
        let rows: Vec<i64> = a.requirement_rows(ub).map(|(id, _)| id).collect();
        assert_eq!(rows, [1, 2, 3, 4]);
        assert!((ub.by_requirement[3].share_gaps() - 1.0).abs() < 1e-9);

        // The levels add up.
        let sum_units: u64 = a.units.values().map(|u| u.tally.checks).sum();
        assert_eq!(sum_units + m2.checks, r.checks);
    }

    #[test]
    fn analyses_of_parts_merge_into_the_analysis_of_the_whole() {
        let cat = catalogue();
        let reqs = [course_req(1, HLR), course_req(2, HYGIEN)];
        let rules = RuleSet::new(&reqs, &cat);
        let h1 = [held(HLR, "2025-10-01")];
        let h2 = [held(HYGIEN, "2020-01-01")];
        let facts = |id, muni, unit| PersonFacts {
            person_id: id,
            municipality_id: muni,
            placement: Placement {
                role_id: USK,
                unit_id: Some(unit),
                activity_area: Some(ELDER),
            },
        };
        let people = vec![
            person(facts(1, MUNI, UNIT_A), &h1, &[], &[]),
            person(facts(2, MUNI, UNIT_B), &h2, &[], &[]),
            person(facts(3, MUNI2, 12), &[], &[], &[]),
        ];
        let whole = analyse(&rules, people.clone(), &opts(), |_, _| {});
        let mut merged = analyse(&rules, people[..1].to_vec(), &opts(), |_, _| {});
        merged.merge(analyse(&rules, people[1..].to_vec(), &opts(), |_, _| {}));
        assert_eq!(merged, whole);
        let mut empty = Analysis::default();
        empty.merge(whole.clone());
        assert_eq!(empty, whole);
    }

    #[test]
    fn empty_groups_have_zero_shares() {
        let t = Tally::default();
        assert_eq!(t.share_met(), 0.0);
        assert_eq!(t.share_people_with_gaps(), 0.0);
        assert_eq!(t.share_planned(), 0.0);
        assert_eq!(t.share_covered(), 0.0);
    }

    #[test]
    fn year_wheel_puts_renewals_in_their_month_and_open_gaps_as_overdue() {
        let cat = catalogue();
        let reqs = [course_req(1, HLR), course_req(2, HYGIEN)];
        let rules = RuleSet::new(&reqs, &cat);
        let records = [
            vec![held(HLR, "2025-06-10"), held(HYGIEN, "2020-01-01")], // renews 2026-06
            vec![held(HLR, "2025-06-30")],                             // renews 2026-06
            vec![held(HLR, "2026-02-01")],                             // renews 2027-02
            vec![held(HLR, "2024-01-01")],                             // overdue
            vec![],                                                    // never had it: overdue
        ];
        let mut all = vec![];
        for h in &records {
            all.extend(rules.evaluate(&person(place(None, None), h, &[], &[]), &opts()));
        }
        let w = year_wheel(&rules, &all, d("2026-03-14"));
        assert_eq!(w.months.len(), 12);
        assert_eq!((w.months[0].year, w.months[0].month), (2026, 3));
        assert_eq!((w.months[11].year, w.months[11].month), (2027, 2));
        assert_eq!(
            w.months[3].entries,
            [WheelEntry {
                course_id: HLR,
                due: 2,
                planned: 0
            }]
        );
        assert_eq!(w.months[11].entries[0].due, 1);
        // Hygiene never expires: never on the wheel.
        assert!(w
            .months
            .iter()
            .all(|m| m.entries.iter().all(|e| e.course_id == HLR)));
        assert_eq!(
            w.overdue,
            [WheelEntry {
                course_id: HLR,
                due: 2,
                planned: 0
            }]
        );
    }
}
