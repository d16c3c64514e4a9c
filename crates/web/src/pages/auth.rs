//! Logging in and out, and changing one's own password. Attempts are
//! counted per account and per client address *before* the password is
//! checked (in the database, so several web instances share the count);
//! beyond a few failures each further attempt waits longer
//! (`domain::login_limits`).

use crate::rejection::{Form, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::login_limits::{PER_ACCOUNT, PER_ADDRESS};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::pages::{render_form, FormErrors};
use crate::usecase::sign_in::{PasswordChange, PasswordOutcome, SignIn};
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

/// Failed attempts allowed per account, and per address, before the wait.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = PER_ACCOUNT.free;
pub const MAX_FAILURES_PER_ADDRESS: i64 = PER_ADDRESS.free;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Ctx,
    email: String,
    next: String,
    error: String,
    notice: String,
    end_others: bool,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route(LOGGED_OUT_PATH, get(logged_out))
        .route("/session/keepalive", post(keepalive))
        .route("/konto/losenord", get(password_form).post(change_password))
}

/// Only local paths are allowed as "come back to" targets (see
/// `domain::redirect`); anything else goes to the start page.
pub fn safe_next(next: &str) -> String {
    domain::redirect::safe_next(next, "/")
}

#[derive(Deserialize)]
struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
    /// The second step ran out (or was cancelled): start over.
    #[serde(default)]
    tvastegs: Option<String>,
}

async fn login_form(c: Ctx, Query(q): Query<LoginQuery>) -> PageResult {
    if c.is_logged_in() {
        return Ok(Redirect::to(&safe_next(&q.next)).into_response());
    }
    let notice = if q.expired.is_some() {
        c.t("login.expired").to_string()
    } else if q.tvastegs.is_some() {
        c.t("second_factor.start_over").to_string()
    } else {
        String::new()
    };
    render(LoginPage {
        c,
        email: String::new(),
        next: safe_next(&q.next),
        error: String::new(),
        notice,
        end_others: false,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
    /// "Log out my other sessions".
    #[serde(default)]
    end_others: Option<String>,
}

/// "Wait N seconds (until HH:MM:SS)" in the page's language.
pub(crate) fn wait_message(c: &Ctx, until: i64) -> String {
    let secs = (until - navet_store::time::now()).max(1);
    let at = crate::format::stockholm(until)
        .format("%H:%M:%S")
        .to_string();
    c.t("login.rate_limited")
        .replace("{secs}", &secs.to_string())
        .replace("{time}", &at)
}

async fn login(State(s): State<AppState>, c: Ctx, Form(f): Form<LoginForm>) -> PageResult {
    let next = safe_next(&f.next);
    let end_others = f.end_others.is_some();
    let fail = |c: Ctx, msg: String, status: StatusCode| -> PageResult {
        let mut r = render(LoginPage {
            email: f.email.clone(),
            next: next.clone(),
            error: msg,
            notice: String::new(),
            end_others,
            c,
        })?;
        *r.status_mut() = status;
        Ok(r)
    };
    let outcome = SignIn::new(&s, &c.client_ip)
        .password(&f.email, f.password.clone(), &next, end_others)
        .await?;
    match outcome {
        PasswordOutcome::RateLimited(limit) => {
            let msg = wait_message(&c, limit.until);
            let mut r = fail(c, msg, StatusCode::TOO_MANY_REQUESTS)?;
            if let Ok(v) = HeaderValue::from_str(&limit.retry_after.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        PasswordOutcome::Refused => fail(
            c.clone(),
            c.t("login.failed").into(),
            StatusCode::UNAUTHORIZED,
        ),
        // Admins and coordinators give a code from their app first (or
        // set one up): no login session until then.
        PasswordOutcome::SecondStep { flow_secret } => {
            Ok(crate::pages::second_factor::to_second_step(&s, flow_secret))
        }
        PasswordOutcome::SignedIn { session_secret } => {
            let mut resp = Redirect::to(&next).into_response();
            let cookie = crate::session_layer::cookie(
                s.config.session_cookie(),
                session_secret,
                s.config.secure_cookies,
            );
            if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(resp)
        }
    }
}

#[derive(Template)]
#[template(path = "logged_out.html")]
struct LoggedOutPage {
    c: Ctx,
    /// The provider's end-session address, when the session came from one
    /// that publishes it.
    end_session_url: Option<String>,
    provider_label: String,
}

/// Where a provider sends the browser back after its own logout.
pub const LOGGED_OUT_PATH: &str = "/utloggad";

/// Log out: the Navet session ends. A session signed in through a
/// municipality's provider then goes on to the provider's end-session
/// endpoint (with the ID token as hint and `/utloggad` to come back to)
/// when its discovery document publishes one: through a page that
/// forwards at once, because a redirect straight from the form would
/// break the pages' `form-action 'self'` policy.
async fn logout(State(s): State<AppState>, c: Ctx, headers: axum::http::HeaderMap) -> PageResult {
    let back = format!(
        "{}{LOGGED_OUT_PATH}",
        s.config.public_url.trim_end_matches('/')
    );
    // A sign-in still waiting for its code is dropped too.
    let jar = axum_extra::extract::CookieJar::from_headers(&headers);
    let waiting = jar.get(crate::pages::second_factor::cookie_name(
        s.config.secure_cookies,
    ));
    let end_session = SignIn::new(&s, &c.client_ip)
        .sign_out(
            c.user.as_ref().map(|u| u.session_secret.as_str()),
            waiting.map(|k| k.value()),
            &back,
        )
        .await?;
    let mut resp = match end_session {
        Some(end) => {
            let mut c = c;
            c.user = None;
            render(LoggedOutPage {
                c,
                end_session_url: Some(end.url),
                provider_label: end.label,
            })?
        }
        None => Redirect::to("/").into_response(),
    };
    let mut cookie = crate::session_layer::cookie(
        s.config.session_cookie(),
        String::new(),
        s.config.secure_cookies,
    );
    cookie.set_max_age(cookie::time::Duration::ZERO);
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    crate::pages::second_factor::forget_cookie(&s, &mut resp);
    // The browser forgets what it kept of this site (cached pages,
    // cookies, stored form drafts): it may be a shared computer.
    resp.headers_mut().insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
    Ok(resp)
}

/// Back from the provider's logout (or any visit): "you are logged out".
async fn logged_out(c: Ctx) -> PageResult {
    if c.is_logged_in() {
        return Ok(Redirect::to("/").into_response());
    }
    render(LoggedOutPage {
        c,
        end_session_url: None,
        provider_label: String::new(),
    })
}

// Changing one's own password ---------------------------------------------------------

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Ctx,
    errors: FormErrors,
    done: bool,
}

#[derive(Deserialize)]
struct DoneQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn password_form(c: Ctx, Query(q): Query<DoneQuery>) -> PageResult {
    c.require_login()?;
    render(PasswordPage {
        c,
        errors: FormErrors::default(),
        done: q.ok.is_some(),
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

/// Current password, then the new one twice. The current password is
/// checked under the same attempt limit as signing in (a session left open
/// must not become a way to guess it). On success the account's other
/// sessions end and the change is written to the audit log.
async fn change_password(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    let session = c.require_login()?.session_secret.clone();
    let changed = UseCase::page(&s, &c)?
        .change_own_password(&session, f.current, f.new, &f.repeat)
        .await?;
    let limited = matches!(changed, PasswordChange::RateLimited(_));
    let mut errs = domain::FieldErrors::new();
    match changed {
        PasswordChange::Changed => return Ok(crate::see_other("/konto/losenord?ok=1")),
        PasswordChange::RateLimited(limit) => {
            errs.add("current", "rate_limited", wait_message(&c, limit.until));
        }
        PasswordChange::WrongCurrent => {
            errs.add("current", "wrong_password", c.t("password.wrong_current"));
        }
        PasswordChange::Weak(m) => errs.add("new", "weak_password", m),
        PasswordChange::Mismatch => {
            errs.add("repeat", "password_mismatch", c.t("password.mismatch"));
        }
        PasswordChange::Unchanged => {
            errs.add("new", "password_unchanged", c.t("password.unchanged"));
        }
    }
    let mut r = render_form(
        PasswordPage {
            c,
            errors: FormErrors(errs),
            done: false,
        },
        true,
    )?;
    if limited {
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    }
    Ok(r)
}

/// "Stay logged in": the session layer already refreshed the session.
async fn keepalive(State(s): State<AppState>, c: Ctx) -> Response {
    match &c.user {
        Some(u) => {
            let _ = SignIn::new(&s, &c.client_ip)
                .keep_alive(&u.session_secret)
                .await;
            StatusCode::NO_CONTENT.into_response()
        }
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
