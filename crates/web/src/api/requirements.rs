//! Competence requirements and formal education.

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::education::PersonEducationDraft;
use domain::requirements::RequirementDraft;
use navet_store::education::PersonEducation;
use navet_store::requirements::RequirementRow;
use navet_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(NewRequirement, RequirementOut, NewEducation, EducationOut)),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_requirements, create_requirement))
        .routes(routes!(
            get_requirement,
            update_requirement,
            delete_requirement
        ))
        .routes(routes!(list_educations, create_education))
        .routes(routes!(delete_education))
}

/// A requirement to create or replace.
#[derive(Deserialize, ToSchema)]
pub struct NewRequirement {
    pub role_id: i64,
    /// region, activity_area or unit
    #[serde(default)]
    pub scope: Option<String>,
    /// aldreomsorg, funktionsstod, socialpsykiatri, kommunal_hso (scope activity_area)
    #[serde(default)]
    pub activity_area: Option<String>,
    /// (scope unit)
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// course, area or education
    pub kind: String,
    #[serde(default)]
    pub course_id: Option<i64>,
    #[serde(default)]
    pub area_id: Option<i64>,
    /// bas, fordjupning, spets (kind area)
    #[serde(default)]
    pub level: Option<String>,
    /// e.g. vard_och_omsorgsprogrammet, specialistunderskoterska_yh, sjukskoterska (kind education)
    #[serde(default)]
    pub education: Option<String>,
    /// e.g. demens (specialist programmes; empty = any)
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl NewRequirement {
    fn draft(&self) -> RequirementDraft {
        let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        RequirementDraft {
            role_id: self.role_id.to_string(),
            scope: self.scope.clone().unwrap_or_else(|| "region".into()),
            activity_area: self.activity_area.clone().unwrap_or_default(),
            unit_id: opt(self.unit_id),
            kind: self.kind.clone(),
            course_id: opt(self.course_id),
            area_id: opt(self.area_id),
            level: self.level.clone().unwrap_or_default(),
            education: self.education.clone().unwrap_or_default(),
            direction: self.direction.clone().unwrap_or_default(),
            note: self.note.clone().unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RequirementOut {
    pub id: i64,
    pub role_id: i64,
    pub role: String,
    /// region, activity_area, unit
    pub scope: String,
    pub activity_area: Option<String>,
    pub unit_id: Option<i64>,
    pub unit: Option<String>,
    /// course, area, education
    pub kind: String,
    pub course_id: Option<i64>,
    pub course: Option<String>,
    pub course_status: Option<String>,
    /// Months between renewals (from the course's validity)
    pub renewal_months: Option<i64>,
    pub area_id: Option<i64>,
    pub area: Option<String>,
    pub level: Option<String>,
    pub education: Option<String>,
    pub direction: Option<String>,
    /// In Swedish, e.g. "Kurs: HLR (förnyas var 12:e månad)"
    pub description: String,
    pub scope_label: String,
    pub note: String,
    pub synthetic: bool,
    /// Something to fix, e.g. the course has been retired
    pub warning: Option<String>,
}

impl From<RequirementRow> for RequirementOut {
    fn from(r: RequirementRow) -> Self {
        RequirementOut {
            description: r.what_sv(),
            scope_label: r.scope_sv(),
            warning: r.warning().map(str::to_string),
            id: r.id,
            role_id: r.role_id,
            role: r.role_name,
            scope: r.scope,
            activity_area: r.activity_area,
            unit_id: r.unit_id,
            unit: r.unit_name,
            kind: r.kind.code().to_string(),
            course_id: r.course_id,
            course: r.course_title,
            course_status: r.course_status.map(|s| s.code().to_string()),
            renewal_months: r.validity_months,
            area_id: r.area_id,
            area: r.area_name,
            level: r.level,
            education: r.education,
            direction: r.direction,
            note: r.note,
            synthetic: r.synthetic == 1,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequirementQuery {
    /// Only this role's requirements
    pub role_id: Option<i64>,
    /// Only requirements that can apply in this unit
    pub unit_id: Option<i64>,
}

/// Competence requirements (any logged-in user may read them).
#[utoipa::path(get, path = "/api/v1/requirements", tag = "competence", params(RequirementQuery),
    responses((status = 200, body = [RequirementOut]), (status = 401), (status = 404)))]
pub async fn list_requirements(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<RequirementQuery>,
) -> ApiResult<Json<Vec<RequirementOut>>> {
    let (rows, _) = UseCase::api(&s, &api)?
        .requirements(q.role_id, q.unit_id)
        .await?;
    Ok(Json(rows.into_iter().map(RequirementOut::from).collect()))
}

/// Add a requirement: coordinators anywhere, managers for their own units.
/// A retired course or an unknown education is refused (422).
#[utoipa::path(post, path = "/api/v1/requirements", tag = "competence", request_body = NewRequirement,
    responses((status = 201, body = RequirementOut), (status = 400, body = crate::error::ApiErrorBody),
              (status = 401), (status = 403, body = crate::error::ApiErrorBody),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_requirement(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<RequirementOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: NewRequirement = parse_json(&body)?;
    let row = uc.create_requirement(&b.draft()).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[utoipa::path(get, path = "/api/v1/requirements/{id}", tag = "competence",
    responses((status = 200, body = RequirementOut), (status = 401), (status = 404)))]
pub async fn get_requirement(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<RequirementOut>> {
    Ok(Json(UseCase::api(&s, &api)?.requirement(id).await?.into()))
}

/// Replace a requirement (allowed where it applied and where it will apply).
#[utoipa::path(put, path = "/api/v1/requirements/{id}", tag = "competence", request_body = NewRequirement,
    responses((status = 200, body = RequirementOut), (status = 400, body = crate::error::ApiErrorBody),
              (status = 401), (status = 403, body = crate::error::ApiErrorBody), (status = 404),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn update_requirement(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<RequirementOut>> {
    let uc = UseCase::api(&s, &api)?;
    let b: NewRequirement = parse_json(&body)?;
    Ok(Json(uc.update_requirement(id, &b.draft()).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/requirements/{id}", tag = "competence",
    responses((status = 204), (status = 401), (status = 403, body = crate::error::ApiErrorBody), (status = 404)))]
pub async fn delete_requirement(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    UseCase::api(&s, &api)?.delete_requirement(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// Formal education ---------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
pub struct NewEducation {
    /// e.g. vard_och_omsorgsprogrammet, specialistunderskoterska_yh, sjukskoterska, ingen
    pub kind: String,
    /// Required for specialist programmes, e.g. demens
    #[serde(default)]
    pub direction: Option<String>,
    /// YYYY-MM-DD
    #[serde(default)]
    pub completed_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EducationOut {
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub direction: Option<String>,
    /// In Swedish, e.g. "specialistundersköterska (YH), inriktning demens"
    pub label: String,
    pub completed_on: Option<String>,
    pub note: String,
    pub synthetic: bool,
}

impl From<PersonEducation> for EducationOut {
    fn from(e: PersonEducation) -> Self {
        EducationOut {
            label: e.label(),
            id: e.id,
            person_id: e.person_id,
            kind: e.kind.code().to_string(),
            direction: (!e.direction.is_empty()).then_some(e.direction),
            completed_on: e.completed_on,
            note: e.note,
            synthetic: e.synthetic == 1,
        }
    }
}

/// A person's formal education (the read is audited).
#[utoipa::path(get, path = "/api/v1/people/{id}/educations", tag = "competence",
    responses((status = 200, body = [EducationOut]), (status = 401), (status = 403), (status = 404)))]
pub async fn list_educations(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<EducationOut>>> {
    let v = UseCase::api(&s, &api)?.person_educations(id).await?;
    Ok(Json(v.into_iter().map(EducationOut::from).collect()))
}

/// Register a formal education (the person's manager or a coordinator).
/// An unknown value is refused naming the field.
#[utoipa::path(post, path = "/api/v1/people/{id}/educations", tag = "competence", request_body = NewEducation,
    responses((status = 201, body = EducationOut), (status = 400, body = crate::error::ApiErrorBody),
              (status = 401), (status = 403, body = crate::error::ApiErrorBody), (status = 404),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_education(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<EducationOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let draft = parse_json::<NewEducation>(&body).map(|b| PersonEducationDraft {
        kind: b.kind,
        direction: b.direction.unwrap_or_default(),
        completed_on: b.completed_on.unwrap_or_default(),
        note: b.note.unwrap_or_default(),
    });
    let e = uc.add_person_education(id, draft).await?;
    Ok((StatusCode::CREATED, Json(e.into())))
}

#[utoipa::path(delete, path = "/api/v1/people/{id}/educations/{education_id}", tag = "competence",
    responses((status = 204), (status = 401), (status = 403, body = crate::error::ApiErrorBody), (status = 404)))]
pub async fn delete_education(
    State(s): State<AppState>,
    api: ApiCtx,
    Path((id, education_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    UseCase::api(&s, &api)?
        .remove_education(id, education_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => ApiError::not_found("Utbildningen"),
            e => e.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
