//! A test application on a fresh database (either engine) with helpers to
//! call the JSON API and the pages, and role builders for the people who
//! call it:
//!
//! ```ignore
//! let app = TestApp::new(db);
//! let coord = app.coordinator().await;                 // an account and its token
//! let anna = app.participant(anna_id).email("anna@x.se").await;
//! let boss = app.manager_of_unit(unit_id).await;
//! app.get("/api/v1/people", coord.auth()).await;
//! ```
#![allow(dead_code)]

use domain::ids::AccountId;
use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use domain::access::{Role, Scope};
use domain::second_factor::{self, Generator};
use http_body_util::BodyExt;
use navet_store::accounts::{self, NewAccount};
use navet_store::audit::Who;
use navet_store::Db;
use navet_web::{AppState, Config};
use serde_json::Value;
use tower::ServiceExt;

#[derive(Clone)]
pub struct TestApp {
    pub db: Db,
    pub app: Router,
    /// Numbers the e-mail addresses of users made without one.
    made: Arc<AtomicUsize>,
    /// What the harness, playing each admin's and coordinator's phone,
    /// knows of their second factor (set up through the pages).
    phones: Arc<Mutex<HashMap<String, Phone>>>,
}

/// An authenticator app with its recovery codes, as a person keeps them.
#[derive(Debug, Clone)]
pub struct Phone {
    pub secret: String,
    /// The last time step whose code was given (a code counts once).
    pub last_step: i64,
    pub recovery: Vec<String>,
}

impl Phone {
    pub fn code_at(&self, step: i64) -> String {
        Generator::new(&self.secret, "test")
            .unwrap()
            .code_at_step(step)
    }
}

/// The current TOTP time step.
pub fn now_step() -> i64 {
    second_factor::step_of(navet_store::time::now())
}

/// The password every test account gets.
pub const PASSWORD: &str = "rätt-lösenord-123";

/// Someone to call the app as: an account and its API token.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub token: String,
    pub person_id: Option<i64>,
}

impl User {
    /// The token, as the request helpers take it.
    pub fn auth(&self) -> Option<&str> {
        Some(&self.token)
    }
}

/// A user about to be made; `.await` makes it (see the module's example).
pub struct UserBuilder<'a> {
    app: &'a TestApp,
    role: Role,
    email: Option<String>,
    person_id: Option<i64>,
    scope: Scope,
}

impl<'a> UserBuilder<'a> {
    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.into());
        self
    }
    /// The person the account belongs to.
    pub fn person(mut self, person_id: i64) -> Self {
        self.person_id = Some(person_id);
        self
    }
    /// A manager's units.
    pub fn units(mut self, unit_ids: &[i64]) -> Self {
        self.scope.unit_ids.extend_from_slice(unit_ids);
        self
    }
    /// A manager's whole municipalities.
    pub fn municipalities(mut self, municipality_ids: &[i64]) -> Self {
        self.scope
            .municipality_ids
            .extend_from_slice(municipality_ids);
        self
    }
    pub async fn create(self) -> User {
        let email = self.email.unwrap_or_else(|| {
            let n = self.app.made.fetch_add(1, Ordering::Relaxed);
            format!("{}{n}@test.se", self.role.code())
        });
        let (id, token) = self
            .app
            .account(&email, self.role, self.person_id, self.scope)
            .await;
        User {
            id,
            email,
            token,
            person_id: self.person_id,
        }
    }
}

impl<'a> IntoFuture for UserBuilder<'a> {
    type Output = User;
    type IntoFuture = Pin<Box<dyn Future<Output = User> + 'a>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.create())
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

impl TestApp {
    pub fn new(db: Db) -> TestApp {
        TestApp::with_config(
            db,
            Config {
                secure_cookies: true,
                ..Config::default()
            },
        )
    }

    pub fn with_config(db: Db, config: Config) -> TestApp {
        TestApp::from_state(AppState::new(db, config))
    }

    /// The app on a state the test has set up itself (e.g. with background
    /// loops started).
    pub fn from_state(state: AppState) -> TestApp {
        TestApp {
            db: state.db.clone(),
            app: navet_web::app(state),
            made: Arc::new(AtomicUsize::new(0)),
            phones: Arc::default(),
        }
    }

    /// A test application around a router made elsewhere.
    pub fn from_parts(db: Db, app: Router) -> TestApp {
        TestApp {
            db,
            app,
            made: Arc::new(AtomicUsize::new(0)),
            phones: Arc::default(),
        }
    }

    /// A user with `role` (no person, no scope unless the builder adds them).
    pub fn user(&self, role: Role) -> UserBuilder<'_> {
        UserBuilder {
            app: self,
            role,
            email: None,
            person_id: None,
            scope: Scope::default(),
        }
    }
    pub fn admin(&self) -> UserBuilder<'_> {
        self.user(Role::Admin)
    }
    pub fn coordinator(&self) -> UserBuilder<'_> {
        self.user(Role::Coordinator)
    }
    /// A participant: the account of person `person_id`.
    pub fn participant(&self, person_id: i64) -> UserBuilder<'_> {
        self.user(Role::Participant).person(person_id)
    }
    /// A trainer: the account of person `person_id`.
    pub fn trainer(&self, person_id: i64) -> UserBuilder<'_> {
        self.user(Role::Trainer).person(person_id)
    }
    /// A manager of one unit.
    pub fn manager_of_unit(&self, unit_id: i64) -> UserBuilder<'_> {
        self.user(Role::Manager).units(&[unit_id])
    }
    /// A manager of a whole municipality.
    pub fn manager_of_municipality(&self, municipality_id: i64) -> UserBuilder<'_> {
        self.user(Role::Manager).municipalities(&[municipality_id])
    }

    /// An account with the role (a manager gets `scope`), and its API token.
    pub async fn account(
        &self,
        email: &str,
        role: Role,
        person_id: Option<i64>,
        scope: Scope,
    ) -> (i64, String) {
        let hash = navet_web::password::hash_blocking(PASSWORD);
        let id = accounts::create(
            &self.db,
            &Who::system("test"),
            &NewAccount {
                email: email.into(),
                display_name: email.into(),
                role,
                password_hash: Some(hash),
                person_id,
                scope,
            },
        )
        .await
        .unwrap();
        let token = accounts::create_token(&self.db, &Who::system("test"), AccountId(id), "test")
            .await
            .unwrap();
        (id, token)
    }

    /// An account with the role and no unit scope, signed in: its id and
    /// session cookie.
    pub async fn signed_in(&self, email: &str, role: Role) -> (i64, String) {
        let (id, _) = self.account(email, role, None, Scope::default()).await;
        let cookie = self.login(email, PASSWORD).await.unwrap();
        (id, cookie)
    }

    pub async fn token(&self, role: Role) -> String {
        self.account(
            &format!("{}@test.se", role.code()),
            role,
            None,
            Scope::default(),
        )
        .await
        .1
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let mut r = Request::get(path);
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(r.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.json_request("POST", path, token, body).await
    }

    pub async fn json_request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Resp {
        let mut r = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(r.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        let mut r = Request::delete(path);
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(r.body(Body::empty()).unwrap()).await
    }

    /// A page request with a cookie header (e.g. a logged-in session).
    pub async fn page(&self, method: &str, path: &str, cookie: &str, form: Option<&str>) -> Resp {
        let mut r = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if !cookie.is_empty() {
            r = r.header(header::COOKIE, cookie);
        }
        let body = match form {
            Some(f) => {
                r = r.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f.to_string())
            }
            None => Body::empty(),
        };
        self.send(r.body(body).unwrap()).await
    }

    /// An anonymous visitor's CSRF cookie pair and token (from the login page).
    pub async fn anon_csrf(&self) -> (String, String) {
        let anon = self.page("GET", "/login", "", None).await;
        let csrf_cookie = anon
            .cookies()
            .into_iter()
            .find(|c| c.contains("navet_csrf"))
            .unwrap();
        let csrf_pair = csrf_cookie.split(';').next().unwrap().to_string();
        let token = csrf_pair.split('=').nth(1).unwrap().to_string();
        (csrf_pair, token)
    }

    /// Log in through the form; returns the cookie header to send
    /// afterwards. Admins and coordinators also pass the second step, the
    /// harness acting as their phone: it sets up the app the first time
    /// (reading the key from the page, as a person types it into an app)
    /// and gives a fresh code, or a recovery code, after that.
    pub async fn login(&self, email: &str, password: &str) -> Option<String> {
        match self.password_step(email, password).await? {
            PasswordStep::SignedIn(cookie) => Some(cookie),
            PasswordStep::SecondStep { cookies, csrf } => {
                self.second_step(email, &cookies, &csrf).await
            }
        }
    }

    /// Only the password: signed in, or waiting for the second step.
    pub async fn password_step(&self, email: &str, password: &str) -> Option<PasswordStep> {
        self.password_step_with(email, password, "").await
    }

    /// The password step with more form fields (`&end_others=1`).
    pub async fn password_step_with(
        &self,
        email: &str,
        password: &str,
        extra: &str,
    ) -> Option<PasswordStep> {
        let (csrf_pair, token) = self.anon_csrf().await;
        let form = format!(
            "_csrf={token}&email={}&password={}&next=/{extra}",
            urlencoding(email),
            urlencoding(password)
        );
        let r = self.page("POST", "/login", &csrf_pair, Some(&form)).await;
        if r.status != StatusCode::SEE_OTHER {
            return None;
        }
        if r.headers["location"] == "/login/tvastegs" {
            let flow = r
                .cookies()
                .into_iter()
                .find(|c| c.contains("navet_2fa="))
                .expect("the second step's cookie");
            let flow = flow.split(';').next().unwrap().to_string();
            return Some(PasswordStep::SecondStep {
                cookies: format!("{csrf_pair}; {flow}"),
                csrf: token,
            });
        }
        let session = r
            .cookies()
            .into_iter()
            .find(|c| c.contains("navet_session"))?;
        Some(PasswordStep::SignedIn(
            session.split(';').next().unwrap().to_string(),
        ))
    }

    /// The phone the harness keeps for an account (after it set one up).
    pub fn phone(&self, email: &str) -> Option<Phone> {
        self.phones.lock().unwrap().get(email).cloned()
    }

    /// Forget an account's phone (its second factor was reset).
    pub fn forget_phone(&self, email: &str) {
        self.phones.lock().unwrap().remove(email);
    }

    /// The second step, as the account's owner does it.
    pub async fn second_step(&self, email: &str, cookies: &str, csrf: &str) -> Option<String> {
        let page = self.page("GET", "/login/tvastegs", cookies, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let needle = "id=\"totp-secret\">";
        if let Some(i) = page.body.find(needle) {
            let rest = &page.body[i + needle.len()..];
            let secret: String = rest[..rest.find('<').unwrap()]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let mut phone = Phone {
                secret,
                last_step: now_step(),
                recovery: vec![],
            };
            let code = phone.code_at(phone.last_step);
            let r = self
                .page(
                    "POST",
                    "/login/tvastegs",
                    cookies,
                    Some(&format!("_csrf={csrf}&code={code}")),
                )
                .await;
            if r.status != StatusCode::OK {
                return None;
            }
            phone.recovery = r
                .body
                .split("<li><code>")
                .skip(1)
                .map(|x| x[..x.find('<').unwrap()].to_string())
                .collect();
            assert_eq!(phone.recovery.len(), 10, "{}", r.body);
            self.phones.lock().unwrap().insert(email.to_string(), phone);
            return session_cookie(&r);
        }
        let mut phone = self
            .phone(email)
            .expect("the harness set up this account's app");
        // A code counts once: the next step's code (the app a little
        // ahead) when this step's was used, then a recovery code.
        let step = now_step().max(phone.last_step + 1);
        let code = if step <= now_step() + 1 {
            phone.last_step = step;
            phone.code_at(step)
        } else {
            phone.recovery.pop().expect("a recovery code left")
        };
        self.phones.lock().unwrap().insert(email.to_string(), phone);
        let r = self
            .page(
                "POST",
                "/login/tvastegs",
                cookies,
                Some(&format!("_csrf={csrf}&code={code}")),
            )
            .await;
        if r.status != StatusCode::SEE_OTHER && r.status != StatusCode::OK {
            return None;
        }
        session_cookie(&r)
    }

    /// The CSRF token printed in a page's forms.
    pub async fn csrf_for(&self, cookie: &str, path: &str) -> String {
        let r = self.page("GET", path, cookie, None).await;
        let i = r
            .body
            .find("name=\"_csrf\" value=\"")
            .expect("a form with a CSRF token")
            + 20;
        r.body[i..i + 64].to_string()
    }
}

pub fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// After the password: signed in (the session cookie), or waiting for the
/// second step (the cookies to send, with the CSRF cookie, and the token).
pub enum PasswordStep {
    SignedIn(String),
    SecondStep { cookies: String, csrf: String },
}

/// The login session cookie a response sets, as a cookie header.
pub fn session_cookie(r: &Resp) -> Option<String> {
    let c = r
        .cookies()
        .into_iter()
        .find(|c| c.contains("navet_session=") && !c.contains("Max-Age=0"))?;
    Some(c.split(';').next().unwrap().to_string())
}

/// Tests that keep the cores busy for seconds and assert a time limit
/// (hostile uploads) hold this while they run, so that two of them never
/// run at once in the one test process: their limits are about the server,
/// not about a machine another such test is also loading.
pub async fn cpu_heavy() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// `n` units, alternately in Laxå and Kumla, named "Enhet 000" and on.
pub async fn nations_units(db: &Db, n: i64) -> (i64, i64) {
    use domain::ids::MunicipalityId;
    use navet_store::org;
    let id_of = |name: &'static str| {
        let db = db.clone();
        async move {
            org::municipality_by_name(&db, name)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let (laxa, kumla) = (id_of("Laxå").await, id_of("Kumla").await);
    for i in 0..n {
        let m = if i % 2 == 0 { laxa } else { kumla };
        org::create_unit(
            db,
            MunicipalityId(m),
            &format!("Enhet {i:03}"),
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
    }
    (laxa, kumla)
}
