//! People: list (within what the user may see), view (audited), add, edit,
//! and import staff lists from HR systems with a preview.

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::routing::get;
use axum::{Form, Router};
use domain::access::{Action, Role};
use domain::staff_import::{self, ImportPlan, LineError, StaffRecord};
use domain::tabular::{self, ErrorList, TableError, LIMITS};
use navet_store::offload::PARSE_TIME_LIMIT;
use navet_store::org::{Municipality, Role as JobRole, Unit};
use navet_store::people::{self, Person, PersonInput};
use navet_store::{audit, StoreError};
use serde::Deserialize;

use super::{render_form, FormErrors};
use crate::ctx::Ctx;
use crate::imports;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal", get(list))
        .route("/personal/ny", get(new_form).post(create))
        .route("/personal/import", get(import_form).post(import))
        .route("/personal/{id}", get(show))
        .route("/personal/{id}/andra", get(edit_form).post(update))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kommun: Option<i64>,
    #[serde(default)]
    enhet: Option<i64>,
    #[serde(default)]
    slutat: Option<String>,
    #[serde(default)]
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    c: Ctx,
    people: Vec<Person>,
    shown: Vec<Person>,
    municipalities: Vec<Municipality>,
    units: Vec<Unit>,
    q: String,
    kommun: i64,
    enhet: i64,
    include_left: bool,
    notice: String,
    can_import: bool,
}

const PAGE_SIZE: usize = 200;

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let user = c.require(Action::ListPeople)?;
    let scope = (user.role() == Role::Manager).then(|| user.actor.scope.clone());
    let filter = people::Filter {
        scope: scope.clone(),
        municipality_id: q.kommun,
        unit_id: q.enhet,
        query: Some(q.q.clone()),
        include_left: q.slutat.is_some(),
    };
    let found = people::list(&s.db, &filter).await?;
    // Listing others' names and e-mail is a read of personal data: one
    // entry per view with the ids shown (not the search text, which may be
    // a name).
    let ids: Vec<i64> = found.iter().map(|p| p.id).collect();
    audit::record_list_read(&s.db, &user.who(), "people", "personallistan", &ids).await?;
    let all_munis = navet_store::org::municipalities(&s.db).await?;
    let all_units = navet_store::org::units(&s.db, None).await?;
    let (municipalities, units) = match &scope {
        Some(sc) => (
            all_munis
                .into_iter()
                .filter(|m| {
                    sc.municipality_ids.contains(&m.id)
                        || all_units
                            .iter()
                            .any(|u| u.municipality_id == m.id && sc.unit_ids.contains(&u.id))
                })
                .collect(),
            all_units
                .into_iter()
                .filter(|u| sc.covers_unit(u.id, u.municipality_id))
                .collect(),
        ),
        None => (all_munis, all_units),
    };
    let notice = match q.ok.as_deref() {
        Some("import") => c.t("people.import_done").to_string(),
        _ => String::new(),
    };
    let can_import = user.role() != Role::Participant && user.role() != Role::Trainer;
    let shown = found.iter().take(PAGE_SIZE).cloned().collect();
    render(ListPage {
        people: found,
        shown,
        municipalities,
        units,
        q: q.q,
        kommun: q.kommun.unwrap_or(0),
        enhet: q.enhet.unwrap_or(0),
        include_left: q.slutat.is_some(),
        notice,
        can_import,
        c,
    })
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    c: Ctx,
    p: Person,
    can_edit: bool,
    notice: String,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn show(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    c.require_login()?;
    let p = people::get(&s.db, id).await?;
    let user = c.require(Action::ViewPerson(p.as_ref()))?;
    if domain::access::read_needs_audit(&user.actor, p.id) {
        audit::record_read(&s.db, &user.who(), p.id, "personkort").await?;
    }
    let can_edit = c.can(Action::EditPerson(p.as_ref()));
    let notice = match q.ok.as_deref() {
        Some("created") => c.t("people.created").to_string(),
        Some("saved") => c.t("common.saved").to_string(),
        _ => String::new(),
    };
    render(ShowPage {
        c,
        p,
        can_edit,
        notice,
    })
}

#[derive(Deserialize, Default, Clone)]
struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    employee_no: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    language_support: String,
    #[serde(default)]
    active: Option<String>,
}

impl PersonForm {
    fn input(&self) -> PersonInput {
        PersonInput {
            name: self.name.clone(),
            email: self.email.clone(),
            gender: self.gender.clone(),
            employee_no: self.employee_no.clone(),
            role: self.role.clone(),
            municipality: self.municipality.clone(),
            unit: self.unit.clone(),
            language_support: self.language_support.clone(),
        }
    }
    fn from_person(p: &Person) -> Self {
        PersonForm {
            name: p.name.clone(),
            email: p.email.clone(),
            gender: p.gender.clone(),
            employee_no: p.employee_no.clone().unwrap_or_default(),
            role: p.role_id.to_string(),
            municipality: p.municipality_id.to_string(),
            unit: p.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            language_support: p.language_support.clone(),
            active: (p.active == 1).then(|| "1".into()),
        }
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    c: Ctx,
    f: PersonForm,
    errors: FormErrors,
    roles: Vec<JobRole>,
    municipalities: Vec<Municipality>,
    units: Vec<Unit>,
    /// None for a new person.
    id: Option<i64>,
}

impl FormPage {
    fn gender_options(&self) -> Vec<(&'static str, &'static str)> {
        domain::org::Gender::ALL
            .iter()
            .map(|g| (g.code(), g.label_sv()))
            .collect()
    }
}

/// Municipalities and units the user may place a person in.
async fn placement_options(
    s: &AppState,
    c: &Ctx,
) -> Result<(Vec<Municipality>, Vec<Unit>), AppError> {
    let user = c.require_login()?;
    let munis = navet_store::org::municipalities(&s.db).await?;
    let units = navet_store::org::units(&s.db, None).await?;
    if user.role() == Role::Manager {
        let sc = &user.actor.scope;
        let units: Vec<Unit> = units
            .into_iter()
            .filter(|u| sc.covers_unit(u.id, u.municipality_id))
            .collect();
        let munis = munis
            .into_iter()
            .filter(|m| {
                sc.municipality_ids.contains(&m.id)
                    || units.iter().any(|u| u.municipality_id == m.id)
            })
            .collect();
        Ok((munis, units))
    } else {
        Ok((munis, units))
    }
}

async fn form_page(
    s: &AppState,
    c: Ctx,
    f: PersonForm,
    errors: FormErrors,
    id: Option<i64>,
) -> PageResult {
    let roles = navet_store::org::roles(&s.db).await?;
    let (municipalities, units) = placement_options(s, &c).await?;
    let has_errors = errors.any();
    render_form(
        FormPage {
            c,
            f,
            errors,
            roles,
            municipalities,
            units,
            id,
        },
        has_errors,
    )
}

async fn new_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    c.require(Action::ListPeople)?;
    let (munis, units) = placement_options(&s, &c).await?;
    let f = PersonForm {
        gender: "ej_angivet".into(),
        municipality: if munis.len() == 1 {
            munis[0].id.to_string()
        } else {
            String::new()
        },
        unit: if units.len() == 1 {
            units[0].id.to_string()
        } else {
            String::new()
        },
        ..Default::default()
    };
    form_page(&s, c, f, FormErrors::default(), None).await
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<PersonForm>) -> PageResult {
    c.require_login()?;
    let resolved = match people::resolve(&s.db, &f.input()).await {
        Ok(r) => r,
        Err(StoreError::Invalid(e)) => return form_page(&s, c, f, FormErrors(e), None).await,
        Err(e) => return Err(e.into()),
    };
    let user = c.require(Action::CreatePerson {
        municipality_id: resolved.municipality_id,
        unit_id: resolved.unit_id,
    })?;
    match people::create(&s.db, &user.who(), &resolved, false).await {
        Ok(id) => Ok(see_other(&format!("/personal/{id}?ok=created"))),
        Err(StoreError::Invalid(e)) => form_page(&s, c, f, FormErrors(e), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    c.require_login()?;
    let p = people::get(&s.db, id).await?;
    let user = c.require(Action::EditPerson(p.as_ref()))?;
    if domain::access::read_needs_audit(&user.actor, p.id) {
        audit::record_read(&s.db, &user.who(), p.id, "redigering").await?;
    }
    form_page(
        &s,
        c,
        PersonForm::from_person(&p),
        FormErrors::default(),
        Some(id),
    )
    .await
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PersonForm>,
) -> PageResult {
    c.require_login()?;
    let p = people::get(&s.db, id).await?;
    c.require(Action::EditPerson(p.as_ref()))?;
    let resolved = match people::resolve(&s.db, &f.input()).await {
        Ok(r) => r,
        Err(StoreError::Invalid(e)) => return form_page(&s, c, f, FormErrors(e), Some(id)).await,
        Err(e) => return Err(e.into()),
    };
    // Moving someone requires access to the destination too.
    let user = c.require(Action::CreatePerson {
        municipality_id: resolved.municipality_id,
        unit_id: resolved.unit_id,
    })?;
    match people::update(&s.db, &user.who(), id, &resolved, f.active.is_some()).await {
        Ok(()) => Ok(see_other(&format!("/personal/{id}?ok=saved"))),
        Err(StoreError::Invalid(e)) => form_page(&s, c, f, FormErrors(e), Some(id)).await,
        Err(e) => Err(e.into()),
    }
}

// Staff import ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    c: Ctx,
    municipalities: Vec<Municipality>,
    units: Vec<Unit>,
    municipality_id: i64,
    unit_id: i64,
    /// The first errors (at most `MAX_ERRORS_SHOWN`) and how many in all.
    errors: Vec<LineError>,
    errors_total: usize,
    general_error: String,
    plan: Option<ImportPlan>,
    /// The checked file kept on the server for the confirm step (its id).
    upload_id: i64,
    role_names: std::collections::HashMap<i64, String>,
    unit_names: std::collections::HashMap<i64, String>,
}

async fn import_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    c.require(Action::ListPeople)?;
    let (municipalities, units) = placement_options(&s, &c).await?;
    render(ImportPage {
        c,
        municipality_id: municipalities
            .first()
            .map(|m| m.id)
            .filter(|_| municipalities.len() == 1)
            .unwrap_or(0),
        unit_id: 0,
        municipalities,
        units,
        errors: vec![],
        errors_total: 0,
        general_error: String::new(),
        plan: None,
        upload_id: 0,
        role_names: Default::default(),
        unit_names: Default::default(),
    })
}

/// What reading and checking a staff list gave.
enum Checked {
    Unreadable(TableError),
    Errors(ErrorList<LineError>),
    Records(Vec<StaffRecord>),
}

/// Read (guarded reader, off the runtime, within the time limit) and check
/// every row against the municipality's roles and units.
async fn check_file(
    s: &AppState,
    municipality_id: i64,
    bytes: Vec<u8>,
    filename: String,
) -> Result<(Vec<u8>, Checked), AppError> {
    let (roles, unit_map) = people::import_lookups(&s.db, municipality_id).await?;
    let done = navet_store::offload::parse(PARSE_TIME_LIMIT, move |stop| {
        let checked = match tabular::read(&bytes, &filename, &LIMITS, stop) {
            Err(e) => Checked::Unreadable(e),
            Ok(table) => match staff_import::rows_from_table(&table) {
                Err(missing) => {
                    let mut l = ErrorList::default();
                    missing.into_iter().for_each(|e| l.push(e));
                    Checked::Errors(l)
                }
                Ok(rows) => {
                    drop(table);
                    match staff_import::check_rows(&rows, &roles, &unit_map) {
                        Ok(r) => Checked::Records(r),
                        Err(e) => Checked::Errors(e),
                    }
                }
            },
        };
        (bytes, checked)
    })
    .await;
    Ok(done.unwrap_or_else(|| {
        (
            vec![],
            Checked::Unreadable(TableError {
                line: 0,
                message: tabular::TIMED_OUT.into(),
            }),
        )
    }))
}

/// The fields of the upload form.
#[derive(Default)]
struct ImportForm {
    municipality_id: i64,
    unit_id: i64,
    bytes: Vec<u8>,
    filename: String,
    upload_id: i64,
    confirm: bool,
}

async fn read_import_form(c: &Ctx, mut mp: Multipart) -> Result<ImportForm, AppError> {
    let mut f = ImportForm::default();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| imports::body_error(c, e))?
    {
        let name = field.name().unwrap_or("").to_string();
        let number = |t: String| t.trim().parse().unwrap_or(0);
        match name.as_str() {
            "file" => {
                f.filename = field.file_name().unwrap_or("").to_string();
                f.bytes = field
                    .bytes()
                    .await
                    .map_err(|e| imports::body_error(c, e))?
                    .to_vec();
            }
            "upload" => f.upload_id = number(field.text().await.unwrap_or_default()),
            "municipality" => f.municipality_id = number(field.text().await.unwrap_or_default()),
            "unit" => f.unit_id = number(field.text().await.unwrap_or_default()),
            "confirm" => f.confirm = true,
            _ => {}
        }
    }
    Ok(f)
}

/// Upload → preview (nothing written, the file kept on the server) →
/// confirm. One import at a time per account.
async fn import(State(s): State<AppState>, c: Ctx, mp: Multipart) -> PageResult {
    let account_id = c.require(Action::ListPeople)?.account_id;
    let form = read_import_form(&c, mp).await?;
    let (municipalities, units) = placement_options(&s, &c).await?;
    let mut page = ImportPage {
        c: c.clone(),
        municipalities,
        units,
        municipality_id: form.municipality_id,
        unit_id: form.unit_id,
        errors: vec![],
        errors_total: 0,
        general_error: String::new(),
        plan: None,
        upload_id: 0,
        role_names: Default::default(),
        unit_names: Default::default(),
    };
    let Some(held) = imports::lock(&s.db, account_id, "staff").await? else {
        page.general_error = c.t("import.busy").into();
        let mut r = render(page)?;
        *r.status_mut() = axum::http::StatusCode::CONFLICT;
        return Ok(r);
    };
    let r = import_locked(&s, &c, account_id, form, page).await;
    held.release().await;
    r
}

async fn import_locked(
    s: &AppState,
    c: &Ctx,
    account_id: i64,
    form: ImportForm,
    mut page: ImportPage,
) -> PageResult {
    let ImportForm {
        municipality_id,
        unit_id,
        mut bytes,
        mut filename,
        upload_id,
        confirm,
    } = form;
    let unit = (unit_id > 0).then_some(unit_id);
    if municipality_id == 0 {
        page.general_error = c.t("import.choose_municipality").into();
        return render_unprocessable(page);
    }
    if let Some(u) = unit {
        let unit = navet_store::org::unit(&s.db, u).await?;
        if unit.municipality_id != municipality_id {
            page.general_error = c.t("import.unit_not_in_municipality").into();
            return render_unprocessable(page);
        }
    }
    let user = c.require(Action::ImportStaff {
        municipality_id,
        unit_id: unit,
    })?;
    if bytes.is_empty() && upload_id > 0 {
        match navet_store::imports::upload(&s.db, account_id, "staff", upload_id).await? {
            Some((name, b)) => {
                filename = name;
                bytes = b;
            }
            None => {
                page.general_error = c.t("import.upload_gone").into();
                return render_unprocessable(page);
            }
        }
    }
    if bytes.is_empty() {
        page.general_error = c.t("import.no_file").into();
        return render_unprocessable(page);
    }
    let (bytes, checked) = check_file(s, municipality_id, bytes, filename.clone()).await?;
    let records = match checked {
        Checked::Records(r) => r,
        Checked::Unreadable(e) => {
            page.general_error = format!("{}: {e}", imports::shown_name(&filename));
            return render_unprocessable(page);
        }
        Checked::Errors(errs) => {
            page.errors_total = errs.total;
            page.errors = errs.shown;
            return render_unprocessable(page);
        }
    };
    // A manager importing for one unit may only place people in that unit.
    if let Some(u) = unit {
        let mut wrong = ErrorList::default();
        for r in records.iter().filter(|r| r.unit_id != u) {
            wrong.push(LineError {
                line: r.line,
                column: "enhet".into(),
                message: c.t("import.other_unit").into(),
            });
        }
        if !wrong.is_empty() {
            page.errors_total = wrong.total;
            page.errors = wrong.shown;
            return render_unprocessable(page);
        }
    }
    let existing = people::staff_in_scope(&s.db, municipality_id, unit).await?;
    let plan = staff_import::plan(&existing, &records);
    if confirm {
        return match people::apply_import(&s.db, &user.who(), municipality_id, &plan).await {
            Ok(_) => {
                if upload_id > 0 {
                    navet_store::imports::delete_upload(&s.db, account_id, upload_id).await?;
                }
                Ok(see_other(&format!(
                    "/personal?kommun={municipality_id}&ok=import"
                )))
            }
            Err(StoreError::Invalid(e)) => {
                page.general_error = e.to_string();
                render_unprocessable(page)
            }
            Err(e) => Err(e.into()),
        };
    }
    page.upload_id =
        navet_store::imports::save_upload(&s.db, account_id, "staff", &filename, &bytes).await?;
    page.role_names = navet_store::org::roles(&s.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    page.unit_names = navet_store::org::units(&s.db, Some(municipality_id))
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    page.plan = Some(plan);
    render(page)
}

fn render_unprocessable(p: ImportPage) -> PageResult {
    render_form(p, true)
}

impl ImportPage {
    fn role_name(&self, id: &i64) -> &str {
        self.role_names.get(id).map(|s| s.as_str()).unwrap_or("?")
    }
    fn unit_name(&self, id: &i64) -> &str {
        self.unit_names.get(id).map(|s| s.as_str()).unwrap_or("–")
    }
    fn unit_name_opt(&self, id: &Option<i64>) -> &str {
        id.as_ref().map(|i| self.unit_name(i)).unwrap_or("–")
    }
}
