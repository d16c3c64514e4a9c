//! One person's requirements and how each is met.

use super::*;
use domain::ids::PersonId;

/// One requirement checked for one person, named.
#[derive(Debug, Clone, Serialize)]
pub struct CheckLine {
    pub requirement_id: i64,
    pub what: String,
    pub scope: String,
    /// met, expiring, missing, expired
    pub state: &'static str,
    pub state_label: &'static str,
    pub is_gap: bool,
    pub via_course: Option<String>,
    pub completed_on: Option<String>,
    pub expires_on: Option<String>,
    pub coverage: &'static str,
    pub coverage_label: &'static str,
    /// Booked (or waiting) on this session.
    pub planned_session_id: Option<i64>,
    pub planned_on: Option<String>,
    pub planned_waitlisted: bool,
    /// Courses that would close the gap.
    pub course_ids: Vec<i64>,
}

pub fn check_line(
    c: &Check,
    rules: &RuleSet<'_>,
    rows: &HashMap<i64, RequirementRow>,
    titles: &HashMap<i64, String>,
) -> Option<CheckLine> {
    let row = rows.get(&c.requirement_id)?;
    let cov = rules.coverage_of(c.requirement_id)?;
    Some(CheckLine {
        requirement_id: c.requirement_id,
        what: row.what_sv(),
        scope: row.scope_sv(),
        state: c.state.code(),
        state_label: c.state.label_sv(),
        is_gap: c.is_gap(),
        via_course: c.course_id.and_then(|id| titles.get(&id).cloned()),
        completed_on: c.completed_on.map(crate::time::date_str),
        expires_on: c.expires_on.map(crate::time::date_str),
        coverage: coverage_code(cov),
        coverage_label: cov.label_sv(),
        planned_session_id: c.plan.map(|p| p.session_id),
        planned_on: c.plan.map(|p| crate::time::date_str(p.starts_on)),
        planned_waitlisted: c.plan.is_some_and(|p| p.waitlisted),
        course_ids: cov.course_ids().to_vec(),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonGaps {
    pub person_id: i64,
    pub name: String,
    pub role: String,
    pub unit: Option<String>,
    pub municipality: String,
    pub as_of: String,
    pub counts: Tally,
    pub checks: Vec<CheckLine>,
    pub educations: Vec<String>,
    /// Upcoming sessions of the courses that would close each gap.
    pub offers: BTreeMap<i64, Vec<SessionOffer>>,
}

/// One person's requirements and how each stands.
pub async fn person(db: &Db, person_id: PersonId, as_of: NaiveDate) -> StoreResult<PersonGaps> {
    let p = crate::people::get(db, person_id).await?;
    let data = load(
        db,
        &GapScope::Person(person_id.get()),
        as_of,
        Courses::Required,
    )
    .await?;
    let rules = data.rules();
    let checks = match data.record(person_id.get()) {
        Some(r) => rules.evaluate(&r, &data.options()),
        None => vec![],
    };
    let rows: HashMap<i64, RequirementRow> = requirements::list(db, &Default::default())
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let titles = crate::catalogue::course_titles(db).await?;
    let lines: Vec<CheckLine> = checks
        .iter()
        .filter_map(|c| check_line(c, &rules, &rows, &titles))
        .collect();
    let counts = Tally::of_person(&checks, |c| {
        rules
            .coverage_of(c.requirement_id)
            .map(|x| x.class())
            .unwrap_or(domain::gaps::CoverageClass::NewCourse)
    });
    let wanted: Vec<i64> = {
        let mut v: Vec<i64> = lines
            .iter()
            .filter(|l| l.is_gap || l.state == CheckState::Expiring.code())
            .flat_map(|l| l.course_ids.iter().copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let offers = next_sessions(db, &wanted, 3).await?.into_iter().collect();
    let educations = crate::education::for_person(db, person_id)
        .await?
        .iter()
        .map(|e| e.label())
        .collect();
    Ok(PersonGaps {
        person_id: person_id.get(),
        name: p.name,
        role: p.role_name,
        unit: p.unit_name,
        municipality: p.municipality_name,
        as_of: crate::time::date_str(as_of),
        counts,
        checks: lines,
        educations,
        offers,
    })
}
