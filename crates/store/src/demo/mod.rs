//! The demo: the course catalogue from the source documents plus clearly
//! marked synthetic units, people, accounts, sessions, history,
//! competence data and cost scenarios (`synthetic = 1`). Loaded by
//! `navet demo`; nothing in production code depends on this module.

pub mod attestation;
pub mod competence;
pub mod costs;
pub mod cover;
pub mod funding;
pub mod history;
pub mod planning;
pub mod sessions;
pub mod tracks;

use crate::accounts::{self, NewAccount};
use crate::audit::Who;
use crate::db::Db;
use crate::error::StoreResult;
use crate::people::{self, ResolvedPerson};
use crate::seed::load_courses;
use domain::access::{Role, Scope};
use domain::ids::MunicipalityId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

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
    ("steering", "styrgrupp@demo.navet.se"),
    ("esf_reporter", "esf@demo.navet.se"),
];

/// True when the demo has already been loaded (so a second run keeps data).
pub async fn loaded(db: &Db) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

/// Load the demo: courses from the documents, synthetic units and about
/// 400 synthetic people (deterministic), and one account per role, all
/// with `password_hash`.
pub async fn load(db: &Db, password_hash: &str) -> StoreResult<()> {
    crate::seed::load_reference(db).await?;
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
            let id = crate::org::create_unit(db, MunicipalityId(m.id), name, area, true).await?;
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
    let accounts: [(&str, &str, Role, Option<i64>, Scope); 7] = [
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
        (
            "styrgrupp@demo.navet.se",
            "Stina Styrgrupp",
            Role::Steering,
            None,
            Scope::default(),
        ),
        (
            "esf@demo.navet.se",
            "Erik ESF-rapportör",
            Role::EsfReporter,
            None,
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
    history::load(db).await?;
    sessions::load(db).await?;
    funding::load(db).await?;
    cover::load(db).await?;
    competence::load(db).await?;
    costs::load(db).await?;
    planning::load(db).await?;
    attestation::load(db, participant).await?;
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
    fn synthetic_emails_are_ascii() {
        assert_eq!(ascii("Åsa Öberg"), "asa-oberg");
    }
}
