//! API tokens over the API: list them and revoke them. An account sees and
//! revokes its own; an administrator anyone's. Secrets are never shown
//! again after creation (only their hashes are stored).

use crate::rejection::api::{Path, Query};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use navet_store::accounts::TokenInfo;
use navet_store::StoreError;
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
    components(schemas(TokenOut)),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_tokens))
        .routes(routes!(revoke_token))
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    /// The owning account
    pub account_id: i64,
    pub name: String,
    /// RFC 3339, Europe/Stockholm
    pub created_at: String,
    /// RFC 3339; null: never expires
    pub expires_at: Option<String>,
    /// RFC 3339, to the minute; null: never used
    pub last_used_at: Option<String>,
    pub read_only: bool,
    /// `active`, `expired` or `revoked`
    pub state: String,
    pub revoked_at: Option<String>,
}

fn ts(t: i64) -> String {
    crate::format::stockholm(t).to_rfc3339()
}

impl TokenOut {
    fn from(t: TokenInfo, now: i64) -> TokenOut {
        TokenOut {
            state: t.state(now).into(),
            id: t.id,
            account_id: t.account_id,
            name: t.name,
            created_at: ts(t.created_at),
            expires_at: t.expires_at.map(ts),
            last_used_at: t.last_used_at.map(ts),
            read_only: t.read_only != 0,
            revoked_at: t.revoked_at.map(ts),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Administrators: only this account's tokens (default: everyone's)
    pub account_id: Option<i64>,
}

/// The caller's own tokens, newest first; for an administrator everyone's
/// (or one account's with `account_id`).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(ListQuery),
    responses((status = 200, body = [TokenOut]), (status = 401, body = crate::error::ApiErrorBody)))]
pub async fn list_tokens(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<TokenOut>>> {
    let now = navet_store::time::now();
    Ok(Json(
        UseCase::api(&s, &api)?
            .tokens_of(q.account_id)
            .await?
            .into_iter()
            .map(|t| TokenOut::from(t, now))
            .collect(),
    ))
}

/// Revoke a token: it stops working at once (401 on its next use). Own
/// tokens; an administrator any. Someone else's token is answered 404.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = crate::error::ApiErrorBody),
              (status = 403, body = crate::error::ApiErrorBody, description = "read-only token"),
              (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    match UseCase::api(&s, &api)?.revoke_token(id).await {
        Ok(()) => {}
        // Someone else's token is as good as unknown.
        Err(StoreError::Forbidden(_)) => return Err(ApiError::not_found("API-nyckeln")),
        Err(e) => return Err(e.into()),
    }
    Ok(StatusCode::NO_CONTENT)
}
