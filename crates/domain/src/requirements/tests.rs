use super::*;
use crate::education::Direction;

const USK: i64 = 2;
const SSK: i64 = 23;
const HLR: i64 = 66;
const OLD: i64 = 99;
const PAUSED: i64 = 50;

fn courses() -> Vec<CourseRef> {
    vec![
        CourseRef {
            id: HLR,
            title: "HLR".into(),
            status: CourseStatus::Aktiv,
        },
        CourseRef {
            id: OLD,
            title: "Gammal lyftteknik".into(),
            status: CourseStatus::Avvecklad,
        },
        CourseRef {
            id: PAUSED,
            title: "Sårvård".into(),
            status: CourseStatus::Pausad,
        },
    ]
}
const UNITS: [UnitRef; 2] = [
    UnitRef {
        id: 10,
        municipality_id: 1,
    },
    UnitRef {
        id: 11,
        municipality_id: 2,
    },
];

fn check(d: RequirementDraft, existing: &[Requirement]) -> Result<CheckedRequirement, FieldErrors> {
    let c = courses();
    check_requirement(
        &d,
        &RequirementContext {
            roles: &[USK, SSK],
            units: &UNITS,
            courses: &c,
            areas: &[1, 7],
            existing,
        },
    )
}

fn hlr_for_usk() -> RequirementDraft {
    RequirementDraft {
        role_id: USK.to_string(),
        scope: "region".into(),
        kind: "course".into(),
        course_id: HLR.to_string(),
        ..Default::default()
    }
}

fn fields(e: &FieldErrors) -> Vec<&str> {
    e.0.iter().map(|x| x.field.as_str()).collect()
}

#[test]
fn a_course_requirement_for_a_role() {
    let r = check(hlr_for_usk(), &[]).unwrap();
    assert_eq!(r.scope, RequirementScope::Region);
    assert_eq!(r.target, RequirementTarget::Course { course_id: HLR });
    assert_eq!(r.municipality_id, None);
}

#[test]
fn a_retired_course_is_refused_but_a_paused_one_may_be_required() {
    let e = check(
        RequirementDraft {
            course_id: OLD.to_string(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(e.0[0].code, "retired_course");
    assert!(e.0[0].message.contains("Gammal lyftteknik"));
    assert!(check(
        RequirementDraft {
            course_id: PAUSED.to_string(),
            ..hlr_for_usk()
        },
        &[]
    )
    .is_ok());
}

#[test]
fn narrowed_to_a_unit_or_an_activity_area() {
    let r = check(
        RequirementDraft {
            scope: "enhet".into(),
            unit_id: "11".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap();
    assert_eq!(r.scope, RequirementScope::Unit { unit_id: 11 });
    assert_eq!(r.municipality_id, Some(2));
    let r = check(
        RequirementDraft {
            scope: "verksamhetsområde".into(),
            activity_area: "äldreomsorg".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap();
    assert_eq!(
        r.scope,
        RequirementScope::ActivityArea {
            activity_area: ActivityArea::Aldreomsorg
        }
    );
    let e = check(
        RequirementDraft {
            scope: "unit".into(),
            unit_id: "12".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["unit_id"]);
    let e = check(
        RequirementDraft {
            scope: "activity_area".into(),
            activity_area: "skola".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["activity_area"]);
}

#[test]
fn area_requirement_needs_area_and_level() {
    let r = check(
        RequirementDraft {
            kind: "kompetensområde".into(),
            area_id: "7".into(),
            level: "fördjupning".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap();
    assert_eq!(
        r.target,
        RequirementTarget::Area {
            area_id: 7,
            level: Level::Fordjupning
        }
    );
    let e = check(
        RequirementDraft {
            kind: "area".into(),
            area_id: "8".into(),
            level: "expert".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["area_id", "level"]);
}

#[test]
fn education_requirement_refuses_unknown_values_and_none() {
    let r = check(
        RequirementDraft {
            kind: "utbildning".into(),
            education: "vård- och omsorgsprogrammet".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap();
    assert!(matches!(r.target, RequirementTarget::Education { .. }));
    let r = check(
        RequirementDraft {
            kind: "education".into(),
            education: "specialistundersköterska".into(),
            direction: "demens".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap();
    assert_eq!(
        r.target,
        RequirementTarget::Education {
            education: Education::new(
                EducationKind::SpecialistunderskoterskaYh,
                Some(Direction::Demens)
            )
        }
    );
    let e = check(
        RequirementDraft {
            kind: "education".into(),
            education: "undersköterska light".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(e.0[0].field, "education");
    assert_eq!(e.0[0].code, "unknown_education");
    let e = check(
        RequirementDraft {
            kind: "education".into(),
            education: "ingen".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(e.0[0].field, "education");
}

#[test]
fn every_bad_field_is_named() {
    let e = check(
        RequirementDraft {
            role_id: "x".into(),
            scope: "planet".into(),
            kind: "känsla".into(),
            note: "n".repeat(501),
            ..Default::default()
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["role_id", "scope", "kind", "note"]);
    // An unknown role id is refused like a malformed one.
    let e = check(
        RequirementDraft {
            role_id: "777".into(),
            ..hlr_for_usk()
        },
        &[],
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["role_id"]);
}

#[test]
fn duplicates_are_refused_but_the_same_target_elsewhere_is_not() {
    let existing = [Requirement {
        id: 1,
        role_id: USK,
        scope: RequirementScope::Region,
        target: RequirementTarget::Course { course_id: HLR },
    }];
    let e = check(hlr_for_usk(), &existing).unwrap_err();
    assert_eq!(e.0[0].code, "duplicate");
    assert!(check(
        RequirementDraft {
            role_id: SSK.to_string(),
            ..hlr_for_usk()
        },
        &existing
    )
    .is_ok());
    assert!(check(
        RequirementDraft {
            scope: "unit".into(),
            unit_id: "10".into(),
            ..hlr_for_usk()
        },
        &existing
    )
    .is_ok());
}

#[test]
fn scope_decides_who_a_requirement_applies_to() {
    let place = Placement {
        role_id: USK,
        unit_id: Some(10),
        activity_area: Some(ActivityArea::Aldreomsorg),
    };
    let r = |scope| Requirement {
        id: 1,
        role_id: USK,
        scope,
        target: RequirementTarget::Course { course_id: HLR },
    };
    assert!(r(RequirementScope::Region).applies_to(&place));
    assert!(r(RequirementScope::Unit { unit_id: 10 }).applies_to(&place));
    assert!(!r(RequirementScope::Unit { unit_id: 11 }).applies_to(&place));
    assert!(r(RequirementScope::ActivityArea {
        activity_area: ActivityArea::Aldreomsorg
    })
    .applies_to(&place));
    assert!(!r(RequirementScope::ActivityArea {
        activity_area: ActivityArea::Funktionsstod
    })
    .applies_to(&place));
    // Another role: never.
    assert!(!r(RequirementScope::Region).applies_to(&Placement {
        role_id: SSK,
        ..place
    }));
    // Without a unit only region-wide requirements apply.
    let unitless = Placement {
        role_id: USK,
        unit_id: None,
        activity_area: None,
    };
    assert!(r(RequirementScope::Region).applies_to(&unitless));
    assert!(!r(RequirementScope::Unit { unit_id: 10 }).applies_to(&unitless));
}

#[test]
fn warnings_point_at_retired_and_paused_courses() {
    let r = Requirement {
        id: 1,
        role_id: USK,
        scope: RequirementScope::Region,
        target: RequirementTarget::Course { course_id: HLR },
    };
    assert!(warning(&r, |_| Some(CourseStatus::Aktiv)).is_none());
    assert!(warning(&r, |_| Some(CourseStatus::Avvecklad))
        .unwrap()
        .contains("avvecklats"));
    assert!(warning(&r, |_| Some(CourseStatus::Pausad)).is_some());
    assert!(warning(&r, |_| None).is_some());
}

#[test]
fn need_status_follows_the_linked_courses() {
    use CourseStatus::*;
    assert_eq!(need_status_from_courses(&[]), None);
    assert_eq!(
        need_status_from_courses(&[Pausad, Aktiv]),
        Some(NeedStatus::Levererat)
    );
    assert_eq!(
        need_status_from_courses(&[Test]),
        Some(NeedStatus::UnderUtveckling)
    );
    assert_eq!(
        need_status_from_courses(&[Avvecklad, UnderUtveckling]),
        Some(NeedStatus::UnderUtveckling)
    );
    assert_eq!(
        need_status_from_courses(&[Avvecklad, Pausad]),
        Some(NeedStatus::RiskAttEjLeverera)
    );
}

#[test]
fn need_check() {
    let n = check_need(&NeedDraft {
        profession: "Sjuksköterskor".into(),
        title: " HLR ".into(),
        status: "risk att ej leverera".into(),
        certainty: "låg".into(),
        note: String::new(),
    })
    .unwrap();
    assert_eq!(n.title, "HLR");
    assert_eq!(n.certainty, Certainty::Lag);
    let e = check_need(&NeedDraft {
        profession: "piloter".into(),
        title: "".into(),
        status: "klart".into(),
        certainty: "kanske".into(),
        note: String::new(),
    })
    .unwrap_err();
    assert_eq!(fields(&e), ["profession", "title", "status", "certainty"]);
}
