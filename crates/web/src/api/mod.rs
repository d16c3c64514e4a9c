//! The JSON API (v1). Bearer tokens authenticate; `ApiCtx::require` asks
//! `domain::access::decide`. Every module registers its OpenAPI paths in its
//! own `Doc`, merged into `/api/v1/openapi.json` here.

pub mod attendance;
pub mod bookings;
pub mod costs;
pub mod courses;
pub mod cover;
pub mod gaps;
pub mod org;
pub mod people;
pub mod reports;
pub mod requirements;
pub mod sessions;
pub mod tracks;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use domain::access::{decide, Action, Actor, Decision};
use navet_store::audit::Who;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(|| async { Json(openapi()) }))
        .merge(org::router())
        .merge(courses::router())
        .merge(people::router())
        .merge(attendance::router())
        .merge(reports::router())
        .merge(sessions::router())
        .merge(bookings::router())
        .merge(costs::router())
        .merge(requirements::router())
        .merge(gaps::router())
        .merge(tracks::router())
        .merge(cover::router())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Navet API",
        version = "1",
        description = "Kompetensutveckling för vård och omsorg. Fel: {\"error\", \"field\"}."
    ),
    components(schemas(crate::error::ApiErrorBody))
)]
struct BaseDoc;

/// The whole OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = BaseDoc::openapi();
    doc.merge(org::Doc::openapi());
    doc.merge(courses::Doc::openapi());
    doc.merge(people::Doc::openapi());
    doc.merge(attendance::Doc::openapi());
    doc.merge(reports::Doc::openapi());
    doc.merge(sessions::Doc::openapi());
    doc.merge(bookings::Doc::openapi());
    doc.merge(costs::Doc::openapi());
    doc.merge(requirements::Doc::openapi());
    doc.merge(gaps::Doc::openapi());
    doc.merge(tracks::Doc::openapi());
    doc.merge(cover::Doc::openapi());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    doc
}

#[derive(Debug, Clone)]
pub struct ApiUser {
    pub account_id: i64,
    pub label: String,
    pub actor: Actor,
}

impl ApiUser {
    pub fn who(&self) -> Who {
        Who {
            account_id: Some(self.account_id),
            label: format!("{} (API)", self.label),
        }
    }
}

/// Who is calling the API: nobody (no Authorization header) or a token's
/// account. A wrong token is refused with 401 at once.
#[derive(Debug, Clone)]
pub struct ApiCtx {
    pub user: Option<ApiUser>,
}

impl ApiCtx {
    pub fn require_login(&self) -> ApiResult<&ApiUser> {
        self.user.as_ref().ok_or_else(ApiError::unauthorized)
    }
    pub fn require(&self, action: Action<'_>) -> ApiResult<&ApiUser> {
        let u = self.require_login()?;
        match decide(&u.actor, action) {
            Decision::Allow => Ok(u),
            Decision::Deny(why) => Err(ApiError::forbidden(why)),
        }
    }
}

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(h) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            return Ok(ApiCtx { user: None });
        };
        let token = h
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        let account = navet_store::accounts::account_for_token(&state.db, token)
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "Ogiltig eller återkallad token.",
                    None,
                )
            })?;
        let actor = navet_store::accounts::actor(&state.db, &account).await?;
        Ok(ApiCtx {
            user: Some(ApiUser {
                account_id: account.id,
                label: format!("{} <{}>", account.display_name, account.email),
                actor,
            }),
        })
    }
}

/// Parse a JSON body ourselves so malformed JSON gets our error shape.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| {
        let msg = e.to_string();
        // serde names the field in "missing field `x`" / "unknown variant" messages.
        let field = msg.split('`').nth(1).map(str::to_string);
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            format!("Ogiltig JSON: {msg}"),
            field.as_deref(),
        )
    })
}
