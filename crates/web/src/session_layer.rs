//! Runs before every request: finds the login session, decides the
//! language, checks CSRF on every state-changing form, and sets security
//! headers. API routes (`/api/`) authenticate with bearer tokens instead and
//! are exempt from the CSRF check (no cookies are used there).

use domain::ids::AccountId;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use navet_store::accounts;
use navet_store::audit::{self, Who};

use crate::api::{self, Bearer};
use crate::ctx::{Ctx, User};
use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use crate::AppState;

pub const LANG_COOKIE: &str = "navet_lang";
/// No page needs the camera, microphone, position or other device access.
const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), serial=(), usb=(), xr-spatial-tracking=()";
const MAX_FORM_BYTES: usize = 20 * 1024 * 1024;
/// Write the session's last-seen time at most this often.
const TOUCH_EVERY_SECS: i64 = 60;

pub fn client_ip(
    req_headers: &HeaderMap,
    connect: Option<&ConnectInfo<SocketAddr>>,
    trust_proxy: bool,
) -> String {
    if trust_proxy {
        if let Some(last) = req_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
        {
            return last.trim().to_string();
        }
    }
    connect
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn cookie<'a>(name: &'a str, value: String, secure: bool) -> Cookie<'a> {
    let mut c = Cookie::new(name, value);
    c.set_path("/");
    c.set_http_only(true);
    c.set_secure(secure);
    c.set_same_site(SameSite::Lax);
    c
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") {
        // Every API answer, refusals included, is about people or accounts.
        let mut resp = api_request(&state, req, next, path).await;
        no_store(resp.headers_mut());
        security_headers(resp.headers_mut(), &state.config);
        return resp;
    }
    if path == "/healthz" || path.starts_with("/static/") {
        let mut resp = next.run(req).await;
        if !path.starts_with("/static/") {
            no_store(resp.headers_mut());
        }
        security_headers(resp.headers_mut(), &state.config);
        return resp;
    }
    let method = req.method().as_str().to_string();
    let cfg = &state.config;
    let jar = CookieJar::from_headers(req.headers());
    let session_secret = jar.get(cfg.session_cookie()).map(|c| c.value().to_string());
    let mut user = None;
    let mut session_csrf = None;
    let mut flash = None;
    let is_get = *req.method() == Method::GET;
    if let Some(secret) = &session_secret {
        match accounts::session(
            &state.db,
            secret,
            cfg.idle_timeout_secs,
            cfg.session_max_secs,
        )
        .await
        {
            Ok(Some(s)) => {
                if navet_store::time::now() - s.last_seen_at >= TOUCH_EVERY_SECS {
                    let _ = accounts::touch_session(&state.db, secret).await;
                }
                let actor = match accounts::actor(&state.db, &s.account).await {
                    Ok(a) => a,
                    Err(e) => return AppError::from(e).into_response(),
                };
                // A message left by a form is read once, by the next page.
                if let (Some((kind, text)), true) = (&s.flash, is_get) {
                    if let Err(e) = accounts::clear_flash(&state.db, secret).await {
                        return AppError::from(e).into_response();
                    }
                    flash = Some(crate::flash::Flash {
                        kind: crate::flash::Kind::parse(kind),
                        text: text.clone(),
                    });
                }
                session_csrf = Some(s.csrf_token.clone());
                user = Some(User {
                    account_id: s.account.id,
                    name: s.account.display_name.clone(),
                    email: s.account.email.clone(),
                    actor,
                    session_secret: secret.clone(),
                });
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);

    // A form sent after the session ran out: log in again, then come back.
    // (The page's script keeps what was typed in the browser meanwhile.)
    if unsafe_method
        && session_secret.is_some()
        && user.is_none()
        && path != "/login"
        && !path.starts_with("/login/")
    {
        let back = req
            .headers()
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(url_path)
            .unwrap_or_else(|| "/".into());
        return Redirect::to(&format!(
            "/login?expired=1&next={}",
            urlencoding::encode(&back)
        ))
        .into_response();
    }

    // A password sign-in waiting for its second factor is nobody signed
    // in, and may go nowhere but the code step until it is done.
    if user.is_none()
        && jar
            .get(crate::pages::second_factor::cookie_name(cfg.secure_cookies))
            .is_some()
        && !crate::pages::second_factor::allowed_while_waiting(&path)
    {
        return Redirect::to(crate::pages::second_factor::STEP_PATH).into_response();
    }

    let mut new_anon_csrf = None;
    let csrf = match session_csrf {
        Some(t) => t,
        None => match jar.get(cfg.csrf_cookie()) {
            Some(c) if c.value().len() == 64 => c.value().to_string(),
            _ => {
                let t = accounts::new_secret();
                new_anon_csrf = Some(t.clone());
                t
            }
        },
    };

    let lang = match &user {
        Some(u) => accounts::get(&state.db, AccountId(u.account_id))
            .await
            .map(|a| Lang::parse(&a.language))
            .unwrap_or(Lang::Sv),
        None => jar
            .get(LANG_COOKIE)
            .map(|c| Lang::parse(c.value()))
            .unwrap_or(Lang::Sv),
    };

    let who = user.as_ref().map(|u| u.who());
    let mut req = req;
    if unsafe_method {
        match check_csrf(req, &csrf).await {
            Ok(r) => req = r,
            Err(resp) => return note_refusal(&state, who, &method, &path, resp).await,
        }
    }

    let client_ip = client_ip(
        req.headers(),
        req.extensions().get::<ConnectInfo<SocketAddr>>(),
        cfg.trust_proxy,
    );
    let full_path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let ctx = Ctx {
        lang,
        csrf,
        user,
        path: full_path,
        idle_timeout_secs: cfg.idle_timeout_secs,
        demo: cfg.demo,
        client_ip,
        flash,
        sign_in_with: state.oidc.buttons(),
    };
    req.extensions_mut().insert(ctx.clone());
    // Error pages (404 and the rest) in the normal layout, with navigation.
    let resp = crate::error::with_layout(next.run(req).await, &ctx);
    let mut resp = note_refusal(&state, who, &method, &path, resp).await;
    if let Some(t) = new_anon_csrf {
        let c = cookie(cfg.csrf_cookie(), t, cfg.secure_cookies);
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    // Pages and files are about people (names, bookings, certificates,
    // exports): no browser or proxy keeps a copy. Only /static/ is cached.
    no_store(resp.headers_mut());
    security_headers(resp.headers_mut(), cfg);
    resp
}

/// An API request: the bearer token is authenticated once here and left
/// for `ApiCtx`; a read-only token is refused anything but GET and HEAD.
async fn api_request(state: &AppState, mut req: Request, next: Next, path: String) -> Response {
    let method = req.method().as_str().to_string();
    let bearer = match api::bearer(state, req.headers()).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let who = match &bearer {
        Bearer::User(u) => Some(u.who()),
        _ => None,
    };
    let resp = match &bearer {
        Bearer::User(u) if !domain::tokens::allows_method(u.read_only, &method) => {
            ApiError::forbidden("Nyckeln får bara läsa (GET och HEAD); den kan inte ändra något.")
                .into_response()
        }
        _ => {
            req.extensions_mut().insert(bearer);
            next.run(req).await
        }
    };
    note_refusal(state, who, &method, &path, resp).await
}

/// Every refusal (403), from pages and the API alike, is written to the
/// audit log with the account (if any), the method and the path.
async fn note_refusal(
    state: &AppState,
    who: Option<Who>,
    method: &str,
    path: &str,
    resp: Response,
) -> Response {
    if resp.status() == StatusCode::FORBIDDEN {
        let who = who.unwrap_or_else(|| Who::system("anonym"));
        if let Err(e) = audit::record_refusal(&state.db, &who, method, path).await {
            tracing::error!("could not log a refusal: {e}");
        }
    }
    resp
}

fn url_path(referer: &str) -> Option<String> {
    let after_scheme = referer.split_once("://").map(|(_, r)| r)?;
    let path = after_scheme.find('/').map(|i| &after_scheme[i..])?;
    Some(path.to_string())
}

/// `Cache-Control: no-store`, replacing whatever the handler said.
fn no_store(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The headers every response carries; HSTS only when Navet is reached
/// over HTTPS (telling a browser that on plain HTTP would lock it out).
fn security_headers(h: &mut HeaderMap, cfg: &crate::Config) {
    if cfg.https() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.entry("content-security-policy").or_insert(HeaderValue::from_static(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    ));
}

fn refuse(msg: &str) -> Response {
    let mut r = AppError::Forbidden(msg.to_string()).into_response();
    *r.status_mut() = StatusCode::FORBIDDEN;
    r
}

/// The form must come from this site (Origin / Sec-Fetch-Site) and carry
/// the token, either as the `_csrf` field or the `X-CSRF-Token` header.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, Response> {
    const MSG: &str = "Formuläret kunde inte skickas: säkerhetskontrollen (CSRF) misslyckades. Ladda om sidan och försök igen. Inget har ändrats.";
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site == "cross-site" || site == "same-site" {
            return Err(refuse(MSG));
        }
    }
    if let (Some(origin), Some(host)) = (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split_once("://").map(|(_, r)| r).unwrap_or(origin);
        if origin != "null" && origin_host != host {
            return Err(refuse(MSG));
        }
    }
    if let Some(t) = h.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if t == expected {
            Ok(req)
        } else {
            Err(refuse(MSG))
        };
    }
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return Err((
                StatusCode::PAYLOAD_TOO_LARGE,
                "För stor fil eller formulär.",
            )
                .into_response())
        }
    };
    let token = if content_type.starts_with("application/x-www-form-urlencoded") {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
    } else if content_type.starts_with("multipart/form-data") {
        multipart_field(&bytes, "_csrf")
    } else {
        None
    };
    if token.as_deref() != Some(expected) {
        return Err(refuse(MSG));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The value of a small text field in a multipart body.
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    let pos = find(body, needle.as_bytes())?;
    let rest = &body[pos..];
    let start = find(rest, b"\r\n\r\n")? + 4;
    let value = &rest[start..];
    let end = find(value, b"\r\n")?;
    String::from_utf8(value[..end].to_vec()).ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_token_is_found() {
        let body = b"--x\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc123\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\ndata\r\n--x--\r\n";
        assert_eq!(multipart_field(body, "_csrf").as_deref(), Some("abc123"));
        assert_eq!(multipart_field(body, "nope"), None);
    }

    #[test]
    fn referer_path() {
        assert_eq!(
            url_path("https://navet.example/personal/3?x=1").as_deref(),
            Some("/personal/3?x=1")
        );
        assert_eq!(url_path("garbage"), None);
    }
}
