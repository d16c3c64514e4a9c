//! Gap reports: requirement and group lines for a level (region,
//! municipality, activity area, unit) as of a day.

use super::*;
use domain::ids::UnitId;

/// One requirement's line in a report.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementLine {
    pub requirement_id: i64,
    pub role: String,
    pub what: String,
    pub scope: String,
    pub coverage: &'static str,
    pub coverage_label: &'static str,
    pub course_ids: Vec<i64>,
    pub warning: Option<&'static str>,
    pub synthetic: bool,
    pub counts: RequirementTally,
    pub share_gaps: f64,
}

/// One sub-group's line (a municipality, an activity area, a unit, a person).
#[derive(Debug, Clone, Serialize)]
pub struct GroupLine {
    pub id: String,
    pub name: String,
    pub counts: Tally,
    pub share_people_with_gaps: f64,
    pub share_met: f64,
}

impl GroupLine {
    fn new(id: String, name: String, t: &Tally) -> GroupLine {
        GroupLine {
            id,
            name,
            counts: *t,
            share_people_with_gaps: t.share_people_with_gaps(),
            share_met: t.share_met(),
        }
    }
}

/// Gap sums for one group, with its sub-groups and requirement lines.
#[derive(Debug, Clone, Serialize)]
pub struct GapReport {
    /// region, municipality, activity_area, unit
    pub level: &'static str,
    pub id: Option<String>,
    pub name: String,
    pub as_of: String,
    pub counts: Tally,
    pub share_people_with_gaps: f64,
    pub share_met: f64,
    pub share_covered: f64,
    pub share_planned: f64,
    pub requirements: Vec<RequirementLine>,
    /// The level below: municipalities (region), units (municipality,
    /// activity area within a municipality), people (unit).
    pub children_level: &'static str,
    pub children: Vec<GroupLine>,
    /// Activity areas (region, municipality).
    pub activity_areas: Vec<GroupLine>,
}

pub(crate) fn coverage_code(c: &Coverage) -> &'static str {
    match c {
        Coverage::Catalogue { .. } => "catalogue",
        Coverage::InDevelopment { .. } => "in_development",
        Coverage::NewCourse => "new_course",
        Coverage::Recruitment => "recruitment",
    }
}

pub(crate) fn requirement_lines(
    a: &Analysis,
    g: &domain::gaps::GroupSummary,
    rules: &RuleSet<'_>,
    rows: &HashMap<i64, RequirementRow>,
) -> Vec<RequirementLine> {
    let mut out: Vec<RequirementLine> = a
        .requirement_rows(g)
        .filter_map(|(id, t)| {
            let row = rows.get(&id)?;
            let cov = rules.coverage_of(id)?;
            Some(RequirementLine {
                requirement_id: id,
                role: row.role_name.clone(),
                what: row.what_sv(),
                scope: row.scope_sv(),
                coverage: coverage_code(cov),
                coverage_label: cov.label_sv(),
                course_ids: cov.course_ids().to_vec(),
                warning: row.warning(),
                synthetic: row.synthetic == 1,
                counts: *t,
                share_gaps: t.share_gaps(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.counts
            .gaps
            .cmp(&a.counts.gaps)
            .then_with(|| domain::collation::swedish_cmp(&a.role, &b.role))
            .then_with(|| domain::collation::swedish_cmp(&a.what, &b.what))
    });
    out
}

/// The report levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapLevel {
    Region,
    Municipality(i64),
    ActivityArea {
        area: ActivityArea,
        municipality_id: Option<i64>,
    },
    Unit(i64),
}

/// Gap sums for a level, with the level below.
pub async fn report(db: &Db, level: &GapLevel, as_of: NaiveDate) -> StoreResult<GapReport> {
    let scope = match level {
        GapLevel::Region => GapScope::Region,
        GapLevel::Municipality(m) => GapScope::Municipality(*m),
        GapLevel::ActivityArea {
            area,
            municipality_id,
        } => GapScope::ActivityArea {
            area: *area,
            municipality_id: *municipality_id,
        },
        GapLevel::Unit(u) => GapScope::Unit(*u),
    };
    let munis: HashMap<i64, String> = crate::org::municipalities(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let (level_code, id, name) = match level {
        GapLevel::Region => ("region", None, "Hela regionen".to_string()),
        GapLevel::Municipality(m) => (
            "municipality",
            Some(m.to_string()),
            munis
                .get(m)
                .cloned()
                .ok_or(StoreError::NotFound("kommun"))?,
        ),
        GapLevel::ActivityArea {
            area,
            municipality_id,
        } => (
            "activity_area",
            Some(area.code().to_string()),
            match municipality_id {
                Some(m) => format!(
                    "{} i {}",
                    area.label_sv(),
                    munis
                        .get(m)
                        .cloned()
                        .ok_or(StoreError::NotFound("kommun"))?
                ),
                None => area.label_sv().to_string(),
            },
        ),
        GapLevel::Unit(u) => {
            let unit = crate::org::unit(db, UnitId(*u)).await?;
            (
                "unit",
                Some(u.to_string()),
                format!("{} ({})", unit.name, unit.municipality_name),
            )
        }
    };
    let data = load(db, &scope, as_of, Courses::Required).await?;
    let rules = data.rules();
    let mut person_tallies: Vec<(i64, Tally)> = vec![];
    let keep_people = matches!(level, GapLevel::Unit(_));
    let a = data.analyse(|p, checks| {
        if keep_people {
            person_tallies.push((
                p.facts.person_id,
                Tally::of_person(checks, |c| {
                    rules
                        .coverage_of(c.requirement_id)
                        .map(|x| x.class())
                        .unwrap_or(domain::gaps::CoverageClass::NewCourse)
                }),
            ));
        }
    });
    let rows: HashMap<i64, RequirementRow> = requirements::list(db, &Default::default())
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let g = &a.region;
    let requirements = requirement_lines(&a, g, &rules, &rows);
    let area_line = |code: &str, t: &Tally| {
        let label = ActivityArea::parse(code)
            .map(|x| x.label_sv())
            .unwrap_or("okänt");
        GroupLine::new(code.to_string(), label.to_string(), t)
    };
    let (children_level, mut children, activity_areas) = match level {
        GapLevel::Region => (
            "municipality",
            a.municipalities
                .iter()
                .map(|(m, s)| {
                    GroupLine::new(
                        m.to_string(),
                        munis.get(m).cloned().unwrap_or_default(),
                        &s.tally,
                    )
                })
                .collect::<Vec<_>>(),
            a.activity_areas
                .iter()
                .map(|(c, s)| area_line(c, &s.tally))
                .collect(),
        ),
        GapLevel::Municipality(_) | GapLevel::ActivityArea { .. } => {
            // Names only (the unit list with staff counts is slow for a region).
            let units: HashMap<i64, String> = sqlx::query("SELECT u.id, u.name AS unit_name, m.name AS municipality FROM units u JOIN municipalities m ON m.id = u.municipality_id")
                .fetch_all(db.pool())
                .await?
                .iter()
                .map(|r| {
                    let (id, name, muni): (i64, String, String) = (r.get("id"), r.get("unit_name"), r.get("municipality"));
                    let label = if matches!(level, GapLevel::ActivityArea { municipality_id: None, .. }) {
                        format!("{name} ({muni})")
                    } else {
                        name
                    };
                    (id, label)
                })
                .collect();
            let mut children: Vec<GroupLine> = a
                .units
                .iter()
                .map(|(u, s)| {
                    GroupLine::new(
                        u.to_string(),
                        units.get(u).cloned().unwrap_or_default(),
                        &s.tally,
                    )
                })
                .collect();
            // People without a unit, as their own line.
            let in_units: Tally = a.units.values().fold(Tally::default(), |mut acc, s| {
                acc.add(&s.tally);
                acc
            });
            if in_units.people < g.tally.people {
                let mut rest = g.tally;
                for (field, sub) in [
                    (&mut rest.people, in_units.people),
                    (
                        &mut rest.people_with_requirements,
                        in_units.people_with_requirements,
                    ),
                    (&mut rest.people_with_gaps, in_units.people_with_gaps),
                    (&mut rest.checks, in_units.checks),
                    (&mut rest.met, in_units.met),
                    (&mut rest.expiring, in_units.expiring),
                    (&mut rest.gaps, in_units.gaps),
                    (&mut rest.missing, in_units.missing),
                    (&mut rest.expired, in_units.expired),
                    (&mut rest.planned, in_units.planned),
                    (&mut rest.covered, in_units.covered),
                    (&mut rest.new_course, in_units.new_course),
                    (&mut rest.recruitment, in_units.recruitment),
                ] {
                    *field -= sub;
                }
                children.push(GroupLine::new(String::new(), "Utan enhet".into(), &rest));
            }
            let areas = if matches!(level, GapLevel::Municipality(_)) {
                a.municipality_areas
                    .iter()
                    .map(|((_, c), s)| area_line(c, &s.tally))
                    .collect()
            } else {
                vec![]
            };
            ("unit", children, areas)
        }
        GapLevel::Unit(_) => {
            let names: HashMap<i64, String> = crate::people::list(
                db,
                &crate::people::Filter {
                    unit_id: match level {
                        GapLevel::Unit(u) => Some(*u),
                        _ => None,
                    },
                    ..Default::default()
                },
            )
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
            (
                "person",
                person_tallies
                    .iter()
                    .map(|(id, t)| {
                        GroupLine::new(
                            id.to_string(),
                            names.get(id).cloned().unwrap_or_default(),
                            t,
                        )
                    })
                    .collect(),
                vec![],
            )
        }
    };
    children.sort_by(|a, b| domain::collation::swedish_cmp(&a.name, &b.name));
    Ok(GapReport {
        level: level_code,
        id,
        name,
        as_of: crate::time::date_str(as_of),
        counts: g.tally,
        share_people_with_gaps: g.tally.share_people_with_gaps(),
        share_met: g.tally.share_met(),
        share_covered: g.tally.share_covered(),
        share_planned: g.tally.share_planned(),
        requirements,
        children_level,
        children,
        activity_areas,
    })
}

/// Each unit's totals: every unit (`None`, from one region-wide analysis) or
/// the units listed.
pub async fn unit_tallies(
    db: &Db,
    units: Option<&[i64]>,
    as_of: NaiveDate,
) -> StoreResult<HashMap<i64, Tally>> {
    match units {
        None => {
            let data =
                std::sync::Arc::new(load(db, &GapScope::Region, as_of, Courses::Required).await?);
            Ok(data
                .analyse_in_parts()
                .await?
                .units
                .into_iter()
                .map(|(k, g)| (k, g.tally))
                .collect())
        }
        Some(ids) => {
            let mut out = HashMap::new();
            for u in ids {
                let data = load(db, &GapScope::Unit(*u), as_of, Courses::Required).await?;
                let a = data.analyse(|_, _| {});
                out.insert(*u, a.region.tally);
            }
            Ok(out)
        }
    }
}
