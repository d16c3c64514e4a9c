//! Demo data for competence: the needs inventory and the tracks from the
//! source documents, plus clearly marked synthetic requirements, formal
//! educations, completions, packages and prerequisites.

use domain::ids::{CourseId, MunicipalityId};
use std::collections::HashMap;

use chrono::{Duration, Months, NaiveDate};
use domain::education::{Direction, EducationKind};
use domain::packages::PackageDraft;
use domain::requirements::RequirementDraft;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;

use crate::audit::Who;
use crate::db::Db;
use crate::error::StoreResult;

/// Marks every synthetic requirement.
pub const SYNTHETIC_NOTE: &str = "Syntetiskt demokrav – inte hämtat ur källdokumenten.";
/// `completions.source` of the synthetic completions.
pub const COMPLETION_SOURCE: &str = "syntetisk_demo_kompetens";

/// (course code, competence area code): the demo's tagging of courses with
/// the competence areas of RÖL2022 §4.2 (synthetic).
const COURSE_AREAS: &[(&str, &str)] = &[
    ("K001", "4.2.5.3"),
    ("K001", "4.2.3.3"),
    ("K002", "4.2.2.6"),
    ("K003", "4.2.2.1"),
    ("K004", "4.2.2.8"),
    ("K007", "4.2.1.7"),
    ("K009", "4.2.1.10"),
    ("K013", "4.2.2.4"),
    ("K015", "4.2.1.8"),
    ("K015", "4.2.1.3"),
    ("K016", "4.2.1.5"),
    ("K019", "4.2.2.2"),
    ("K020", "4.2.2.1"),
    ("K026", "4.2.1.8"),
    ("K051", "4.2.1.8"),
    ("K066", "4.2.1.6"),
    ("K072", "4.2.1.8"),
    ("K073", "4.2.1.8"),
    ("K079", "4.2.2.1"),
];

/// (course code, months): synthetic validity periods so the year wheel has
/// recurring training that can be booked (HLR already has 12 months).
const VALIDITY: &[(&str, i64)] = &[("K007", 12), ("K009", 24)];

/// Requirements: (role, scope, scope value, kind, target, direction).
const REQUIREMENTS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("Undersköterska", "region", "", "course", "K066", ""),
    ("Undersköterska", "region", "", "course", "K007", ""),
    ("Undersköterska", "region", "", "course", "K009", ""),
    ("Undersköterska", "region", "", "course", "K001", ""),
    (
        "Undersköterska",
        "region",
        "",
        "education",
        "vard_och_omsorgsprogrammet",
        "",
    ),
    (
        "Undersköterska",
        "activity_area",
        "aldreomsorg",
        "course",
        "K015",
        "",
    ),
    (
        "Undersköterska",
        "activity_area",
        "aldreomsorg",
        "area",
        "4.2.1.8",
        "bas",
    ),
    (
        "Undersköterska",
        "unit:Hemtjänsten Centrum",
        "",
        "course",
        "K017",
        "",
    ),
    ("Vårdbiträde", "region", "", "course", "K007", ""),
    ("Vårdbiträde", "region", "", "course", "K003", ""),
    ("Vårdbiträde", "region", "", "course", "K001", ""),
    (
        "Stödassistent/boendestödjare",
        "region",
        "",
        "course",
        "K003",
        "",
    ),
    (
        "Stödassistent/boendestödjare",
        "activity_area",
        "funktionsstod",
        "course",
        "K008",
        "",
    ),
    (
        "Stödassistent/boendestödjare",
        "activity_area",
        "socialpsykiatri",
        "course",
        "K016",
        "",
    ),
    ("Personlig assistent", "region", "", "course", "K007", ""),
    ("Personlig assistent", "region", "", "course", "K003", ""),
    (
        "Sjuksköterska",
        "region",
        "",
        "education",
        "sjukskoterska",
        "",
    ),
    ("Sjuksköterska", "region", "", "course", "K066", ""),
    ("Sjuksköterska", "region", "", "course", "K047", ""),
    (
        "Sjuksköterska",
        "activity_area",
        "kommunal_hso",
        "area",
        "4.2.1.6",
        "fordjupning",
    ),
    (
        "Arbetsterapeut",
        "region",
        "",
        "education",
        "arbetsterapeut",
        "",
    ),
    ("Arbetsterapeut", "region", "", "course", "K044", ""),
];

/// Load the competence demo. Runs after the catalogue, people and accounts.
pub async fn load(db: &Db) -> StoreResult<()> {
    let who = Who::system("demo");
    crate::needs::load_seed(db).await?;

    let codes: HashMap<String, i64> =
        sqlx::query("SELECT code, id FROM courses WHERE code IS NOT NULL")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get("code"), r.get("id")))
            .collect();
    let areas: HashMap<String, i64> = sqlx::query("SELECT code, id FROM competence_areas")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get("code"), r.get("id")))
        .collect();
    let mut tx = db.begin().await?;
    for (course, area) in COURSE_AREAS {
        let (Some(c), Some(a)) = (codes.get(*course), areas.get(*area)) else {
            continue;
        };
        sqlx::query(
            "INSERT INTO course_areas (course_id, area_id) SELECT $1, $2 \
             WHERE NOT EXISTS (SELECT 1 FROM course_areas WHERE course_id = $1 AND area_id = $2)",
        )
        .bind(c)
        .bind(a)
        .execute(&mut *tx)
        .await?;
    }
    for (course, months) in VALIDITY {
        sqlx::query(
            "UPDATE courses SET validity_months = $1, \
             synthetic_note = synthetic_note || ' Giltighetstiden är ett syntetiskt demovärde.' \
             WHERE code = $2 AND validity_months IS NULL",
        )
        .bind(months)
        .bind(*course)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    // Prerequisites (synthetic): wound care and medication handling build on hygiene.
    for (course, requires) in [("K075", "K007"), ("K070", "K007"), ("K076", "K007")] {
        if let (Some(c), Some(r)) = (codes.get(course), codes.get(requires)) {
            crate::tracks::add_prerequisite(db, &who, CourseId(*c), CourseId(*r)).await?;
        }
    }

    super::tracks::load(db).await?;

    // Requirements.
    let roles: HashMap<String, i64> = crate::org::roles(db)
        .await?
        .into_iter()
        .map(|r| (r.name, r.id))
        .collect();
    let orebro = crate::org::municipality_by_name(db, "Örebro").await?;
    let orebro_units = match &orebro {
        Some(m) => crate::org::units(db, Some(MunicipalityId(m.id))).await?,
        None => vec![],
    };
    for (role, scope, value, kind, target, extra) in REQUIREMENTS {
        let Some(role_id) = roles.get(*role) else {
            continue;
        };
        let mut d = RequirementDraft {
            role_id: role_id.to_string(),
            kind: kind.to_string(),
            note: SYNTHETIC_NOTE.into(),
            ..Default::default()
        };
        if let Some(unit_name) = scope.strip_prefix("unit:") {
            let Some(u) = orebro_units.iter().find(|u| u.name == unit_name) else {
                continue;
            };
            d.scope = "unit".into();
            d.unit_id = u.id.to_string();
        } else {
            d.scope = scope.to_string();
            d.activity_area = value.to_string();
        }
        match *kind {
            "course" => {
                let Some(c) = codes.get(*target) else {
                    continue;
                };
                d.course_id = c.to_string();
            }
            "area" => {
                let Some(a) = areas.get(*target) else {
                    continue;
                };
                d.area_id = a.to_string();
                d.level = extra.to_string();
            }
            _ => {
                d.education = target.to_string();
                d.direction = extra.to_string();
            }
        }
        crate::requirements::create_synthetic(db, &who, &d).await?;
    }

    people_educations_and_completions(db, &codes).await?;

    // Packages (synthetic).
    let package =
        |name: &str, description: &str, roles_: &[&str], areas_: &[&str], courses: &[&str]| {
            PackageDraft {
                name: name.into(),
                description: description.into(),
                role_ids: roles_
                    .iter()
                    .filter_map(|r| roles.get(*r))
                    .map(|id| id.to_string())
                    .collect(),
                activity_areas: areas_.iter().map(|a| a.to_string()).collect(),
                course_ids: courses
                    .iter()
                    .filter_map(|c| codes.get(*c))
                    .map(|id| id.to_string())
                    .collect(),
                published: "1".into(),
            }
        };
    for d in [
        package(
            "Introduktion för ny baspersonal i äldreomsorgen",
            "Syntetiskt demopaket: de första kurserna för nyanställda undersköterskor och vårdbiträden.",
            &["Undersköterska", "Vårdbiträde"],
            &["aldreomsorg"],
            &["K001", "K007", "K003", "K002", "K004", "K009"],
        ),
        package(
            "Demens och palliativ vård för baspersonal",
            "Syntetiskt demopaket: fördjupning för den som arbetar nära personer i livets slutskede.",
            &["Undersköterska", "Vårdbiträde"],
            &[],
            &["K015", "K026", "K072"],
        ),
        package(
            "Bemötande och kommunikation i funktionsstöd och socialpsykiatri",
            "Syntetiskt demopaket för stödassistenter, boendestödjare och personliga assistenter.",
            &["Stödassistent/boendestödjare", "Personlig assistent"],
            &["funktionsstod", "socialpsykiatri"],
            &["K003", "K008", "K016", "K019", "K079"],
        ),
        package(
            "Legitimerad personal ny i kommunen",
            "Syntetiskt demopaket för sjuksköterskor och arbetsterapeuter.",
            &["Sjuksköterska", "Arbetsterapeut"],
            &["kommunal_hso"],
            &["K047", "K002", "K066"],
        ),
    ] {
        crate::packages::create_synthetic(db, &who, &d).await?;
    }
    Ok(())
}

fn pick<T: Copy>(rng: &mut StdRng, v: &[T]) -> T {
    v[rng.random_range(0..v.len())]
}

/// Formal educations for the synthetic people and synthetic completions of
/// the courses their requirements and tracks ask for.
async fn people_educations_and_completions(
    db: &Db,
    codes: &HashMap<String, i64>,
) -> StoreResult<()> {
    let mut rng = StdRng::seed_from_u64(5_2026);
    let people = sqlx::query(
        "SELECT p.id, r.name AS role_name, p.email FROM people p JOIN roles r ON r.id = p.role_id WHERE p.synthetic = 1 ORDER BY p.id",
    )
    .fetch_all(db.pool())
    .await?;
    let courses = sqlx::query("SELECT id, status, validity_months FROM courses")
        .fetch_all(db.pool())
        .await?;
    let course_info: HashMap<i64, (String, Option<i64>)> = courses
        .iter()
        .map(|r| (r.get("id"), (r.get("status"), r.get("validity_months"))))
        .collect();
    let role_courses: HashMap<&str, Vec<&str>> = [
        (
            "Undersköterska",
            vec![
                "K066", "K007", "K009", "K001", "K015", "K017", "K003", "K002", "K004", "K013",
                "K012", "K014",
            ],
        ),
        ("Vårdbiträde", vec!["K007", "K003", "K001", "K002", "K009"]),
        (
            "Stödassistent/boendestödjare",
            vec!["K003", "K008", "K016", "K001", "K007"],
        ),
        ("Personlig assistent", vec!["K007", "K003", "K008"]),
        ("Stödpedagog/boendepedagog", vec!["K003", "K008", "K016"]),
        ("Sjuksköterska", vec!["K066", "K047", "K002"]),
        ("Arbetsterapeut", vec!["K002", "K009"]),
        ("Fysioterapeut", vec!["K009", "K002"]),
        ("Enhetschef", vec!["K001"]),
    ]
    .into_iter()
    .collect();
    let today = crate::time::today();
    let earliest = today - Duration::days(3 * 365);
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let mut serial = 0;
    for p in &people {
        let id: i64 = p.get("id");
        let role: String = p.get("role_name");
        let email: String = p.get("email");
        // Formal education.
        let roll: f64 = rng.random();
        let education: Option<(EducationKind, Option<Direction>)> = match role.as_str() {
            "Undersköterska" => {
                if roll < 0.68 {
                    Some((EducationKind::VardOchOmsorgsprogrammet, None))
                } else if roll < 0.80 {
                    let d = pick(
                        &mut rng,
                        EducationKind::SpecialistunderskoterskaYh.directions(),
                    );
                    Some((EducationKind::SpecialistunderskoterskaYh, Some(d)))
                } else if roll < 0.90 {
                    Some((EducationKind::Vardbitradesutbildning, None))
                } else {
                    None
                }
            }
            "Vårdbiträde" => {
                if roll < 0.5 {
                    Some((EducationKind::Vardbitradesutbildning, None))
                } else if roll < 0.75 {
                    Some((EducationKind::Ingen, None))
                } else {
                    None
                }
            }
            "Stödassistent/boendestödjare" | "Personlig assistent" => {
                if roll < 0.4 {
                    Some((EducationKind::VardOchOmsorgsprogrammet, None))
                } else if roll < 0.65 {
                    Some((EducationKind::BarnOchFritidsprogrammet, None))
                } else if roll < 0.8 {
                    Some((EducationKind::Ingen, None))
                } else {
                    None
                }
            }
            "Stödpedagog/boendepedagog" => Some((EducationKind::StodpedagogYh, None)),
            "Sjuksköterska" => {
                if roll < 0.8 {
                    Some((EducationKind::Sjukskoterska, None))
                } else if roll < 0.95 {
                    let d = pick(
                        &mut rng,
                        EducationKind::Specialistsjukskoterska.directions(),
                    );
                    Some((EducationKind::Specialistsjukskoterska, Some(d)))
                } else {
                    None
                }
            }
            "Arbetsterapeut" => (roll < 0.95).then_some((EducationKind::Arbetsterapeut, None)),
            "Fysioterapeut" => Some((EducationKind::Fysioterapeut, None)),
            "Enhetschef" => {
                if roll < 0.5 {
                    Some((EducationKind::Socionom, None))
                } else if roll < 0.8 {
                    Some((EducationKind::Sjukskoterska, None))
                } else {
                    None
                }
            }
            _ => None,
        };
        // The demo participant has an expired HLR and no registered education.
        let is_demo_login = email.ends_with("@demo.navet.se");
        if let (Some((kind, dir)), false) = (education, is_demo_login) {
            let year = rng.random_range(1995..2025);
            sqlx::query(
                "INSERT INTO person_educations (person_id, kind, direction, completed_on, note, synthetic, registered_at) \
                 VALUES ($1, $2, $3, $4, 'Syntetisk demouppgift.', 1, $5)",
            )
            .bind(id)
            .bind(kind.code())
            .bind(dir.map(|d| d.code()).unwrap_or(""))
            .bind(if kind == EducationKind::Ingen { None } else { Some(format!("{year}-06-10")) })
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // Completions: each listed course with some probability, only for
        // courses that have been given (active or since paused).
        for code in role_courses.get(role.as_str()).cloned().unwrap_or_default() {
            let Some(course_id) = codes.get(code) else {
                continue;
            };
            let Some((status, validity)) = course_info.get(course_id) else {
                continue;
            };
            if status != "aktiv" && status != "pausad" {
                continue;
            }
            let p_done = if is_demo_login { 0.5 } else { 0.7 };
            if !rng.random_bool(p_done) {
                continue;
            }
            let span = (today - earliest).num_days();
            let completed = earliest + Duration::days(rng.random_range(0..span));
            let expires: Option<NaiveDate> = validity.and_then(|m| {
                completed.checked_add_months(Months::new(u32::try_from(m).unwrap_or(12)))
            });
            serial += 1;
            sqlx::query(
                "INSERT INTO completions (person_id, course_id, session_id, completed_on, hours, certificate_no, verify_code, expires_on, source, created_at) \
                 VALUES ($1, $2, NULL, $3, 3.0, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(course_id)
            .bind(crate::time::date_str(completed))
            .bind(format!("DEMO-K-{serial:06}"))
            .bind(crate::completions::new_verify_code())
            .bind(expires.map(crate::time::date_str))
            .bind(COMPLETION_SOURCE)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
