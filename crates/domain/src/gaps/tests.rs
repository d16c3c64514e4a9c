use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;
use crate::catalogue::{CourseStatus, Level};
use crate::education::Education;
use crate::education::{Direction, EducationKind};
use crate::org::ActivityArea;
use crate::requirements::RequirementScope;
use crate::requirements::{Placement, Requirement, RequirementTarget};

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

fn req(id: i64, role_id: i64, scope: RequirementScope, target: RequirementTarget) -> Requirement {
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
