//! Municipalities.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::usecase::Guest;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(components(schemas(MunicipalityOut)))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi()).routes(routes!(list_municipalities))
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityOut {
    pub id: i64,
    pub name: String,
    pub official_name: String,
    pub employees: Option<i64>,
}

/// The county's municipalities, in Swedish order.
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "organisation",
    responses((status = 200, body = [MunicipalityOut])))]
pub async fn list_municipalities(
    State(s): State<AppState>,
) -> ApiResult<Json<Vec<MunicipalityOut>>> {
    Ok(Json(
        Guest::anonymous(&s)
            .municipalities()
            .await?
            .into_iter()
            .map(|m| MunicipalityOut {
                id: m.id,
                name: m.name,
                official_name: m.official_name,
                employees: m.employees,
            })
            .collect(),
    ))
}
