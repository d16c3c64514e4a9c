//! Inviting one person through the API (the staff list invites many).

use crate::rejection::api::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use navet_store::invitations::Outcome;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiCtx;
use crate::error::{ApiError, ApiResult};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(InvitationOut)),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi()).routes(routes!(invite_person))
}

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    pub person_id: i64,
    /// `link` (a link to choose a password, valid 7 days) or `provider`
    /// (told to sign in through their municipality's provider)
    pub sent: String,
    /// The provider's label when `sent` is `provider`
    pub provider: Option<String>,
}

/// Send a person an invitation (replacing an earlier one). Coordinators,
/// admins, and managers for people in their units. 409 when the person
/// cannot be invited (no e-mail address, marked as left, account disabled,
/// already signing in), with why.
#[utoipa::path(post, path = "/api/v1/people/{id}/invitation", tag = "people",
    responses((status = 201, body = InvitationOut), (status = 401), (status = 403),
              (status = 404, body = crate::error::ApiErrorBody), (status = 409, body = crate::error::ApiErrorBody)))]
pub async fn invite_person(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<InvitationOut>)> {
    let outcome = UseCase::api(&s, &api)?.invite_person(id).await?;
    let (sent, provider) = match outcome {
        Outcome::Link => ("link", None),
        Outcome::Provider(l) => ("provider", Some(l)),
        Outcome::NotInvitable(why) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("Personen kan inte bjudas in: {}.", why.label_sv()),
                Some("person"),
            ))
        }
    };
    Ok((
        StatusCode::CREATED,
        Json(InvitationOut {
            person_id: id,
            sent: sent.into(),
            provider,
        }),
    ))
}
