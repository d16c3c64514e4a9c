//! Reference data from the source documents (`seed/` in the repository) and
//! the demo's synthetic units, people and accounts.
//!
//! Reference data (municipalities, roles, competence areas) is loaded by
//! `migrate` on an empty database. The demo adds the course catalogue from
//! the documents plus clearly marked synthetic data (`synthetic = 1`).

use std::collections::HashMap;

use domain::access::{Role, Scope};
use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;

use crate::accounts::{self, NewAccount};
use crate::audit::Who;
use crate::catalogue::{self, CourseExtras};
use crate::db::Db;
use crate::error::StoreResult;
use crate::people::{self, ResolvedPerson};

const MUNICIPALITIES_CSV: &str = include_str!("../../../seed/municipalities.csv");
const ROLES_CSV: &str = include_str!("../../../seed/roles.csv");
const AREAS_CSV: &str = include_str!("../../../seed/competence_areas.csv");
const COURSES_CSV: &str = include_str!("../../../seed/courses.csv");

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
        area_ids.insert(code, row.get(0));
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
        let extras = CourseExtras {
            code: Some(r["course_id"].clone()),
            description: r["note"].clone(),
            provider: "Kompetensnavet".into(),
            language_support: if format == Format::Simulering { "sva".into() } else { String::new() },
            target_group: group.to_string(),
            planned_term: r["planned_term_sv"].clone(),
            synthetic_note: "Timmar, format, nivå och platser är syntetiska demovärden; namn, målgrupp och status kommer från årsrapporten 2025."
                .into(),
            role_ids,
            area_ids: vec![],
        };
        catalogue::create(db, &who, &checked, &extras).await?;
    }
    Ok(())
}

const FEMALE: &[&str] = &[
    "Anna", "Maria", "Eva", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Linnea", "Elin",
    "Amira", "Fatima", "Hanna", "Johanna", "Malin", "Sofia", "Ida", "Marie", "Birgitta", "Ebba",
    "Jenny", "Leyla", "Nadia", "Ulla", "Åsa", "Helena", "Camilla", "Therese", "Saga", "Mirjam",
    "Aisha", "Tove", "Agnes", "Petra", "Ylva",
];
const MALE: &[&str] = &[
    "Erik", "Lars", "Johan", "Anders", "Mohammed", "Ali", "Per", "Mikael", "Karl", "Jonas",
    "Oskar", "Ahmed", "Daniel", "Björn", "Omar", "Fredrik", "Nils", "Emil", "Yusuf", "Östen",
];
const SURNAMES: &[&str] = &[
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Lindström",
    "Axelsson",
    "Lundgren",
    "Berg",
    "Åberg",
    "Öberg",
    "Ekström",
    "Hussein",
    "Mohamud",
    "Yilmaz",
    "Nguyen",
    "Kovačević",
    "Haddad",
    "Virtanen",
    "Holm",
    "Sandberg",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Danielsson",
];

/// Synthetic units per municipality: (name, activity area).
const UNIT_TEMPLATES: &[(&str, &str)] = &[
    ("Hemtjänsten Centrum", "aldreomsorg"),
    ("Äldreboendet Linden", "aldreomsorg"),
    ("LSS-boendet Björken", "funktionsstod"),
    ("Socialpsykiatrins boendestöd", "socialpsykiatri"),
    ("Hemsjukvården", "kommunal_hso"),
];

/// (role name, weight) for synthetic staff: mostly assistant nurses.
const ROLE_MIX: &[(&str, u32)] = &[
    ("Undersköterska", 52),
    ("Vårdbiträde", 14),
    ("Stödassistent/boendestödjare", 9),
    ("Personlig assistent", 5),
    ("Stödpedagog/boendepedagog", 3),
    ("Sjuksköterska", 9),
    ("Arbetsterapeut", 3),
    ("Fysioterapeut", 2),
    ("Enhetschef", 3),
];

/// The demo logins printed by `navet demo`.
pub const DEMO_PASSWORD: &str = "navet-demo-2026";
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("admin", "admin@demo.navet.se"),
    ("coordinator", "samordnare@demo.navet.se"),
    ("trainer", "utbildningsledare@demo.navet.se"),
    ("manager", "chef@demo.navet.se"),
    ("participant", "medarbetare@demo.navet.se"),
];

/// True when the demo has already been loaded (so a second run keeps data).
pub async fn demo_loaded(db: &Db) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

/// Load the demo: courses from the documents, synthetic units and about
/// 400 synthetic people (deterministic), and one account per role, all
/// with `password_hash`.
pub async fn load_demo(db: &Db, password_hash: &str) -> StoreResult<()> {
    load_reference(db).await?;
    load_courses(db).await?;
    let who = Who::system("demo");
    let munis = crate::org::municipalities(db).await?;
    let roles: HashMap<String, i64> = crate::org::roles(db)
        .await?
        .into_iter()
        .map(|r| (r.name.clone(), r.id))
        .collect();
    let mut rng = StdRng::seed_from_u64(20261123);
    let total_pop: i64 = munis.iter().map(|m| m.inhabitants.unwrap_or(10_000)).sum();
    let mut first_units: HashMap<String, Vec<i64>> = HashMap::new();
    let mut used_emails = std::collections::HashSet::new();
    let mut serial = 0;
    for m in &munis {
        // Synthetic employee figure: about 3 % of inhabitants work in municipal care.
        let employees = m.inhabitants.map(|p| p * 3 / 100);
        sqlx::query("UPDATE municipalities SET employees = $1 WHERE id = $2")
            .bind(employees)
            .bind(m.id)
            .execute(db.writer())
            .await?;
        let mut unit_ids = vec![];
        for (name, area) in UNIT_TEMPLATES {
            let id = crate::org::create_unit(db, m.id, name, area, true).await?;
            unit_ids.push(id);
        }
        // Staff in proportion to population, at least 12 per municipality.
        let n = ((m.inhabitants.unwrap_or(10_000) * 420) / total_pop).max(12);
        for _ in 0..n {
            serial += 1;
            let g: f64 = rng.random();
            let (first, gender) = if g < 0.85 {
                (FEMALE[rng.random_range(0..FEMALE.len())], "kvinna")
            } else if g < 0.99 {
                (MALE[rng.random_range(0..MALE.len())], "man")
            } else {
                (FEMALE[rng.random_range(0..FEMALE.len())], "ej_angivet")
            };
            let last = SURNAMES[rng.random_range(0..SURNAMES.len())];
            let total_w: u32 = ROLE_MIX.iter().map(|r| r.1).sum();
            let mut pick = rng.random_range(0..total_w);
            let role = ROLE_MIX
                .iter()
                .find(|(_, w)| {
                    if pick < *w {
                        true
                    } else {
                        pick -= w;
                        false
                    }
                })
                .map(|r| r.0)
                .unwrap_or("Undersköterska");
            let unit = unit_ids[rng.random_range(0..unit_ids.len())];
            let mut email = format!(
                "{}.{}@{}.demo.navet.se",
                ascii(first),
                ascii(last),
                ascii(&m.name)
            );
            if !used_emails.insert(email.clone()) {
                email = format!(
                    "{}.{}{}@{}.demo.navet.se",
                    ascii(first),
                    ascii(last),
                    serial,
                    ascii(&m.name)
                );
                used_emails.insert(email.clone());
            }
            let lang = if rng.random_bool(0.12) { "sva" } else { "" };
            people::create(
                db,
                &who,
                &ResolvedPerson {
                    name: format!("{first} {last}"),
                    email,
                    gender: domain::org::Gender::parse(gender).unwrap(),
                    employee_no: Some(format!("{}", 10_000 + serial)),
                    role_id: roles[role],
                    municipality_id: m.id,
                    unit_id: Some(unit),
                    language_support: lang.into(),
                },
                true,
            )
            .await?;
        }
        first_units.insert(m.name.clone(), unit_ids);
    }
    // Named demo people behind the role logins (synthetic too).
    let orebro = munis.iter().find(|m| m.name == "Örebro").expect("Örebro");
    let orebro_units = &first_units["Örebro"];
    let mk =
        |name: &str, email: &str, gender: &str, role: &str, unit: Option<i64>| ResolvedPerson {
            name: name.into(),
            email: email.into(),
            gender: domain::org::Gender::parse(gender).unwrap(),
            employee_no: None,
            role_id: roles[role],
            municipality_id: orebro.id,
            unit_id: unit,
            language_support: String::new(),
        };
    let coord = people::create(
        db,
        &who,
        &mk(
            "Sanna Samordnare",
            "samordnare@demo.navet.se",
            "kvinna",
            "Sjuksköterska",
            None,
        ),
        true,
    )
    .await?;
    let trainer = people::create(
        db,
        &who,
        &mk(
            "Ulf Utbildningsledare",
            "utbildningsledare@demo.navet.se",
            "man",
            "Sjuksköterska",
            None,
        ),
        true,
    )
    .await?;
    let manager = people::create(
        db,
        &who,
        &mk(
            "Carina Chef",
            "chef@demo.navet.se",
            "kvinna",
            "Enhetschef",
            Some(orebro_units[0]),
        ),
        true,
    )
    .await?;
    let participant = people::create(
        db,
        &who,
        &ResolvedPerson {
            language_support: "sva".into(),
            ..mk(
                "Mira Medarbetare",
                "medarbetare@demo.navet.se",
                "kvinna",
                "Undersköterska",
                Some(orebro_units[0]),
            )
        },
        true,
    )
    .await?;
    let accounts: [(&str, &str, Role, Option<i64>, Scope); 5] = [
        (
            "admin@demo.navet.se",
            "Adam Administratör",
            Role::Admin,
            None,
            Scope::default(),
        ),
        (
            "samordnare@demo.navet.se",
            "Sanna Samordnare",
            Role::Coordinator,
            Some(coord),
            Scope::default(),
        ),
        (
            "utbildningsledare@demo.navet.se",
            "Ulf Utbildningsledare",
            Role::Trainer,
            Some(trainer),
            Scope::default(),
        ),
        (
            "chef@demo.navet.se",
            "Carina Chef",
            Role::Manager,
            Some(manager),
            Scope {
                unit_ids: vec![orebro_units[0], orebro_units[1]],
                municipality_ids: vec![],
            },
        ),
        (
            "medarbetare@demo.navet.se",
            "Mira Medarbetare",
            Role::Participant,
            Some(participant),
            Scope::default(),
        ),
    ];
    for (email, name, role, person_id, scope) in accounts {
        accounts::create(
            db,
            &who,
            &NewAccount {
                email: email.into(),
                display_name: name.into(),
                role,
                password_hash: Some(password_hash.to_string()),
                person_id,
                scope,
            },
        )
        .await?;
    }
    // The demo trainer is in the trainer registry, qualified for the active courses.
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO trainers (person_id, home_municipality_id, active) VALUES ($1, $2, 1)",
    )
    .bind(trainer)
    .bind(orebro.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO trainer_courses (person_id, course_id) SELECT $1, id FROM courses WHERE status = 'aktiv'")
        .bind(trainer)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO trainer_certifications (person_id, name, certified_on) VALUES ($1, 'KlinSim 1', '2025-10-15')")
        .bind(trainer)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    crate::history_import::load_demo(db).await?;
    crate::sessions::load_demo(db).await?;
    crate::cover::load_demo(db).await?;
    crate::competence_demo::load(db).await?;
    crate::costs::load_demo(db).await?;
    Ok(())
}

/// Lower-case ASCII for synthetic e-mail addresses.
fn ascii(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            'č' => 'c',
            'é' => 'e',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        })
        .collect()
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

    #[test]
    fn synthetic_emails_are_ascii() {
        assert_eq!(ascii("Åsa Öberg"), "asa-oberg");
    }
}
