//! Administration: accounts (roles, manager scopes, passwords) and the
//! audit log.

use crate::rejection::MultiForm;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::access::{Role, Scope};
use domain::paging::Seek;
use navet_store::accounts::{Account, NewAccount};
use navet_store::audit;
use navet_store::StoreError;
use serde::Deserialize;

use super::{render_form, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::accounts::ScopeChoices;
use crate::usecase::UseCase;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .route("/admin/konton", get(accounts_page).post(create_account))
        .route("/admin/konton/{id}", get(account_page).post(update_account))
        .route("/admin/konton/{id}/losenord", post(reset_password))
        .route("/admin/logg", get(audit_page))
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct Index {
    c: Ctx,
    /// The last retention run (docs/privacy.md).
    retention: Option<navet_store::retention::Run>,
}

async fn index(State(s): State<AppState>, c: Ctx) -> PageResult {
    let retention = UseCase::page(&s, &c)?.admin_overview().await?;
    render(Index { c, retention })
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct AccountsPage {
    c: Ctx,
    accounts: Vec<Account>,
    /// The list's search as given, and the link to its next page.
    list: AccountsQuery,
    next: Option<String>,
    total: i64,
    count_cap: i64,
    f: AccountForm,
    errors: FormErrors,
    scope: ScopeChoices,
    notice: String,
}

impl AccountsPage {
    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        Role::ALL
            .iter()
            .map(|r| (r.code(), self.c.t(&format!("role.{}", r.code()))))
            .collect()
    }
    fn unit_checked(&self, id: &i64) -> bool {
        self.f.units.contains(&id.to_string())
    }
    fn muni_checked(&self, id: &i64) -> bool {
        self.f.municipalities.contains(&id.to_string())
    }
}

#[derive(Deserialize, Default, Clone)]
struct AccountForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    person_email: String,
    #[serde(default)]
    units: Vec<String>,
    #[serde(default)]
    municipalities: Vec<String>,
    #[serde(default)]
    active: Option<String>,
    /// The municipality whose units to show, when units are picked after
    /// their municipality; `show_units` asks for them (nothing is saved).
    #[serde(default)]
    scope_municipality: String,
    #[serde(default)]
    show_units: Option<String>,
}

impl AccountForm {
    /// The scope choices this form shows: its chosen units and the
    /// municipality asked for.
    async fn scope_choices(&self, uc: &UseCase<'_>) -> Result<ScopeChoices, StoreError> {
        uc.scope_choices(self.scope_municipality.parse().ok(), &self.scope().unit_ids)
            .await
    }
    fn shows_municipality(&self, id: &i64) -> bool {
        self.scope_municipality == id.to_string()
    }

    fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }

    /// A scoped role (a manager) chosen with no unit or municipality.
    fn lacks_scope(&self, role: Role) -> bool {
        role.is_scoped() && self.scope().is_empty()
    }

    /// The scope the chosen role keeps: none for a role that sees all.
    fn scope_for(&self, role: Role) -> Scope {
        if role.is_scoped() {
            self.scope()
        } else {
            Scope::default()
        }
    }

    fn scope(&self) -> Scope {
        Scope {
            unit_ids: self.units.iter().filter_map(|u| u.parse().ok()).collect(),
            municipality_ids: self
                .municipalities
                .iter()
                .filter_map(|u| u.parse().ok())
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

/// The account list's search: part of a name or e-mail address, a role,
/// and the account the page continues after.
#[derive(Deserialize, Default, Clone)]
struct AccountsQuery {
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    roll: String,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    efter: Option<i64>,
}

impl AccountsQuery {
    /// The list's address with this search, continuing after `after`.
    fn link(&self, after: Option<i64>) -> String {
        let mut link = format!(
            "/admin/konton?q={}&roll={}",
            urlencoding::encode(&self.q),
            urlencoding::encode(&self.roll)
        );
        if let Some(a) = after {
            link.push_str(&format!("&efter={a}"));
        }
        link
    }
}

const ACCOUNTS_PAGE: i64 = 100;
/// Counting stops here: "more than 10 000" instead of a count of the nation.
const ACCOUNTS_COUNT_CAP: i64 = 10_000;

async fn accounts_page(
    State(s): State<AppState>,
    c: Ctx,
    Query(q): Query<AccountsQuery>,
) -> PageResult {
    let notice = if q.ok.is_some() {
        c.t("common.saved").to_string()
    } else {
        String::new()
    };
    accounts_view(
        &s,
        c,
        q,
        AccountForm {
            role: "participant".into(),
            ..Default::default()
        },
        FormErrors::default(),
        notice,
    )
    .await
}

async fn accounts_view(
    s: &AppState,
    c: Ctx,
    list: AccountsQuery,
    f: AccountForm,
    errors: FormErrors,
    notice: String,
) -> PageResult {
    let has_errors = errors.any();
    let uc = UseCase::page(s, &c)?;
    let scope = f.scope_choices(&uc).await?;
    let o = uc
        .accounts_overview(
            &list.q,
            &list.roll,
            list.efter,
            ACCOUNTS_PAGE,
            ACCOUNTS_COUNT_CAP + 1,
        )
        .await?;
    render_form(
        AccountsPage {
            next: o.next_after.map(|a| list.link(Some(a))),
            total: o.total,
            count_cap: ACCOUNTS_COUNT_CAP,
            list,
            accounts: o.accounts,
            scope,
            c,
            f,
            errors,
            notice,
        },
        has_errors,
    )
}

async fn create_account(
    State(s): State<AppState>,
    c: Ctx,
    MultiForm(f): MultiForm<AccountForm>,
) -> PageResult {
    if f.show_units.is_some() {
        return accounts_view(
            &s,
            c,
            AccountsQuery::default(),
            f,
            FormErrors::default(),
            String::new(),
        )
        .await;
    }
    let uc = UseCase::page(&s, &c)?;
    let mut errs = domain::FieldErrors::new();
    let role = f.role();
    if role.is_none() {
        errs.add("role", "invalid_role", "Välj en roll.");
    }
    if let Err(m) = crate::password::check_strength(&f.password, &f.email, &f.name) {
        errs.add("password", "weak_password", m);
    }
    let mut person_id = None;
    if !f.person_email.trim().is_empty() {
        match uc.person_id_for_email(&f.person_email).await? {
            Some(p) => person_id = Some(p),
            None => errs.add(
                "person_email",
                "unknown_person",
                format!("Ingen person har e-postadressen {}.", f.person_email.trim()),
            ),
        }
    }
    if role.is_some_and(|r| f.lacks_scope(r)) {
        errs.add(
            "units",
            "scope_required",
            "En enhetschef måste ha minst en enhet eller kommun.",
        );
    }
    if !errs.is_empty() {
        return accounts_view(
            &s,
            c,
            AccountsQuery::default(),
            f,
            FormErrors(errs),
            String::new(),
        )
        .await;
    }
    let hash = crate::password::hash(f.password.clone()).await;
    let new = NewAccount {
        email: f.email.clone(),
        display_name: f.name.clone(),
        role: role.unwrap_or_default(),
        password_hash: Some(hash),
        person_id,
        scope: role.map(|r| f.scope_for(r)).unwrap_or_default(),
    };
    match uc.create_account(&new).await {
        Ok(_) => Ok(see_other("/admin/konton?ok=1")),
        Err(StoreError::Invalid(e)) => {
            accounts_view(
                &s,
                c,
                AccountsQuery::default(),
                f,
                FormErrors(e),
                String::new(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountPage {
    c: Ctx,
    a: Account,
    f: AccountForm,
    errors: FormErrors,
    scope: ScopeChoices,
    notice: String,
    /// The account's second factor (TOTP), if set up.
    second_factor: Option<navet_store::second_factor::Status>,
}

impl AccountPage {
    fn roles(&self) -> Vec<(&'static str, &'static str)> {
        Role::ALL
            .iter()
            .map(|r| (r.code(), self.c.t(&format!("role.{}", r.code()))))
            .collect()
    }
    fn unit_checked(&self, id: &i64) -> bool {
        self.f.units.contains(&id.to_string())
    }
    fn muni_checked(&self, id: &i64) -> bool {
        self.f.municipalities.contains(&id.to_string())
    }
}

async fn account_view(
    s: &AppState,
    c: Ctx,
    id: i64,
    f: Option<AccountForm>,
    errors: FormErrors,
    notice: String,
) -> PageResult {
    let uc = UseCase::page(s, &c)?;
    let d = uc.account_detail(id).await?;
    let a = d.account;
    let f = match f {
        Some(f) => f,
        None => {
            let sc = d.scope;
            AccountForm {
                email: a.email.clone(),
                name: a.display_name.clone(),
                role: a.role.clone(),
                units: sc.unit_ids.iter().map(|u| u.to_string()).collect(),
                municipalities: sc.municipality_ids.iter().map(|u| u.to_string()).collect(),
                active: (a.active == 1).then(|| "1".into()),
                ..Default::default()
            }
        }
    };
    let has_errors = errors.any();
    let scope = f.scope_choices(&uc).await?;
    render_form(
        AccountPage {
            second_factor: d.second_factor,
            scope,
            c,
            a,
            f,
            errors,
            notice,
        },
        has_errors,
    )
}

async fn account_page(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let notice = if q.ok.is_some() {
        c.t("common.saved").to_string()
    } else {
        c.flash_notice()
    };
    account_view(&s, c, id, None, FormErrors::default(), notice).await
}

async fn update_account(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    MultiForm(f): MultiForm<AccountForm>,
) -> PageResult {
    if f.show_units.is_some() {
        return account_view(&s, c, id, Some(f), FormErrors::default(), String::new()).await;
    }
    let uc = UseCase::page(&s, &c)?;
    let Some(role) = f.role() else {
        let mut e = domain::FieldErrors::new();
        e.add("role", "invalid_role", "Välj en roll.");
        return account_view(&s, c, id, Some(f), FormErrors(e), String::new()).await;
    };
    if f.lacks_scope(role) {
        let mut e = domain::FieldErrors::new();
        e.add(
            "units",
            "scope_required",
            "En enhetschef måste ha minst en enhet eller kommun.",
        );
        return account_view(&s, c, id, Some(f), FormErrors(e), String::new()).await;
    }
    let scope = f.scope_for(role);
    uc.set_account_role(id, role, &scope, f.active.is_some())
        .await?;
    Ok(see_other(&format!("/admin/konton/{id}?ok=1")))
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
}

async fn reset_password(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let target = uc.account(id).await?;
    if let Err(m) =
        crate::password::check_strength(&f.password, &target.email, &target.display_name)
    {
        let mut e = domain::FieldErrors::new();
        e.add("password", "weak_password", m);
        return account_view(&s, c, id, None, FormErrors(e), String::new()).await;
    }
    let hash = crate::password::hash(f.password).await;
    uc.set_account_password(id, &hash).await?;
    Ok(see_other(&format!("/admin/konton/{id}?ok=1")))
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    c: Ctx,
    entries: Vec<audit::Entry>,
    total: i64,
    actions: Vec<String>,
    q: AuditQuery,
    newer: Option<i64>,
    older: Option<i64>,
    /// More entries match than were counted (`count_cap`).
    more: bool,
    count_cap: i64,
}

impl AuditPage {
    /// The log with the same filter, from `param` (`fore`/`efter`) = `id`,
    /// or the newest entries when `param` is empty.
    fn seek_link(&self, param: &str, id: &i64) -> String {
        let mut link = format!(
            "/admin/logg?action={}&actor={}&person={}&from={}&to={}",
            urlencoding::encode(&self.q.action),
            urlencoding::encode(&self.q.actor),
            urlencoding::encode(&self.q.person),
            urlencoding::encode(&self.q.from),
            urlencoding::encode(&self.q.to)
        );
        if !param.is_empty() {
            link.push_str(&format!("&{param}={id}"));
        }
        link
    }
}

#[derive(Deserialize, Default, Clone)]
struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Entries older than this id.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    fore: Option<i64>,
    /// Entries newer than this id.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    efter: Option<i64>,
}

const AUDIT_PAGE: i64 = 100;

async fn audit_page(State(s): State<AppState>, c: Ctx, Query(q): Query<AuditQuery>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let day = |d: &str, add_days: i64| {
        navet_store::time::parse_date(d)
            .and_then(|d| {
                d.and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_local_timezone(chrono_tz::Europe::Stockholm)
                    .earliest()
            })
            .map(|t| t.timestamp() + add_days * 86_400)
    };
    let filter = audit::Filter {
        action: (!q.action.is_empty()).then(|| q.action.clone()),
        actor: (!q.actor.trim().is_empty()).then(|| q.actor.trim().to_string()),
        person_id: q.person.trim().parse().ok(),
        from: day(&q.from, 0),
        to: day(&q.to, 1),
        limit: AUDIT_PAGE,
        seek: Seek::from_query(q.fore, q.efter),
    };
    let (entries, total, actions) = uc.audit_log(&filter).await?;
    render(AuditPage {
        c,
        newer: entries.newer,
        older: entries.older,
        entries: entries.rows,
        total,
        actions,
        more: total > audit::COUNT_CAP,
        count_cap: audit::COUNT_CAP,
        q,
    })
}
