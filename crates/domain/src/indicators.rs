//! The funder's indicators (DESIGN.md rule 4):
//!
//! - a **unique participant** is a person with at least one attended
//!   session in the period; gender shares are computed on unique people;
//! - a **participation** is one attended session;
//! - **participant hours** (deltagartimmar) are the session's hours for each
//!   attended session, summed over the participants (absences add nothing):
//!   ten people on a three-hour session are 30 participant hours. This is
//!   what the funder's target, the commitments and the cost model's actual
//!   use count. The JSON field `course_hours` is the same figure under its
//!   old name, kept for existing readers;
//! - **course hours delivered** (genomförda kurstimmar) are the hours of the
//!   sessions held, each session once: that session is 3 course hours;
//! - a municipality's **commitment** is the programme's target hours split
//!   by its share of employees, and **achieved** is its participant hours
//!   from the programme's start up to the end of the period.
//!
//! The store aggregates in SQL into [`Aggregates`]; [`assemble`] turns them
//! into the report. [`aggregate`] does the same aggregation from raw rows
//! and is the reference the SQL is tested against.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::errors::FieldErrors;
use crate::funding::{self, Programme};
use crate::org::{Gender, RoleGroup};
use crate::surveys::SurveySummary;

/// A report period, both dates included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest report or dashboard period: a longer one is refused rather
/// than left to scan decades of data.
pub const MAX_PERIOD_YEARS: u32 = 10;

/// Check `from` and `to` (YYYY-MM-DD; `to` not before `from`; at most
/// [`MAX_PERIOD_YEARS`] years).
pub fn check_period(from: &str, to: &str) -> Result<Period, FieldErrors> {
    let mut e = FieldErrors::new();
    let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let f = parse(from);
    if f.is_none() {
        e.add("from", "invalid_date", "Ange från-datum som ÅÅÅÅ-MM-DD.");
    }
    let t = parse(to);
    if t.is_none() {
        e.add("to", "invalid_date", "Ange till-datum som ÅÅÅÅ-MM-DD.");
    }
    match (f, t) {
        (Some(from), Some(to)) if to < from => {
            e.add(
                "to",
                "to_before_from",
                "Till-datum får inte vara före från-datum.",
            );
            Err(e)
        }
        (Some(from), Some(to))
            if from
                .checked_add_months(Months::new(MAX_PERIOD_YEARS * 12))
                .is_none_or(|end| to >= end) =>
        {
            e.add(
                "to",
                "period_too_long",
                format!("Perioden får vara högst {MAX_PERIOD_YEARS} år."),
            );
            Err(e)
        }
        (Some(from), Some(to)) => Ok(Period { from, to }),
        _ => Err(e),
    }
}

// ---- the report, exactly as CONTRACTS.md (plus extra fields) ----

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ByGender {
    pub kvinna: i64,
    pub man: i64,
    pub annat: i64,
    pub ej_angivet: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GenderShares {
    pub kvinna: f64,
    pub man: f64,
    pub annat: f64,
    pub ej_angivet: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UniqueParticipants {
    pub total: i64,
    pub by_gender: ByGender,
    /// Shares of unique participants in per cent (extra field).
    pub share_pct_by_gender: GenderShares,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CancelReason {
    pub reason: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sessions {
    pub held: i64,
    pub cancelled: i64,
    /// Cancelled sessions by reason (extra field).
    pub cancelled_by_reason: Vec<CancelReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityRow {
    pub municipality: String,
    pub unique_participants: i64,
    pub participations: i64,
    /// Attended hours summed over participants (deltagartimmar).
    pub participant_hours: f64,
    /// The same figure under its old name (CONTRACTS.md); prefer
    /// `participant_hours`.
    pub course_hours: f64,
    pub commitment_hours: f64,
    pub commitment_achieved_pct: f64,
    /// Extra: attended hours from the programme's start to `to`.
    pub programme_hours: f64,
    /// Extra: the share expected by `to` at an even pace, %.
    pub expected_pct: f64,
    /// Extra: achieved ≥ expected.
    pub on_track: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseRow {
    pub course: String,
    pub participations: i64,
    pub unique_participants: i64,
    /// Attended hours summed over participants (deltagartimmar).
    pub participant_hours: f64,
    /// The same figure under its old name (CONTRACTS.md); prefer
    /// `participant_hours`.
    pub course_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleGroupRow {
    pub role_group: String,
    pub participations: i64,
    pub unique_participants: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeInfo {
    pub name: String,
    pub starts: String,
    pub ends: String,
    pub granted_sek: i64,
    pub cofinancing_rate: f64,
    pub target_hours: f64,
    pub programme_hours: f64,
    pub achieved_pct: f64,
    pub expected_pct: f64,
    pub on_track: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReport {
    pub from: String,
    pub to: String,
    pub unique_participants: UniqueParticipants,
    pub participations: i64,
    /// Attended hours summed over participants (deltagartimmar).
    pub participant_hours: f64,
    /// The same figure under its old name (CONTRACTS.md); prefer
    /// `participant_hours`.
    pub course_hours: f64,
    /// Hours of the sessions held in the period, each session once
    /// (genomförda kurstimmar).
    pub course_hours_delivered: f64,
    pub sessions: Sessions,
    pub by_municipality: Vec<MunicipalityRow>,
    pub by_course: Vec<CourseRow>,
    pub by_role_group: Vec<RoleGroupRow>,
    /// Extra: the funding programme the commitments come from, if any.
    pub programme: Option<ProgrammeInfo>,
    /// Extra: participant survey results in the period.
    pub survey: SurveySummary,
}

// ---- aggregates: what the store computes ----

/// Unique people, participations and hours for one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub unique: i64,
    pub participations: i64,
    pub hours: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregates {
    pub total: Counts,
    pub by_gender: BTreeMap<Gender, Counts>,
    pub by_role_group: BTreeMap<String, Counts>,
    pub by_municipality: BTreeMap<String, Counts>,
    pub by_course: BTreeMap<String, Counts>,
    pub sessions_held: i64,
    /// Hours of the sessions held, each once (course hours delivered).
    pub delivered_hours: f64,
    /// reason → number of cancelled sessions
    pub cancelled: BTreeMap<String, i64>,
    /// Attended hours per municipality from the programme's start to `to`.
    pub programme_hours: BTreeMap<String, f64>,
}

/// One booking as the reference aggregation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Participation {
    pub person_id: i64,
    pub gender: Gender,
    pub role_group: String,
    pub municipality: String,
    pub course: String,
    pub session_id: i64,
    pub date: NaiveDate,
    pub hours: f64,
    pub attended: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionFact {
    pub date: NaiveDate,
    /// The session's length in hours.
    pub hours: f64,
    pub held: bool,
    pub cancelled: bool,
    pub cancel_reason: String,
}

/// The reference aggregation from raw rows (rule 4, written plainly).
pub fn aggregate(
    period: Period,
    programme_start: Option<NaiveDate>,
    rows: &[Participation],
    sessions: &[SessionFact],
) -> Aggregates {
    let in_period = |d: NaiveDate| d >= period.from && d <= period.to;
    let mut a = Aggregates::default();
    let mut people: HashSet<i64> = HashSet::new();
    let mut seen: HashMap<(u8, String), HashSet<i64>> = HashMap::new();
    fn add(c: &mut Counts, new_person: bool, hours: f64) {
        c.participations += 1;
        c.hours += hours;
        if new_person {
            c.unique += 1;
        }
    }
    for r in rows.iter().filter(|r| r.attended) {
        if let Some(start) = programme_start {
            if r.date >= start && r.date <= period.to {
                *a.programme_hours.entry(r.municipality.clone()).or_default() += r.hours;
            }
        }
        if !in_period(r.date) {
            continue;
        }
        let first = people.insert(r.person_id);
        add(&mut a.total, first, r.hours);
        add(a.by_gender.entry(r.gender).or_default(), first, r.hours);
        add(
            a.by_role_group.entry(r.role_group.clone()).or_default(),
            first,
            r.hours,
        );
        add(
            a.by_municipality.entry(r.municipality.clone()).or_default(),
            first,
            r.hours,
        );
        let first_in_course = seen
            .entry((4, r.course.clone()))
            .or_default()
            .insert(r.person_id);
        add(
            a.by_course.entry(r.course.clone()).or_default(),
            first_in_course,
            r.hours,
        );
    }
    for s in sessions.iter().filter(|s| in_period(s.date)) {
        if s.cancelled {
            *a.cancelled.entry(s.cancel_reason.clone()).or_default() += 1;
        } else if s.held {
            a.sessions_held += 1;
            a.delivered_hours += s.hours;
        }
    }
    a
}

fn pct(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 * 100.0 / whole as f64
    } else {
        0.0
    }
}

/// Turn aggregates into the report. `municipalities` are all the names
/// Navet knows, so every municipality gets a row (also with zero).
pub fn assemble(
    period: Period,
    a: &Aggregates,
    programme: Option<&Programme>,
    municipalities: &[String],
    survey: SurveySummary,
) -> IndicatorReport {
    let g = |x: Gender| a.by_gender.get(&x).map(|c| c.unique).unwrap_or(0);
    let total = a.total.unique;
    let by_gender = ByGender {
        kvinna: g(Gender::Kvinna),
        man: g(Gender::Man),
        annat: g(Gender::Annat),
        ej_angivet: g(Gender::EjAngivet),
    };
    let share_pct_by_gender = GenderShares {
        kvinna: pct(by_gender.kvinna, total),
        man: pct(by_gender.man, total),
        annat: pct(by_gender.annat, total),
        ej_angivet: pct(by_gender.ej_angivet, total),
    };
    let elapsed = programme.map(|p| p.elapsed_share(period.to)).unwrap_or(0.0);
    let mut names: Vec<String> = municipalities.to_vec();
    for m in a.by_municipality.keys() {
        if !names.contains(m) {
            names.push(m.clone());
        }
    }
    crate::collation::sort_swedish_by(&mut names, |s| s.as_str());
    let by_municipality = names
        .iter()
        .map(|m| {
            let c = a.by_municipality.get(m).cloned().unwrap_or_default();
            let commitment = programme.map(|p| p.commitment_for(m)).unwrap_or(0.0);
            let hours = a.programme_hours.get(m).copied().unwrap_or(0.0);
            let pr = funding::progress(hours, commitment, elapsed);
            MunicipalityRow {
                municipality: m.clone(),
                unique_participants: c.unique,
                participations: c.participations,
                participant_hours: c.hours,
                course_hours: c.hours,
                commitment_hours: commitment,
                commitment_achieved_pct: pr.achieved_pct,
                programme_hours: hours,
                expected_pct: if programme.is_some() {
                    pr.expected_pct
                } else {
                    0.0
                },
                on_track: pr.on_track,
            }
        })
        .collect();
    let mut by_course: Vec<CourseRow> = a
        .by_course
        .iter()
        .map(|(k, c)| CourseRow {
            course: k.clone(),
            participations: c.participations,
            unique_participants: c.unique,
            participant_hours: c.hours,
            course_hours: c.hours,
        })
        .collect();
    by_course.sort_by(|x, y| {
        y.participations
            .cmp(&x.participations)
            .then_with(|| crate::collation::swedish_cmp(&x.course, &y.course))
    });
    // Every role group in a fixed order, then any unknown group name.
    let mut groups: Vec<String> = RoleGroup::ALL
        .iter()
        .map(|g| g.label_sv().to_string())
        .collect();
    for k in a.by_role_group.keys() {
        if !groups.contains(k) {
            groups.push(k.clone());
        }
    }
    let by_role_group = groups
        .into_iter()
        .map(|k| {
            let c = a.by_role_group.get(&k).cloned().unwrap_or_default();
            RoleGroupRow {
                role_group: k,
                participations: c.participations,
                unique_participants: c.unique,
            }
        })
        .collect();
    let mut reasons: Vec<CancelReason> = a
        .cancelled
        .iter()
        .map(|(r, n)| CancelReason {
            reason: if r.trim().is_empty() {
                "ej angiven".into()
            } else {
                r.clone()
            },
            count: *n,
        })
        .collect();
    reasons.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.reason.cmp(&y.reason)));
    let programme_info = programme.map(|p| {
        let hours: f64 = a.programme_hours.values().sum();
        let pr = funding::progress(hours, p.target_hours, elapsed);
        ProgrammeInfo {
            name: p.name.clone(),
            starts: p.starts.to_string(),
            ends: p.ends.to_string(),
            granted_sek: p.granted_sek,
            cofinancing_rate: p.cofinancing_rate,
            target_hours: p.target_hours,
            programme_hours: hours,
            achieved_pct: pr.achieved_pct,
            expected_pct: pr.expected_pct,
            on_track: pr.on_track,
        }
    });
    IndicatorReport {
        from: period.from.to_string(),
        to: period.to.to_string(),
        unique_participants: UniqueParticipants {
            total,
            by_gender,
            share_pct_by_gender,
        },
        participations: a.total.participations,
        participant_hours: a.total.hours,
        course_hours: a.total.hours,
        course_hours_delivered: a.delivered_hours,
        sessions: Sessions {
            held: a.sessions_held,
            cancelled: a.cancelled.values().sum(),
            cancelled_by_reason: reasons,
        },
        by_municipality,
        by_course,
        by_role_group,
        programme: programme_info,
        survey,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
