//! The second step of a password sign-in: the code from an authenticator
//! app (TOTP) or a recovery code, and setting up the app the first time.
//! Who must give one is `domain::second_factor::after_password`; sign-ins
//! through a municipality's provider never come here.
//!
//! A right password for such an account starts no login session: it leaves
//! a sign-in waiting for its code (`store::second_factor`) under its own
//! short-lived cookie. While that cookie is there and nobody is signed in,
//! the session layer sends every page but these (and logging in or out)
//! back to `/login/tvastegs`. Codes are counted by the same attempt limit
//! as passwords (`store::login_throttle`, per account and per address).

use crate::rejection::Path;
use askama::Template;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::second_factor::{self as rules, Generator};
use navet_store::accounts::Account;
use navet_store::second_factor::PENDING_MAX_SECS;
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::second_step::{CodeRefused, Step};
use crate::usecase::sign_in::SignIn;
use crate::usecase::UseCase;
use crate::{render, AppError, AppState, PageResult};

/// Where the second step lives.
pub const STEP_PATH: &str = "/login/tvastegs";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(STEP_PATH, get(step_page).post(step_submit))
        .route("/login/tvastegs/avbryt", post(cancel))
        .route("/admin/konton/{id}/tvastegs", post(reset))
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-navet_2fa"
    } else {
        "navet_2fa"
    }
}

/// While a sign-in waits for its code, may this path be shown? Only the
/// step itself, logging in or out, the language switch and static files.
pub fn allowed_while_waiting(path: &str) -> bool {
    path == "/login"
        || path.starts_with("/login/")
        || path == "/logout"
        || path == "/sprak"
        || path == "/healthz"
        || path.starts_with("/static/")
}

fn set_cookie(resp: &mut Response, ck: &cookie::Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&ck.to_string()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn expired_cookie(name: &str, secure: bool) -> cookie::Cookie<'_> {
    let mut ck = crate::session_layer::cookie(name, String::new(), secure);
    ck.set_max_age(cookie::time::Duration::ZERO);
    ck
}

/// The waiting sign-in's cookie is dropped from the browser.
pub fn forget_cookie(s: &AppState, resp: &mut Response) {
    set_cookie(
        resp,
        &expired_cookie(
            cookie_name(s.config.secure_cookies),
            s.config.secure_cookies,
        ),
    );
}

/// After a right password, when the account must give a code (or set up
/// the app first): on to the second step, with the waiting sign-in's
/// cookie.
pub fn to_second_step(s: &AppState, flow_secret: String) -> Response {
    let mut resp = Redirect::to(STEP_PATH).into_response();
    let mut ck = crate::session_layer::cookie(
        cookie_name(s.config.secure_cookies),
        flow_secret,
        s.config.secure_cookies,
    );
    ck.set_max_age(cookie::time::Duration::seconds(PENDING_MAX_SECS));
    set_cookie(&mut resp, &ck);
    // A stale login session cookie would make the code form look like a
    // form sent after the session ran out.
    set_cookie(
        &mut resp,
        &expired_cookie(s.config.session_cookie(), s.config.secure_cookies),
    );
    resp
}

#[derive(Template)]
#[template(path = "second_factor/code.html")]
struct CodePage {
    c: Ctx,
    error: String,
}

#[derive(Template)]
#[template(path = "second_factor/enrol.html")]
struct EnrolPage {
    c: Ctx,
    /// Inline SVG of the `otpauth://` address.
    qr_svg: String,
    /// The secret in groups of four, for typing into the app.
    secret: String,
    account: String,
    error: String,
}

#[derive(Template)]
#[template(path = "second_factor/done.html")]
struct DonePage {
    c: Ctx,
    /// Recovery codes shown once, right after setting up.
    codes: Vec<String>,
    /// A recovery code was used: how many are left.
    recovery_left: Option<i64>,
    next: String,
}

/// The secret of the sign-in waiting in this browser, from its cookie.
fn flow_secret(s: &AppState, headers: &HeaderMap) -> Option<String> {
    axum_extra::extract::CookieJar::from_headers(headers)
        .get(cookie_name(s.config.secure_cookies))
        .map(|k| k.value().to_string())
}

/// Back to the login form, saying the sign-in must start over.
fn start_over(s: &AppState) -> Response {
    let mut resp = Redirect::to("/login?tvastegs=slut").into_response();
    forget_cookie(s, &mut resp);
    resp
}

fn qr_svg(data: &str, title: &str) -> Result<String, AppError> {
    let qr = qrcode::QrCode::new(data.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let n = qr.width();
    let quiet = 4;
    let size = n + 2 * quiet;
    let mut path = String::new();
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            path.push_str(&format!("M{} {}h1v1h-1z", i % n + quiet, i / n + quiet));
        }
    }
    let title = askama::filters::escape(title, askama::filters::Html)
        .map(|t| t.to_string())
        .unwrap_or_default();
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"220\" height=\"220\" role=\"img\" aria-labelledby=\"qr-title\" shape-rendering=\"crispEdges\"><title id=\"qr-title\">{title}</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

fn enrol_page(c: Ctx, account: &Account, secret: &str, error: String) -> PageResult {
    let g = Generator::new(secret, &account.email).map_err(AppError::Internal)?;
    let qr_svg = qr_svg(&g.url(), c.t("second_factor.qr_title"))?;
    let has_error = !error.is_empty();
    let mut r = render(EnrolPage {
        qr_svg,
        secret: rules::grouped(secret),
        account: account.email.clone(),
        error,
        c,
    })?;
    if has_error {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

fn code_page(c: Ctx, error: String, status: StatusCode) -> PageResult {
    let mut r = render(CodePage { c, error })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn step_page(State(s): State<AppState>, c: Ctx, headers: HeaderMap) -> PageResult {
    if c.is_logged_in() {
        return Ok(Redirect::to("/").into_response());
    }
    let flow = flow_secret(&s, &headers);
    let Some(w) = SignIn::new(&s, &c.client_ip)
        .waiting(flow.as_deref())
        .await?
    else {
        return Ok(start_over(&s));
    };
    match &w.pending.enrol_secret {
        Some(secret) => enrol_page(c, &w.account, secret, String::new()),
        None => code_page(c, String::new(), StatusCode::OK),
    }
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn step_submit(
    State(s): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let flow = flow_secret(&s, &headers);
    let step = SignIn::new(&s, &c.client_ip)
        .second_step(flow.as_deref(), &f.code)
        .await?;
    let (w, why) = match step {
        Step::StartOver => return Ok(start_over(&s)),
        Step::SignedIn {
            session_secret,
            codes,
            recovery_left,
            next,
        } => return signed_in(&s, c, session_secret, codes, recovery_left, &next),
        Step::Again { waiting, why } => (waiting, why),
    };
    let show_error = |c: Ctx, msg: String, status: StatusCode| match &w.pending.enrol_secret {
        Some(secret) => enrol_page(c, &w.account, secret, msg),
        None => code_page(c, msg, status),
    };
    match why {
        CodeRefused::RateLimited(limit) => {
            let msg = crate::pages::auth::wait_message(&c, limit.until);
            let mut r = show_error(c, msg, StatusCode::TOO_MANY_REQUESTS)?;
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            if let Ok(v) = HeaderValue::from_str(&limit.retry_after.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        CodeRefused::WrongEnrolCode => show_error(
            c.clone(),
            c.t("second_factor.wrong_enrol").into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        CodeRefused::Replayed => show_error(
            c.clone(),
            c.t("second_factor.replayed").into(),
            StatusCode::UNAUTHORIZED,
        ),
        CodeRefused::Wrong => show_error(
            c.clone(),
            c.t("second_factor.wrong").into(),
            StatusCode::UNAUTHORIZED,
        ),
    }
}

/// The code was right: the session cookie set, the waiting sign-in's
/// cookie dropped. After setting up (or using a recovery code) a page
/// says what to keep; otherwise on to where the person was going.
fn signed_in(
    s: &AppState,
    c: Ctx,
    session_secret: String,
    codes: Vec<String>,
    recovery_left: Option<i64>,
    next: &str,
) -> PageResult {
    let mut resp = if codes.is_empty() && recovery_left.is_none() {
        Redirect::to(next).into_response()
    } else {
        render(DonePage {
            c,
            codes,
            recovery_left,
            next: next.to_string(),
        })?
    };
    let ck = crate::session_layer::cookie(
        s.config.session_cookie(),
        session_secret,
        s.config.secure_cookies,
    );
    set_cookie(&mut resp, &ck);
    forget_cookie(s, &mut resp);
    Ok(resp)
}

async fn cancel(State(s): State<AppState>, c: Ctx, headers: HeaderMap) -> PageResult {
    let flow = flow_secret(&s, &headers);
    SignIn::new(&s, &c.client_ip)
        .cancel_second_step(flow.as_deref())
        .await?;
    let mut resp = Redirect::to("/login").into_response();
    forget_cookie(&s, &mut resp);
    Ok(resp)
}

// An administrator's reset ---------------------------------------------------------

/// Remove another account's second factor (a lost phone): it is set up
/// again at the next sign-in. Audited; the account's sessions end.
async fn reset(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let had = UseCase::page(&s, &c)?.reset_second_factor(id).await?;
    let text = if had {
        c.t("second_factor.reset_done")
    } else {
        c.t("second_factor.reset_none")
    };
    crate::flash::redirect(
        &s,
        &c,
        crate::flash::Kind::Notice,
        text,
        &format!("/admin/konton/{id}"),
    )
    .await
}
