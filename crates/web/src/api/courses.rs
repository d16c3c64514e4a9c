//! Courses in the catalogue.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use domain::catalogue::CourseStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(paths(list_courses), components(schemas(CourseOut)))]
pub struct Doc;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/courses", get(list_courses))
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
            status: c.status,
            validity_months: c.validity_months,
            default_capacity: c.default_capacity,
            target_group: c.target_group,
        }
    }
}

#[derive(Deserialize, IntoParams)]
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
                .ok_or_else(|| ApiError::invalid("status", format!("Okänd status ”{v}”.")))?,
        ),
    };
    Ok(Json(
        navet_store::catalogue::list(&s.db, status)
            .await?
            .into_iter()
            .map(CourseOut::from)
            .collect(),
    ))
}
