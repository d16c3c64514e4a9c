//! Access review through the API (admins; a municipality's data protection
//! officer for that municipality, chosen by default): who looked at whose personal
//! data, a page at a time (keyset: pass `next` back as `before`), and the
//! accounts that opened unusually many people's records in a day.

use crate::rejection::api::Query;
use axum::extract::State;
use axum::Json;
use navet_store::access_review::{Filter, Page, ReviewEntry, UnusualReading};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiCtx;
use crate::error::{ApiError, ApiResult};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(ReviewPageOut, ReviewEntryOut, UnusualOut)),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(review))
        .routes(routes!(unusual))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewParams {
    /// The person whose data was read or changed
    pub person_id: Option<i64>,
    /// The reader's account id
    pub reader_account_id: Option<i64>,
    /// The person's municipality
    pub municipality_id: Option<i64>,
    /// First day, YYYY-MM-DD (Europe/Stockholm)
    pub from: Option<String>,
    /// Last day (included), YYYY-MM-DD
    pub to: Option<String>,
    /// Only reads, not changes
    #[serde(default)]
    pub reads_only: bool,
    /// The previous page's `next`
    pub before: Option<i64>,
    /// Entries per page (1–1000, default 100)
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewEntryOut {
    pub id: i64,
    /// Unix seconds
    pub at: i64,
    pub reader_account_id: Option<i64>,
    pub reader_name: Option<String>,
    pub reader_role: Option<String>,
    pub channel: String,
    pub action: String,
    pub person_id: i64,
    pub person_name: Option<String>,
    pub municipality: Option<String>,
    pub detail: String,
}

impl From<ReviewEntry> for ReviewEntryOut {
    fn from(e: ReviewEntry) -> Self {
        ReviewEntryOut {
            id: e.id,
            at: e.at,
            reader_account_id: e.reader_account_id,
            reader_name: e.reader_name,
            reader_role: e.reader_role,
            channel: e.channel,
            action: e.action,
            person_id: e.person_id,
            person_name: e.person_name,
            municipality: e.municipality,
            detail: e.detail,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReviewPageOut {
    pub entries: Vec<ReviewEntryOut>,
    /// Pass as `before` for the next (older) page; null on the last page
    pub next: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UnusualOut {
    pub reader_account_id: i64,
    pub reader_name: Option<String>,
    /// YYYY-MM-DD (UTC)
    pub day: String,
    pub people: i64,
    /// The configured limit the count is over
    pub limit: i64,
}

fn filter(p: &ReviewParams) -> ApiResult<Filter> {
    let day = |field: &str, v: &Option<String>, add: i64| -> ApiResult<Option<i64>> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => navet_store::time::parse_date(v)
                .map(|d| Some(navet_store::time::day_start(d) + add * 86_400))
                .ok_or_else(|| ApiError::invalid(field, "Ange datumet som ÅÅÅÅ-MM-DD.")),
        }
    };
    Ok(Filter {
        person_id: p.person_id,
        reader_account_id: p.reader_account_id,
        municipality_id: p.municipality_id,
        from: day("from", &p.from, 0)?,
        to: day("to", &p.to, 1)?,
        reads_only: p.reads_only,
    })
}

/// Reads and changes of personal data, newest first, filtered.
#[utoipa::path(get, path = "/api/v1/access-review", tag = "audit", params(ReviewParams),
    responses((status = 200, body = ReviewPageOut), (status = 401), (status = 403),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn review(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(p): Query<ReviewParams>,
) -> ApiResult<Json<ReviewPageOut>> {
    let uc = UseCase::api(&s, &api)?;
    let f = filter(&p)?;
    let Page { entries, next } = uc
        .access_review(f, p.before, p.limit.unwrap_or(100))
        .await?;
    Ok(Json(ReviewPageOut {
        entries: entries.into_iter().map(Into::into).collect(),
        next,
    }))
}

/// Accounts that opened more different people's records in one day than
/// the configured limit (`NAVET_UNUSUAL_READS_PER_DAY`).
#[utoipa::path(get, path = "/api/v1/access-review/unusual", tag = "audit", params(ReviewParams),
    responses((status = 200, body = Vec<UnusualOut>), (status = 401), (status = 403),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn unusual(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(p): Query<ReviewParams>,
) -> ApiResult<Json<Vec<UnusualOut>>> {
    let uc = UseCase::api(&s, &api)?;
    let f = filter(&p)?;
    let limit = s.config.unusual_reads_per_day;
    let found: Vec<UnusualReading> = uc.unusual_reading(f, limit).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|u| UnusualOut {
                reader_account_id: u.reader_account_id,
                reader_name: u.reader_name,
                day: u.day,
                people: u.people,
                limit,
            })
            .collect(),
    ))
}
