//! Learning tracks (yrkesresa): the list, one track with its blocks (and,
//! for a manager, how far their staff have come), the track editor, and
//! course prerequisites.

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::education::{Direction, EducationKind};
use domain::org::ActivityArea;
use domain::tracks::{Block, ProviderKind, TrackItemDraft};
use domain::vocab::Labelled;
use navet_store::tracks::{PrerequisiteRow, TrackDraft, TrackItemRow, TrackWithItems};
use serde::Deserialize;

use super::{invalid, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::tracks::TrackForm as FormData;
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kompetens/spar", get(list))
        .route("/kompetens/spar/ny", get(new_form).post(create))
        .route("/kompetens/spar/{id}", get(show))
        .route("/kompetens/spar/{id}/andra", get(edit_form).post(update))
        .route("/kompetens/spar/{id}/ta-bort", post(delete))
        .route(
            "/kompetens/forkunskaper",
            get(prerequisites).post(add_prerequisite),
        )
        .route("/kompetens/forkunskaper/ta-bort", post(remove_prerequisite))
}

#[derive(Template)]
#[template(path = "competence/tracks.html")]
struct ListPage {
    c: Ctx,
    tracks: Vec<TrackWithItems>,
    can_manage: bool,
    notice: String,
}

impl ListPage {
    fn count(&self, t: &TrackWithItems, block: &str) -> usize {
        t.items.iter().filter(|i| i.block == block).count()
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    let (tracks, can_manage) = UseCase::page(&s, &c)?.tracks().await?;
    let notice = match q.ok.as_deref() {
        Some("deleted") => c.t("competence.track_deleted"),
        _ => "",
    }
    .to_string();
    render(ListPage {
        tracks,
        can_manage,
        c,
        notice,
    })
}

/// A manager's staff on the track.
struct StaffProgress {
    person_id: i64,
    name: String,
    unit: String,
    percent: u32,
    level: &'static str,
    next: String,
}

#[derive(Template)]
#[template(path = "competence/track.html")]
struct ShowPage {
    c: Ctx,
    t: TrackWithItems,
    can_manage: bool,
    staff: Vec<StaffProgress>,
    notice: String,
}

impl ShowPage {
    fn block(&self, code: &str) -> Vec<&TrackItemRow> {
        self.t.items.iter().filter(|i| i.block == code).collect()
    }
}

async fn show(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let p = UseCase::page(&s, &c)?.track_page(id).await?;
    // Managers see their own staff on the track.
    let staff = p
        .staff
        .into_iter()
        .map(|m| StaffProgress {
            person_id: m.person_id,
            name: m.name,
            unit: m.unit,
            percent: m.progress.percent,
            level: match m.progress.level_reached {
                Some(Block::Spets) => c.level("spets"),
                Some(Block::Fordjupning) => c.level("fordjupning"),
                Some(Block::Bas) => c.level("bas"),
                None if m.progress.percent == 0 => c.t("competence.not_started"),
                None => c.t("competence.started"),
            },
            next: m.next,
        })
        .collect();
    let notice = match q.ok.as_deref() {
        Some("saved") => c.t("competence.track_saved"),
        _ => "",
    }
    .to_string();
    render(ShowPage {
        can_manage: p.can_manage,
        c,
        t: p.track,
        staff,
        notice,
    })
}

// The editor -------------------------------------------------------------------------------

/// The editor's rows come as parallel lists (one value per row and field).
#[derive(Deserialize, Default, Clone)]
struct TrackForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role_id: String,
    #[serde(default)]
    activity_area: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    deepening_required: String,
    #[serde(default)]
    position: Vec<String>,
    #[serde(default)]
    block: Vec<String>,
    #[serde(default)]
    course_id: Vec<String>,
    #[serde(default)]
    title: Vec<String>,
    #[serde(default)]
    provider: Vec<String>,
    #[serde(default)]
    education: Vec<String>,
    #[serde(default)]
    direction: Vec<String>,
}

/// One editor row as shown.
#[derive(Clone, Default)]
struct ItemRow {
    position: String,
    block: String,
    course_id: String,
    title: String,
    provider: String,
    education: String,
    direction: String,
}

const EMPTY_ROWS: usize = 4;

impl ItemRow {
    /// The same rule as the store's: a row with nothing in it is ignored.
    fn is_blank(&self) -> bool {
        self.course_id.trim().is_empty()
            && self.title.trim().is_empty()
            && self.provider.trim().is_empty()
            && self.education.trim().is_empty()
    }
}

impl TrackForm {
    /// The filled-in rows in the order of their position numbers.
    fn rows(&self) -> Vec<ItemRow> {
        let get = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        let n = self.block.len();
        let mut rows: Vec<ItemRow> = (0..n)
            .map(|i| ItemRow {
                position: get(&self.position, i),
                block: get(&self.block, i),
                course_id: get(&self.course_id, i),
                title: get(&self.title, i),
                provider: get(&self.provider, i),
                education: get(&self.education, i),
                direction: get(&self.direction, i),
            })
            .collect();
        rows.retain(|r| !r.is_blank());
        // Sort by the typed position; rows without one keep their place at the end.
        rows.sort_by_key(|r| {
            r.position
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .map(|p| (p * 1000.0) as i64)
                .unwrap_or(i64::MAX)
        });
        rows
    }
    fn draft(&self) -> TrackDraft {
        TrackDraft {
            name: self.name.clone(),
            role_id: self.role_id.clone(),
            activity_area: self.activity_area.clone(),
            description: self.description.clone(),
            deepening_required: self.deepening_required.clone(),
            items: self
                .rows()
                .into_iter()
                .map(|r| TrackItemDraft {
                    block: r.block,
                    course_id: r.course_id,
                    title: r.title,
                    provider: r.provider,
                    education: r.education,
                    direction: r.direction,
                })
                .collect(),
        }
    }
    fn from_track(t: &TrackWithItems) -> TrackForm {
        let mut f = TrackForm {
            name: t.track.name.clone(),
            role_id: t.track.role_id.to_string(),
            activity_area: t.track.activity_area.clone().unwrap_or_default(),
            description: t.track.description.clone(),
            deepening_required: t.track.deepening_required.to_string(),
            ..Default::default()
        };
        for (n, i) in t.items.iter().enumerate() {
            f.position.push((n + 1).to_string());
            f.block.push(i.block.clone());
            f.course_id
                .push(i.course_id.map(|c| c.to_string()).unwrap_or_default());
            // A course item's title follows the course; keep only other titles.
            f.title.push(if i.course_id.is_some() {
                String::new()
            } else {
                i.title.clone()
            });
            f.provider.push(i.provider.clone());
            f.education.push(i.education.clone());
            f.direction.push(i.direction.clone());
        }
        f
    }
}

#[derive(Template)]
#[template(path = "competence/track_form.html")]
struct FormPage {
    c: Ctx,
    f: TrackForm,
    rows: Vec<ItemRow>,
    errors: FormErrors,
    id: Option<i64>,
    roles: Vec<navet_store::org::Role>,
    courses: Vec<(i64, String)>,
}

impl FormPage {
    fn blocks(&self) -> Vec<(&'static str, &'static str)> {
        Block::options(self.c.is_english())
    }
    fn providers(&self) -> Vec<(&'static str, &'static str)> {
        ProviderKind::options(self.c.is_english())
    }
    fn activity_areas(&self) -> Vec<(&'static str, &'static str)> {
        ActivityArea::options(self.c.is_english())
    }
    fn educations(&self) -> Vec<(&'static str, &'static str)> {
        EducationKind::options(self.c.is_english())
            .into_iter()
            .filter(|(code, _)| *code != EducationKind::Ingen.code())
            .collect()
    }
    fn directions(&self) -> Vec<(&'static str, &'static str)> {
        Direction::options(self.c.is_english())
    }
    /// The error for row `n` (1-based) and field, as the domain names it.
    fn row_error(&self, n: &usize, field: &str) -> &str {
        let key = format!("items[{n}].{field}");
        self.errors.0.get(&key).unwrap_or("")
    }
}

fn form_page(
    c: Ctx,
    f: TrackForm,
    errors: FormErrors,
    id: Option<i64>,
    data: FormData,
) -> PageResult {
    // Filled rows first, numbered as the checks number them, then empty ones.
    let mut rows = f.rows();
    let filled = rows.len();
    for (n, r) in rows.iter_mut().enumerate() {
        r.position = (n + 1).to_string();
    }
    rows.extend((0..EMPTY_ROWS).map(|k| ItemRow {
        position: (filled + k + 1).to_string(),
        block: "bas".into(),
        ..Default::default()
    }));
    let has_errors = errors.any();
    super::render_form(
        FormPage {
            roles: data.roles,
            courses: course_labels(data.courses),
            c,
            f,
            rows,
            errors,
            id,
        },
        has_errors,
    )
}

/// Courses for a select: "title (status)".
pub(super) fn course_labels(courses: Vec<navet_store::catalogue::Course>) -> Vec<(i64, String)> {
    courses
        .into_iter()
        .map(|co| {
            let label = format!("{} ({})", co.title, co.status_label());
            (co.id, label)
        })
        .collect()
}

/// The editor again with the errors of a refused draft; any other
/// failure ends the request.
async fn form_again(
    s: &AppState,
    c: Ctx,
    f: TrackForm,
    e: navet_store::StoreError,
    id: Option<i64>,
) -> PageResult {
    let errors = invalid(e)?;
    let data = UseCase::page(s, &c)?.track_form().await?;
    form_page(c, f, errors, id, data)
}

async fn new_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    let data = UseCase::page(&s, &c)?.track_form().await?;
    let f = TrackForm {
        deepening_required: "1".into(),
        ..Default::default()
    };
    form_page(c, f, FormErrors::default(), None, data)
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<TrackForm>) -> PageResult {
    let created = UseCase::page(&s, &c)?.create_track(&f.draft()).await;
    match created {
        Ok(id) => Ok(see_other(&format!("/kompetens/spar/{id}?ok=saved"))),
        Err(e) => form_again(&s, c, f, e, None).await,
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (t, data) = UseCase::page(&s, &c)?.track_to_edit(id).await?;
    form_page(
        c,
        TrackForm::from_track(&t),
        FormErrors::default(),
        Some(id),
        data,
    )
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TrackForm>,
) -> PageResult {
    let updated = UseCase::page(&s, &c)?.update_track(id, &f.draft()).await;
    match updated {
        Ok(()) => Ok(see_other(&format!("/kompetens/spar/{id}?ok=saved"))),
        Err(e) => form_again(&s, c, f, e, Some(id)).await,
    }
}

async fn delete(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    UseCase::page(&s, &c)?.delete_track(id).await?;
    Ok(see_other("/kompetens/spar?ok=deleted"))
}

// Prerequisites -------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct PrereqForm {
    #[serde(default)]
    course_id: String,
    #[serde(default)]
    requires_course_id: String,
}

#[derive(Template)]
#[template(path = "competence/prerequisites.html")]
struct PrereqPage {
    c: Ctx,
    rows: Vec<PrerequisiteRow>,
    courses: Vec<(i64, String)>,
    f: PrereqForm,
    errors: FormErrors,
    notice: String,
}

async fn prereq_page(
    s: &AppState,
    c: Ctx,
    f: PrereqForm,
    errors: FormErrors,
    notice: String,
) -> PageResult {
    let p = UseCase::page(s, &c)?.prerequisites().await?;
    let has_errors = errors.any();
    super::render_form(
        PrereqPage {
            rows: p.rows,
            courses: p.courses,
            c,
            f,
            errors,
            notice,
        },
        has_errors,
    )
}

async fn prerequisites(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    let notice = match q.ok.as_deref() {
        Some("added") => c.t("competence.prerequisite_saved"),
        Some("removed") => c.t("competence.prerequisite_removed"),
        _ => "",
    }
    .to_string();
    prereq_page(&s, c, PrereqForm::default(), FormErrors::default(), notice).await
}

/// A course id from a select; `code` names the error so the English locale
/// can give it (`form_errors.<code>`).
fn id_field(v: &str, field: &str, code: &'static str, msg: &str) -> Result<i64, FormErrors> {
    v.trim().parse::<i64>().map_err(|_| {
        let mut e = domain::FieldErrors::new();
        e.add(field, code, msg);
        FormErrors(e)
    })
}

async fn add_prerequisite(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<PrereqForm>,
) -> PageResult {
    let ids = id_field(
        &f.course_id,
        "course_id",
        "missing_prerequisite_course",
        "Välj kursen som har förkunskapskravet.",
    )
    .and_then(|a| {
        id_field(
            &f.requires_course_id,
            "requires_course_id",
            "missing_required_course",
            "Välj kursen som krävs först.",
        )
        .map(|b| (a, b))
    });
    let (course, requires) = match ids {
        Ok(x) => x,
        Err(errors) => return prereq_page(&s, c, f, errors, String::new()).await,
    };
    let added = UseCase::page(&s, &c)?
        .add_prerequisite(course, requires)
        .await;
    match added {
        Ok(()) => Ok(see_other("/kompetens/forkunskaper?ok=added")),
        Err(e) => {
            let errors = invalid(e)?;
            prereq_page(&s, c, f, errors, String::new()).await
        }
    }
}

async fn remove_prerequisite(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<PrereqForm>,
) -> PageResult {
    let id = |v: &str| {
        v.trim()
            .parse::<i64>()
            .map_err(|_| AppError::BadRequest("Okänd kurs.".into()))
    };
    let ids = id(&f.course_id).and_then(|a| id(&f.requires_course_id).map(|b| (a, b)));
    UseCase::page(&s, &c)?.remove_prerequisite(ids).await?;
    Ok(see_other("/kompetens/forkunskaper?ok=removed"))
}
