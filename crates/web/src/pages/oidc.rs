//! "Logga in med Kumla kommun": the redirect to a municipality's OpenID
//! provider and its answer. The sign-in under way is kept in the database
//! under a secret in a short-lived cookie, so an answer is taken only once
//! and only in the browser that asked; the protocol checks are in
//! `crate::oidc`, who gets in is `domain::sign_in::admit`.

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use navet_store::sign_in::PENDING_MAX_SECS;
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::oidc::{OidcError, Provider};
use crate::usecase::sign_in::{OidcRefusal, ProviderAnswer, SignIn};
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/oidc/{id}", get(start))
        .route("/login/oidc/{id}/callback", get(callback))
}

fn flow_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-navet_oidc"
    } else {
        "navet_oidc"
    }
}

#[derive(Template)]
#[template(path = "oidc_refused.html")]
struct RefusedPage {
    c: Ctx,
    /// Why, in the page's language.
    reason: String,
    /// Whom to ask.
    ask: String,
}

#[derive(Deserialize)]
struct StartQuery {
    #[serde(default)]
    next: String,
}

async fn start(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    Query(q): Query<StartQuery>,
) -> PageResult {
    let p = s.oidc.get(&id).ok_or(AppError::NotFound)?.clone();
    let next = crate::pages::auth::safe_next(&q.next);
    let (url, secret) = match SignIn::new(&s, &c.client_ip)
        .provider_start(&p, &next)
        .await?
    {
        Ok(x) => x,
        Err(why) => return refused(c, &p, why),
    };
    let mut resp = Redirect::to(&url).into_response();
    let mut ck = crate::session_layer::cookie(
        flow_cookie_name(s.config.secure_cookies),
        secret,
        s.config.secure_cookies,
    );
    ck.set_max_age(cookie::time::Duration::seconds(PENDING_MAX_SECS));
    set_cookie(&mut resp, &ck);
    Ok(resp)
}

#[derive(Deserialize)]
struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

async fn callback(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> PageResult {
    let p = s.oidc.get(&id).ok_or(AppError::NotFound)?.clone();
    let mut resp = answer(&s, c, &p, &headers, q).await?;
    // The sign-in under way is over, whatever the outcome.
    let mut gone = crate::session_layer::cookie(
        flow_cookie_name(s.config.secure_cookies),
        String::new(),
        s.config.secure_cookies,
    );
    gone.set_max_age(cookie::time::Duration::ZERO);
    set_cookie(&mut resp, &gone);
    Ok(resp)
}

async fn answer(
    s: &AppState,
    c: Ctx,
    p: &Provider,
    headers: &HeaderMap,
    q: CallbackQuery,
) -> PageResult {
    let name = flow_cookie_name(s.config.secure_cookies);
    let secret = axum_extra::extract::CookieJar::from_headers(headers)
        .get(name)
        .map(|k| k.value().to_string());
    let answer = ProviderAnswer {
        code: q.code,
        state: q.state,
        error: q.error,
    };
    let done = match SignIn::new(s, &c.client_ip)
        .provider_answer(p, secret.as_deref(), answer)
        .await?
    {
        Ok(done) => done,
        Err(why) => return refused(c, p, why),
    };
    let mut resp = Redirect::to(&done.next).into_response();
    let ck = crate::session_layer::cookie(
        s.config.session_cookie(),
        done.session_secret,
        s.config.secure_cookies,
    );
    set_cookie(&mut resp, &ck);
    Ok(resp)
}

/// The page saying why a sign-in was refused (already logged): a bad or
/// stale request, the provider's side, or who may sign in.
fn refused(c: Ctx, p: &Provider, why: OidcRefusal) -> PageResult {
    let not_admitted;
    let (key, status) = match why {
        OidcRefusal::Request(key) => (key, StatusCode::BAD_REQUEST),
        OidcRefusal::Protocol(OidcError::ProviderDown(_)) => {
            ("oidc.provider_down", StatusCode::BAD_GATEWAY)
        }
        OidcRefusal::Protocol(OidcError::CodeRefused(_)) => {
            ("oidc.code_refused", StatusCode::BAD_REQUEST)
        }
        OidcRefusal::Protocol(OidcError::BadToken(_)) => {
            ("oidc.bad_token", StatusCode::BAD_REQUEST)
        }
        OidcRefusal::NotAdmitted(r) => {
            not_admitted = format!("oidc.{}", r.code());
            (not_admitted.as_str(), StatusCode::FORBIDDEN)
        }
    };
    let reason = c
        .t(key)
        .replace("{label}", &p.label)
        .replace("{municipality}", &p.municipality);
    let ask = c.t("oidc.ask").replace("{municipality}", &p.municipality);
    let mut r = render(RefusedPage { c, reason, ask })?;
    *r.status_mut() = status;
    Ok(r)
}

fn set_cookie(resp: &mut Response, ck: &cookie::Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&ck.to_string()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}
