//! Demo history: the funding programme, imported participations (each
//! municipality's 2025 hours as the annual report gives them), survey
//! answers and a session today.
use crate::audit::Who;
use crate::db::Db;
use crate::error::StoreResult;
use crate::history_import::import;
use chrono::NaiveDate;
use domain::ids::SessionId;
use sqlx::Row;

/// Synthetic unit costs per occupational category and year: the sources
/// give none (the annual report gives only the average 259,91 kr per
/// participant hour, 46 % × 23 731 055 kr ÷ 42 000 h), so every row says
/// SYNTETISK in its source.
const UNIT_COSTS_CSV: &str = include_str!("../../../../seed/unit_costs_synthetic.csv");

async fn unit_costs(db: &Db, who: &Who) -> StoreResult<()> {
    let known = crate::cofinancing::categories(db).await?;
    let rows = domain::cofinancing::unit_costs::parse_csv(UNIT_COSTS_CSV.as_bytes(), &known)
        .map_err(|e| crate::StoreError::conflict(None, e.join(" ")))?;
    crate::cofinancing::replace_all(db, who, &rows, "unit_costs_synthetic.csv").await?;
    Ok(())
}

/// Demo: the funding programme from the 2025 annual report (employee
/// figures are the demo's synthetic ones), synthetic participations for
/// 2025 up to today imported like a real file, synthetic survey answers,
/// and a session today for the demo trainer with the demo participant
/// booked. Everything synthetic is marked so.
pub async fn load(db: &Db) -> StoreResult<()> {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let who = Who::system("demo");
    let munis = crate::org::municipalities(db).await?;
    let programme = domain::funding::Programme {
        name: "ESF Kompetensnavet (2025 års rapport)".into(),
        starts: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        ends: NaiveDate::from_ymd_opt(2027, 6, 30).expect("date"),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: munis
            .iter()
            .map(|m| (m.name.clone(), m.employees.unwrap_or(1000)))
            .collect(),
    };
    crate::funding::save(db, &who, &programme).await?;
    unit_costs(db, &who).await?;

    let courses: Vec<(String, f64)> =
        sqlx::query("SELECT title, hours FROM courses WHERE status = 'aktiv' ORDER BY id")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get("title"), r.get("hours")))
            .collect();
    if courses.is_empty() {
        return Ok(());
    }
    let today = crate::time::local_date(crate::time::now());
    let roles = [
        ("undersköterska", 55),
        ("vårdbiträde", 12),
        ("stödassistent/boendestödjare", 12),
        ("sjuksköterska", 14),
        ("arbetsterapeut", 4),
        ("enhetschef", 3),
    ];
    // Each municipality's hours follow the 2025 annual report: in 2025 the
    // share of its whole-period commitment the report gives (Hällefors
    // 111 %, Hallsberg 4 % …); from 2026 to today, synthetic, the same
    // pace 1.8 times faster (the report calls 2025's 22 % "ungefär enligt
    // plan", a year of starting up).
    let achieved_2025 = crate::seed::cofinancing_achieved_2025();
    let mut rng = StdRng::seed_from_u64(2025);
    let mut csv = String::from("person_ref;gender;role;municipality;course;date;hours;attended\n");
    let mut n_person = 0;
    for m in &munis {
        let commitment = programme.commitment_for(&m.name);
        let share = achieved_2025.get(&m.name).copied().unwrap_or(0.0) / 100.0;
        // (first day, last day, attended hours to reach)
        let y2025 = (
            NaiveDate::from_ymd_opt(2025, 1, 13).expect("date"),
            NaiveDate::from_ymd_opt(2025, 12, 19)
                .expect("date")
                .min(today - chrono::Duration::days(1)),
            commitment * share,
        );
        let start_2026 = NaiveDate::from_ymd_opt(2026, 1, 12).expect("date");
        let days_2026 = (today - start_2026).num_days().max(0) as f64;
        let y2026 = (
            start_2026,
            today - chrono::Duration::days(1),
            commitment * share * 1.8 * days_2026 / 365.0,
        );
        // The municipality's synthetic staff who take part: about one in
        // four of the employees the demo gives it (at least 20).
        let pool = (m.employees.unwrap_or(1000) / 4).max(20) as usize;
        let people: Vec<(String, &str, &str)> = (0..pool)
            .map(|_| {
                n_person += 1;
                let g: f64 = rng.random();
                let gender = if g < 0.85 {
                    "kvinna"
                } else if g < 0.995 {
                    "man"
                } else {
                    "ej angivet"
                };
                let mut pick = rng.random_range(0..100);
                let role = roles
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
                    .unwrap_or("undersköterska");
                (format!("SYNT-{n_person:05}"), gender, role)
            })
            .collect();
        // One row per person, course and day: two draws of the same course
        // on the same day must not both take a person (the import refuses
        // such a file, and which draws collide depends on today's date).
        let mut taken = std::collections::HashSet::new();
        for (first, last, target) in [y2025, y2026] {
            let span = (last - first).num_days();
            if span <= 0 {
                continue;
            }
            let mut hours_done = 0.0;
            while hours_done < target {
                let (title, hours) = &courses[rng.random_range(0..courses.len())];
                let mut date = first + chrono::Duration::days(rng.random_range(0..=span));
                while chrono::Datelike::weekday(&date).number_from_monday() > 5 {
                    date -= chrono::Duration::days(1);
                }
                for _ in 0..rng.random_range(6..15) {
                    let i = rng.random_range(0..people.len());
                    if !taken.insert((i, title.clone(), date)) {
                        continue;
                    }
                    let (r, g, role) = &people[i];
                    let attended = rng.random_bool(0.88);
                    if attended {
                        hours_done += hours;
                    }
                    csv.push_str(&format!(
                        "{r};{g};{role};{};{title};{date};{};{}\n",
                        m.name,
                        format!("{hours}").replace('.', ","),
                        if attended { "ja" } else { "nej" }
                    ));
                }
            }
        }
    }
    if let Err(errors) = import(
        db,
        &who,
        "syntetisk-historik-demo.csv",
        csv.as_bytes(),
        false,
    )
    .await?
    {
        return Err(crate::StoreError::Other(anyhow::anyhow!(
            "syntetisk demohistorik: {}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    sqlx::query("UPDATE people SET synthetic = 1, name = REPLACE(name, 'Historisk deltagare', 'Syntetisk deltagare') WHERE id IN (SELECT person_id FROM import_person_refs WHERE person_ref LIKE 'SYNT-%')")
        .execute(db.writer())
        .await?;

    // Synthetic survey answers for the imported sessions.
    let qs = crate::surveys::questions(db, domain::surveys::SurveyKind::Participant).await?;
    let sessions: Vec<(i64, i64)> = sqlx::query(
        "SELECT s.id, CAST(COUNT(*) AS BIGINT) AS attended FROM sessions s JOIN bookings b ON b.session_id = s.id AND b.status = 'attended' \
         WHERE s.venue = 'Historisk import' GROUP BY s.id",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| (r.get("id"), r.get("attended")))
    .collect();
    let mut tx = db.begin().await?;
    for (sid, n) in sessions {
        for _ in 0..(n * 7 / 10) {
            let rid: i64 = sqlx::query_scalar("INSERT INTO survey_responses (survey_kind, session_id, submitted_on) VALUES ('participant', $1, $2) RETURNING id")
                .bind(sid)
                .bind(crate::time::date_str(today))
                .fetch_one(&mut *tx)
                .await?;
            for q in &qs {
                let v: Option<i64> = match q.metric {
                    domain::surveys::Metric::Helped => Some(if rng.random_bool(0.87) {
                        rng.random_range(3..=4)
                    } else {
                        rng.random_range(1..=2)
                    }),
                    domain::surveys::Metric::Confidence => Some(if rng.random_bool(0.65) {
                        5
                    } else {
                        rng.random_range(3..=4)
                    }),
                    domain::surveys::Metric::LanguageSupport => {
                        rng.random_bool(0.12)
                            .then(|| if rng.random_bool(0.8) { 2 } else { 1 })
                    }
                    domain::surveys::Metric::None => None,
                };
                if let Some(v) = v {
                    sqlx::query("INSERT INTO survey_answers (response_id, question_id, value_int) VALUES ($1, $2, $3)")
                        .bind(rid)
                        .bind(q.id)
                        .bind(v)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
    }
    tx.commit().await?;

    // A session today for the demo trainer, with the demo participant booked
    // (or late yesterday, when the day has just begun).
    let trainer: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE email = 'utbildningsledare@demo.navet.se'")
            .fetch_optional(db.pool())
            .await?;
    let participant: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE email = 'medarbetare@demo.navet.se'")
            .fetch_optional(db.pool())
            .await?;
    let hlr: Option<(i64, f64)> = sqlx::query("SELECT id, hours FROM courses WHERE status = 'aktiv' ORDER BY validity_months DESC, id LIMIT 1")
        .fetch_optional(db.pool())
        .await?
        .map(|r| (r.get("id"), r.get("hours")));
    if let (Some(trainer), Some(participant), Some((course_id, hours))) =
        (trainer, participant, hlr)
    {
        let orebro = munis
            .iter()
            .find(|m| m.name == "Örebro")
            .map(|m| m.id)
            .unwrap_or(munis[0].id);
        // Over by now (an hour ago at the latest), so that attendance can be
        // closed: certificates are issued only after a session has ended.
        let now = crate::time::now();
        let starts =
            (crate::time::day_start(today) + 8 * 3600).min(now - (hours * 3600.0) as i64 - 3600);
        let mut tx = db.begin().await?;
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'Träningscentret, sal 2 (demo)', 12, $5, 'open', $6, $6) RETURNING id",
        )
        .bind(course_id)
        .bind(starts)
        .bind(starts + (hours * 3600.0) as i64)
        .bind(orebro)
        .bind(hours)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO session_trainers (session_id, person_id) VALUES ($1, $2)")
            .bind(sid)
            .bind(trainer)
            .execute(&mut *tx)
            .await?;
        let others: Vec<i64> = sqlx::query_scalar("SELECT id FROM people WHERE synthetic = 1 AND active = 1 AND municipality_id = $1 AND email NOT LIKE '%@demo.navet.se' ORDER BY id LIMIT 5")
            .bind(orebro)
            .fetch_all(&mut *tx)
            .await?;
        for p in std::iter::once(participant).chain(others) {
            sqlx::query("INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at, support_needs) VALUES ($1, $2, 'booked', $3, $3, $4)")
                .bind(sid)
                .bind(p)
                .bind(now)
                .bind(if p == participant { "Behöver SVA-stöd vid teorigenomgången" } else { "" })
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }

    // An HLR session eleven months ago for the demo manager's first unit, so
    // certificates that expire soon (and their reminders) can be shown.
    let hlr: Option<(i64, f64)> = sqlx::query(
        "SELECT id, hours FROM courses WHERE validity_months IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?
    .map(|r| (r.get("id"), r.get("hours")));
    let unit: Option<i64> = sqlx::query_scalar(
        "SELECT s.unit_id FROM account_scopes s JOIN accounts a ON a.id = s.account_id \
         WHERE a.email = 'chef@demo.navet.se' AND s.unit_id IS NOT NULL ORDER BY s.unit_id LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    if let (Some((course_id, hours)), Some(unit)) = (hlr, unit) {
        let day = today
            .checked_sub_months(chrono::Months::new(11))
            .unwrap_or(today);
        let starts = crate::time::day_start(day) + 8 * 3600;
        let now = crate::time::now();
        let unit_muni: i64 = sqlx::query_scalar("SELECT municipality_id FROM units WHERE id = $1")
            .bind(unit)
            .fetch_one(db.pool())
            .await?;
        let mut tx = db.begin().await?;
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'Träningscentret (demo)', 8, $5, 'open', $6, $6) RETURNING id",
        )
        .bind(course_id)
        .bind(starts)
        .bind(starts + (hours * 3600.0) as i64)
        .bind(unit_muni)
        .bind(hours)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let staff: Vec<i64> = sqlx::query_scalar("SELECT id FROM people WHERE unit_id = $1 AND active = 1 AND email NOT LIKE '%@demo.navet.se' ORDER BY id LIMIT 6")
            .bind(unit)
            .fetch_all(&mut *tx)
            .await?;
        for (i, p) in staff.iter().enumerate() {
            sqlx::query("INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
                .bind(sid)
                .bind(p)
                .bind(if i == 5 { "booked" } else { "attended" })
                .bind(starts)
                .execute(&mut *tx)
                .await?;
        }
        crate::reports::refresh_people(&mut tx, &staff).await?;
        tx.commit().await?;
        crate::attendance::close(db, &who, SessionId(sid), "http://localhost:8080").await?;
    }
    Ok(())
}
