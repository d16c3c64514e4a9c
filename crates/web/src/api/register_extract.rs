//! The register extract (GDPR article 15) through the API: the same zip as
//! the person's page gives.

use crate::rejection::api::Path;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiCtx;
use crate::error::ApiResult;
use crate::register_extract_file as file;
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(security(("bearer" = [])))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi()).routes(routes!(person_extract))
}

/// Everything Navet holds about a person, as a zip with
/// `registerutdrag.json` and `registerutdrag.pdf` (tagged, Swedish). The
/// person themself, their manager (own units) or a coordinator; the
/// request, a refusal and the delivery are written to the audit log.
#[utoipa::path(get, path = "/api/v1/people/{id}/extract", tag = "people",
    params(("id" = i64, Path, description = "The person's id")),
    responses((status = 200, description = "application/zip: registerutdrag.json and registerutdrag.pdf", content_type = "application/zip"),
              (status = 401), (status = 403, body = crate::error::ApiErrorBody),
              (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn person_extract(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let bytes = UseCase::api(&s, &api)?.register_extract(id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file::zip_name(id)),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
