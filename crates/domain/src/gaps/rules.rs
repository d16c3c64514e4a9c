//! The rules that check one person: which requirements apply, whether each
//! is met, expiring or a gap, and how the catalogue covers it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::facts::{Catalogue, CourseFacts, Holding, PersonRecord, Plan};
use crate::catalogue::CourseStatus;
use crate::education::holds;
use crate::requirements::{Placement, Requirement, RequirementTarget};

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
