//! Learning tracks (yrkesresa) and course prerequisites.

use domain::ids::{CourseId, PersonId, UnitId};
use std::collections::{HashMap, HashSet};

use domain::catalogue::CourseStatus;
use domain::education::{Direction, Education, EducationKind};
use domain::org::ActivityArea;
use domain::requirements::Placement;
use domain::tracks::{
    check_new_prerequisite, check_track, progress, Block, ProviderKind, Track, TrackItem,
    TrackItemDraft, TrackProgress,
};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct TrackRow {
    pub id: i64,
    pub name: String,
    pub role_id: i64,
    pub role_name: String,
    pub activity_area: Option<String>,
    pub description: String,
    pub deepening_required: i64,
    pub source_note: String,
    pub synthetic: i64,
}

impl TrackRow {
    pub fn activity_area_label(&self) -> &'static str {
        self.activity_area
            .as_deref()
            .and_then(ActivityArea::parse)
            .map(|a| a.label_sv())
            .unwrap_or("alla verksamhetsområden")
    }
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct TrackItemRow {
    pub id: i64,
    pub track_id: i64,
    pub block: String,
    pub position: i64,
    pub course_id: Option<i64>,
    pub course_title: Option<String>,
    #[sqlx(try_from = "crate::error::MaybeStored<CourseStatus>")]
    pub course_status: Option<CourseStatus>,
    pub title: String,
    pub provider: String,
    pub education: String,
    pub direction: String,
    pub source_ref: String,
}

impl TrackItemRow {
    pub fn provider_label(&self) -> &'static str {
        ProviderKind::parse(&self.provider)
            .map(|p| p.label_sv())
            .unwrap_or("")
    }
    pub fn course_status_label(&self) -> &'static str {
        self.course_status.map(|s| s.label_sv()).unwrap_or("")
    }
    pub fn is_bookable(&self) -> bool {
        self.course_status.is_some_and(|s| s.is_bookable())
    }
    fn to_domain(&self) -> Option<TrackItem> {
        Some(TrackItem {
            block: Block::parse(&self.block)?,
            course_id: self.course_id,
            title: self.title.clone(),
            provider: ProviderKind::parse(&self.provider),
            education: EducationKind::parse(&self.education)
                .map(|k| Education::new(k, Direction::parse(&self.direction))),
        })
    }
}

/// A track with its items in order.
#[derive(Debug, Clone, Serialize)]
pub struct TrackWithItems {
    pub track: TrackRow,
    pub items: Vec<TrackItemRow>,
}

impl TrackWithItems {
    pub fn to_domain(&self) -> Track {
        Track {
            items: self
                .items
                .iter()
                .filter_map(TrackItemRow::to_domain)
                .collect(),
            deepening_required: self.track.deepening_required.max(0) as u32,
        }
    }
    pub fn block(&self, b: Block) -> Vec<&TrackItemRow> {
        self.items.iter().filter(|i| i.block == b.code()).collect()
    }
    /// Does the track fit a person's role and unit area?
    pub fn fits(&self, p: &Placement) -> bool {
        self.track.role_id == p.role_id
            && match &self.track.activity_area {
                None => true,
                Some(a) => p.activity_area.map(|x| x.code()) == Some(a.as_str()),
            }
    }
}

const TRACK_SELECT: &str = "SELECT t.id, t.name, t.role_id, r.name AS role_name, t.activity_area, t.description, \
    t.deepening_required, t.source_note, t.synthetic FROM tracks t JOIN roles r ON r.id = t.role_id";
const ITEM_SELECT: &str = "SELECT i.id, i.track_id, i.block, i.position, i.course_id, c.title AS course_title, c.status AS course_status, \
    i.title, i.provider, i.education, i.direction, i.source_ref FROM track_items i LEFT JOIN courses c ON c.id = i.course_id";

/// Every track with its items, sorted by name.
pub async fn all_with_items(db: &Db) -> StoreResult<Vec<TrackWithItems>> {
    let tracks: Vec<TrackRow> = sqlx::query_as(TRACK_SELECT).fetch_all(db.pool()).await?;
    let items: Vec<TrackItemRow> =
        sqlx::query_as(&format!("{ITEM_SELECT} ORDER BY i.track_id, i.position"))
            .fetch_all(db.pool())
            .await?;
    let mut by_track: HashMap<i64, Vec<TrackItemRow>> = HashMap::new();
    for i in items {
        by_track.entry(i.track_id).or_default().push(i);
    }
    let mut v: Vec<TrackWithItems> = tracks
        .into_iter()
        .map(|t| TrackWithItems {
            items: by_track.remove(&t.id).unwrap_or_default(),
            track: t,
        })
        .collect();
    v.sort_by(|a, b| domain::collation::swedish_cmp(&a.track.name, &b.track.name));
    Ok(v)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<TrackWithItems> {
    let track: TrackRow = sqlx::query_as(&format!("{TRACK_SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("spår"))?;
    let items = sqlx::query_as(&format!(
        "{ITEM_SELECT} WHERE i.track_id = $1 ORDER BY i.position"
    ))
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(TrackWithItems { track, items })
}

/// The track for a placement: one for the role in the unit's area first,
/// then one for the role in every area.
pub fn track_for<'a>(tracks: &'a [TrackWithItems], p: &Placement) -> Option<&'a TrackWithItems> {
    tracks
        .iter()
        .filter(|t| t.fits(p))
        .max_by_key(|t| (t.track.activity_area.is_some(), -t.track.id))
}

/// A person's place on their track, for lists.
#[derive(Debug, Clone, Serialize)]
pub struct TrackStatus {
    pub track_id: i64,
    pub track_name: String,
    pub progress: TrackProgress,
    /// The next base course, in order.
    pub next_course_id: Option<i64>,
    pub next_title: Option<String>,
    pub level_label: &'static str,
}

pub fn status_for(
    tracks: &[TrackWithItems],
    p: Placement,
    completed: &HashSet<i64>,
    educations: &[Education],
) -> Option<TrackStatus> {
    let t = track_for(tracks, &p)?;
    let domain = t.to_domain();
    let pr = progress(&domain, completed, educations);
    let next = pr.next_item.and_then(|i| domain.items.get(i));
    Some(TrackStatus {
        track_id: t.track.id,
        track_name: t.track.name.clone(),
        next_course_id: next.and_then(|i| i.course_id),
        next_title: next.map(|i| i.title.clone()),
        level_label: match pr.level_reached {
            Some(Block::Spets) => "spets",
            Some(Block::Fordjupning) => "fördjupning",
            Some(Block::Bas) => "bas",
            None if pr.percent == 0 => "ej påbörjad",
            None => "påbörjad",
        },
        progress: pr,
    })
}

/// A person's track and progress along it.
pub async fn person_progress(
    db: &Db,
    person_id: PersonId,
) -> StoreResult<Option<(TrackWithItems, TrackStatus)>> {
    let person = crate::people::get(db, person_id).await?;
    let area = match person.unit_id {
        Some(u) => ActivityArea::parse(&crate::org::unit(db, UnitId(u)).await?.activity_area),
        None => None,
    };
    let placement = Placement {
        role_id: person.role_id,
        unit_id: person.unit_id,
        activity_area: area,
    };
    let tracks = all_with_items(db).await?;
    let completed: HashSet<i64> =
        sqlx::query_scalar("SELECT DISTINCT course_id FROM completions WHERE person_id = $1")
            .bind(person_id)
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .collect();
    let educations: Vec<Education> = crate::education::for_person(db, person_id)
        .await?
        .iter()
        .filter_map(|e| e.education())
        .collect();
    let Some(status) = status_for(&tracks, placement, &completed, &educations) else {
        return Ok(None);
    };
    let t = tracks
        .into_iter()
        .find(|t| t.track.id == status.track_id)
        .expect("track just found");
    Ok(Some((t, status)))
}

/// Completed courses and formal educations of the people (ids), for
/// progress on tracks.
pub async fn holdings_of(
    db: &Db,
    person_ids: &[i64],
) -> StoreResult<HashMap<i64, (HashSet<i64>, Vec<Education>)>> {
    let mut out: HashMap<i64, (HashSet<i64>, Vec<Education>)> = HashMap::new();
    for chunk in person_ids.chunks(500) {
        let ids = chunk
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        for r in sqlx::query(&format!(
            "SELECT DISTINCT person_id, course_id FROM completions WHERE person_id IN ({ids})"
        ))
        .fetch_all(db.pool())
        .await?
        {
            out.entry(r.get("person_id"))
                .or_default()
                .0
                .insert(r.get("course_id"));
        }
        for r in sqlx::query(&format!(
            "SELECT person_id, kind, direction FROM person_educations WHERE person_id IN ({ids})"
        ))
        .fetch_all(db.pool())
        .await?
        {
            if let Some(k) = EducationKind::parse(&r.get::<String, _>("kind")) {
                out.entry(r.get("person_id"))
                    .or_default()
                    .1
                    .push(Education::new(
                        k,
                        Direction::parse(&r.get::<String, _>("direction")),
                    ));
            }
        }
    }
    Ok(out)
}

/// A track's header as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TrackDraft {
    pub name: String,
    pub role_id: String,
    /// Empty: every activity area.
    pub activity_area: String,
    pub description: String,
    pub deepening_required: String,
    pub items: Vec<TrackItemDraft>,
}

struct CheckedHeader {
    name: String,
    role_id: i64,
    activity_area: Option<ActivityArea>,
    description: String,
}

async fn check(db: &Db, d: &TrackDraft) -> StoreResult<(CheckedHeader, Track)> {
    let mut e = domain::FieldErrors::new();
    let name = d.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        e.add(
            "name",
            "invalid_name",
            "Spårets namn måste vara 1–120 tecken.",
        );
    }
    let roles: Vec<i64> = sqlx::query_scalar("SELECT id FROM roles")
        .fetch_all(db.pool())
        .await?;
    let role_id = d
        .role_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|r| roles.contains(r));
    if role_id.is_none() {
        e.add("role_id", "invalid_role", "Välj en yrkesroll.");
    }
    let activity_area = if d.activity_area.trim().is_empty() {
        Some(None)
    } else {
        ActivityArea::parse(&d.activity_area).map(Some)
    };
    if activity_area.is_none() {
        e.add(
            "activity_area",
            "invalid_activity_area",
            "Välj ett verksamhetsområde, eller alla.",
        );
    }
    let description = d.description.trim().to_string();
    if description.chars().count() > 2000 {
        e.add(
            "description",
            "too_long",
            "Beskrivningen får vara högst 2000 tecken.",
        );
    }
    let courses: HashMap<i64, (String, bool)> =
        sqlx::query("SELECT id, title, status FROM courses")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| {
                (
                    r.get::<i64, _>("id"),
                    (
                        r.get::<String, _>("title"),
                        r.get::<String, _>("status") == CourseStatus::Avvecklad.code(),
                    ),
                )
            })
            .collect();
    let prereqs = prerequisite_edges(db).await?;
    let items = d
        .items
        .iter()
        .filter(|i| !is_blank(i))
        .cloned()
        .collect::<Vec<_>>();
    let track = check_track(
        &items,
        &d.deepening_required,
        |id| courses.get(&id).cloned(),
        &prereqs,
    );
    let track = match track {
        Ok(t) => Some(t),
        Err(errs) => {
            e.0.extend(errs.0);
            None
        }
    };
    match (role_id, activity_area, track) {
        (Some(role_id), Some(activity_area), Some(track)) if e.is_empty() => Ok((
            CheckedHeader {
                name,
                role_id,
                activity_area,
                description,
            },
            track,
        )),
        _ => Err(StoreError::Invalid(e)),
    }
}

fn is_blank(i: &TrackItemDraft) -> bool {
    i.course_id.trim().is_empty()
        && i.title.trim().is_empty()
        && i.provider.trim().is_empty()
        && i.education.trim().is_empty()
}

async fn write_items(
    tx: &mut crate::Tx,
    track_id: i64,
    t: &Track,
    refs: &[String],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM track_items WHERE track_id = $1")
        .bind(track_id)
        .execute(&mut **tx)
        .await?;
    for (n, i) in t.items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO track_items (track_id, block, position, course_id, title, provider, education, direction, source_ref) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(track_id)
        .bind(i.block.code())
        .bind(n as i64 + 1)
        .bind(i.course_id)
        .bind(&i.title)
        .bind(i.provider.map(|p| p.code()).unwrap_or(""))
        .bind(i.education.map(|e| e.kind.code()).unwrap_or(""))
        .bind(i.education.and_then(|e| e.direction).map(|d| d.code()).unwrap_or(""))
        .bind(refs.get(n).cloned().unwrap_or_default())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn role_area_key(role_id: i64, area: Option<ActivityArea>) -> String {
    format!("{role_id}|{}", area.map(|a| a.code()).unwrap_or("*"))
}

fn conflict_error(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        let msg = e.to_string();
        if msg.contains("role_area_key") {
            StoreError::invalid(
                "activity_area",
                "duplicate",
                "Det finns redan ett spår för rollen i det verksamhetsområdet.",
            )
        } else {
            StoreError::invalid(
                "name",
                "duplicate",
                "Det finns redan ett spår med det namnet.",
            )
        }
    } else {
        e.into()
    }
}

/// Create a track (coordinators: `ManageTracks`, decided by the caller,
/// as for the other changes here).
pub async fn create(db: &Db, who: &Who, d: &TrackDraft) -> StoreResult<i64> {
    save(db, who, None, d, false, &[]).await
}

/// Replace a track's header and items (coordinators).
pub async fn update(db: &Db, who: &Who, id: i64, d: &TrackDraft) -> StoreResult<()> {
    get(db, id).await?;
    save(db, who, Some(id), d, false, &[]).await.map(|_| ())
}

pub(crate) async fn save(
    db: &Db,
    who: &Who,
    id: Option<i64>,
    d: &TrackDraft,
    synthetic: bool,
    refs: &[String],
) -> StoreResult<i64> {
    let (h, track) = check(db, d).await?;
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let id = match id {
        None => {
            let r = sqlx::query(
                "INSERT INTO tracks (name, role_id, activity_area, role_area_key, description, deepening_required, source_note, synthetic, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(&h.name)
            .bind(h.role_id)
            .bind(h.activity_area.map(|a| a.code()))
            .bind(role_area_key(h.role_id, h.activity_area))
            .bind(&h.description)
            .bind(track.deepening_required as i64)
            .bind(if synthetic {
                "Kunskapsområden från förstudien om Yrkesresan (GR 2021); kopplingen till kurser är ett syntetiskt demoexempel."
            } else {
                ""
            })
            .bind(synthetic as i64)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict_error)?;
            r.get("id")
        }
        Some(id) => {
            sqlx::query(
                "UPDATE tracks SET name = $1, role_id = $2, activity_area = $3, role_area_key = $4, description = $5, \
                 deepening_required = $6, updated_at = $7 WHERE id = $8",
            )
            .bind(&h.name)
            .bind(h.role_id)
            .bind(h.activity_area.map(|a| a.code()))
            .bind(role_area_key(h.role_id, h.activity_area))
            .bind(&h.description)
            .bind(track.deepening_required as i64)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(conflict_error)?;
            id
        }
    };
    write_items(&mut tx, id, &track, refs).await?;
    audit::record(&mut tx, who, "track.save", "track", Some(id), None, &h.name).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete(db: &Db, who: &Who, id: i64) -> StoreResult<()> {
    let t = get(db, id).await?;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM track_items WHERE track_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM tracks WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "track.delete",
        "track",
        Some(id),
        None,
        &t.track.name,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// Prerequisites ----------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct PrerequisiteRow {
    pub course_id: i64,
    pub course_title: String,
    pub requires_course_id: i64,
    pub requires_title: String,
}

pub async fn prerequisite_edges(db: &Db) -> StoreResult<Vec<(i64, i64)>> {
    Ok(
        sqlx::query("SELECT course_id, requires_course_id FROM course_prerequisites")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get("course_id"), r.get("requires_course_id")))
            .collect(),
    )
}

pub async fn prerequisites(db: &Db) -> StoreResult<Vec<PrerequisiteRow>> {
    let mut v: Vec<PrerequisiteRow> = sqlx::query_as(
        "SELECT p.course_id, c.title AS course_title, p.requires_course_id, r.title AS requires_title \
         FROM course_prerequisites p JOIN courses c ON c.id = p.course_id JOIN courses r ON r.id = p.requires_course_id",
    )
    .fetch_all(db.pool())
    .await?;
    v.sort_by(|a, b| {
        domain::collation::swedish_cmp(&a.course_title, &b.course_title)
            .then_with(|| domain::collation::swedish_cmp(&a.requires_title, &b.requires_title))
    });
    Ok(v)
}

/// Add "course requires `requires` first". A cycle is refused, naming it.
pub async fn add_prerequisite(
    db: &Db,
    who: &Who,
    course_id: CourseId,
    requires: CourseId,
) -> StoreResult<()> {
    let titles: HashMap<i64, String> = crate::catalogue::course_titles(db).await?;
    if !titles.contains_key(&course_id.get()) {
        return Err(StoreError::invalid(
            "course_id",
            "invalid_course",
            "Välj en kurs.",
        ));
    }
    if !titles.contains_key(&requires.get()) {
        return Err(StoreError::invalid(
            "requires_course_id",
            "invalid_course",
            "Välj kursen som krävs först.",
        ));
    }
    let mut tx = db.begin().await?;
    // Read the edges inside the write transaction (on PostgreSQL after
    // locking the table) so that two additions cannot each pass the check
    // and together close a cycle. SQLite has one writer connection anyway.
    if db.engine() == crate::Engine::Postgres {
        sqlx::query("LOCK TABLE course_prerequisites IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let edges: Vec<(i64, i64)> =
        sqlx::query("SELECT course_id, requires_course_id FROM course_prerequisites")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| (r.get("course_id"), r.get("requires_course_id")))
            .collect();
    check_new_prerequisite(&edges, course_id.get(), requires.get(), |c| {
        titles.get(&c).cloned().unwrap_or_default()
    })
    .map_err(StoreError::Invalid)?;
    sqlx::query("INSERT INTO course_prerequisites (course_id, requires_course_id) VALUES ($1, $2)")
        .bind(course_id)
        .bind(requires)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "prerequisite.add",
        "course",
        Some(course_id.get()),
        None,
        &format!(
            "{} kräver {}",
            titles[&course_id.get()],
            titles[&requires.get()]
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_prerequisite(
    db: &Db,
    who: &Who,
    course_id: CourseId,
    requires: CourseId,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "DELETE FROM course_prerequisites WHERE course_id = $1 AND requires_course_id = $2",
    )
    .bind(course_id)
    .bind(requires)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("förkunskapskrav"));
    }
    audit::record(
        &mut tx,
        who,
        "prerequisite.remove",
        "course",
        Some(course_id.get()),
        None,
        &requires.to_string(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
