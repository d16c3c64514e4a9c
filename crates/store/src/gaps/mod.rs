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

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Europe::Stockholm;
use domain::catalogue::{CourseStatus, Level};
use domain::education::{Direction, Education, EducationKind};
use domain::gaps::{
    analyse, parse_iso_date, year_wheel, Analysis, Catalogue, Check, CheckState, CourseFacts,
    Coverage, Holding, Options, PersonFacts, PersonRecord, Plan, RequirementTally, RuleSet, Tally,
    YearWheel,
};
use domain::org::ActivityArea;
use domain::requirements::{Placement, Requirement, RequirementTarget};
use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};
use crate::requirements::{self, RequirementRow};

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
        // Short scans that the planner tends to overrate: no JIT, no
        // parallel workers (the ranges already run side by side), and index
        // probes priced as on a disk that serves them from cache. One
        // script is one implicit transaction: the settings end with it.
        // (`fetch_all`: `fetch_one` would stop after the first statement.)
        Engine::Postgres => {
            sqlx::raw_sql(&format!(
                "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; \
                 SET LOCAL random_page_cost = 1.1; {sql}"
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
        areas.entry(r.get(0)).or_default().push(r.get(1));
    }
    let parents: HashMap<i64, i64> =
        sqlx::query("SELECT id, parent_id FROM competence_areas WHERE parent_id IS NOT NULL")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    let courses = sqlx::query("SELECT id, status, level, validity_months FROM courses")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.get(0);
            CourseFacts {
                id,
                status: CourseStatus::parse(&r.get::<String, _>(1)).unwrap_or(CourseStatus::Pausad),
                level: Level::parse(&r.get::<String, _>(2)).unwrap_or(Level::Bas),
                validity_months: r
                    .get::<Option<i64>, _>(3)
                    .and_then(|m| u32::try_from(m).ok()),
                areas: areas.remove(&id).unwrap_or_default(),
            }
        })
        .collect();
    Ok(Catalogue::new(courses, &parents))
}

/// Person-id ranges covering every person.
async fn id_ranges(db: &Db) -> StoreResult<Vec<(i64, i64)>> {
    let r = sqlx::query("SELECT MIN(id), MAX(id) FROM people")
        .fetch_one(db.pool())
        .await?;
    Ok(
        match (r.get::<Option<i64>, _>(0), r.get::<Option<i64>, _>(1)) {
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
                    r.get::<i64, _>(0),
                    ActivityArea::parse(&r.get::<String, _>(1))?,
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
    let start_of_day = Stockholm
        .from_local_datetime(&as_of.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or(0);
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
                        starts_on: local_date(t),
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

/// The calendar date (Europe/Stockholm) of a stored timestamp.
pub fn local_date(ts: i64) -> NaiveDate {
    Stockholm
        .timestamp_opt(ts, 0)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// Today in Europe/Stockholm.
pub fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&Stockholm).date_naive()
}

// Sessions to book ---------------------------------------------------------------

/// An upcoming session of a course, with its free seats.
#[derive(Debug, Clone, Serialize)]
pub struct SessionOffer {
    pub session_id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub municipality: String,
    pub venue: String,
    pub capacity: i64,
    pub booked: i64,
    pub free: i64,
    pub status: String,
}

impl SessionOffer {
    /// "2026-03-14 13:00" in Europe/Stockholm.
    pub fn starts_label(&self) -> String {
        Stockholm
            .timestamp_opt(self.starts_at, 0)
            .single()
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    }
    pub fn starts_on(&self) -> NaiveDate {
        local_date(self.starts_at)
    }
}

/// The next sessions (not cancelled, not yet started) of each course, up to
/// `per_course` each, soonest first.
pub async fn next_sessions(
    db: &Db,
    course_ids: &[i64],
    per_course: usize,
) -> StoreResult<HashMap<i64, Vec<SessionOffer>>> {
    let mut out: HashMap<i64, Vec<SessionOffer>> = HashMap::new();
    if course_ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = course_ids.iter().map(|i| i.to_string()).collect();
    let rows = sqlx::query(&format!(
        "SELECT s.id, s.course_id, c.title, s.starts_at, s.ends_at, m.name, s.venue, s.capacity, s.status, \
         (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked') AS booked \
         FROM sessions s JOIN courses c ON c.id = s.course_id JOIN municipalities m ON m.id = s.municipality_id \
         WHERE s.course_id IN ({}) AND s.starts_at > $1 AND s.status IN ('planned', 'open', 'full') \
         AND (s.registration_opens_at IS NULL OR s.registration_opens_at <= $1) \
         AND (s.registration_closes_at IS NULL OR s.registration_closes_at > $1) \
         ORDER BY s.starts_at, s.id",
        ids.join(",")
    ))
    .bind(crate::time::now())
    .fetch_all(db.pool())
    .await?;
    for r in rows {
        let course_id: i64 = r.get(1);
        let v = out.entry(course_id).or_default();
        if v.len() >= per_course {
            continue;
        }
        let capacity: i64 = r.get(7);
        let booked: i64 = r.get(9);
        v.push(SessionOffer {
            session_id: r.get(0),
            course_id,
            course_title: r.get(2),
            starts_at: r.get(3),
            ends_at: r.get(4),
            municipality: r.get(5),
            venue: r.get(6),
            capacity,
            booked,
            free: (capacity - booked).max(0),
            status: r.get(8),
        });
    }
    Ok(out)
}

// Reports -------------------------------------------------------------------------

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

fn coverage_code(c: &Coverage) -> &'static str {
    match c {
        Coverage::Catalogue { .. } => "catalogue",
        Coverage::InDevelopment { .. } => "in_development",
        Coverage::NewCourse => "new_course",
        Coverage::Recruitment => "recruitment",
    }
}

fn requirement_lines(
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
            let unit = crate::org::unit(db, *u).await?;
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
            let units: HashMap<i64, String> = sqlx::query("SELECT u.id, u.name, m.name FROM units u JOIN municipalities m ON m.id = u.municipality_id")
                .fetch_all(db.pool())
                .await?
                .iter()
                .map(|r| {
                    let (id, name, muni): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
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

// One person's requirements ------------------------------------------------------

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

/// Course titles by id.
pub async fn course_titles(db: &Db) -> StoreResult<HashMap<i64, String>> {
    Ok(sqlx::query("SELECT id, title FROM courses")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
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
pub async fn person(db: &Db, person_id: i64, as_of: NaiveDate) -> StoreResult<PersonGaps> {
    let p = crate::people::get(db, person_id).await?;
    let data = load(db, &GapScope::Person(person_id), as_of, Courses::Required).await?;
    let rules = data.rules();
    let checks = match data.record(person_id) {
        Some(r) => rules.evaluate(&r, &data.options()),
        None => vec![],
    };
    let rows: HashMap<i64, RequirementRow> = requirements::list(db, &Default::default())
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let titles = course_titles(db).await?;
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
        person_id,
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

// The manager's unit page ---------------------------------------------------------

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
    pub status: String,
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

pub const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// Everything the manager's unit page shows.
pub async fn unit_overview(db: &Db, unit_id: i64, as_of: NaiveDate) -> StoreResult<UnitOverview> {
    let unit = crate::org::unit(db, unit_id).await?;
    let data = load(db, &GapScope::Unit(unit_id), as_of, Courses::All).await?;
    let rules = data.rules();
    let rows: HashMap<i64, RequirementRow> = requirements::list(db, &Default::default())
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let titles = course_titles(db).await?;
    let staff_list = crate::people::list(
        db,
        &crate::people::Filter {
            unit_id: Some(unit_id),
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
        let kind: String = r.get(1);
        let dir: String = r.get(2);
        if let Some(k) = EducationKind::parse(&kind) {
            edu_labels
                .entry(r.get(0))
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
        "SELECT b.id, b.person_id, p.name, s.id, c.title, s.starts_at, b.status, b.waitlist_seq \
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
        let session_id: i64 = r.get(3);
        let status: String = r.get(6);
        let seq: Option<i64> = r.get(7);
        let position = match (status.as_str(), seq) {
            ("waitlisted", Some(seq)) => Some(
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
        let starts_at: i64 = r.get(5);
        booking_lines.push(BookingLine {
            booking_id: r.get(0),
            person_id: r.get(1),
            person_name: r.get(2),
            session_id,
            course_title: r.get(4),
            starts_at,
            starts_label: Stockholm
                .timestamp_opt(starts_at, 0)
                .single()
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
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
