//! Navet's HTTP tier: server-rendered pages (Swedish first) and the JSON API.
//!
//! Each feature is a module under `pages/` (HTML) and `api/` (JSON) with its
//! own `router()`; `app()` merges them. Authentication and CSRF happen in
//! `session_layer` (pages) and `api::ApiCtx` (bearer tokens); authorisation
//! is decided by `domain::access::decide` through `Ctx::require` and
//! `ApiCtx::require`.

pub mod api;
pub mod attestation_pdf;
pub mod config;
pub mod ctx;
pub mod error;
pub mod esf_file;
pub mod flash;
pub mod format;
pub mod i18n;
pub mod imports;
pub mod notify;
pub mod oidc;
pub mod pages;
pub mod password;
pub mod pdf;
pub mod register_extract_file;
pub mod rejection;
pub mod report_files;
pub mod request_log;
pub mod session_layer;
pub mod targets_pdf;
pub mod usecase;

use std::sync::Arc;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use navet_store::Db;
use tower_http::catch_panic::CatchPanicLayer;

pub use config::Config;
pub use ctx::Ctx;
pub use error::{ApiError, ApiResult, AppError, PageResult};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Booking decisions, committed in groups (see `navet_store::bookings::Queue`).
    pub bookings: navet_store::bookings::Queue,
    /// The OpenID providers and their cached discovery documents.
    pub oidc: Arc<oidc::Registry>,
}

impl AppState {
    /// Needs a running Tokio runtime (it starts the booking writers).
    /// Notices written through this state link to the config's public
    /// URL and are sent from its address (`Config::notice_sender`).
    pub fn new(db: Db, config: Config) -> Self {
        let db = db.with_sender(config.notice_sender());
        AppState {
            bookings: navet_store::bookings::Queue::start(db.clone()),
            oidc: Arc::new(oidc::Registry::new(config.oidc.clone())),
            db,
            config: Arc::new(config),
        }
    }
}

/// Render an askama template as an HTML response.
pub fn render<T: Template>(t: T) -> PageResult {
    Ok(Html(t.render()?).into_response())
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let max_body = 25 * 1024 * 1024;
    Router::new()
        .merge(pages::router())
        .merge(api::router().layer(CatchPanicLayer::custom(error::api_panic)))
        // Unknown addresses: the 404 page in the layout (JSON under /api/).
        .fallback(error::fallback)
        // A known address with the wrong method: a page, not an empty 405.
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session_layer::layer,
        ))
        // A panicking handler answers 500 (JSON under /api, a page
        // elsewhere); the server goes on serving.
        .layer(CatchPanicLayer::custom(error::page_panic))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        // Method and path only, secrets masked (see request_log).
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_log::span))
        .with_state(state)
}

/// Used by handlers that answer a form post with "see this page".
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}
