//! The request context every page handler gets: who is logged in, their
//! language, the CSRF token for forms, and helpers the templates use.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::access::{decide, Action, Actor, Decision, Role};
use navet_store::audit::Who;

use domain::booking::BookingStatus;
use domain::catalogue::CourseStatus;
use domain::requirements::NeedStatus;

use crate::error::AppError;
use crate::i18n::{self, Lang};

/// A vocabulary value as a template has it: the value itself (a view
/// struct's field) or its code as text (a form's field, a literal), for
/// the label helpers that take either.
pub trait CodeOf<T> {
    fn value(&self) -> Option<T>;
}

impl<T, V: CodeOf<T> + ?Sized> CodeOf<T> for &V {
    fn value(&self) -> Option<T> {
        (**self).value()
    }
}

macro_rules! code_of {
    ($t:ty) => {
        impl CodeOf<$t> for $t {
            fn value(&self) -> Option<$t> {
                Some(*self)
            }
        }
        impl CodeOf<$t> for str {
            fn value(&self) -> Option<$t> {
                <$t>::parse(self)
            }
        }
        impl CodeOf<$t> for String {
            fn value(&self) -> Option<$t> {
                <$t>::parse(self)
            }
        }
    };
}
code_of!(CourseStatus);
code_of!(NeedStatus);

#[derive(Debug, Clone)]
pub struct User {
    pub account_id: i64,
    pub name: String,
    pub email: String,
    pub actor: Actor,
    /// The cookie secret, for touching and ending the session.
    pub(crate) session_secret: String,
}

impl User {
    pub fn role(&self) -> Role {
        self.actor.role
    }
    pub fn who(&self) -> Who {
        Who {
            account_id: Some(self.account_id),
            // The account id says who; no name or e-mail in the log.
            label: "webb".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub user: Option<User>,
    /// Path and query of this request, for "come back here" links.
    pub path: String,
    pub idle_timeout_secs: i64,
    pub demo: bool,
    /// The client's address (from the proxy header only when trusted).
    pub client_ip: String,
    /// The message a form left for this page (shown once), see `crate::flash`.
    pub flash: Option<crate::flash::Flash>,
    /// The sign-in buttons on the login page: (provider id, label).
    pub sign_in_with: std::sync::Arc<Vec<(String, String)>>,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl Ctx {
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn actor(&self) -> Option<&Actor> {
        self.user.as_ref().map(|u| &u.actor)
    }
    pub fn is_logged_in(&self) -> bool {
        self.user.is_some()
    }
    pub fn user_name(&self) -> &str {
        self.user.as_ref().map(|u| u.name.as_str()).unwrap_or("")
    }
    pub fn role_label(&self) -> &'static str {
        match &self.user {
            Some(u) => self.t(&format!("role.{}", u.role().code())),
            None => "",
        }
    }
    pub fn has_role(&self, role: &str) -> bool {
        self.user.as_ref().is_some_and(|u| u.role().code() == role)
    }

    /// The steering group and the ESF reporter read aggregates only: no
    /// links to the hub's work pages.
    pub fn reads_aggregates_only(&self) -> bool {
        self.has_role("steering") || self.has_role("esf_reporter")
    }

    /// The logged-in user, or a redirect to the login page.
    pub fn require_login(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or_else(|| AppError::Login {
            next: self.path.clone(),
        })
    }

    /// The logged-in user if `action` is allowed (see `domain::access`).
    pub fn require(&self, action: Action<'_>) -> Result<&User, AppError> {
        let u = self.require_login()?;
        match decide(&u.actor, action) {
            Decision::Allow => Ok(u),
            Decision::Deny(why) => Err(AppError::forbidden(why)),
        }
    }

    /// The notice a form left for this page, or "".
    pub fn flash_notice(&self) -> String {
        self.flash_of(crate::flash::Kind::Notice)
    }
    /// The error a form left for this page, or "".
    pub fn flash_error(&self) -> String {
        self.flash_of(crate::flash::Kind::Error)
    }
    fn flash_of(&self, kind: crate::flash::Kind) -> String {
        match &self.flash {
            Some(f) if f.kind == kind => f.text.clone(),
            _ => String::new(),
        }
    }

    pub fn can(&self, action: Action<'_>) -> bool {
        self.actor().is_some_and(|a| decide(a, action).is_allowed())
    }
    /// Whether the funding programme may be changed here (the steering
    /// group reads it only).
    pub fn may_manage_funding(&self) -> bool {
        self.can(Action::ManageFunding)
    }
    /// Whether the monthly attestation overview and the participant file
    /// are for this account (links on the funding page).
    pub fn may_view_attestations(&self) -> bool {
        self.can(Action::ViewAttestations)
    }
    /// Whether cost lines and scenarios may be changed here.
    pub fn may_manage_costs(&self) -> bool {
        self.can(Action::ManageCosts)
    }

    pub fn who(&self) -> Who {
        match &self.user {
            Some(u) => u.who(),
            None => Who::system("anonym"),
        }
    }

    // Formatting for templates -------------------------------------------------

    pub fn num(&self, n: &i64) -> String {
        crate::format::int(*n)
    }
    pub fn dec(&self, x: &f64, decimals: usize) -> String {
        crate::format::decimal(*x, decimals)
    }
    pub fn date(&self, ts: &i64) -> String {
        crate::format::date(*ts)
    }
    pub fn datetime(&self, ts: &i64) -> String {
        crate::format::datetime(*ts)
    }

    // Closed vocabularies in the user's language ---------------------------------

    /// Whether the page is shown in English.
    pub fn is_english(&self) -> bool {
        self.lang == Lang::En
    }
    fn pick(&self, sv: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }
    /// A course level from its code (or Swedish label).
    pub fn level(&self, code: &str) -> &'static str {
        domain::catalogue::Level::parse(code).map_or("", |v| self.pick(v.label_sv(), v.label_en()))
    }
    /// A course format from its code.
    pub fn course_format(&self, code: &str) -> &'static str {
        domain::catalogue::Format::parse(code).map_or("", |v| self.pick(v.label_sv(), v.label_en()))
    }
    /// A course's lifecycle status (or its code, from a form).
    pub fn course_status(&self, v: impl CodeOf<CourseStatus>) -> &'static str {
        v.value()
            .map_or("", |v| self.pick(v.label_sv(), v.label_en()))
    }
    /// A language-support option from its code.
    pub fn support(&self, code: &str) -> &'static str {
        domain::catalogue::LanguageSupport::parse(code)
            .map_or("", |v| self.pick(v.label_sv(), v.label_en()))
    }
    /// Comma-separated language-support codes as labels.
    pub fn supports(&self, codes: &str) -> String {
        codes
            .split(',')
            .map(|c| self.support(c))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
    pub fn session_status(&self, s: &domain::sessions::SessionStatus) -> &'static str {
        self.pick(s.label_sv(), s.label_en())
    }
    pub fn booking_status(&self, s: &BookingStatus) -> &'static str {
        self.pick(s.label_sv(), s.label_en())
    }
    /// An attendee's mark: present, absent or not marked.
    pub fn attendance(&self, s: &BookingStatus) -> &'static str {
        match s {
            BookingStatus::Attended => self.pick("närvarande", "present"),
            BookingStatus::Absent => self.pick("frånvarande", "absent"),
            _ => self.pick("ej markerad", "not marked"),
        }
    }
    pub fn survey_kind(&self, k: &domain::surveys::SurveyKind) -> &'static str {
        self.pick(k.label_sv(), k.label_en())
    }
    /// A need's status (or its code: `levererat`, `under_utveckling`, …).
    pub fn need_status(&self, v: impl CodeOf<NeedStatus>) -> &'static str {
        v.value()
            .map_or("", |v| self.pick(v.label_sv(), v.label_en()))
    }
    /// A profession of the needs inventory from its code or Swedish label.
    pub fn profession(&self, code: &str) -> &'static str {
        domain::requirements::Profession::parse(code)
            .map_or("", |v| self.pick(v.label_sv(), v.label_en()))
    }
    /// How sure a need's reading of the source is, from its code.
    pub fn certainty(&self, code: &str) -> &'static str {
        domain::requirements::Certainty::parse(code)
            .map_or("", |v| self.pick(v.label_sv(), v.label_en()))
    }
    /// An activity area from its code; none means every area.
    pub fn activity_area(&self, code: &Option<String>) -> &'static str {
        code.as_deref()
            .and_then(domain::org::ActivityArea::parse)
            .map_or(
                self.pick("alla verksamhetsområden", "all activity areas"),
                |v| self.pick(v.label_sv(), v.label_en()),
            )
    }
    /// An external education provider's kind from its code.
    pub fn provider(&self, code: &str) -> &'static str {
        domain::tracks::ProviderKind::parse(code)
            .map_or("", |v| self.pick(v.label_sv(), v.label_en()))
    }
    /// A notice's kind (`booking_confirmed`, `offer`, …) from its code.
    pub fn notice_kind(&self, code: &str) -> &'static str {
        self.pick(
            domain::notices::NoticeKind::label_sv(code),
            domain::notices::NoticeKind::label_en(code),
        )
    }
    /// Who made a booking (`self`, `manager`, `coordinator`).
    pub fn via(&self, code: &str) -> &'static str {
        match code {
            "manager" => self.pick("chef", "manager"),
            "coordinator" => self.pick("samordnare", "coordinator"),
            _ => self.pick("själv", "self"),
        }
    }
    /// A session's dated parts, e.g. `2026-03-14 kl. 09.00–12.00`.
    pub fn when(&self, parts: &[domain::sessions::Interval]) -> String {
        parts
            .iter()
            .map(|p| match self.lang {
                Lang::Sv => domain::sessions::format_part_sv(p),
                Lang::En => domain::sessions::format_part_en(p),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Navigation for the user's role (what they may reach, nothing more).
    pub fn nav(&self) -> Vec<NavItem> {
        let mut items: Vec<(&'static str, &'static str)> =
            vec![("/", "nav.home"), ("/kurser", "nav.catalogue")];
        if let Some(u) = &self.user {
            if u.actor.person_id.is_some() {
                items.push(("/mina-bokningar", "nav.my_bookings"));
            }
            match u.role() {
                Role::Participant => {
                    items.push(("/mina-intyg", "nav.my_certificates"));
                    items.push(("/mina-enkater", "nav.my_surveys"));
                    items.push(("/mina-uppgifter", "privacy_extract.my_data"));
                    items.push(("/min-kompetens", "nav.my_competence"));
                    items.push(("/mina-narvarotider", "nav.my_attested_time"));
                }
                Role::Trainer => {
                    // Their own sessions, past and coming, and absences.
                    items.push(("/mina-tillfallen", "nav.my_sessions"));
                    items.push(("/narvaro", "nav.attendance"));
                    items.push(("/mina-intyg", "nav.my_certificates"));
                }
                Role::EsfReporter => {
                    items.push(("/oversikt", "nav.dashboard"));
                    items.push(("/finansiering", "nav.funding"));
                    items.push(("/attestering", "nav.attestation"));
                    items.push(("/deltagarfil", "nav.participant_file"));
                }
                Role::Steering => {
                    items.push(("/oversikt", "nav.dashboard"));
                    items.push(("/rapporter", "nav.reports"));
                    items.push(("/finansiering", "nav.funding"));
                    items.push(("/behov", "nav.needs_coverage"));
                    items.push(("/kostnader", "nav.costs"));
                    items.push(("/planering", "nav.planning"));
                }
                Role::Manager => {
                    items.push(("/enheter", "nav.my_units"));
                    items.push(("/planering/forfragningar", "nav.planning_requests"));
                    items.push(("/personal", "nav.people"));
                    items.push(("/intyg/utgaende", "nav.expiring"));
                    // A whole municipality's account (its data protection
                    // officer) reviews who read its people's data.
                    let review = domain::access::Action::ReviewAccess {
                        municipality_id: u.actor.scope.municipality_ids.first().copied(),
                    };
                    if domain::access::decide(&u.actor, review).is_allowed() {
                        items.push(("/admin/atkomst", "access_review.title"));
                    }
                }
                Role::Coordinator | Role::Admin => {
                    items.push(("/tillfallen", "nav.sessions"));
                    items.push(("/bemanning", "nav.cover"));
                    items.push(("/planering", "nav.planning"));
                    items.push(("/personal", "nav.people"));
                    items.push(("/organisation", "nav.organisation"));
                    items.push(("/kompetens", "nav.competence"));
                    items.push(("/oversikt", "nav.dashboard"));
                    items.push(("/rapporter", "nav.reports"));
                    items.push(("/kostnader", "nav.costs"));
                    items.push(("/integritet", "nav.retention"));
                    if u.role() == Role::Admin {
                        items.push(("/admin", "nav.admin"));
                    }
                }
            }
        }
        let path = self.path.split('?').next().unwrap_or("/");
        items
            .into_iter()
            .map(|(href, key)| NavItem {
                href,
                label: self.t(key),
                current: if href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                },
            })
            .collect()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("session layer missing".into()))
    }
}
