//! Gap analysis over the database: loads what the rules in `domain::gaps`
//! need for a scope (a person, a unit, a municipality, an activity area or
//! the region) and names the results for pages and the API.
//!
//! Speed: the portable driver pays a few microseconds per row, which for a
//! region of 250 000 people and millions of completions would dominate.
//! Completions are read from `competence_holdings` (one packed row per
//! person, kept by triggers), and every loading query returns one aggregate
//! row per range of person ids (`group_concat` / `string_agg`, one text per
//! column) that Rust unpacks; per-byte costs are small. See
//! docs/performance.md.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use domain::catalogue::{CourseStatus, Level};
use domain::education::{Direction, Education, EducationKind};
use domain::gaps::{
    analyse, parse_iso_date, Analysis, Catalogue, Check, CheckState, CourseFacts, Coverage,
    Holding, Options, PersonFacts, PersonRecord, Plan, RequirementTally, RuleSet, Tally,
};
use domain::org::ActivityArea;
use domain::requirements::{Placement, Requirement, RequirementTarget};
use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};
use crate::requirements::{self, RequirementRow};

mod offers;
mod person;
mod report;

pub use offers::*;
pub use person::*;
pub use report::*;

/// Whose gaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapScope {
    Region,
    Municipality(i64),
    ActivityArea {
        area: ActivityArea,
        municipality_id: Option<i64>,
    },
    Unit(i64),
    Person(i64),
}

impl GapScope {
    /// A condition on `p` (people) and `u` (their unit). Values are ids and
    /// fixed vocabulary codes, written into the SQL as literals.
    fn condition(&self) -> String {
        match self {
            GapScope::Region => "1=1".into(),
            GapScope::Municipality(m) => format!("p.municipality_id = {m}"),
            GapScope::ActivityArea {
                area,
                municipality_id: None,
            } => format!("u.activity_area = '{}'", area.code()),
            GapScope::ActivityArea {
                area,
                municipality_id: Some(m),
            } => format!(
                "u.activity_area = '{}' AND p.municipality_id = {m}",
                area.code()
            ),
            GapScope::Unit(u) => format!("p.unit_id = {u}"),
            GapScope::Person(id) => format!("p.id = {id}"),
        }
    }
}

/// Which completions to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Courses {
    /// Only courses that can meet a requirement (for sums over many people).
    Required,
    /// Every course (for track progress and certificates of a few people).
    All,
}

/// Everything the rules need for a scope.
pub struct GapData {
    pub as_of: NaiveDate,
    pub requirements: Vec<Requirement>,
    pub catalogue: Catalogue,
    people: Vec<PersonFacts>,
    holdings: Vec<Holding>,
    educations: Vec<Education>,
    plans: Vec<Plan>,
    /// Per person: end offsets into holdings, educations, plans.
    ends: Vec<[u32; 3]>,
}

impl GapData {
    pub fn len(&self) -> usize {
        self.people.len()
    }
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }
    pub fn rules(&self) -> RuleSet<'_> {
        RuleSet::new(&self.requirements, &self.catalogue)
    }
    fn record_at(&self, i: usize) -> PersonRecord<'_> {
        let start = if i == 0 { [0, 0, 0] } else { self.ends[i - 1] };
        let end = self.ends[i];
        PersonRecord {
            facts: self.people[i],
            holdings: &self.holdings[start[0] as usize..end[0] as usize],
            educations: &self.educations[start[1] as usize..end[1] as usize],
            plans: &self.plans[start[2] as usize..end[2] as usize],
        }
    }
    /// Every person, in id order.
    pub fn records(&self) -> impl Iterator<Item = PersonRecord<'_>> + '_ {
        (0..self.people.len()).map(|i| self.record_at(i))
    }
    pub fn record(&self, person_id: i64) -> Option<PersonRecord<'_>> {
        self.people
            .binary_search_by_key(&person_id, |p| p.person_id)
            .ok()
            .map(|i| self.record_at(i))
    }
    pub fn options(&self) -> Options {
        Options::new(self.as_of)
    }
    /// Check everyone and sum on every level.
    pub fn analyse(&self, each: impl FnMut(&PersonRecord<'_>, &[Check])) -> Analysis {
        let rules = self.rules();
        analyse(&rules, self.records(), &self.options(), each)
    }

    /// As `analyse` without per-person results, in parts on blocking
    /// threads side by side (for large groups).
    pub async fn analyse_in_parts(self: std::sync::Arc<Self>) -> StoreResult<Analysis> {
        let n = self.people.len();
        let parts = std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(2)
            .clamp(1, 8);
        if n < 20_000 || parts == 1 {
            return Ok(self.analyse(|_, _| {}));
        }
        let size = n.div_ceil(parts);
        let mut set = tokio::task::JoinSet::new();
        for k in 0..parts {
            let data = self.clone();
            set.spawn_blocking(move || {
                let rules = data.rules();
                let range = (k * size).min(n)..((k + 1) * size).min(n);
                analyse(
                    &rules,
                    range.map(|i| data.record_at(i)),
                    &data.options(),
                    |_, _| {},
                )
            });
        }
        let mut a = Analysis::default();
        while let Some(part) = set.join_next().await {
            a.merge(part.map_err(|e| anyhow::anyhow!("gap analysis: {e}"))?);
        }
        Ok(a)
    }
}

/// `expr` values of all rows, joined by `sep` (text).
fn agg(db: &Db, expr: &str, sep: char) -> String {
    match db.engine() {
        Engine::Sqlite => format!("group_concat({expr}, '{sep}')"),
        Engine::Postgres => format!("string_agg({expr}, '{sep}')"),
    }
}

/// The aggregate select list for several columns: one comma-joined text per
/// column, all in the same row order.
fn agg_columns(db: &Db, exprs: &[&str]) -> String {
    exprs
        .iter()
        .map(|e| agg(db, e, ','))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Region-wide queries are split into ranges of person ids, run side by
/// side on the read pool; each range is one aggregate row without sorting.
const ID_RANGE: i64 = 16_384;

/// One aggregate row of `n` text columns.
async fn columns(db: &Db, sql: &str, n: usize) -> StoreResult<Vec<String>> {
    let rows = match db.engine() {
        // No parallel workers: the ranges already run side by side (JIT and
        // the price of index probes are set for every connection, see
        // `db::POSTGRES_SETTINGS`). One script is one implicit transaction:
        // the setting ends with it. (`fetch_all`: `fetch_one` would stop
        // after the first statement.)
        Engine::Postgres => {
            sqlx::raw_sql(&format!(
                "SET LOCAL max_parallel_workers_per_gather = 0; {sql}"
            ))
            .fetch_all(db.pool())
            .await?
        }
        Engine::Sqlite => sqlx::raw_sql(sql).fetch_all(db.pool()).await?,
    };
    let row = rows
        .first()
        .ok_or(StoreError::Db(sqlx::Error::RowNotFound))?;
    Ok((0..n)
        .map(|i| row.get::<Option<String>, _>(i).unwrap_or_default())
        .collect())
}

/// Run the queries (each returning one aggregate row of `n` columns)
/// concurrently and unpack each result with `parse` on a blocking thread as
/// soon as it arrives; results in the queries' order.
async fn gather<T, P>(db: &Db, queries: Vec<String>, n: usize, parse: P) -> StoreResult<Vec<T>>
where
    T: Send + 'static,
    P: Fn(Vec<String>) -> T + Send + Sync + 'static,
{
    let parse = std::sync::Arc::new(parse);
    let mut set = tokio::task::JoinSet::new();
    for (i, sql) in queries.into_iter().enumerate() {
        let db = db.clone();
        let parse = parse.clone();
        set.spawn(async move {
            let cols = columns(&db, &sql, n).await?;
            let t = tokio::task::spawn_blocking(move || parse(cols))
                .await
                .map_err(|e| anyhow::anyhow!("gap analysis: {e}"))?;
            Ok::<_, StoreError>((i, t))
        });
    }
    let mut out: Vec<(usize, T)> = vec![];
    while let Some(r) = set.join_next().await {
        out.push(r.map_err(|e| anyhow::anyhow!("gap analysis: {e}"))??);
    }
    out.sort_by_key(|(i, _)| *i);
    Ok(out.into_iter().map(|(_, t)| t).collect())
}

/// Call `f` with each record (one value per column) of packed columns;
/// `seps` gives each column's separator.
fn each_record(cols: &[String], seps: &[char], mut f: impl FnMut(&[&str])) {
    if cols.first().is_none_or(|c| c.is_empty()) {
        return;
    }
    let mut its: Vec<std::str::Split<'_, char>> =
        cols.iter().zip(seps).map(|(c, s)| c.split(*s)).collect();
    let mut rec: Vec<&str> = Vec::with_capacity(cols.len());
    loop {
        rec.clear();
        for it in its.iter_mut() {
            match it.next() {
                Some(v) => rec.push(v),
                None => return,
            }
        }
        f(&rec);
    }
}

fn int(s: &str) -> Option<i64> {
    s.parse().ok()
}

/// The catalogue as the rules need it.
pub async fn catalogue(db: &Db) -> StoreResult<Catalogue> {
    let mut areas: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in sqlx::query("SELECT course_id, area_id FROM course_areas")
        .fetch_all(db.pool())
        .await?
    {
        areas
            .entry(r.get("course_id"))
            .or_default()
            .push(r.get("area_id"));
    }
    let parents: HashMap<i64, i64> =
        sqlx::query("SELECT id, parent_id FROM competence_areas WHERE parent_id IS NOT NULL")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get("id"), r.get("parent_id")))
            .collect();
    let courses = sqlx::query("SELECT id, status, level, validity_months FROM courses")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.get("id");
            CourseFacts {
                id,
                status: CourseStatus::parse(&r.get::<String, _>("status"))
                    .unwrap_or(CourseStatus::Pausad),
                level: Level::parse(&r.get::<String, _>("level")).unwrap_or(Level::Bas),
                validity_months: r
                    .get::<Option<i64>, _>("validity_months")
                    .and_then(|m| u32::try_from(m).ok()),
                areas: areas.remove(&id).unwrap_or_default(),
            }
        })
        .collect();
    Ok(Catalogue::new(courses, &parents))
}

/// Person-id ranges covering every person.
async fn id_ranges(db: &Db) -> StoreResult<Vec<(i64, i64)>> {
    let r = sqlx::query("SELECT MIN(id) AS min_id, MAX(id) AS max_id FROM people")
        .fetch_one(db.pool())
        .await?;
    Ok(
        match (
            r.get::<Option<i64>, _>("min_id"),
            r.get::<Option<i64>, _>("max_id"),
        ) {
            (Some(lo), Some(hi)) => (lo..=hi)
                .step_by(ID_RANGE as usize)
                .map(|a| (a, (a + ID_RANGE - 1).min(hi)))
                .collect(),
            _ => vec![],
        },
    )
}

/// Holdings parsed from packed blobs, with each person's range in them.
type ParsedHoldings = (Vec<Holding>, Vec<(i64, u32, u32)>);

fn parse_holdings(cols: Vec<String>, wanted: &Option<Vec<i64>>) -> ParsedHoldings {
    let mut raw = Vec::new();
    let mut spans = Vec::new();
    each_record(&cols, &[',', '|'], |f| {
        let Some(p) = int(f[0]) else { return };
        let start = raw.len() as u32;
        for entry in f[1].split(' ') {
            let mut parts = entry.split(':');
            let (Some(c), Some(done), Some(exp)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Some(c) = int(c) else { continue };
            if wanted
                .as_ref()
                .is_some_and(|w| w.binary_search(&c).is_err())
            {
                continue;
            }
            if let Some(done) = parse_iso_date(done) {
                raw.push(Holding {
                    course_id: c,
                    completed_on: done,
                    expires_on: parse_iso_date(exp),
                });
            }
        }
        spans.push((p, start, raw.len() as u32));
    });
    (raw, spans)
}

/// Load a scope's people, completions, educations and upcoming bookings.
pub async fn load(
    db: &Db,
    scope: &GapScope,
    as_of: NaiveDate,
    courses: Courses,
) -> StoreResult<GapData> {
    let region = *scope == GapScope::Region;
    let (requirements, catalogue, ranges) =
        tokio::try_join!(requirements::all(db), catalogue(db), async {
            if region {
                id_ranges(db).await
            } else {
                Ok(vec![])
            }
        })?;
    let cond = scope.condition();
    let people_from = "people p LEFT JOIN units u ON u.id = p.unit_id";
    // (SELECT …) for each piece: region-wide by id range without joins,
    // otherwise one query through people. `x` is the table read.
    let pieces = |select: &str, table: &str| -> Vec<String> {
        if region {
            ranges
                .iter()
                .map(|(lo, hi)| {
                    if table == "people" {
                        format!("SELECT {select} FROM people p WHERE p.active = 1 AND p.id BETWEEN {lo} AND {hi}")
                    } else {
                        format!("SELECT {select} FROM {table} x WHERE x.person_id BETWEEN {lo} AND {hi}")
                    }
                })
                .collect()
        } else if table == "people" {
            vec![format!(
                "SELECT {select} FROM {people_from} WHERE p.active = 1 AND {cond}"
            )]
        } else {
            vec![format!(
                "SELECT {select} FROM {people_from} JOIN {table} x ON x.person_id = p.id WHERE p.active = 1 AND {cond}"
            )]
        }
    };

    // Completions of the courses that matter: `None` = none, `Some(None)` = all.
    let wanted: Option<Option<Vec<i64>>> = match courses {
        Courses::All => Some(None),
        Courses::Required => {
            let mut ids: Vec<i64> = requirements
                .iter()
                .filter_map(|r| match r.target {
                    RequirementTarget::Course { course_id } => Some(course_id),
                    _ => None,
                })
                .collect();
            let area_targets: Vec<&RequirementTarget> = requirements
                .iter()
                .map(|r| &r.target)
                .filter(|t| matches!(t, RequirementTarget::Area { .. }))
                .collect();
            for c in catalogue.courses() {
                if area_targets.iter().any(|t| catalogue.closes(c.id, t)) {
                    ids.push(c.id);
                }
            }
            ids.sort_unstable();
            ids.dedup();
            (!ids.is_empty()).then_some(Some(ids))
        }
    };

    let people_select = agg_columns(
        db,
        &[
            "CAST(p.id AS TEXT)",
            "CAST(p.role_id AS TEXT)",
            "CAST(p.municipality_id AS TEXT)",
            "COALESCE(CAST(p.unit_id AS TEXT), '')",
        ],
    );
    // Units' activity areas from a map (a few hundred units) rather than a join.
    let unit_areas: std::sync::Arc<HashMap<i64, ActivityArea>> = std::sync::Arc::new(
        sqlx::query("SELECT id, activity_area FROM units")
            .fetch_all(db.pool())
            .await?
            .iter()
            .filter_map(|r| {
                Some((
                    r.get::<i64, _>("id"),
                    ActivityArea::parse(&r.get::<String, _>("activity_area"))?,
                ))
            })
            .collect(),
    );
    let people_q = gather(db, pieces(&people_select, "people"), 4, move |cols| {
        let mut v = Vec::new();
        each_record(&cols, &[','; 4], |f| {
            if let (Some(id), Some(role), Some(muni)) = (int(f[0]), int(f[1]), int(f[2])) {
                let unit_id = int(f[3]);
                v.push(PersonFacts {
                    person_id: id,
                    municipality_id: muni,
                    placement: Placement {
                        role_id: role,
                        unit_id,
                        activity_area: unit_id.and_then(|u| unit_areas.get(&u).copied()),
                    },
                });
            }
        });
        v
    });

    let holdings_select = format!(
        "{}, {}",
        agg(db, "CAST(x.person_id AS TEXT)", ','),
        agg(db, "x.holdings", '|')
    );
    let holdings_q = async {
        match wanted {
            None => Ok(vec![]),
            Some(wanted) => {
                gather(
                    db,
                    pieces(&holdings_select, "competence_holdings"),
                    2,
                    move |cols| parse_holdings(cols, &wanted),
                )
                .await
            }
        }
    };

    let edu_select = agg_columns(db, &["CAST(x.person_id AS TEXT)", "x.kind", "x.direction"]);
    let edu_q = gather(db, pieces(&edu_select, "person_educations"), 3, |cols| {
        let mut v = Vec::new();
        each_record(&cols, &[','; 3], |f| {
            if let (Some(p), Some(kind)) = (int(f[0]), EducationKind::parse(f[1])) {
                v.push((p, Education::new(kind, Direction::parse(f[2]))));
            }
        });
        v
    });

    // Live bookings on upcoming sessions (few: one query).
    let start_of_day = crate::time::day_start(as_of);
    let plan_select = agg_columns(
        db,
        &[
            "CAST(x.person_id AS TEXT)",
            "CAST(s.course_id AS TEXT)",
            "CAST(s.id AS TEXT)",
            "CAST(s.starts_at AS TEXT)",
            "x.status",
        ],
    );
    let live = "x.status IN ('booked', 'waitlisted') AND s.status <> 'cancelled'";
    let plan_sql = if region {
        format!(
            "SELECT {plan_select} FROM bookings x JOIN sessions s ON s.id = x.session_id \
             WHERE {live} AND s.starts_at >= {start_of_day}"
        )
    } else {
        format!(
            "SELECT {plan_select} FROM {people_from} JOIN bookings x ON x.person_id = p.id JOIN sessions s ON s.id = x.session_id \
             WHERE p.active = 1 AND {cond} AND {live} AND s.starts_at >= {start_of_day}"
        )
    };
    let plans_q = gather(db, vec![plan_sql], 5, |cols| {
        let mut v = Vec::new();
        each_record(&cols, &[','; 5], |f| {
            if let (Some(p), Some(c), Some(s), Some(t)) =
                (int(f[0]), int(f[1]), int(f[2]), int(f[3]))
            {
                v.push((
                    p,
                    Plan {
                        course_id: c,
                        session_id: s,
                        starts_on: crate::time::local_date(t),
                        waitlisted: f[4] == "waitlisted",
                    },
                ));
            }
        });
        v
    });

    let (people_parts, holding_parts, edu_parts, plan_parts) =
        tokio::try_join!(people_q, holdings_q, edu_q, plans_q)?;

    let mut people: Vec<PersonFacts> = people_parts.into_iter().flatten().collect();
    people.sort_unstable_by_key(|p| p.person_id);
    let mut raw: Vec<Holding> = Vec::new();
    let mut spans: Vec<(i64, u32, u32)> = Vec::new();
    for (h, sp) in holding_parts {
        let base = raw.len() as u32;
        raw.extend(h);
        spans.extend(sp.into_iter().map(|(p, a, b)| (p, a + base, b + base)));
    }
    spans.sort_unstable_by_key(|(p, _, _)| *p);
    let mut eds: Vec<(i64, Education)> = edu_parts.into_iter().flatten().collect();
    eds.sort_unstable_by_key(|(p, _)| *p);
    let mut plans: Vec<(i64, Plan)> = plan_parts.into_iter().flatten().collect();
    plans.sort_unstable_by_key(|(p, _)| *p);

    // Per-person spans, in people's order.
    let mut holdings = Vec::with_capacity(raw.len());
    let mut educations = Vec::with_capacity(eds.len());
    let mut plan_list = Vec::with_capacity(plans.len());
    let mut ends = Vec::with_capacity(people.len());
    let (mut hi, mut ei, mut pi) = (0, 0, 0);
    for p in &people {
        let id = p.person_id;
        while hi < spans.len() && spans[hi].0 < id {
            hi += 1;
        }
        while hi < spans.len() && spans[hi].0 == id {
            holdings.extend_from_slice(&raw[spans[hi].1 as usize..spans[hi].2 as usize]);
            hi += 1;
        }
        while ei < eds.len() && eds[ei].0 < id {
            ei += 1;
        }
        while ei < eds.len() && eds[ei].0 == id {
            educations.push(eds[ei].1);
            ei += 1;
        }
        while pi < plans.len() && plans[pi].0 < id {
            pi += 1;
        }
        while pi < plans.len() && plans[pi].0 == id {
            plan_list.push(plans[pi].1);
            pi += 1;
        }
        ends.push([
            holdings.len() as u32,
            educations.len() as u32,
            plan_list.len() as u32,
        ]);
    }
    Ok(GapData {
        as_of,
        requirements,
        catalogue,
        people,
        holdings,
        educations,
        plans: plan_list,
        ends,
    })
}

/// Rebuild `competence_holdings` from `completions` (after a bulk load that
/// bypassed the triggers, or to repair). Returns the number of people.
pub async fn rebuild_holdings(db: &Db) -> StoreResult<u64> {
    let entry = "CAST(course_id AS TEXT) || ':' || completed_on || ':' || COALESCE(expires_on, '')";
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM competence_holdings")
        .execute(&mut *tx)
        .await?;
    let n = sqlx::query(&format!(
        "INSERT INTO competence_holdings (person_id, holdings) SELECT person_id, {} FROM completions GROUP BY person_id",
        agg(db, entry, ' ')
    ))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(n)
}
