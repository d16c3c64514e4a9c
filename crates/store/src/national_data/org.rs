//! The organisation around the national data set: units in every
//! municipality, a manager account per unit, trainers with the courses they
//! teach, requirements per role and one competence track per role. All
//! synthetic, all generated in SQL or through the store's own functions.

use domain::requirements::RequirementDraft;
use sqlx::AnyConnection;

use super::{series, Size};
use crate::audit::Who;
use crate::db::Db;
use crate::error::StoreResult;

const AREAS: [&str; 4] = [
    "aldreomsorg",
    "funktionsstod",
    "socialpsykiatri",
    "kommunal_hso",
];

/// `size.units_per_municipality` units in each municipality, numbered so
/// that unit k (from 0) belongs to municipality k / units_per_municipality.
/// Returns the id of unit 0 (ids are consecutive in a fresh table).
pub(super) async fn units(conn: &mut AnyConnection, size: &Size, m0: i64) -> StoreResult<i64> {
    let upm = size.units_per_municipality;
    let n = size.municipalities * upm;
    let areas = AREAS.map(|a| format!("'{a}'"));
    sqlx::query(&format!(
        "{} INSERT INTO units (municipality_id, name, activity_area, synthetic) \
         SELECT {m0} + (i - 1) / {upm}, 'Syntetisk enhet ' || CAST(1 + (i - 1) % {upm} AS TEXT), \
           CASE (i - 1) % 4 WHEN 0 THEN {} WHEN 1 THEN {} WHEN 2 THEN {} ELSE {} END, 1 FROM g",
        series(n),
        areas[0],
        areas[1],
        areas[2],
        areas[3],
    ))
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar(
        "SELECT CAST(MIN(id) AS BIGINT) FROM units WHERE name = 'Syntetisk enhet 1' AND synthetic = 1",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// One manager account per unit (no password: they sign in through their
/// municipality), scoped to that unit.
pub(super) async fn managers(conn: &mut AnyConnection, size: &Size, now: i64) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO accounts (email, display_name, password_hash, role, person_id, language, active, created_at) \
         SELECT 'chef' || CAST(u.id AS TEXT) || '@nationell.invalid', 'Syntetisk chef ' || CAST(u.id AS TEXT), NULL, 'manager', NULL, 'sv', 1, {now} \
         FROM units u WHERE u.synthetic = 1 AND u.name LIKE 'Syntetisk enhet %' ORDER BY u.id LIMIT {}",
        size.municipalities * size.units_per_municipality
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO account_scopes (account_id, unit_id, municipality_id) \
         SELECT a.id, u.id, u.municipality_id FROM accounts a \
         JOIN units u ON a.email = 'chef' || CAST(u.id AS TEXT) || '@nationell.invalid' \
         WHERE a.role = 'manager' AND a.email LIKE 'chef%@nationell.invalid'",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every `trainer_every`-th generated person is a trainer in their own
/// municipality; trainer k teaches the courses whose index ≡ k (mod 10).
pub(super) async fn trainers(
    conn: &mut AnyConnection,
    size: &Size,
    p0: i64,
    c0: i64,
    nc: i64,
) -> StoreResult<()> {
    let every = size.trainer_every;
    sqlx::query(&format!(
        "INSERT INTO trainers (person_id, home_municipality_id, active) \
         SELECT id, municipality_id, 1 FROM people WHERE id > {p0} AND (id - {p0}) % {every} = 0"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO trainer_courses (person_id, course_id) \
         SELECT t.person_id, c.id FROM trainers t JOIN courses c \
           ON (c.id - {c0}) % 10 = ((t.person_id - {p0}) / {every} - 1) % 10 \
         WHERE t.person_id > {p0} AND c.id >= {c0} AND c.id < {c0} + {nc}"
    ))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One trainer on every generated session, one who teaches its course.
pub(super) async fn session_trainers(
    conn: &mut AnyConnection,
    size: &Size,
    p0: i64,
    c0: i64,
    s0: i64,
    s1: i64,
) -> StoreResult<()> {
    let every = size.trainer_every;
    let nt = (size.people / every).max(1);
    // Trainer k (1-based) is person p0 + k·every and teaches courses with
    // index ≡ (k - 1) mod 10; pick k - 1 = course index mod 10 + 10·j.
    let groups = (nt / 10).max(1);
    sqlx::query(&format!(
        "INSERT INTO session_trainers (session_id, person_id) \
         SELECT s.id, {p0} + {every} * (1 + (s.course_id - {c0}) % 10 + 10 * ((s.id * 13) % {groups})) \
         FROM sessions s WHERE s.id > {s0} AND s.id <= {s1}"
    ))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ten course requirements per role, region-wide (one narrowed to an
/// activity area), through the store's own checks.
pub(super) async fn requirements(db: &Db, c0: i64, nc: i64) -> StoreResult<usize> {
    let who = Who::system("nationell-data");
    let roles: Vec<i64> = sqlx::query_scalar("SELECT id FROM roles ORDER BY id LIMIT 100")
        .fetch_all(db.pool())
        .await?;
    let mut made = 0;
    for (ri, role_id) in roles.iter().enumerate() {
        for k in 0..10i64 {
            let course = c0 + (ri as i64 * 7 + k * 13) % nc;
            let narrowed = k == 9;
            let d = RequirementDraft {
                role_id: role_id.to_string(),
                scope: if narrowed { "activity_area" } else { "region" }.into(),
                activity_area: if narrowed {
                    AREAS[ri % 4].into()
                } else {
                    String::new()
                },
                kind: "course".into(),
                course_id: course.to_string(),
                note: "Syntetiskt krav (nationell testdata)".into(),
                ..Default::default()
            };
            if crate::requirements::create_synthetic(db, &who, &d)
                .await
                .is_ok()
            {
                made += 1;
            }
        }
    }
    Ok(made)
}

/// One track per role for every activity area, six courses in three blocks.
pub(super) async fn tracks(
    conn: &mut AnyConnection,
    c0: i64,
    nc: i64,
    now: i64,
) -> StoreResult<()> {
    let roles: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM roles WHERE id NOT IN (SELECT role_id FROM tracks) ORDER BY id LIMIT 100",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (ri, (role_id, name)) in roles.iter().enumerate() {
        let track_id: i64 = sqlx::query_scalar(
            "INSERT INTO tracks (name, role_id, activity_area, role_area_key, description, deepening_required, source_note, synthetic, created_at, updated_at) \
             VALUES ($1, $2, NULL, $3, 'Syntetiskt spår (nationell testdata)', 1, '', 1, $4, $4) RETURNING id",
        )
        .bind(format!("Syntetiskt spår för {name}"))
        .bind(role_id)
        .bind(format!("{role_id}|*"))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        for (pos, block) in ["bas", "bas", "fordjupning", "fordjupning", "spets", "spets"]
            .iter()
            .enumerate()
        {
            let course = c0 + (ri as i64 * 11 + pos as i64 * 17) % nc;
            sqlx::query(
                "INSERT INTO track_items (track_id, block, position, course_id, title, provider, education, direction, source_ref) \
                 SELECT $1, $2, $3, id, title, '', '', '', '' FROM courses WHERE id = $4",
            )
            .bind(track_id)
            .bind(*block)
            .bind(pos as i64)
            .bind(course)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
