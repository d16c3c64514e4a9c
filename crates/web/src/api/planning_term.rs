//! Planning the term: a trainer's availability per term, the places
//! agreed ahead per municipality and term, and the term view.

use crate::rejection::api::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use domain::ids::{CourseId, PackageId};
use domain::planning::availability::AvailabilityDraft;
use domain::planning::term::Term;
use navet_store::planning::volumes::{Item, TermRow, Volume};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(components(schemas(
    AvailabilityIn,
    AvailabilityOut,
    VolumeIn,
    VolumeOut,
    TermRowOut,
    TermRowTotal,
    TermOut
)))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(get_availability, put_availability))
        .routes(routes!(list_volumes, put_volume))
        .routes(routes!(term_view))
}

/// The term in the address (`2027-vt`, `VT 2027`); 422 naming `term`.
fn term(s: &str) -> ApiResult<Term> {
    s.parse::<Term>().map_err(|m| ApiError::invalid("term", m))
}

/// A trainer's availability as sent.
#[derive(Deserialize, ToSchema)]
pub struct AvailabilityIn {
    /// Week numbers within the term (VT 2–25, HT 33–51); not past weeks
    #[serde(default)]
    pub weeks: Vec<i64>,
    /// mon … sun; at least one when weeks are given
    #[serde(default)]
    pub weekdays: Vec<String>,
    /// At most this many sessions a week, 0–20 (at least 1 with weeks)
    pub max_per_week: i64,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityOut {
    pub trainer_id: i64,
    /// `2027-vt`
    pub term: String,
    /// `VT 2027`
    pub term_label: String,
    /// False when nothing is given for the term (the lists are then empty)
    pub given: bool,
    pub weeks: Vec<u32>,
    pub weekdays: Vec<String>,
    pub max_per_week: i64,
    pub note: String,
}

fn availability_out(
    trainer_id: i64,
    term: Term,
    a: Option<&domain::planning::availability::Availability>,
) -> AvailabilityOut {
    AvailabilityOut {
        trainer_id,
        term: term.code(),
        term_label: term.label(),
        given: a.is_some(),
        weeks: a.map(|a| a.weeks.clone()).unwrap_or_default(),
        weekdays: a
            .map(|a| a.weekday_codes().into_iter().map(str::to_string).collect())
            .unwrap_or_default(),
        max_per_week: a.map(|a| a.max_per_week).unwrap_or(0),
        note: a.map(|a| a.note.clone()).unwrap_or_default(),
    }
}

/// A trainer's availability for a term (the trainer their own;
/// coordinators and admins anyone's). 404 for a person who is not a trainer.
#[utoipa::path(get, path = "/api/v1/trainers/{id}/availability/{term}", tag = "planning",
    params(("id" = i64, Path, description = "The trainer's person id"),
           ("term" = String, Path, description = "The term, e.g. 2027-vt or 2027-ht")),
    security(("bearer" = [])),
    responses((status = 200, body = AvailabilityOut), (status = 401), (status = 403),
              (status = 404, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn get_availability(
    State(s): State<AppState>,
    api: ApiCtx,
    Path((id, t)): Path<(i64, String)>,
) -> ApiResult<Json<AvailabilityOut>> {
    let uc = UseCase::api(&s, &api)?;
    let t = term(&t)?;
    let v = uc.trainer_availability(id, t).await?;
    Ok(Json(availability_out(
        id,
        t,
        v.given.as_ref().map(|g| &g.availability),
    )))
}

/// Give or change a trainer's availability for a term. Past weeks cannot
/// be added (those already given stay); a term that has ended cannot be
/// changed. Bad input is 422 naming the field.
#[utoipa::path(put, path = "/api/v1/trainers/{id}/availability/{term}", tag = "planning",
    params(("id" = i64, Path, description = "The trainer's person id"),
           ("term" = String, Path, description = "The term, e.g. 2027-vt or 2027-ht")),
    request_body = AvailabilityIn,
    security(("bearer" = [])),
    responses((status = 200, body = AvailabilityOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 404, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn put_availability(
    State(s): State<AppState>,
    api: ApiCtx,
    Path((id, t)): Path<(i64, String)>,
    body: Bytes,
) -> ApiResult<Json<AvailabilityOut>> {
    let uc = UseCase::api(&s, &api)?;
    let t = term(&t)?;
    let b: AvailabilityIn = parse_json(&body)?;
    let draft = AvailabilityDraft {
        weeks: b.weeks.iter().map(|w| w.to_string()).collect(),
        weekdays: b.weekdays,
        max_per_week: b.max_per_week.to_string(),
        note: b.note,
    };
    let a = uc
        .set_trainer_availability(id, t, &draft, navet_store::time::today())
        .await?;
    Ok(Json(availability_out(id, t, Some(&a))))
}

/// Places agreed for a municipality and term, for a course or a package.
#[derive(Deserialize, ToSchema)]
pub struct VolumeIn {
    pub municipality_id: i64,
    /// The course (or give package_id)
    #[serde(default)]
    pub course_id: Option<i64>,
    /// The package (or give course_id)
    #[serde(default)]
    pub package_id: Option<i64>,
    /// 0–100 000; 0 removes the agreement
    pub places: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VolumeOut {
    pub id: i64,
    pub term: String,
    pub municipality_id: i64,
    pub municipality: String,
    pub course_id: Option<i64>,
    pub package_id: Option<i64>,
    /// The course's title or the package's name
    pub title: String,
    pub places: i64,
    /// Demo data
    pub synthetic: bool,
}

impl From<Volume> for VolumeOut {
    fn from(v: Volume) -> Self {
        VolumeOut {
            id: v.id,
            term: v.term,
            municipality_id: v.municipality_id,
            municipality: v.municipality,
            course_id: v.course_id,
            package_id: v.package_id,
            title: v.title,
            places: v.places,
            synthetic: v.synthetic,
        }
    }
}

/// The places agreed for a term (coordinators, admins, the steering group).
#[utoipa::path(get, path = "/api/v1/planning/terms/{term}/volumes", tag = "planning",
    params(("term" = String, Path, description = "The term, e.g. 2027-vt")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<VolumeOut>), (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn list_volumes(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(t): Path<String>,
) -> ApiResult<Json<Vec<VolumeOut>>> {
    let uc = UseCase::api(&s, &api)?;
    let t = term(&t)?;
    let list = uc.agreed_volume_list(t).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Agree places for a municipality, term and course or package (0
/// removes it); the term's agreements afterwards. Coordinators and admins.
#[utoipa::path(put, path = "/api/v1/planning/terms/{term}/volumes", tag = "planning",
    params(("term" = String, Path, description = "The term, e.g. 2027-vt")),
    request_body = VolumeIn,
    security(("bearer" = [])),
    responses((status = 200, body = Vec<VolumeOut>), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn put_volume(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(t): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Vec<VolumeOut>>> {
    let uc = UseCase::api(&s, &api)?;
    let t = term(&t)?;
    let b: VolumeIn = parse_json(&body)?;
    let item = match (b.course_id, b.package_id) {
        (Some(c), None) => Item::Course(CourseId(c)),
        (None, Some(p)) => Item::Package(PackageId(p)),
        _ => {
            return Err(ApiError::invalid(
                "course_id",
                "Ange antingen course_id eller package_id.",
            ))
        }
    };
    uc.set_agreed_volume(t, b.municipality_id, item, &b.places.to_string())
        .await?;
    let list = uc.agreed_volume_list(t).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct TermRowOut {
    pub municipality_id: i64,
    pub municipality: String,
    pub course_id: i64,
    pub course_title: String,
    /// Places agreed for the course, including through packages
    pub agreed: i64,
    pub agreed_via_packages: i64,
    /// Seats in the term's sessions of the course in the municipality
    pub planned: i64,
    /// The municipality's people booked, attended or absent
    pub booked: i64,
    pub attended: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TermOut {
    pub term: String,
    pub term_label: String,
    pub rows: Vec<TermRowOut>,
    pub total: TermRowTotal,
}

/// The sums over every row.
#[derive(Serialize, ToSchema)]
pub struct TermRowTotal {
    pub agreed: i64,
    pub planned: i64,
    pub booked: i64,
    pub attended: i64,
}

impl From<TermRow> for TermRowOut {
    fn from(r: TermRow) -> Self {
        TermRowOut {
            municipality_id: r.municipality_id,
            municipality: r.municipality,
            course_id: r.course_id,
            course_title: r.course_title,
            agreed: r.figures.agreed,
            agreed_via_packages: r.agreed_via_packages,
            planned: r.figures.planned,
            booked: r.figures.booked,
            attended: r.figures.attended,
        }
    }
}

/// The term view: agreed vs planned vs booked vs attended per
/// municipality and course, with the total (counts only: coordinators,
/// admins, the steering group).
#[utoipa::path(get, path = "/api/v1/planning/terms/{term}", tag = "planning",
    params(("term" = String, Path, description = "The term, e.g. 2027-vt")),
    security(("bearer" = [])),
    responses((status = 200, body = TermOut), (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn term_view(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(t): Path<String>,
) -> ApiResult<Json<TermOut>> {
    let uc = UseCase::api(&s, &api)?;
    let t = term(&t)?;
    let rows = uc.term_view(t).await?;
    let tot = domain::planning::volumes::total(rows.iter().map(|r| &r.figures));
    Ok(Json(TermOut {
        term: t.code(),
        term_label: t.label(),
        rows: rows.into_iter().map(Into::into).collect(),
        total: TermRowTotal {
            agreed: tot.agreed,
            planned: tot.planned,
            booked: tot.booked,
            attended: tot.attended,
        },
    }))
}
