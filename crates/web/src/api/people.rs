//! People.

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use navet_store::people::{Person, PersonInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::people::PeopleSearch;
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(NewPerson, PersonOut)),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPerson {
    pub name: String,
    pub email: String,
    /// kvinna, man, annat, ej_angivet
    pub gender: String,
    /// A role name such as "undersköterska" (case-insensitive)
    pub role: String,
    /// A municipality name such as "Örebro"
    pub municipality: String,
    /// A unit name within the municipality
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub employee_no: Option<String>,
    /// Noted language-support needs, e.g. "sva"
    #[serde(default)]
    pub language_support: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub gender: String,
    pub role: String,
    pub role_group: String,
    pub municipality: String,
    pub unit: Option<String>,
    pub employee_no: Option<String>,
    pub active: bool,
}

impl From<Person> for PersonOut {
    fn from(p: Person) -> Self {
        PersonOut {
            id: p.id,
            name: p.name,
            email: p.email,
            gender: p.gender,
            role: p.role_name,
            role_group: p.role_group,
            municipality: p.municipality_name,
            unit: p.unit_name,
            employee_no: p.employee_no,
            active: p.active == 1,
        }
    }
}

/// Add a person. Managers may add people only to their own units.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = NewPerson,
    responses((status = 201, body = PersonOut), (status = 400, body = crate::error::ApiErrorBody),
              (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_person(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<PersonOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: NewPerson = parse_json(&body)?;
    let p = uc
        .create_person(&PersonInput {
            name: b.name,
            email: b.email,
            gender: b.gender,
            employee_no: b.employee_no.unwrap_or_default(),
            role: b.role,
            municipality: b.municipality,
            unit: b.unit.unwrap_or_default(),
            language_support: b.language_support.unwrap_or_default(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Municipality id
    pub municipality_id: Option<i64>,
    /// Unit id
    pub unit_id: Option<i64>,
    /// Search in name, e-mail and employee number (case of å, ä, ö and a–z
    /// ignored; å, ä and ö are letters of their own)
    pub q: Option<String>,
    /// Also people who have left, and people known only from the
    /// historical participation import
    #[serde(default)]
    pub include_left: bool,
    /// At most this many (default 200, at most 1000)
    pub limit: Option<i64>,
    /// Continue after this person id (the `Link: rel="next"` header gives
    /// the next page's address)
    pub after: Option<i64>,
}

const DEFAULT_LIMIT: i64 = 200;

/// People the caller may see (a manager: their units), in Swedish name
/// order, one page at a time: when there are more, the response has a
/// `Link: </api/v1/people?…&after=ID>; rel="next"` header.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleQuery),
    responses((status = 200, body = [PersonOut]), (status = 401), (status = 403)))]
pub async fn list_people(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let uc = UseCase::api(&s, &api)?;
    if q.limit.is_some_and(|l| !(1..=1000).contains(&l)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "limit ska vara ett tal från 1 till 1000.",
            Some("limit"),
        ));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    let query = PeopleSearch {
        municipality_id: q.municipality_id,
        unit_id: q.unit_id,
        query: q.q.clone(),
        include_left: q.include_left,
    };
    let (found, next) = uc.people_page(&query, q.after, limit).await?;
    let body = Json(found.into_iter().map(PersonOut::from).collect::<Vec<_>>());
    Ok(match next {
        Some(id) => {
            let link = format!("<{}>; rel=\"next\"", next_url(&q, limit, id));
            ([(axum::http::header::LINK, link)], body).into_response()
        }
        None => body.into_response(),
    })
}

/// The address of the page after person `after`, with the same filters.
fn next_url(q: &PeopleQuery, limit: i64, after: i64) -> String {
    let mut parts = vec![];
    if let Some(m) = q.municipality_id {
        parts.push(format!("municipality_id={m}"));
    }
    if let Some(u) = q.unit_id {
        parts.push(format!("unit_id={u}"));
    }
    if let Some(t) = q.q.as_deref().filter(|t| !t.is_empty()) {
        parts.push(format!("q={}", urlencoding::encode(t)));
    }
    if q.include_left {
        parts.push("include_left=true".into());
    }
    parts.push(format!("limit={limit}"));
    parts.push(format!("after={after}"));
    format!("/api/v1/people?{}", parts.join("&"))
}

/// One person (the read is written to the audit log).
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    responses((status = 200, body = PersonOut), (status = 401), (status = 403), (status = 404)))]
pub async fn get_person(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PersonOut>> {
    let p = UseCase::api(&s, &api)?
        .view_person(id, "API")
        .await
        .map_err(|e| match e {
            navet_store::StoreError::NotFound(_) => ApiError::not_found("Personen"),
            other => other.into(),
        })?;
    Ok(Json(p.into()))
}
