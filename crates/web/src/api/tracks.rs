//! Learning tracks and progress along them.

use crate::rejection::api::Path;
use axum::extract::State;
use axum::Json;
use navet_store::tracks::{TrackStatus, TrackWithItems};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiCtx;
use crate::error::ApiResult;
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(TrackOut, TrackItemOut, ProgressOut, PersonProgressOut, UnitProgressOut)),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_tracks))
        .routes(routes!(get_track))
        .routes(routes!(person_progress))
        .routes(routes!(unit_progress))
}

#[derive(Serialize, ToSchema)]
pub struct TrackItemOut {
    /// bas, fordjupning, spets
    pub block: String,
    pub position: i64,
    pub course_id: Option<i64>,
    pub title: String,
    /// yrkeshogskola, hogskola, annan (external programmes)
    pub provider: Option<String>,
    /// The formal education that completes the step, if any
    pub education: Option<String>,
    pub direction: Option<String>,
    /// The pre-study's knowledge area (Y001…)
    pub source_ref: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TrackOut {
    pub id: i64,
    pub name: String,
    pub role_id: i64,
    pub role: String,
    /// None: every activity area
    pub activity_area: Option<String>,
    pub description: String,
    /// How many deepening courses to choose
    pub deepening_required: i64,
    pub synthetic: bool,
    pub items: Vec<TrackItemOut>,
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

impl From<TrackWithItems> for TrackOut {
    fn from(t: TrackWithItems) -> Self {
        TrackOut {
            id: t.track.id,
            name: t.track.name,
            role_id: t.track.role_id,
            role: t.track.role_name,
            activity_area: t.track.activity_area,
            description: t.track.description,
            deepening_required: t.track.deepening_required,
            synthetic: t.track.synthetic == 1,
            items: t
                .items
                .into_iter()
                .map(|i| TrackItemOut {
                    block: i.block,
                    position: i.position,
                    course_id: i.course_id,
                    title: i.title,
                    provider: non_empty(i.provider),
                    education: non_empty(i.education),
                    direction: non_empty(i.direction),
                    source_ref: non_empty(i.source_ref),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgressOut {
    pub track_id: i64,
    pub track: String,
    pub base_done: u32,
    pub base_total: u32,
    pub deepening_done: u32,
    pub deepening_required: u32,
    pub specialist_done: u32,
    /// Whole per cent of the base block plus the required deepening
    pub percent: u32,
    /// bas, fördjupning, spets, or påbörjad
    pub level: String,
    /// The next base course, in order
    pub next_course_id: Option<i64>,
    pub next: Option<String>,
    /// For each item of the track, in order: done?
    pub done: Vec<bool>,
}

impl From<TrackStatus> for ProgressOut {
    fn from(s: TrackStatus) -> Self {
        ProgressOut {
            track_id: s.track_id,
            track: s.track_name,
            base_done: s.progress.base_done,
            base_total: s.progress.base_total,
            deepening_done: s.progress.deepening_done,
            deepening_required: s.progress.deepening_required,
            specialist_done: s.progress.specialist_done,
            percent: s.progress.percent,
            level: s.level_label.into(),
            next_course_id: s.next_course_id,
            next: s.next_title,
            done: s.progress.done,
        }
    }
}

/// Every track with its items.
#[utoipa::path(get, path = "/api/v1/tracks", tag = "competence",
    responses((status = 200, body = [TrackOut]), (status = 401)))]
pub async fn list_tracks(State(s): State<AppState>, api: ApiCtx) -> ApiResult<Json<Vec<TrackOut>>> {
    let (tracks, _) = UseCase::api(&s, &api)?.tracks().await?;
    Ok(Json(tracks.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/tracks/{id}", tag = "competence",
    responses((status = 200, body = TrackOut), (status = 401), (status = 404)))]
pub async fn get_track(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<TrackOut>> {
    Ok(Json(UseCase::api(&s, &api)?.track(id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct PersonProgressOut {
    pub person_id: i64,
    /// None when no track fits the person's role and unit
    pub progress: Option<ProgressOut>,
}

/// A person's progress along the track for their role and unit.
#[utoipa::path(get, path = "/api/v1/people/{id}/track-progress", tag = "competence",
    responses((status = 200, body = PersonProgressOut), (status = 401), (status = 403), (status = 404)))]
pub async fn person_progress(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PersonProgressOut>> {
    let progress = UseCase::api(&s, &api)?
        .person_track_progress(id)
        .await?
        .map(Into::into);
    Ok(Json(PersonProgressOut {
        person_id: id,
        progress,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UnitProgressOut {
    pub person_id: i64,
    pub name: String,
    pub role: String,
    pub progress: Option<ProgressOut>,
}

/// Every member of a unit's staff and their track progress (audited).
#[utoipa::path(get, path = "/api/v1/units/{id}/track-progress", tag = "competence",
    responses((status = 200, body = [UnitProgressOut]), (status = 401), (status = 403), (status = 404)))]
pub async fn unit_progress(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<UnitProgressOut>>> {
    let staff = UseCase::api(&s, &api)?.unit_track_progress(id).await?;
    Ok(Json(
        staff
            .into_iter()
            .map(|m| UnitProgressOut {
                person_id: m.person.id,
                name: m.person.name,
                role: m.person.role_name,
                progress: m.status.map(Into::into),
            })
            .collect(),
    ))
}
