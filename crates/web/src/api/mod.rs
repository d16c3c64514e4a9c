//! The JSON API (v1). Bearer tokens authenticate; `ApiCtx::require` asks
//! `domain::access::decide`.
//!
//! Each route is registered once, with its handler and its OpenAPI entry
//! together: every module's `router()` is a utoipa-axum `OpenApiRouter`
//! whose `routes!(handler, …)` take the method and path from the
//! handler's `#[utoipa::path]`. The module's `Doc` adds only schemas, tags
//! and security. `parts()` splits the merged router into the axum router
//! and the document served at `/api/v1/openapi.json`, so a route cannot be
//! served without being documented, nor documented without being served.

pub mod access_review;
pub mod attendance;
pub mod attestation;
pub mod bookings;
pub mod cofinancing;
pub mod costs;
pub mod courses;
pub mod cover;
pub mod erasure;
pub mod funding_sources;
pub mod gaps;
pub mod invitations;
pub mod org;
pub mod people;
pub mod planning;
pub mod planning_term;
pub mod register_extract;
pub mod reports;
pub mod requirements;
pub mod sessions;
pub mod tokens;
pub mod tracks;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use domain::access::{decide, Action, Actor, Decision};
use navet_store::audit::Who;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Every API route with its documentation.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(BaseDoc::openapi())
        .merge(org::router())
        .merge(courses::router())
        .merge(people::router())
        .merge(erasure::router())
        .merge(attendance::router())
        .merge(attestation::router())
        .merge(reports::router())
        .merge(sessions::router())
        .merge(bookings::router())
        .merge(costs::router())
        .merge(cofinancing::router())
        .merge(funding_sources::router())
        .merge(requirements::router())
        .merge(gaps::router())
        .merge(tracks::router())
        .merge(cover::router())
        .merge(planning::router())
        .merge(planning_term::router())
        .merge(tokens::router())
        .merge(invitations::router())
        .merge(register_extract::router())
        .merge(access_review::router())
}

/// The API's axum router and its OpenAPI document, from the same
/// registrations.
pub fn parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = documented().split_for_parts();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    (router, doc)
}

/// The API routes, and the document at `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (router, doc) = parts();
    let doc = std::sync::Arc::new(doc);
    router.route(
        OPENAPI_PATH,
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
}

/// Where the document is served (the one API path not in it).
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

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
    parts().1
}

#[derive(Debug, Clone)]
pub struct ApiUser {
    pub account_id: i64,
    pub token_id: i64,
    /// The token may only read (GET, HEAD).
    pub read_only: bool,
    pub actor: Actor,
}

impl ApiUser {
    pub fn who(&self) -> Who {
        // The account id says who; no name or e-mail in the log.
        Who {
            account_id: Some(self.account_id),
            label: "API".into(),
        }
    }
}

/// What the `Authorization` header of a request came to. The session layer
/// works it out once per API request (see `session_layer`) and leaves it in
/// the request's extensions for [`ApiCtx`].
#[derive(Debug, Clone)]
pub enum Bearer {
    /// No `Authorization` header.
    Absent,
    /// A header that is not a usable token (malformed, unknown, revoked,
    /// expired, or its account deactivated).
    Invalid {
        malformed: bool,
    },
    User(ApiUser),
}

/// Authenticate a request's bearer token.
pub async fn bearer(state: &AppState, headers: &axum::http::HeaderMap) -> ApiResult<Bearer> {
    let Some(h) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(Bearer::Absent);
    };
    let Some(token) = h
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
    else {
        return Ok(Bearer::Invalid { malformed: true });
    };
    let Some(auth) = navet_store::accounts::authenticate_token(&state.db, token).await? else {
        return Ok(Bearer::Invalid { malformed: false });
    };
    let actor = navet_store::accounts::actor(&state.db, &auth.account).await?;
    Ok(Bearer::User(ApiUser {
        account_id: auth.account.id,
        token_id: auth.token_id,
        read_only: auth.read_only,
        actor,
    }))
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
        let b = match parts.extensions.get::<Bearer>() {
            Some(b) => b.clone(),
            None => bearer(state, &parts.headers).await?,
        };
        match b {
            Bearer::Absent => Ok(ApiCtx { user: None }),
            Bearer::Invalid { malformed: true } => Err(ApiError::unauthorized()),
            Bearer::Invalid { malformed: false } => Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "Ogiltig, utgången eller återkallad token.",
                None,
            )),
            Bearer::User(u) => Ok(ApiCtx { user: Some(u) }),
        }
    }
}

/// Parse a JSON body ourselves so malformed JSON gets our error shape: a
/// Swedish sentence naming the field (never repeating the value), or the
/// line and column where the JSON itself is broken.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    let broken = |inner: &serde_json::Error| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            format!(
                "Ogiltig JSON på rad {}, kolumn {}.",
                inner.line(),
                inner.column()
            ),
            None,
        )
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return broken(inner);
        }
        let (message, field) = {
            let p = crate::rejection::describe(&e.path().to_string(), &inner.to_string());
            let field = (!p.field.is_empty()).then_some(p.field);
            (p.message, field)
        };
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            message,
            field.as_deref(),
        )
    })?;
    de.end().map_err(|e| broken(&e))?;
    Ok(value)
}
