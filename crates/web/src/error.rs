//! Errors for pages (a Swedish page with the right status) and for the JSON
//! API (`{"error": …, "field": …}`).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use navet_store::StoreError;
use serde::Serialize;

/// A page-level failure. Field errors in forms are not errors: the handler
/// re-renders the form with messages next to the fields.
#[derive(Debug)]
pub enum AppError {
    /// Not logged in: go to the login page and come back to `next`.
    Login {
        next: String,
    },
    Forbidden(String),
    NotFound,
    /// The address exists, but not for this method (GET on a form's target).
    MethodNotAllowed,
    BadRequest(String),
    Conflict(String),
    Internal(String),
}

impl AppError {
    pub fn forbidden(reason: &str) -> Self {
        AppError::Forbidden(reason.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Forbidden(m) => AppError::Forbidden(m),
            StoreError::Invalid(f) => AppError::BadRequest(f.to_string()),
            StoreError::Conflict { message, .. } => AppError::Conflict(message),
            other => {
                tracing::error!("store error: {other}");
                AppError::Internal(other.to_string())
            }
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("mall: {e}"))
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What an error page says, left on the response by [`AppError`] so the
/// session layer (which knows who is signed in and their language) can
/// show it inside the normal layout with navigation; see [`with_layout`].
#[derive(Debug, Clone)]
pub struct ErrorPage {
    /// Locale key of the heading.
    pub title_key: &'static str,
    /// The message: a locale key (for fixed texts) or the handler's text.
    pub text: ErrorText,
    /// Offer the ways on (start page, catalogue, search) of a 404.
    pub not_found: bool,
}

#[derive(Debug, Clone)]
pub enum ErrorText {
    Key(&'static str),
    Text(String),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title_key, text) = match self {
            AppError::Login { next } => {
                return Redirect::to(&format!("/login?next={}", urlencoding::encode(&next)))
                    .into_response()
            }
            AppError::Forbidden(m) => (
                StatusCode::FORBIDDEN,
                "errors.forbidden",
                ErrorText::Text(m),
            ),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "errors.not_found",
                ErrorText::Key("errors.not_found_text"),
            ),
            AppError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "errors.method_not_allowed",
                ErrorText::Key("errors.method_not_allowed_text"),
            ),
            AppError::BadRequest(m) => (
                StatusCode::BAD_REQUEST,
                "errors.bad_request",
                ErrorText::Text(m),
            ),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "errors.conflict", ErrorText::Text(m)),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "errors.internal",
                ErrorText::Key("errors.internal_text"),
            ),
        };
        let page = ErrorPage {
            title_key,
            text,
            not_found: status == StatusCode::NOT_FOUND,
        };
        // A minimal self-contained page, for when the layout cannot be
        // rendered (no request context, or a failing template).
        let lang = crate::i18n::Lang::Sv;
        let message = match &page.text {
            ErrorText::Key(k) => crate::i18n::t(lang, k).to_string(),
            ErrorText::Text(t) => t.clone(),
        };
        let body = format!(
            "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{t} – Navet</title><link rel=\"stylesheet\" href=\"/static/navet.css\"></head><body><main id=\"main\" class=\"narrow\">\
             <h1>{t}</h1><p>{m}</p><p><a href=\"/\">Till startsidan</a></p><p class=\"small\"><a href=\"/tillganglighet\">Tillgänglighetsredogörelse</a></p></main></body></html>",
            t = escape(crate::i18n::t(lang, title_key)),
            m = escape(&message)
        );
        let mut resp = (status, Html(body)).into_response();
        resp.extensions_mut().insert(page);
        resp
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorLayoutPage<'a> {
    c: &'a crate::Ctx,
    title: &'a str,
    text: &'a str,
    not_found: bool,
}

/// An error response from a page handler, shown in the normal layout
/// (navigation, sign-in state, language) for the request's `ctx`. Any
/// other response passes through unchanged.
pub fn with_layout(resp: Response, ctx: &crate::Ctx) -> Response {
    let Some(page) = resp.extensions().get::<ErrorPage>().cloned() else {
        return resp;
    };
    let text = match &page.text {
        ErrorText::Key(k) => ctx.t(k).to_string(),
        ErrorText::Text(t) => t.clone(),
    };
    let html = askama::Template::render(&ErrorLayoutPage {
        c: ctx,
        title: ctx.t(page.title_key),
        text: &text,
        not_found: page.not_found,
    });
    match html {
        Ok(html) => {
            let (mut parts, _) = resp.into_parts();
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            Response::from_parts(parts, axum::body::Body::from(html))
        }
        Err(e) => {
            tracing::error!("error page template: {e}");
            resp
        }
    }
}

/// The answer to an address no route knows: the 404 page, or JSON under
/// `/api/`.
pub async fn fallback(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Det finns ingen sådan adress i API:t; se /api/v1/openapi.json.",
            None,
        )
        .into_response()
    } else {
        AppError::NotFound.into_response()
    }
}

/// The answer to a known address asked with a method it does not take
/// (e.g. GET /logout): a page saying so, or JSON under `/api/`. The router
/// adds the `Allow` header.
pub async fn method_not_allowed(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Adressen finns, men inte för den här metoden; se /api/v1/openapi.json.",
            None,
        )
        .into_response()
    } else {
        AppError::MethodNotAllowed.into_response()
    }
}

pub type PageResult<T = Response> = Result<T, AppError>;

/// An API failure as JSON.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ApiErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>, field: Option<&str>) -> Self {
        ApiError {
            status,
            body: ApiErrorBody {
                error: error.into(),
                field: field.map(str::to_string),
            },
        }
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Inloggning krävs: skicka Authorization: Bearer TOKEN.",
            None,
        )
    }
    pub fn forbidden(reason: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, reason, None)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} finns inte."), None)
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message, Some(field))
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message, None)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Forbidden(m) => ApiError::forbidden(&m),
            StoreError::Invalid(f) => {
                let first = f.first().cloned();
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    f.to_string(),
                    first.as_ref().map(|e| e.field.as_str()),
                )
            }
            StoreError::Conflict { field, message } => {
                ApiError::new(StatusCode::CONFLICT, message, field.as_deref())
            }
            other => {
                tracing::error!("store error: {other}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internt fel; inget har ändrats.",
                    None,
                )
            }
        }
    }
}

impl From<domain::FieldErrors> for ApiError {
    fn from(f: domain::FieldErrors) -> Self {
        StoreError::Invalid(f).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

fn panic_message(p: &(dyn std::any::Any + Send)) -> &str {
    p.downcast_ref::<&str>()
        .copied()
        .or_else(|| p.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// The answer to a page request whose handler panicked.
pub fn page_panic(p: Box<dyn std::any::Any + Send>) -> Response {
    tracing::error!("page handler panicked: {}", panic_message(&*p));
    AppError::Internal("panic".into()).into_response()
}

/// The answer to an API request whose handler panicked.
pub fn api_panic(p: Box<dyn std::any::Any + Send>) -> Response {
    tracing::error!("API handler panicked: {}", panic_message(&*p));
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internt fel; försök igen.",
        None,
    )
    .into_response()
}
