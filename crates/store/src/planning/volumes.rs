//! Places agreed ahead per municipality and term, for a course or a
//! package, and the term view: agreed vs planned vs booked vs attended per
//! municipality and course (`domain::planning::volumes`). Counts only.

use std::collections::BTreeMap;

use domain::ids::{CourseId, MunicipalityId, PackageId};
use domain::planning::term::Term;
use domain::planning::volumes::{check_places, Figures};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// The most agreements (or term-view rows) one term shows: the county's
/// municipalities times the catalogue's courses.
pub const ROWS: i64 = 5000;

/// What an agreement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Course(CourseId),
    Package(PackageId),
}

impl Item {
    /// `c12` / `p3`, as a form's select sends it.
    pub fn parse(s: &str) -> Option<Item> {
        let s = s.trim();
        let n = |x: &str| x.parse::<i64>().ok();
        if let Some(x) = s.strip_prefix('c') {
            n(x).map(|i| Item::Course(CourseId(i)))
        } else if let Some(x) = s.strip_prefix('p') {
            n(x).map(|i| Item::Package(PackageId(i)))
        } else {
            None
        }
    }
}

/// One agreement.
#[derive(Debug, Clone, Serialize)]
pub struct Volume {
    pub id: i64,
    pub term: String,
    pub municipality_id: i64,
    pub municipality: String,
    pub course_id: Option<i64>,
    pub package_id: Option<i64>,
    /// The course's title or the package's name.
    pub title: String,
    pub places: i64,
    pub synthetic: bool,
}

impl Volume {
    /// `c12` / `p3`: the item's form value.
    pub fn item_code(&self) -> String {
        match (self.course_id, self.package_id) {
            (Some(c), _) => format!("c{c}"),
            (_, Some(p)) => format!("p{p}"),
            _ => String::new(),
        }
    }
}

/// The term's agreements, by municipality and title (Swedish order).
pub async fn list(db: &Db, term: Term) -> StoreResult<Vec<Volume>> {
    let rows = sqlx::query(&format!(
        "SELECT v.id, v.term, v.municipality_id, m.name AS municipality, v.course_id, v.package_id, \
           COALESCE(c.title, k.name) AS title, v.places, v.synthetic \
         FROM agreed_volumes v JOIN municipalities m ON m.id = v.municipality_id \
         LEFT JOIN courses c ON c.id = v.course_id LEFT JOIN packages k ON k.id = v.package_id \
         WHERE v.term = $1 ORDER BY v.id LIMIT {ROWS}"
    ))
    .bind(term.code())
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<Volume> = rows
        .iter()
        .map(|r| Volume {
            id: r.get("id"),
            term: r.get("term"),
            municipality_id: r.get("municipality_id"),
            municipality: r.get("municipality"),
            course_id: r.get("course_id"),
            package_id: r.get("package_id"),
            title: r.get("title"),
            places: r.get("places"),
            synthetic: r.get::<i64, _>("synthetic") == 1,
        })
        .collect();
    domain::collation::sort_swedish_by(&mut out, |v| &v.title);
    out.sort_by(|a, b| domain::collation::swedish_cmp(&a.municipality, &b.municipality));
    Ok(out)
}

/// Agree `places` for a municipality, term and course or package; 0
/// removes the agreement. Every unknown thing is named by its field.
pub async fn set(
    db: &Db,
    who: &Who,
    term: Term,
    municipality_id: MunicipalityId,
    item: Item,
    places: &str,
) -> StoreResult<()> {
    set_marked(db, who, term, municipality_id, item, places, false).await
}

/// The same, marked as synthetic (the demo's agreements).
pub async fn set_synthetic(
    db: &Db,
    who: &Who,
    term: Term,
    municipality_id: MunicipalityId,
    item: Item,
    places: i64,
) -> StoreResult<()> {
    set_marked(
        db,
        who,
        term,
        municipality_id,
        item,
        &places.to_string(),
        true,
    )
    .await
}

async fn set_marked(
    db: &Db,
    who: &Who,
    term: Term,
    municipality_id: MunicipalityId,
    item: Item,
    places: &str,
    synthetic: bool,
) -> StoreResult<()> {
    let mut e = match check_places(places) {
        Ok(_) => domain::FieldErrors::new(),
        Err(e) => e,
    };
    let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM municipalities WHERE id = $1")
        .bind(municipality_id)
        .fetch_one(db.pool())
        .await?;
    if known == 0 {
        e.add(
            "municipality_id",
            "unknown_municipality",
            "Kommunen finns inte.",
        );
    }
    let (title, course_id, package_id) = match item {
        Item::Course(c) => (
            sqlx::query_scalar::<_, String>("SELECT title FROM courses WHERE id = $1")
                .bind(c)
                .fetch_optional(db.pool())
                .await?,
            Some(c.get()),
            None,
        ),
        Item::Package(p) => (
            sqlx::query_scalar::<_, String>("SELECT name FROM packages WHERE id = $1")
                .bind(p)
                .fetch_optional(db.pool())
                .await?,
            None,
            Some(p.get()),
        ),
    };
    if title.is_none() {
        match item {
            Item::Course(_) => e.add("course_id", "unknown_course", "Kursen finns inte."),
            Item::Package(_) => e.add("package_id", "unknown_package", "Paketet finns inte."),
        }
    }
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let places = check_places(places).map_err(StoreError::Invalid)?;
    let (col, id) = match item {
        Item::Course(c) => ("course_id", c.get()),
        Item::Package(p) => ("package_id", p.get()),
    };
    let mut tx = db.begin().await?;
    if places == 0 {
        sqlx::query(&format!(
            "DELETE FROM agreed_volumes WHERE term = $1 AND municipality_id = $2 AND {col} = $3"
        ))
        .bind(term.code())
        .bind(municipality_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    } else {
        // Two coordinators at once: the partial unique index keeps one row.
        sqlx::query(&format!(
            "INSERT INTO agreed_volumes (term, municipality_id, course_id, package_id, places, synthetic, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (term, municipality_id, {col}) WHERE {col} IS NOT NULL \
             DO UPDATE SET places = excluded.places, synthetic = excluded.synthetic, updated_at = excluded.updated_at"
        ))
        .bind(term.code())
        .bind(municipality_id)
        .bind(course_id)
        .bind(package_id)
        .bind(places)
        .bind(i64::from(synthetic))
        .bind(crate::time::now())
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        who,
        "agreed_volume.set",
        "municipality",
        Some(municipality_id.get()),
        None,
        &format!(
            "{term}: {} {}, {places} platser",
            if course_id.is_some() { "kurs" } else { "paket" },
            title.unwrap_or_default()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One municipality and course in the term view.
#[derive(Debug, Clone, Serialize)]
pub struct TermRow {
    pub municipality_id: i64,
    pub municipality: String,
    pub course_id: i64,
    pub course_title: String,
    /// Of the agreed places, those agreed through packages.
    pub agreed_via_packages: i64,
    pub figures: Figures,
}

/// The row of a query's municipality and course, made when first met.
fn entry<'a>(
    rows: &'a mut BTreeMap<(i64, i64), TermRow>,
    r: &sqlx::any::AnyRow,
) -> &'a mut TermRow {
    let key: (i64, i64) = (r.get("municipality_id"), r.get("course_id"));
    rows.entry(key).or_insert_with(|| TermRow {
        municipality_id: key.0,
        municipality: r.get("municipality"),
        course_id: key.1,
        course_title: r.get("course_title"),
        agreed_via_packages: 0,
        figures: Figures::default(),
    })
}

/// The term view: every municipality and course with places agreed,
/// planned, booked or attended in the term, by municipality and course
/// (Swedish order). Sessions count when they begin in the term's weeks
/// (Stockholm time) and are not cancelled.
pub async fn term_view(db: &Db, term: Term) -> StoreResult<Vec<TermRow>> {
    let from = crate::time::day_start(term.first_day());
    let to = crate::time::day_start(term.last_day() + chrono::Duration::days(1));
    let mut rows: BTreeMap<(i64, i64), TermRow> = BTreeMap::new();
    let names =
        "JOIN municipalities m ON m.id = x.municipality_id JOIN courses c ON c.id = x.course_id";
    let agreed = sqlx::query(&format!(
        "SELECT x.municipality_id, m.name AS municipality, x.course_id, c.title AS course_title, \
           CAST(SUM(x.direct) AS BIGINT) AS direct, CAST(SUM(x.via) AS BIGINT) AS via FROM ( \
           SELECT municipality_id, course_id, places AS direct, 0 AS via FROM agreed_volumes \
             WHERE term = $1 AND course_id IS NOT NULL \
           UNION ALL \
           SELECT v.municipality_id, pc.course_id, 0, v.places FROM agreed_volumes v \
             JOIN package_courses pc ON pc.package_id = v.package_id WHERE v.term = $1 \
         ) x {names} GROUP BY x.municipality_id, m.name, x.course_id, c.title LIMIT {ROWS}"
    ))
    .bind(term.code())
    .fetch_all(db.pool())
    .await?;
    let planned = sqlx::query(&format!(
        "SELECT x.municipality_id, m.name AS municipality, x.course_id, c.title AS course_title, \
           CAST(SUM(x.capacity) AS BIGINT) AS planned \
         FROM sessions x {names} \
         WHERE x.starts_at >= $1 AND x.starts_at < $2 AND x.status <> 'cancelled' \
         GROUP BY x.municipality_id, m.name, x.course_id, c.title LIMIT {ROWS}"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    let booked = sqlx::query(&format!(
        "SELECT x.municipality_id, m.name AS municipality, x.course_id, c.title AS course_title, \
           CAST(SUM(x.booked) AS BIGINT) AS booked, CAST(SUM(x.attended) AS BIGINT) AS attended FROM ( \
           SELECT p.municipality_id, s.course_id, \
             CASE WHEN b.status IN ('booked', 'attended', 'absent') THEN 1 ELSE 0 END AS booked, \
             CASE WHEN b.status = 'attended' THEN 1 ELSE 0 END AS attended \
           FROM bookings b JOIN sessions s ON s.id = b.session_id JOIN people p ON p.id = b.person_id \
           WHERE s.starts_at >= $1 AND s.starts_at < $2 AND s.status <> 'cancelled' \
         ) x {names} GROUP BY x.municipality_id, m.name, x.course_id, c.title LIMIT {ROWS}"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    for r in &agreed {
        let (direct, via): (i64, i64) = (r.get("direct"), r.get("via"));
        let row = entry(&mut rows, r);
        row.figures.agreed += direct + via;
        row.agreed_via_packages += via;
    }
    for r in &planned {
        entry(&mut rows, r).figures.planned += r.get::<i64, _>("planned");
    }
    for r in &booked {
        let row = entry(&mut rows, r);
        row.figures.booked += r.get::<i64, _>("booked");
        row.figures.attended += r.get::<i64, _>("attended");
    }
    let mut out: Vec<TermRow> = rows
        .into_values()
        .filter(|r| r.figures != Figures::default())
        .collect();
    domain::collation::sort_swedish_by(&mut out, |r| &r.course_title);
    out.sort_by(|a, b| domain::collation::swedish_cmp(&a.municipality, &b.municipality));
    Ok(out)
}

/// The places agreed with each municipality for `terms` (courses and
/// packages together): a cost scenario's expected participants.
pub async fn places_by_municipality(db: &Db, terms: &[Term]) -> StoreResult<BTreeMap<i64, i64>> {
    let mut out = BTreeMap::new();
    for t in terms {
        for r in sqlx::query(&format!(
            "SELECT municipality_id, CAST(SUM(places) AS BIGINT) AS places FROM agreed_volumes \
             WHERE term = $1 GROUP BY municipality_id ORDER BY municipality_id LIMIT {ROWS}"
        ))
        .bind(t.code())
        .fetch_all(db.pool())
        .await?
        {
            *out.entry(r.get("municipality_id")).or_insert(0) += r.get::<i64, _>("places");
        }
    }
    Ok(out)
}
