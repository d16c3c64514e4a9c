//! The computation from aggregates to the report: shares, commitments
//! and achieved hours.

use super::aggregates::Aggregates;
use super::period::Period;
use super::report::{
    ByGender, CancelReason, CourseRow, GenderShares, IndicatorReport, MunicipalityRow,
    ProgrammeInfo, RoleGroupRow, Sessions, UniqueParticipants,
};
use crate::funding::{self, Programme};
use crate::org::{Gender, RoleGroup};
use crate::surveys::SurveySummary;

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
