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
use domain::access::Action;
use domain::login_limits::{PER_ACCOUNT, PER_ADDRESS};
use domain::second_factor::{self as rules, AfterPassword, Generator, Input, Verdict};
use navet_store::accounts::{self, Account};
use navet_store::login_throttle;
use navet_store::second_factor::{self as store, Outcome, PendingLogin, Proof};
use serde::Deserialize;

use crate::ctx::Ctx;
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

/// After a right password: the response that continues the sign-in when
/// the account must give a code (or set up the app first), or `None` when
/// the password was enough.
pub async fn after_password(
    s: &AppState,
    account: &Account,
    next: &str,
    end_others: bool,
) -> Result<Option<Response>, AppError> {
    let enrolled = store::factor(&s.db, account.id).await?.is_some();
    let enrol_secret = match rules::after_password(account.role(), enrolled) {
        AfterPassword::SignedIn => return Ok(None),
        AfterPassword::Code => None,
        AfterPassword::Enrol => Some(store::new_secret()),
    };
    let secret = store::begin(
        &s.db,
        &PendingLogin {
            account_id: account.id,
            enrol_secret,
            next: next.to_string(),
            end_others,
            created_at: navet_store::time::now(),
        },
    )
    .await?;
    let mut resp = Redirect::to(STEP_PATH).into_response();
    let mut ck = crate::session_layer::cookie(
        cookie_name(s.config.secure_cookies),
        secret,
        s.config.secure_cookies,
    );
    ck.set_max_age(cookie::time::Duration::seconds(store::PENDING_MAX_SECS));
    set_cookie(&mut resp, &ck);
    // A stale login session cookie would make the code form look like a
    // form sent after the session ran out.
    set_cookie(
        &mut resp,
        &expired_cookie(s.config.session_cookie(), s.config.secure_cookies),
    );
    Ok(Some(resp))
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

/// The waiting sign-in of this browser, if any (and its account, which
/// must still be allowed to sign in).
async fn waiting(
    s: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, PendingLogin, Account)>, AppError> {
    let name = cookie_name(s.config.secure_cookies);
    let Some(secret) = axum_extra::extract::CookieJar::from_headers(headers)
        .get(name)
        .map(|k| k.value().to_string())
    else {
        return Ok(None);
    };
    let Some(p) = store::pending(&s.db, &secret, navet_store::time::now()).await? else {
        return Ok(None);
    };
    let account = accounts::get(&s.db, p.account_id).await?;
    if !account.may_sign_in() {
        store::cancel(&s.db, &secret).await?;
        return Ok(None);
    }
    Ok(Some((secret, p, account)))
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
    let Some((_, p, account)) = waiting(&s, &headers).await? else {
        return Ok(start_over(&s));
    };
    match &p.enrol_secret {
        Some(secret) => enrol_page(c, &account, secret, String::new()),
        None => code_page(c, String::new(), StatusCode::OK),
    }
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// The rate-limit keys of a code attempt.
fn throttle_keys(account_id: i64, ip: &str) -> (String, String) {
    (format!("second_factor:{account_id}"), format!("ip:{ip}"))
}

async fn step_submit(
    State(s): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let Some((flow, p, account)) = waiting(&s, &headers).await? else {
        return Ok(start_over(&s));
    };
    let (account_key, ip_key) = throttle_keys(account.id, &c.client_ip);
    let now = navet_store::time::now();
    let show_error = |c: Ctx, msg: String, status: StatusCode| match &p.enrol_secret {
        Some(secret) => enrol_page(c, &account, secret, msg),
        None => code_page(c, msg, status),
    };
    if let Err(until) = login_throttle::begin_login_attempt(
        &s.db,
        &[(&account_key, PER_ACCOUNT), (&ip_key, PER_ADDRESS)],
        now,
    )
    .await?
    {
        store::record_failure(&s.db, account.id, "rate_limited_code").await?;
        let msg = crate::pages::auth::wait_message(&c, until);
        let mut r = show_error(c, msg, StatusCode::TOO_MANY_REQUESTS)?;
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(v) = HeaderValue::from_str(&(until - now).max(1).to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(r);
    }
    let input = rules::read_input(&f.code);
    let outcome = if let Some(secret) = &p.enrol_secret {
        // Setting up: only a code from the app confirms it.
        let g = Generator::new(secret, &account.email).map_err(AppError::Internal)?;
        let verdict = match &input {
            Input::Code(code) => rules::check(&g, code, now, 0),
            _ => Verdict::Wrong,
        };
        let Verdict::Accepted(step) = verdict else {
            store::record_failure(&s.db, account.id, "wrong_code").await?;
            return show_error(
                c.clone(),
                c.t("second_factor.wrong_enrol").into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        };
        let codes = store::new_recovery_codes();
        match store::enrol(&s.db, &flow, account.id, secret, step, &codes).await? {
            Outcome::SignedIn { session_secret, .. } => {
                return signed_in(
                    &s,
                    c,
                    &account_key,
                    &ip_key,
                    session_secret,
                    codes,
                    None,
                    &p.next,
                )
                .await
            }
            other => other,
        }
    } else {
        let Some(factor) = store::factor(&s.db, account.id).await? else {
            // Reset by an administrator meanwhile.
            store::cancel(&s.db, &flow).await?;
            return Ok(start_over(&s));
        };
        let g = Generator::new(&factor.secret, &account.email).map_err(AppError::Internal)?;
        let proof = match &input {
            Input::Code(code) => match rules::check(&g, code, now, factor.last_step) {
                Verdict::Accepted(step) => Ok(Proof::Step(step)),
                Verdict::Replayed => Err(Outcome::Replayed),
                // Refused like an unknown recovery code; the audit reason
                // below tells them apart by what was typed.
                Verdict::Wrong => Err(Outcome::UnknownRecoveryCode),
            },
            Input::Recovery(code) => Ok(Proof::Recovery(code.clone())),
            Input::Malformed => Err(Outcome::UnknownRecoveryCode),
        };
        match proof {
            Ok(proof) => store::complete(&s.db, &flow, account.id, &proof, p.end_others).await?,
            Err(o) => o,
        }
    };
    match outcome {
        Outcome::SignedIn {
            session_secret,
            recovery_left,
        } => {
            signed_in(
                &s,
                c,
                &account_key,
                &ip_key,
                session_secret,
                vec![],
                recovery_left,
                &p.next,
            )
            .await
        }
        Outcome::Replayed => {
            store::record_failure(&s.db, account.id, "replayed_code").await?;
            show_error(
                c.clone(),
                c.t("second_factor.replayed").into(),
                StatusCode::UNAUTHORIZED,
            )
        }
        Outcome::UnknownRecoveryCode => {
            let reason = match input {
                Input::Recovery(_) => "wrong_recovery_code",
                _ => "wrong_code",
            };
            store::record_failure(&s.db, account.id, reason).await?;
            show_error(
                c.clone(),
                c.t("second_factor.wrong").into(),
                StatusCode::UNAUTHORIZED,
            )
        }
        Outcome::Expired | Outcome::AlreadyEnrolled => {
            store::record_failure(&s.db, account.id, "second_factor_expired").await?;
            Ok(start_over(&s))
        }
    }
}

/// The code was right: the attempt is taken back from the limits, the
/// session cookie set, the waiting sign-in's cookie dropped. After setting
/// up (or using a recovery code) a page says what to keep; otherwise on
/// to where the person was going.
#[allow(clippy::too_many_arguments)]
async fn signed_in(
    s: &AppState,
    c: Ctx,
    account_key: &str,
    ip_key: &str,
    session_secret: String,
    codes: Vec<String>,
    recovery_left: Option<i64>,
    next: &str,
) -> PageResult {
    login_throttle::login_succeeded(&s.db, account_key, &[(ip_key, PER_ADDRESS)]).await?;
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

async fn cancel(State(s): State<AppState>, headers: HeaderMap) -> PageResult {
    if let Some(secret) = axum_extra::extract::CookieJar::from_headers(&headers)
        .get(cookie_name(s.config.secure_cookies))
        .map(|k| k.value().to_string())
    {
        store::cancel(&s.db, &secret).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    forget_cookie(&s, &mut resp);
    Ok(resp)
}

// An administrator's reset ---------------------------------------------------------

/// Remove another account's second factor (a lost phone): it is set up
/// again at the next sign-in. Audited; the account's sessions end.
async fn reset(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let user = c.require(Action::ManageAccounts)?.clone();
    let target = accounts::get(&s.db, id).await?;
    let had = store::reset(&s.db, &user.who(), target.id).await?;
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
