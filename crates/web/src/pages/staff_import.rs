//! Importing a staff list from an HR system: upload → preview (nothing
//! written; the checked file waits on the server) → confirm. The import
//! concerns only the units the file names (or those chosen on the preview);
//! marking absent people as left is a separate choice, and many at once
//! must be confirmed by typing their number. Unknown HR titles are mapped to
//! roles on the page, and the choice is remembered. Undo: `import_history`.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::extract::{Multipart, State};
use axum::routing::get;
use axum::Router;
use domain::access::{Action, Visibility};
use domain::role_titles::TitleMap;
use domain::staff_import::{
    self, ImportPlan, LineError, Mode, PlanOptions, RawStaffRow, StaffRecord,
};
use domain::tabular::{self, ErrorList, TableError, LIMITS};
use navet_store::offload::PARSE_TIME_LIMIT;
use navet_store::org::{Municipality, Role as JobRole, Unit};
use navet_store::StoreError;

use super::render_form;
use crate::ctx::Ctx;
use crate::imports;
use crate::usecase::imports::ImportRun;
use crate::usecase::staff_imports::StaffLookups;
use crate::usecase::UseCase;
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/personal/import", get(import_form).post(import))
}

/// One person to be added, as the preview shows them.
pub struct AddedRow {
    pub line: usize,
    pub name: String,
    pub role: String,
    pub unit: String,
}

/// One person to be changed and each change in words.
pub struct ChangedRow {
    pub line: usize,
    pub name: String,
    pub changes: Vec<String>,
}

/// A unit the import may concern, ticked when it does.
pub struct UnitChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    c: Ctx,
    municipalities: Vec<Municipality>,
    units: Vec<Unit>,
    municipality_id: i64,
    unit_id: i64,
    mode: Mode,
    /// The first errors (at most `MAX_ERRORS_SHOWN`) and how many in all.
    errors: Vec<LineError>,
    errors_total: usize,
    general_error: String,
    /// Titles nothing matches, offered to map, and the roles to pick.
    unknown_titles: Vec<String>,
    roles: Vec<JobRole>,
    plan: Option<ImportPlan>,
    added: Vec<AddedRow>,
    changed: Vec<ChangedRow>,
    left: Vec<(String, String)>,
    unit_choices: Vec<UnitChoice>,
    /// What the preview shows (mode and units), checked again on confirm.
    seen: String,
    needs_typed: bool,
    /// The checked file kept on the server for the confirm step (its id).
    upload_id: i64,
}

impl ImportPage {
    fn new(c: Ctx, municipalities: Vec<Municipality>, units: Vec<Unit>) -> Self {
        ImportPage {
            c,
            municipalities,
            units,
            municipality_id: 0,
            unit_id: 0,
            mode: Mode::AddAndUpdate,
            errors: vec![],
            errors_total: 0,
            general_error: String::new(),
            unknown_titles: vec![],
            roles: vec![],
            plan: None,
            added: vec![],
            changed: vec![],
            left: vec![],
            unit_choices: vec![],
            seen: String::new(),
            needs_typed: false,
            upload_id: 0,
        }
    }
    fn mark_left(&self) -> bool {
        self.mode == Mode::MarkAbsentAsLeft
    }
    fn left_count(&self) -> usize {
        self.plan.as_ref().map(|p| p.left.len()).unwrap_or(0)
    }
}

async fn import_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    let placement = UseCase::page(&s, &c)?.new_person_form(None).await?;
    let mut page = ImportPage::new(c, placement.municipalities, placement.units);
    if page.municipalities.len() == 1 {
        page.municipality_id = page.municipalities[0].id;
    }
    render(page)
}

/// What reading and checking a staff list gave.
enum Checked {
    Unreadable(TableError),
    Errors(ErrorList<LineError>, Vec<String>),
    Records(Vec<StaffRecord>),
}

/// Read (guarded reader, off the runtime, within the time limit) and check
/// every row against the titles and the municipality's units.
async fn check_file(
    (titles, unit_map): StaffLookups,
    municipality_id: i64,
    bytes: Vec<u8>,
    filename: String,
) -> (Vec<u8>, Checked) {
    let done = navet_store::offload::parse(PARSE_TIME_LIMIT, move |stop| {
        let checked = match tabular::read(&bytes, &filename, &LIMITS, stop) {
            Err(e) => Checked::Unreadable(e),
            Ok(table) => match staff_import::rows_from_table(&table) {
                Err(missing) => {
                    let mut l = ErrorList::default();
                    missing.into_iter().for_each(|e| l.push(e));
                    Checked::Errors(l, vec![])
                }
                Ok(rows) => {
                    drop(table);
                    check_rows(&rows, &titles, municipality_id, &unit_map)
                }
            },
        };
        (bytes, checked)
    })
    .await;
    done.unwrap_or_else(|| {
        (
            vec![],
            Checked::Unreadable(TableError {
                line: 0,
                message: tabular::TIMED_OUT.into(),
            }),
        )
    })
}

fn check_rows(
    rows: &[RawStaffRow],
    titles: &TitleMap,
    municipality_id: i64,
    units: &HashMap<String, i64>,
) -> Checked {
    let titles = titles.for_municipality(municipality_id);
    match staff_import::check_rows(rows, &titles, units) {
        Ok(r) => Checked::Records(r),
        Err(e) => Checked::Errors(e, staff_import::unknown_titles(rows, &titles)),
    }
}

/// The fields of the upload, preview and mapping forms.
#[derive(Default)]
struct ImportForm {
    municipality_id: i64,
    unit_id: i64,
    mode: Mode,
    bytes: Vec<u8>,
    filename: String,
    upload_id: i64,
    /// Units ticked on the preview (when `scope_shown`).
    scope_units: BTreeSet<i64>,
    scope_shown: bool,
    seen: String,
    confirm: bool,
    confirm_count: String,
    /// Title → role choices (title, role id), when `map` was pressed.
    map: bool,
    titles: HashMap<usize, String>,
    roles: HashMap<usize, i64>,
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
        if name == "file" {
            f.filename = field.file_name().unwrap_or("").to_string();
            f.bytes = field
                .bytes()
                .await
                .map_err(|e| imports::body_error(c, e))?
                .to_vec();
            continue;
        }
        let text = field.text().await.unwrap_or_default();
        match name.as_str() {
            "upload" => f.upload_id = number(text),
            "municipality" => f.municipality_id = number(text),
            "unit" => f.unit_id = number(text),
            "mode" => f.mode = Mode::parse(text.trim()),
            "scope_shown" => f.scope_shown = true,
            "scope_unit" => {
                f.scope_units.insert(number(text));
            }
            "seen" => f.seen = text,
            "confirm" => f.confirm = true,
            "confirm_count" => f.confirm_count = text,
            "map" => f.map = true,
            n => {
                if let Some(i) = n.strip_prefix("title_").and_then(|i| i.parse().ok()) {
                    f.titles.insert(i, text);
                } else if let Some(i) = n.strip_prefix("role_").and_then(|i| i.parse().ok()) {
                    f.roles.insert(i, number(text));
                }
            }
        }
    }
    Ok(f)
}

/// Upload → preview (nothing written, the file kept on the server) →
/// confirm. One import at a time per account.
async fn import(State(s): State<AppState>, c: Ctx, mp: Multipart) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let placement = uc.new_person_form(None).await?;
    let mut page = ImportPage::new(c.clone(), placement.municipalities, placement.units);
    // Decided, and the account's one import at a time taken, before the
    // body is read.
    let Some(run) = uc.start_import(Action::ListPeople, "staff").await? else {
        page.general_error = c.t("import.busy").into();
        let mut r = render(page)?;
        *r.status_mut() = axum::http::StatusCode::CONFLICT;
        return Ok(r);
    };
    let form = read_import_form(&c, mp).await?;
    page.municipality_id = form.municipality_id;
    page.unit_id = form.unit_id;
    page.mode = form.mode;
    let r = import_locked(&s, &c, &run, form, page).await;
    run.finish().await;
    r
}

fn render_unprocessable(p: ImportPage) -> PageResult {
    render_form(p, true)
}

/// Line errors for the rows a manager may not import: a unit outside
/// their scope, or (when importing for one unit) another unit.
fn rows_outside(
    c: &Ctx,
    seen: &Visibility,
    municipality_id: i64,
    unit: Option<i64>,
    records: &[StaffRecord],
) -> ErrorList<LineError> {
    let mut wrong = ErrorList::default();
    for r in records {
        let message = if unit.is_some_and(|u| u != r.unit_id) {
            c.t("import.other_unit")
        } else if !seen.covers_unit(r.unit_id, municipality_id) {
            c.t("staff_import.not_your_unit")
        } else {
            continue;
        };
        wrong.push(LineError {
            line: r.line,
            column: "enhet".into(),
            message: message.into(),
        });
    }
    wrong
}

async fn import_locked(
    s: &AppState,
    c: &Ctx,
    run: &ImportRun<'_, '_>,
    form: ImportForm,
    mut page: ImportPage,
) -> PageResult {
    let uc = run.uc;
    let municipality_id = form.municipality_id;
    let unit = (form.unit_id > 0).then_some(form.unit_id);
    if municipality_id == 0 {
        page.general_error = c.t("import.choose_municipality").into();
        return render_unprocessable(page);
    }
    if let Some(u) = unit {
        if uc.unit_municipality(u).await? != municipality_id {
            page.general_error = c.t("import.unit_not_in_municipality").into();
            return render_unprocessable(page);
        }
    }
    uc.may_import_staff(municipality_id, unit)?;
    let (mut bytes, mut filename) = (form.bytes.clone(), form.filename.clone());
    // A file already waiting on the server keeps its id for the next step.
    let kept = (bytes.is_empty() && form.upload_id > 0).then_some(form.upload_id);
    if bytes.is_empty() && form.upload_id > 0 {
        match run.kept_file(form.upload_id).await? {
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
    if form.map {
        for (i, title) in &form.titles {
            let role = form.roles.get(i).copied().unwrap_or(0);
            if role > 0 {
                match uc.map_role_title(municipality_id, title, role).await {
                    Ok(()) => {}
                    Err(StoreError::Invalid(e)) => {
                        page.general_error = e.to_string();
                        return render_unprocessable(page);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    let lookups = uc.staff_lookups(municipality_id).await?;
    let (bytes, checked) = check_file(lookups, municipality_id, bytes, filename.clone()).await;
    let records = match checked {
        Checked::Records(r) => r,
        Checked::Unreadable(e) => {
            page.general_error = format!("{}: {e}", imports::shown_name(&filename));
            return render_unprocessable(page);
        }
        Checked::Errors(errs, unknown) => {
            page.errors_total = errs.total;
            page.errors = errs.shown;
            if !unknown.is_empty() {
                // Kept so the page can send the titles' roles and go on.
                page.upload_id = match kept {
                    Some(id) => id,
                    None => run.keep_file(&filename, &bytes).await?,
                };
                page.roles = uc.job_roles().await?;
                page.unknown_titles = unknown;
            }
            return render_unprocessable(page);
        }
    };
    let seen = uc.visibility();
    let wrong = rows_outside(c, seen, municipality_id, unit, &records);
    if !wrong.is_empty() {
        page.errors_total = wrong.total;
        page.errors = wrong.shown;
        return render_unprocessable(page);
    }
    let (all_units, roles, existing) = uc.staff_import_basis(municipality_id).await?;
    let may_concern = |u: i64| seen.covers_unit(u, municipality_id);
    let chosen = if form.scope_shown {
        Some(
            form.scope_units
                .iter()
                .copied()
                .filter(|u| all_units.iter().any(|x| x.id == *u) && may_concern(*u))
                .collect(),
        )
    } else {
        unit.map(|u| BTreeSet::from([u]))
    };
    let plan = staff_import::plan(
        &existing,
        &records,
        &PlanOptions {
            mode: form.mode,
            units: chosen,
            importer: uc.person_id(),
        },
    );
    // A manager moves people into their units only from their units.
    let mut wrong = ErrorList::default();
    for (_, rec, changes) in &plan.changed {
        let from = changes.iter().find_map(|ch| match ch {
            staff_import::StaffChange::Unit { from, .. } => Some(*from),
            _ => None,
        });
        if let Some(from) = from {
            if !seen.covers(from, municipality_id) {
                wrong.push(LineError {
                    line: rec.line,
                    column: "enhet".into(),
                    message: c.t("staff_import.moved_from_elsewhere").into(),
                });
            }
        }
    }
    if !wrong.is_empty() {
        page.errors_total = wrong.total;
        page.errors = wrong.shown;
        return render_unprocessable(page);
    }
    let seen = seen_key(&plan);
    if form.confirm {
        if plan.mode == Mode::MarkAbsentAsLeft && form.seen != seen {
            // Marking as left, but not what the preview showed (mode or
            // units changed on the page): show the preview again.
            page.general_error = c.t("staff_import.preview_changed").into();
        } else if plan.needs_typed_confirmation()
            && !staff_import::typed_number_confirms(&form.confirm_count, plan.left.len())
        {
            page.general_error = c
                .t("staff_import.type_the_number")
                .replace("{n}", &plan.left.len().to_string());
        } else {
            return apply(
                s,
                c,
                run,
                (municipality_id, unit, form.upload_id),
                &filename,
                plan,
            )
            .await;
        }
    }
    page.upload_id = match kept {
        Some(id) => id,
        None => run.keep_file(&filename, &bytes).await?,
    };
    let shown: Vec<i64> = plan
        .changed
        .iter()
        .map(|(id, _, _)| *id)
        .chain(plan.left.iter().map(|e| e.person_id))
        .collect();
    uc.log_staff_preview(&shown).await?;
    fill_preview(&mut page, plan, &all_units, roles, &may_concern);
    page.seen = seen;
    let refused = !page.general_error.is_empty();
    render_form(page, refused)
}

/// What a preview showed: the mode and the units, in one string.
fn seen_key(plan: &ImportPlan) -> String {
    let units: Vec<String> = plan.units.iter().map(|u| u.to_string()).collect();
    format!("{}:{}", plan.mode.code(), units.join(","))
}

async fn apply(
    s: &AppState,
    c: &Ctx,
    run: &ImportRun<'_, '_>,
    (municipality_id, unit, upload_id): (i64, Option<i64>, i64),
    filename: &str,
    plan: ImportPlan,
) -> PageResult {
    let applied = run
        .uc
        .apply_staff_import(municipality_id, unit, &plan, filename)
        .await;
    match applied {
        Ok(summary) => {
            if upload_id > 0 {
                run.forget_file(upload_id).await?;
            }
            let text = c
                .t("staff_import.done")
                .replace("{added}", &summary.added.to_string())
                .replace("{changed}", &summary.changed.to_string())
                .replace("{left}", &summary.left.to_string());
            crate::flash::redirect(
                s,
                c,
                crate::flash::Kind::Notice,
                &text,
                &format!("/personal/importer/{}", summary.import_id),
            )
            .await
        }
        Err(StoreError::Invalid(e)) => {
            crate::flash::error(s, c, &e.to_string(), "/personal/import").await
        }
        Err(e) => Err(e.into()),
    }
}

fn fill_preview(
    page: &mut ImportPage,
    plan: ImportPlan,
    all_units: &[Unit],
    roles: Vec<JobRole>,
    may_concern: &dyn Fn(i64) -> bool,
) {
    let role_names: HashMap<i64, String> = roles.into_iter().map(|r| (r.id, r.name)).collect();
    let unit_names: HashMap<i64, String> =
        all_units.iter().map(|u| (u.id, u.name.clone())).collect();
    let role = |id: i64| role_names.get(&id).cloned().unwrap_or_else(|| "?".into());
    let unit = |id: i64| unit_names.get(&id).cloned().unwrap_or_else(|| "–".into());
    page.added = plan
        .added
        .iter()
        .map(|r| AddedRow {
            line: r.line,
            name: r.name.clone(),
            role: role(r.role_id),
            unit: unit(r.unit_id),
        })
        .collect();
    page.changed = plan
        .changed
        .iter()
        .map(|(_, r, changes)| ChangedRow {
            line: r.line,
            name: r.name.clone(),
            changes: if changes.is_empty() {
                vec![page.c.t("import.employee_no_recorded").to_string()]
            } else {
                changes.iter().map(|ch| ch.describe(role, unit)).collect()
            },
        })
        .collect();
    page.left = plan
        .left
        .iter()
        .map(|e| (e.name.clone(), e.unit_id.map(unit).unwrap_or_default()))
        .collect();
    domain::collation::sort_swedish_by(&mut page.left, |l| &l.0);
    page.unit_choices = all_units
        .iter()
        .filter(|u| may_concern(u.id) || plan.units.contains(&u.id))
        .map(|u| UnitChoice {
            id: u.id,
            name: u.name.clone(),
            checked: plan.units.contains(&u.id),
        })
        .collect();
    page.needs_typed = plan.needs_typed_confirmation();
    page.mode = plan.mode;
    page.plan = Some(plan);
}
