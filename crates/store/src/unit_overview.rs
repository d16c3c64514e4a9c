//! The read model of a manager's unit page: staff with their gaps,
//! bookings, certificates running out and the year wheel, built from the
//! gap analysis (`crate::gaps`) and the unit's tracks.

use domain::ids::UnitId;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use domain::booking::BookingStatus;
use domain::education::{Direction, Education, EducationKind};
use domain::gaps::{year_wheel, Check, Holding, Tally, YearWheel};
use domain::requirements::RequirementTarget;
use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::error::{code, StoreResult};
use crate::gaps::{
    check_line, next_sessions, requirement_lines, CheckLine, Courses, GapScope, RequirementLine,
    SessionOffer,
};
use crate::requirements::{self, RequirementRow};

/// One member of staff on the unit page.
#[derive(Debug, Clone, Serialize)]
pub struct StaffLine {
    pub person_id: i64,
    pub name: String,
    pub role: String,
    pub educations: Vec<String>,
    pub counts: Tally,
    pub gaps: Vec<CheckLine>,
    pub expiring: Vec<CheckLine>,
    pub track: Option<crate::tracks::TrackStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BookingLine {
    pub booking_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub session_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub starts_label: String,
    pub status: BookingStatus,
    pub waitlist_position: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateLine {
    pub person_id: i64,
    pub person_name: String,
    pub course_id: i64,
    pub course_title: String,
    pub completed_on: String,
    pub expires_on: String,
    pub expired: bool,
    pub renewal_booked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WheelCourse {
    pub course_id: i64,
    pub course_title: String,
    pub due: u64,
    pub planned: u64,
    /// Sessions of the course starting that month, with free seats.
    pub sessions: usize,
    pub free_seats: i64,
    /// The first of those sessions with a free seat, to book from.
    pub first_session_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WheelMonthLine {
    /// "2026-03"
    pub month: String,
    pub year: i32,
    pub month_name: &'static str,
    pub courses: Vec<WheelCourse>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitOverview {
    pub unit: crate::org::Unit,
    pub as_of: String,
    pub counts: Tally,
    pub share_people_with_gaps: f64,
    pub share_met: f64,
    pub staff: Vec<StaffLine>,
    pub requirements: Vec<RequirementLine>,
    pub bookings: Vec<BookingLine>,
    pub certificates: Vec<CertificateLine>,
    pub overdue: Vec<WheelCourse>,
    pub wheel: Vec<WheelMonthLine>,
    /// Upcoming sessions for every course that would close a gap here.
    pub offers: BTreeMap<i64, Vec<SessionOffer>>,
}

pub use domain::calendar::MONTHS_SV;

/// Everything the manager's unit page shows.
pub async fn load(db: &Db, unit_id: UnitId, as_of: NaiveDate) -> StoreResult<UnitOverview> {
    let unit = crate::org::unit(db, unit_id).await?;
    let data = crate::gaps::load(db, &GapScope::Unit(unit_id.get()), as_of, Courses::All).await?;
    let rules = data.rules();
    let rows: HashMap<i64, RequirementRow> = requirements::list(db, &Default::default())
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let titles = crate::catalogue::course_titles(db).await?;
    let staff_list = crate::people::list(
        db,
        &crate::people::Filter {
            unit_id: Some(unit_id.get()),
            ..Default::default()
        },
    )
    .await?;
    let tracks = crate::tracks::all_with_items(db).await?;
    let mut edu_labels: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query(
        "SELECT e.person_id, e.kind, e.direction FROM person_educations e JOIN people p ON p.id = e.person_id WHERE p.unit_id = $1 ORDER BY e.id",
    )
    .bind(unit_id)
    .fetch_all(db.pool())
    .await?
    {
        let kind: String = r.get("kind");
        let dir: String = r.get("direction");
        if let Some(k) = EducationKind::parse(&kind) {
            edu_labels
                .entry(r.get("person_id"))
                .or_default()
                .push(Education::new(k, Direction::parse(&dir)).label_sv());
        }
    }

    let mut all_checks: Vec<Check> = vec![];
    let mut staff = vec![];
    let mut by_person: HashMap<i64, Vec<Check>> = HashMap::new();
    let analysis = data.analyse(|p, checks| {
        by_person.insert(p.facts.person_id, checks.to_vec());
    });
    for person in &staff_list {
        let Some(record) = data.record(person.id) else {
            continue;
        };
        let checks = by_person.remove(&person.id).unwrap_or_default();
        let counts = Tally::of_person(&checks, |c| {
            rules
                .coverage_of(c.requirement_id)
                .map(|x| x.class())
                .unwrap_or(domain::gaps::CoverageClass::NewCourse)
        });
        let lines: Vec<CheckLine> = checks
            .iter()
            .filter_map(|c| check_line(c, &rules, &rows, &titles))
            .collect();
        let completed: HashSet<i64> = record.holdings.iter().map(|h| h.course_id).collect();
        let track = crate::tracks::status_for(
            &tracks,
            record.facts.placement,
            &completed,
            record.educations,
        );
        all_checks.extend(checks.iter().copied());
        staff.push(StaffLine {
            person_id: person.id,
            name: person.name.clone(),
            role: person.role_name.clone(),
            educations: edu_labels.remove(&person.id).unwrap_or_default(),
            counts,
            gaps: lines.iter().filter(|l| l.is_gap).cloned().collect(),
            expiring: lines
                .iter()
                .filter(|l| l.state == "expiring")
                .cloned()
                .collect(),
            track,
        });
    }

    let g = &analysis.region;
    let requirements = requirement_lines(&analysis, g, &rules, &rows);

    // Sessions for every course that would close a gap or renew a certificate.
    let mut wanted: Vec<i64> = staff
        .iter()
        .flat_map(|s| s.gaps.iter().chain(s.expiring.iter()))
        .flat_map(|l| l.course_ids.iter().copied())
        .collect();
    // And for every recurring required course (the wheel).
    for r in &data.requirements {
        if let RequirementTarget::Course { course_id } = r.target {
            if data.catalogue.is_recurring(&r.target) {
                wanted.push(course_id);
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let offers_all = next_sessions(db, &wanted, 50).await?;

    // Year wheel.
    let wheel: YearWheel = year_wheel(&rules, &all_checks, as_of);
    let wheel_course = |course_id: i64, due: u64, planned: u64, month: Option<(i32, u32)>| {
        let sessions: Vec<&SessionOffer> = offers_all
            .get(&course_id)
            .map(|v| {
                v.iter()
                    .filter(|s| {
                        month.is_none_or(|(y, m)| {
                            let d = s.starts_on();
                            chrono::Datelike::year(&d) == y && chrono::Datelike::month(&d) == m
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        WheelCourse {
            course_id,
            course_title: titles.get(&course_id).cloned().unwrap_or_default(),
            due,
            planned,
            sessions: sessions.len(),
            free_seats: sessions.iter().map(|s| s.free).sum(),
            first_session_id: sessions.iter().find(|s| s.free > 0).map(|s| s.session_id),
        }
    };
    let overdue = wheel
        .overdue
        .iter()
        .map(|e| wheel_course(e.course_id, e.due, e.planned, None))
        .collect();
    let wheel_lines = wheel
        .months
        .iter()
        .map(|m| WheelMonthLine {
            month: format!("{}-{:02}", m.year, m.month),
            year: m.year,
            month_name: MONTHS_SV[(m.month - 1) as usize],
            courses: m
                .entries
                .iter()
                .map(|e| wheel_course(e.course_id, e.due, e.planned, Some((m.year, m.month))))
                .collect(),
        })
        .collect();

    // Upcoming bookings of the unit's staff.
    let bookings = sqlx::query(
        "SELECT b.id AS booking_id, b.person_id, p.name AS person_name, s.id AS session_id, c.title AS course_title, \
         s.starts_at, b.status, b.waitlist_seq \
         FROM bookings b JOIN people p ON p.id = b.person_id JOIN sessions s ON s.id = b.session_id \
         JOIN courses c ON c.id = s.course_id \
         WHERE p.unit_id = $1 AND p.active = 1 AND b.status IN ('booked', 'waitlisted') AND s.starts_at > $2 AND s.status <> 'cancelled' \
         ORDER BY s.starts_at, p.name",
    )
    .bind(unit_id)
    .bind(crate::time::now())
    .fetch_all(db.pool())
    .await?;
    let mut booking_lines = vec![];
    for r in bookings {
        let session_id: i64 = r.get("session_id");
        let status: BookingStatus = code(&r, "status")?;
        let seq: Option<i64> = r.get("waitlist_seq");
        let position = match (status, seq) {
            (BookingStatus::Waitlisted, Some(seq)) => Some(
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND status = 'waitlisted' AND waitlist_seq <= $2",
                )
                .bind(session_id)
                .bind(seq)
                .fetch_one(db.pool())
                .await?,
            ),
            _ => None,
        };
        let starts_at: i64 = r.get("starts_at");
        booking_lines.push(BookingLine {
            booking_id: r.get("booking_id"),
            person_id: r.get("person_id"),
            person_name: r.get("person_name"),
            session_id,
            course_title: r.get("course_title"),
            starts_at,
            starts_label: crate::time::local_label(starts_at),
            status,
            waitlist_position: position,
        });
    }

    // Certificates that run out within 90 days or ran out in the last 90
    // (the latest completion of each course counts).
    let names: HashMap<i64, String> = staff_list.iter().map(|p| (p.id, p.name.clone())).collect();
    let mut latest: HashMap<(i64, i64), Holding> = HashMap::new();
    for record in data.records() {
        for h in record.holdings {
            let e = latest
                .entry((record.facts.person_id, h.course_id))
                .or_insert(*h);
            if h.completed_on > e.completed_on {
                *e = *h;
            }
        }
    }
    let mut certificates: Vec<CertificateLine> = latest
        .iter()
        .filter_map(|((person_id, course_id), h)| {
            let exp = data.catalogue.expiry(h)?;
            let days = (exp - as_of).num_days();
            if !(-90..=90).contains(&days) {
                return None;
            }
            let record = data.record(*person_id)?;
            Some(CertificateLine {
                person_id: *person_id,
                person_name: names.get(person_id).cloned().unwrap_or_default(),
                course_id: *course_id,
                course_title: titles.get(course_id).cloned().unwrap_or_default(),
                completed_on: crate::time::date_str(h.completed_on),
                expires_on: crate::time::date_str(exp),
                expired: days <= 0,
                renewal_booked: record
                    .plans
                    .iter()
                    .any(|p| p.course_id == *course_id && !p.waitlisted),
            })
        })
        .collect();
    certificates.sort_by(|a, b| {
        a.expires_on
            .cmp(&b.expires_on)
            .then_with(|| domain::collation::swedish_cmp(&a.person_name, &b.person_name))
    });

    let offers = offers_all
        .into_iter()
        .map(|(k, mut v)| {
            v.truncate(3);
            (k, v)
        })
        .collect();
    Ok(UnitOverview {
        unit,
        as_of: crate::time::date_str(as_of),
        counts: g.tally,
        share_people_with_gaps: g.tally.share_people_with_gaps(),
        share_met: g.tally.share_met(),
        staff,
        requirements,
        bookings: booking_lines,
        certificates,
        overdue,
        wheel: wheel_lines,
        offers,
    })
}
