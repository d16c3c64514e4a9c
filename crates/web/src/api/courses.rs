//! Courses in the catalogue.

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::catalogue::{check_course, CourseDraft, CourseStatus, LanguageSupport};
use navet_store::catalogue::CourseExtras;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::{Guest, UseCase};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(components(schemas(CourseOut, NewCourse)))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_courses, create_course))
        .routes(routes!(get_course))
}

#[derive(Serialize, ToSchema)]
pub struct CourseOut {
    pub id: i64,
    pub title: String,
    /// bas, fordjupning, spets
    pub level: String,
    /// simulering, lararledd, webb, arbetsplatslarande, blandad
    pub format: String,
    pub hours: f64,
    /// under_utveckling, test, aktiv, pausad, avvecklad
    pub status: String,
    pub validity_months: Option<i64>,
    pub default_capacity: i64,
    pub target_group: String,
}

impl From<navet_store::catalogue::Course> for CourseOut {
    fn from(c: navet_store::catalogue::Course) -> Self {
        CourseOut {
            id: c.id,
            title: c.title,
            level: c.level,
            format: c.format,
            hours: c.hours,
            status: c.status.code().to_string(),
            validity_months: c.validity_months,
            default_capacity: c.default_capacity,
            target_group: c.target_group,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseQuery {
    /// Only courses with this lifecycle status.
    pub status: Option<String>,
}

/// Every course in the catalogue (optionally one status), sorted by title.
#[utoipa::path(get, path = "/api/v1/courses", tag = "catalogue", params(CourseQuery),
    responses((status = 200, body = [CourseOut]), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn list_courses(
    State(s): State<AppState>,
    Query(q): Query<CourseQuery>,
) -> ApiResult<Json<Vec<CourseOut>>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(v) => Some(
            CourseStatus::parse(v)
                .ok_or_else(|| ApiError::invalid("status", domain::text::unknown("status", v)))?,
        ),
    };
    Ok(Json(
        Guest::anonymous(&s)
            .courses(status)
            .await?
            .into_iter()
            .map(CourseOut::from)
            .collect(),
    ))
}

/// A new course. `level`, `format` and `status` take the codes or the
/// Swedish words; `roles` are role names, `competence_areas` area codes.
#[derive(Deserialize, ToSchema)]
pub struct NewCourse {
    pub title: String,
    pub level: String,
    pub format: String,
    pub hours: serde_json::Value,
    pub status: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub validity_months: Option<i64>,
    #[serde(default)]
    pub default_capacity: Option<i64>,
    #[serde(default)]
    pub trainers_per_session: Option<i64>,
    /// sva, teckentolk, anpassat_material
    #[serde(default)]
    pub language_support: Vec<String>,
    #[serde(default)]
    pub target_group: Option<String>,
    #[serde(default)]
    pub planned_term: Option<String>,
    #[serde(default)]
    pub cancellation_deadline_days: Option<i64>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub competence_areas: Vec<String>,
}

/// Add a course to the catalogue (coordinators and admins).
#[utoipa::path(post, path = "/api/v1/courses", tag = "catalogue", request_body = NewCourse,
    security(("bearer" = [])),
    responses((status = 201, body = CourseOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 409, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_course(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CourseOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: NewCourse = parse_json(&body)?;
    // The form's choices come first: they are where access is decided.
    let (roles, areas) = uc.course_choices().await?;
    let num = |v: &serde_json::Value| match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let checked = check_course(&CourseDraft {
        title: b.title.clone(),
        level: b.level.clone(),
        format: b.format.clone(),
        hours: num(&b.hours),
        status: b.status.clone(),
        validity_months: opt(b.validity_months),
        default_capacity: opt(b.default_capacity),
        trainers_per_session: opt(b.trainers_per_session),
    })?;
    let mut support = vec![];
    for l in &b.language_support {
        match LanguageSupport::parse(l) {
            Some(x) => support.push(x.code()),
            None => {
                return Err(ApiError::invalid(
                    "language_support",
                    format!("Okänt språkstöd ”{l}”: sva, teckentolk eller anpassat_material."),
                ))
            }
        }
    }
    let mut role_ids = vec![];
    for r in &b.roles {
        match roles
            .iter()
            .find(|x| x.name.to_lowercase() == r.trim().to_lowercase())
        {
            Some(x) => role_ids.push(x.id),
            None => {
                return Err(ApiError::invalid(
                    "roles",
                    domain::text::unknown("yrkesroll", r),
                ))
            }
        }
    }
    let mut area_ids = vec![];
    for a in &b.competence_areas {
        match areas.iter().find(|x| x.code == a.trim()) {
            Some(x) => area_ids.push(x.id),
            None => {
                return Err(ApiError::invalid(
                    "competence_areas",
                    format!("Okänt kompetensområde ”{a}”."),
                ))
            }
        }
    }
    let extras = CourseExtras {
        code: b.code.filter(|c| !c.trim().is_empty()),
        description: b.description.unwrap_or_default(),
        provider: b.provider.unwrap_or_default(),
        language_support: support.join(","),
        target_group: b.target_group.unwrap_or_default(),
        planned_term: b.planned_term.unwrap_or_default(),
        synthetic_note: String::new(),
        role_ids,
        area_ids,
    };
    let course = uc
        .create_course(&checked, &extras, b.cancellation_deadline_days.unwrap_or(2))
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "Kurskoden används redan.",
                    Some("code"),
                )
            } else {
                e.into()
            }
        })?;
    Ok((StatusCode::CREATED, Json(course.into())))
}

/// One course.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "catalogue",
    responses((status = 200, body = CourseOut), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn get_course(
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<CourseOut>> {
    Ok(Json(
        Guest::anonymous(&s)
            .course(id)
            .await
            .map_err(|_| ApiError::not_found("Kursen"))?
            .into(),
    ))
}
