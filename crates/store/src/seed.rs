//! Reference data from the source documents (`seed/` in the repository) and
//! the demo's synthetic units, people and accounts.
//!
//! Reference data (municipalities, roles, competence areas) is loaded by
//! `migrate` on an empty database. The demo adds the course catalogue from
//! the documents plus clearly marked synthetic data (`synthetic = 1`).

use std::collections::HashMap;

use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
use sqlx::Row;

use crate::audit::Who;
use crate::catalogue::{self, CourseExtras};
use crate::db::Db;
use crate::error::StoreResult;

const MUNICIPALITIES_CSV: &str = include_str!("../../../seed/municipalities.csv");
const ROLES_CSV: &str = include_str!("../../../seed/roles.csv");
const AREAS_CSV: &str = include_str!("../../../seed/competence_areas.csv");
const COURSES_CSV: &str = include_str!("../../../seed/courses.csv");
/// Participant-facing texts (what you learn, what to bring) for the
/// courses running in 2025, written for the demo from the course names.
const COURSE_TEXTS_CSV: &str = include_str!("../../../seed/course_texts.csv");

fn records(csv_text: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = r.headers().expect("seed header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("seed row");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Load municipalities, roles and competence areas if the database has none.
pub async fn load_reference(db: &Db) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM municipalities")
        .fetch_one(db.pool())
        .await?;
    if n > 0 {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    for m in records(MUNICIPALITIES_CSV) {
        let county = m["county_part_sv"].trim();
        // population_approx is NOT from the documents: kept only as an
        // approximate figure for demo use and flagged as such.
        let pop: Option<i64> = m["population_approx"].parse().ok();
        sqlx::query(
            "INSERT INTO municipalities (name, official_name, county_part, employees, inhabitants, inhabitants_approx) VALUES ($1, $2, $3, NULL, $4, 1)",
        )
        .bind(&m["municipality"])
        .bind(&m["official_name_sv"])
        .bind(if county.is_empty() { None } else { Some(county) })
        .bind(pop)
        .execute(&mut *tx)
        .await?;
    }
    for r in records(ROLES_CSV) {
        sqlx::query(
            "INSERT INTO roles (source_id, name, name_en, role_group) VALUES ($1, $2, $3, $4)",
        )
        .bind(&r["role_id"])
        .bind(&r["role_sv"])
        .bind(&r["role_en"])
        .bind(&r["role_group"])
        .execute(&mut *tx)
        .await?;
    }
    let mut area_ids: HashMap<String, i64> = HashMap::new();
    for a in records(AREAS_CSV) {
        let (code, parent, name, name_en) = match a["record_type"].as_str() {
            "område" => (
                a["area_code"].clone(),
                None,
                a["area_sv"].clone(),
                a["area_en"].clone(),
            ),
            "delområde" => (
                format!("{}.{}", a["area_code"], a["item_no"]),
                area_ids.get(&a["area_code"]).copied(),
                a["item_sv"].clone(),
                a["item_en"].clone(),
            ),
            _ => continue,
        };
        let row = sqlx::query("INSERT INTO competence_areas (code, parent_id, name, name_en) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(&code)
            .bind(parent)
            .bind(&name)
            .bind(&name_en)
            .fetch_one(&mut *tx)
            .await?;
        area_ids.insert(code, row.get("id"));
    }
    tx.commit().await?;
    Ok(true)
}

/// The lifecycle status a course gets from the annual report's tables:
/// delivered → aktiv; under development or planned → under utveckling;
/// "risk att ej leverera" → pausad (nobody is developing it now);
/// the trainers' own courses, already held → aktiv.
pub fn lifecycle_from_report(status: &str) -> CourseStatus {
    match status {
        "levererat" | "genomförd" => CourseStatus::Aktiv,
        "risk att ej leverera" => CourseStatus::Pausad,
        _ => CourseStatus::UnderUtveckling,
    }
}

/// Each municipality's share (%) of its whole-period co-financing
/// commitment reached in 2025, as the annual report lists it
/// (`cofinancing_achieved_pct_2025` in seed/municipalities.csv).
pub fn cofinancing_achieved_2025() -> HashMap<String, f64> {
    records(MUNICIPALITIES_CSV)
        .into_iter()
        .filter_map(|r| {
            let pct = r
                .get("cofinancing_achieved_pct_2025")?
                .trim()
                .parse::<f64>()
                .ok()?;
            Some((r.get("municipality")?.trim().to_string(), pct))
        })
        .collect()
}

/// Courses from seed/courses.csv. Titles that occur for several target
/// groups get the group in brackets so each title is unique.
pub async fn load_courses(db: &Db) -> StoreResult<()> {
    let rows = records(COURSES_CSV);
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        *count.entry(r["name_sv"].clone()).or_default() += 1;
    }
    let roles: HashMap<String, i64> = crate::org::roles(db)
        .await?
        .into_iter()
        .map(|r| (r.name.to_lowercase(), r.id))
        .collect();
    let who = Who::system("demo");
    let texts: HashMap<String, (String, String)> = records(COURSE_TEXTS_CSV)
        .into_iter()
        .map(|t| {
            (
                t["course_id"].clone(),
                (t["learn_sv"].clone(), t["bring_sv"].clone()),
            )
        })
        .collect();
    for r in rows {
        let name = r["name_sv"].trim();
        let group = r["target_group_sv"].trim();
        let title = if count[name] > 1 && group != "ej angiven i kursnamnet" {
            format!("{name} ({group})")
        } else {
            name.to_string()
        };
        let trainer_course = r["kind"] == "utbildning för utbildningsledare";
        // Hours, format and level are not in the documents: synthetic.
        let hands_on = [
            "sår",
            "kateter",
            "hlr",
            "sugning",
            "stomi",
            "läkemedel",
            "omvårdnad",
            "förflyttning",
            "nutrition",
        ]
        .iter()
        .any(|k| name.to_lowercase().contains(k));
        let format = if trainer_course {
            Format::Blandad
        } else if hands_on {
            Format::Simulering
        } else {
            Format::Lararledd
        };
        let hours = if trainer_course {
            16.0
        } else if hands_on {
            4.0
        } else {
            3.0
        };
        let level = if group == "sjuksköterskor" || group == "arbetsterapeuter" {
            Level::Fordjupning
        } else {
            Level::Bas
        };
        let role_ids: Vec<i64> = match group {
            "baspersonal" => [
                "undersköterska",
                "vårdbiträde",
                "stödassistent/boendestödjare",
            ]
            .iter()
            .filter_map(|n| roles.get(*n).copied())
            .collect(),
            "sjuksköterskor" => roles.get("sjuksköterska").copied().into_iter().collect(),
            "arbetsterapeuter" => roles.get("arbetsterapeut").copied().into_iter().collect(),
            _ => vec![],
        };
        let validity = name.eq_ignore_ascii_case("HLR").then_some(12);
        let checked = CheckedCourse {
            title,
            level,
            format,
            hours,
            status: lifecycle_from_report(r["status"].trim()),
            validity_months: validity,
            default_capacity: if format == Format::Simulering { 8 } else { 16 },
            trainers_per_session: if format == Format::Simulering { 2 } else { 1 },
        };
        let text = texts.get(&r["course_id"]);
        let description = domain::catalogue::public_description(
            name,
            text.map(|t| t.0.as_str()),
            group,
            text.map(|t| t.1.as_str()),
            level,
            format,
            hours,
        );
        let extras = CourseExtras {
            code: Some(r["course_id"].clone()),
            description,
            provider: "Kompetensnavet".into(),
            language_support: if format == Format::Simulering { "sva".into() } else { String::new() },
            target_group: group.to_string(),
            planned_term: r["planned_term_sv"].clone(),
            synthetic_note: "Timmar, format, nivå, platser och kursbeskrivningen är syntetiska demovärden (beskrivningen skriven för demon utifrån kursnamnet); namn, målgrupp och status kommer från årsrapporten 2025."
                .into(),
            role_ids,
            area_ids: vec![],
        };
        catalogue::create(db, &who, &checked, &extras).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_status_maps_to_lifecycle() {
        assert_eq!(lifecycle_from_report("levererat"), CourseStatus::Aktiv);
        assert_eq!(
            lifecycle_from_report("under utveckling"),
            CourseStatus::UnderUtveckling
        );
        assert_eq!(
            lifecycle_from_report("planerad"),
            CourseStatus::UnderUtveckling
        );
        assert_eq!(
            lifecycle_from_report("risk att ej leverera"),
            CourseStatus::Pausad
        );
    }
}
