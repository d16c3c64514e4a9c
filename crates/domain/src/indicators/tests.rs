use chrono::NaiveDate;

use super::*;
use crate::funding::Programme;
use crate::org::Gender;
use crate::surveys::SurveySummary;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn year() -> Period {
    check_period("2025-01-01", "2025-12-31").unwrap()
}
#[allow(clippy::too_many_arguments)]
fn p(
    person: i64,
    gender: Gender,
    group: &str,
    muni: &str,
    course: &str,
    session: i64,
    date: &str,
    hours: f64,
    attended: bool,
) -> Participation {
    Participation {
        person_id: person,
        gender,
        role_group: group.into(),
        municipality: muni.into(),
        course: course.into(),
        session_id: session,
        date: d(date),
        hours,
        attended,
    }
}
fn munis() -> Vec<String> {
    vec!["Örebro".into(), "Laxå".into(), "Hällefors".into()]
}
fn report(rows: &[Participation], programme: Option<&Programme>) -> IndicatorReport {
    let a = aggregate(year(), programme.map(|p| p.starts), rows, &[]);
    assemble(year(), &a, programme, &munis(), SurveySummary::default())
}

#[test]
fn a_person_attending_three_sessions_counts_once() {
    let rows = vec![
        p(
            1,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "HLR",
            1,
            "2025-02-01",
            3.0,
            true,
        ),
        p(
            1,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "HLR",
            2,
            "2025-06-01",
            3.0,
            true,
        ),
        p(
            1,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "Sårvård",
            3,
            "2025-09-01",
            4.0,
            true,
        ),
    ];
    let r = report(&rows, None);
    assert_eq!(r.unique_participants.total, 1);
    assert_eq!(r.participations, 3);
    assert_eq!(r.course_hours, 10.0);
    assert_eq!(r.unique_participants.by_gender.kvinna, 1);
    let orebro = r
        .by_municipality
        .iter()
        .find(|m| m.municipality == "Örebro")
        .unwrap();
    assert_eq!((orebro.unique_participants, orebro.participations), (1, 3));
    let hlr = r.by_course.iter().find(|c| c.course == "HLR").unwrap();
    assert_eq!(
        (
            hlr.unique_participants,
            hlr.participations,
            hlr.course_hours
        ),
        (1, 2, 6.0)
    );
    let bas = r
        .by_role_group
        .iter()
        .find(|g| g.role_group == "baspersonal")
        .unwrap();
    assert_eq!((bas.unique_participants, bas.participations), (1, 3));
}

#[test]
fn absences_add_no_hours_and_no_participants() {
    let rows = vec![
        p(
            1,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "HLR",
            1,
            "2025-02-01",
            3.0,
            true,
        ),
        p(
            2,
            Gender::Man,
            "baspersonal",
            "Örebro",
            "HLR",
            1,
            "2025-02-01",
            3.0,
            false,
        ),
    ];
    let r = report(&rows, None);
    assert_eq!(r.unique_participants.total, 1);
    assert_eq!(r.unique_participants.by_gender.man, 0);
    assert_eq!(r.participations, 1);
    assert_eq!(r.course_hours, 3.0);
}

#[test]
fn gender_shares_are_on_unique_people() {
    // One woman attends 8 sessions, two men attend one each:
    // shares are 1/3 and 2/3 of people, not 8/10 of participations.
    let mut rows: Vec<Participation> = (0..8)
        .map(|i| {
            p(
                1,
                Gender::Kvinna,
                "baspersonal",
                "Laxå",
                "HLR",
                i,
                "2025-03-01",
                1.0,
                true,
            )
        })
        .collect();
    rows.push(p(
        2,
        Gender::Man,
        "chef",
        "Laxå",
        "HLR",
        100,
        "2025-03-02",
        1.0,
        true,
    ));
    rows.push(p(
        3,
        Gender::Man,
        "chef",
        "Laxå",
        "HLR",
        101,
        "2025-03-03",
        1.0,
        true,
    ));
    let r = report(&rows, None);
    let s = &r.unique_participants.share_pct_by_gender;
    assert!((s.kvinna - 100.0 / 3.0).abs() < 1e-9);
    assert!((s.man - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(s.annat, 0.0);
}

#[test]
fn the_period_bounds_are_inclusive() {
    let rows = vec![
        p(
            1,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "HLR",
            1,
            "2024-12-31",
            3.0,
            true,
        ),
        p(
            2,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "HLR",
            2,
            "2025-01-01",
            3.0,
            true,
        ),
        p(
            3,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "HLR",
            3,
            "2025-12-31",
            3.0,
            true,
        ),
        p(
            4,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "HLR",
            4,
            "2026-01-01",
            3.0,
            true,
        ),
    ];
    assert_eq!(report(&rows, None).unique_participants.total, 2);
}

fn programme() -> Programme {
    Programme {
        name: "ESF Kompetensnavet".into(),
        starts: d("2025-01-01"),
        ends: d("2027-06-30"),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: vec![("Örebro".into(), 9000), ("Laxå".into(), 1000)],
    }
}

#[test]
fn commitment_follows_employee_share_and_counts_since_programme_start() {
    let prog = programme();
    let rows = vec![
        // Before the programme: not counted towards the commitment.
        p(
            1,
            Gender::Kvinna,
            "baspersonal",
            "Laxå",
            "HLR",
            1,
            "2024-06-01",
            100.0,
            true,
        ),
        // In the programme but before the period: counted towards it.
        p(
            1,
            Gender::Kvinna,
            "baspersonal",
            "Laxå",
            "HLR",
            2,
            "2025-03-01",
            420.0,
            true,
        ),
        p(
            2,
            Gender::Kvinna,
            "baspersonal",
            "Laxå",
            "HLR",
            2,
            "2025-03-01",
            420.0,
            false,
        ),
        p(
            3,
            Gender::Kvinna,
            "baspersonal",
            "Örebro",
            "HLR",
            3,
            "2025-12-01",
            3780.0,
            true,
        ),
    ];
    let a = aggregate(
        check_period("2025-06-01", "2025-12-31").unwrap(),
        Some(prog.starts),
        &rows,
        &[],
    );
    let r = assemble(
        check_period("2025-06-01", "2025-12-31").unwrap(),
        &a,
        Some(&prog),
        &munis(),
        SurveySummary::default(),
    );
    let laxa = r
        .by_municipality
        .iter()
        .find(|m| m.municipality == "Laxå")
        .unwrap();
    assert!((laxa.commitment_hours - 4200.0).abs() < 1e-9);
    assert!((laxa.commitment_achieved_pct - 10.0).abs() < 1e-9);
    assert_eq!(laxa.participations, 0, "March is outside the period");
    let orebro = r
        .by_municipality
        .iter()
        .find(|m| m.municipality == "Örebro")
        .unwrap();
    assert!((orebro.commitment_hours - 37_800.0).abs() < 1e-9);
    assert!((orebro.commitment_achieved_pct - 10.0).abs() < 1e-9);
    // Hällefors has no commitment in this programme: 0, not a division by zero.
    let hf = r
        .by_municipality
        .iter()
        .find(|m| m.municipality == "Hällefors")
        .unwrap();
    assert_eq!(
        (hf.commitment_hours, hf.commitment_achieved_pct),
        (0.0, 0.0)
    );
    // 10 % after 365 of 911 days is behind an even pace.
    assert!(!orebro.on_track);
    let info = r.programme.unwrap();
    assert!((info.programme_hours - 4200.0).abs() < 1e-9);
}

#[test]
fn sessions_held_and_cancelled_with_reasons() {
    let s = |date: &str, held, cancelled, reason: &str| SessionFact {
        date: d(date),
        hours: 3.5,
        held,
        cancelled,
        cancel_reason: reason.into(),
    };
    let sessions = vec![
        s("2025-02-01", true, false, ""),
        s("2025-02-02", true, false, ""),
        s("2025-02-03", false, true, "för få anmälda"),
        s("2025-02-04", false, true, "för få anmälda"),
        s("2025-02-05", false, true, ""),
        s("2025-02-06", false, false, ""),
        s("2026-02-06", false, true, "sjukdom"),
    ];
    let a = aggregate(year(), None, &[], &sessions);
    let r = assemble(year(), &a, None, &munis(), SurveySummary::default());
    assert_eq!((r.sessions.held, r.sessions.cancelled), (2, 3));
    // Two sessions held of 3.5 hours: 7 course hours delivered, and no
    // participant hours without attendance.
    assert_eq!(r.course_hours_delivered, 7.0);
    assert_eq!(r.participant_hours, 0.0);
    assert_eq!(r.sessions.cancelled_by_reason[0].reason, "för få anmälda");
    assert_eq!(r.sessions.cancelled_by_reason[0].count, 2);
    assert_eq!(r.sessions.cancelled_by_reason[1].reason, "ej angiven");
}

#[test]
fn json_has_the_contract_fields() {
    let r = report(&[], Some(&programme()));
    let v = serde_json::to_value(&r).unwrap();
    for k in [
        "from",
        "to",
        "unique_participants",
        "participations",
        "course_hours",
        "sessions",
        "by_municipality",
        "by_course",
        "by_role_group",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert!(v["unique_participants"]["by_gender"]
        .get("ej_angivet")
        .is_some());
    assert!(v["course_hours"].is_f64());
    assert!(v["participations"].is_i64());
    let m = &v["by_municipality"][0];
    for k in [
        "municipality",
        "unique_participants",
        "participations",
        "course_hours",
        "commitment_hours",
        "commitment_achieved_pct",
    ] {
        assert!(m.get(k).is_some(), "{k}");
    }
    assert!(m["commitment_hours"].is_f64());
    // Every municipality and every role group has a row, in Swedish order.
    let names: Vec<&str> = v["by_municipality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["municipality"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Hällefors", "Laxå", "Örebro"]);
    assert_eq!(v["by_role_group"].as_array().unwrap().len(), 5);
}

#[test]
fn bad_periods_are_named() {
    assert_eq!(check_period("2025-13-01", "x").unwrap_err().0.len(), 2);
    assert_eq!(
        check_period("2025-12-01", "2025-01-01").unwrap_err().0[0].field,
        "to"
    );
}

#[test]
fn periods_are_capped_at_ten_years() {
    assert!(check_period("2016-01-01", "2025-12-31").is_ok());
    let e = check_period("2016-01-01", "2026-01-01").unwrap_err();
    assert_eq!(e.0[0].field, "to");
    assert_eq!(e.0[0].code, "period_too_long");
    assert!(e.0[0].message.contains("10 år"));
    let e = check_period("0001-01-01", "9999-12-31").unwrap_err();
    assert_eq!(e.0[0].field, "to");
}
