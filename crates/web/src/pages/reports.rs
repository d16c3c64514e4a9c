//! The indicator report for any period: on screen, as CSV and XLSX (built in
//! `crate::report_files`), and the historical participation import with a
//! preview.

use crate::rejection::Query;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use domain::access::Action;
use domain::indicators::{IndicatorReport, Period};
use domain::participation_import::ImportError;
use navet_store::history_import::ImportSummary;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::format;
use crate::imports;
use crate::report_files::{to_csv, to_xlsx};
use crate::usecase::imports::ImportRun;
use crate::usecase::UseCase;
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rapporter", get(page))
        .route("/rapporter/indikatorer.csv", get(csv_export))
        .route("/rapporter/indikatorer.xlsx", get(xlsx_export))
        .route("/rapporter/import", get(import_form).post(import))
}

#[derive(Deserialize, Default, Clone)]
pub struct PeriodQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Only participations under this funding source ("" = all).
    #[serde(default)]
    pub program: String,
}

/// The period asked for; the current year up to today when none is given.
pub fn period_of(q: &PeriodQuery) -> Result<Period, domain::FieldErrors> {
    let today = navet_store::time::local_date(navet_store::time::now());
    let from = if q.from.trim().is_empty() {
        format!("{}-01-01", today.year())
    } else {
        q.from.clone()
    };
    let to = if q.to.trim().is_empty() {
        format!("{}-12-31", today.year())
    } else {
        q.to.clone()
    };
    domain::indicators::check_period(&from, &to)
}

#[derive(Template)]
#[template(path = "reports/page.html")]
struct ReportPage {
    c: Ctx,
    q: PeriodQuery,
    errors: FormErrors,
    r: Option<IndicatorReport>,
    /// Funding sources to filter by.
    sources: Vec<domain::funding::sources::Source>,
    /// "Visa underlag" links (named people: the hub only), with the ids
    /// behind the report's names.
    can_trail: bool,
    municipality_ids: std::collections::HashMap<String, i64>,
    course_ids: std::collections::HashMap<String, i64>,
}

impl ReportPage {
    fn pct(&self, v: &f64) -> String {
        format::decimal(*v, 1)
    }
    fn hours(&self, v: &f64) -> String {
        format::decimal(*v, 1)
    }
    fn opt_pct(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{} %", format::decimal(x, 0)))
            .unwrap_or_else(|| "–".into())
    }
    fn opt_dec(&self, v: &Option<f64>) -> String {
        v.map(|x| format::decimal(x, 1))
            .unwrap_or_else(|| "–".into())
    }
    fn query(&self) -> String {
        let mut q = format!("from={}&to={}", self.q.from, self.q.to);
        if !self.q.program.trim().is_empty() {
            q.push_str(&format!("&program={}", self.q.program.trim()));
        }
        q
    }
    fn is_program(&self, id: &i64) -> bool {
        self.q.program.trim() == id.to_string()
    }
    /// The list behind a figure: the period (and source) plus `extra`.
    fn trail(&self, extra: &str) -> String {
        format!("/underlag?{}{extra}", self.query())
    }
    fn trail_municipality(&self, name: &str) -> String {
        match self.municipality_ids.get(name) {
            Some(id) => self.trail(&format!("&kommun={id}")),
            None => self.trail(""),
        }
    }
    fn trail_course(&self, title: &str) -> String {
        match self.course_ids.get(title) {
            Some(id) => self.trail(&format!("&kurs={id}")),
            None => self.trail(""),
        }
    }
    fn trail_group(&self, group: &str) -> String {
        self.trail(&format!("&yrkesgrupp={}", urlencoding::encode(group)))
    }
}

async fn page(State(s): State<AppState>, c: Ctx, Query(q): Query<PeriodQuery>) -> PageResult {
    let uc = crate::usecase::UseCase::page(&s, &c)?;
    let sources = uc.funding_sources().await?;
    let program = match super::source_param(&q.program) {
        Ok(p) => p,
        Err(e) => {
            let errors = super::invalid(e)?;
            return super::render_form(empty_page(c, q, errors, sources), true);
        }
    };
    match period_of(&q) {
        Ok(p) => {
            let r = match uc.indicator_report(Ok(p), program).await {
                Ok(r) => r,
                Err(e) => {
                    let errors = super::invalid(e)?;
                    return super::render_form(empty_page(c, q, errors, sources), true);
                }
            };
            let q = PeriodQuery {
                from: r.from.clone(),
                to: r.to.clone(),
                program: program.map(|p| p.to_string()).unwrap_or_default(),
            };
            let can_trail = uc.may(Action::ViewParticipationTrail);
            let ids = uc.report_trail_ids().await?;
            render(ReportPage {
                c,
                q,
                errors: FormErrors::default(),
                r: Some(r),
                sources,
                can_trail,
                municipality_ids: ids.municipalities,
                course_ids: ids.courses,
            })
        }
        Err(e) => super::render_form(empty_page(c, q, FormErrors(e), sources), true),
    }
}

fn empty_page(
    c: Ctx,
    q: PeriodQuery,
    errors: FormErrors,
    sources: Vec<domain::funding::sources::Source>,
) -> ReportPage {
    ReportPage {
        c,
        q,
        errors,
        r: None,
        sources,
        can_trail: false,
        municipality_ids: Default::default(),
        course_ids: Default::default(),
    }
}

fn file_name(r: &IndicatorReport, ext: &str) -> String {
    format!(
        "attachment; filename=\"indikatorer_{}_{}.{ext}\"",
        r.from, r.to
    )
}

async fn report_for(s: &AppState, c: &Ctx, q: &PeriodQuery) -> Result<IndicatorReport, AppError> {
    let uc = crate::usecase::UseCase::page(s, c)?;
    let program = super::source_param(&q.program)?;
    match uc.indicator_report(period_of(q), program).await {
        Ok(r) => Ok(r),
        Err(navet_store::StoreError::Invalid(e)) => Err(AppError::BadRequest(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

async fn csv_export(State(s): State<AppState>, c: Ctx, Query(q): Query<PeriodQuery>) -> PageResult {
    let r = report_for(&s, &c, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, file_name(&r, "csv")),
        ],
        to_csv(&r),
    )
        .into_response())
}

async fn xlsx_export(
    State(s): State<AppState>,
    c: Ctx,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let r = report_for(&s, &c, &q).await?;
    let bytes = to_xlsx(&r).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, file_name(&r, "xlsx")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "reports/import.html")]
struct ImportPage {
    c: Ctx,
    /// The first errors (at most `MAX_ERRORS_SHOWN`) and how many in all.
    errors: Vec<ImportError>,
    errors_total: usize,
    general_error: String,
    preview: Option<ImportSummary>,
    done: Option<ImportSummary>,
    /// The checked file kept on the server for the confirm step (its id).
    upload_id: i64,
    create_courses: bool,
    /// Role titles nothing matches, offered to map, and the roles to pick.
    unknown_titles: Vec<String>,
    roles: Vec<navet_store::org::Role>,
}

impl ImportPage {
    /// The upload form, nothing read yet.
    fn new(c: Ctx) -> Self {
        ImportPage {
            c,
            errors: vec![],
            errors_total: 0,
            general_error: String::new(),
            preview: None,
            done: None,
            upload_id: 0,
            create_courses: false,
            unknown_titles: vec![],
            roles: vec![],
        }
    }
}

async fn import_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    crate::usecase::UseCase::page(&s, &c)?.may_import_participations()?;
    render(ImportPage::new(c))
}

/// Upload → preview (nothing written, the file kept on the server) →
/// confirm (everything or nothing). One import at a time per account.
async fn import(State(s): State<AppState>, c: Ctx, mut mp: Multipart) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let mut page = ImportPage::new(c.clone());
    // Decided, and the account's one import at a time taken, before the
    // body is read.
    let Some(run) = uc
        .start_import(Action::ManageCatalogue, "participations")
        .await?
    else {
        page.general_error = page.c.t("import.busy").into();
        let mut r = render(page)?;
        *r.status_mut() = axum::http::StatusCode::CONFLICT;
        return Ok(r);
    };
    let mut bytes = vec![];
    let mut filename = String::new();
    let mut upload_id = 0i64;
    let mut confirm = false;
    let mut mapping = TitleChoices::default();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| imports::body_error(&c, e))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                filename = field.file_name().unwrap_or("").to_string();
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| imports::body_error(&c, e))?
                    .to_vec();
            }
            "upload" => {
                upload_id = field
                    .text()
                    .await
                    .unwrap_or_default()
                    .trim()
                    .parse()
                    .unwrap_or(0)
            }
            "create_courses" => page.create_courses = true,
            "confirm" => confirm = true,
            n => {
                // Title → role choices from the mapping form.
                let n = n.to_string();
                let text = field.text().await.unwrap_or_default();
                if let Some(i) = n.strip_prefix("title_").and_then(|i| i.parse().ok()) {
                    mapping.titles.insert(i, text);
                } else if let Some(i) = n.strip_prefix("role_").and_then(|i| i.parse().ok()) {
                    mapping.roles.insert(i, text.trim().parse().unwrap_or(0));
                }
            }
        }
    }
    let r = match save_choices(&uc, &mapping).await {
        Ok(()) => import_locked(&run, page, bytes, filename, upload_id, confirm).await,
        Err(message) => {
            page.general_error = message;
            super::render_form(page, true)
        }
    };
    run.finish().await;
    r
}

async fn import_locked(
    run: &ImportRun<'_, '_>,
    mut page: ImportPage,
    mut bytes: Vec<u8>,
    mut filename: String,
    upload_id: i64,
    confirm: bool,
) -> PageResult {
    if bytes.is_empty() && upload_id > 0 {
        match run.kept_file(upload_id).await? {
            Some((name, b)) => {
                filename = name;
                bytes = b;
            }
            None => {
                page.general_error = page.c.t("import.upload_gone").into();
                return super::render_form(page, true);
            }
        }
    }
    if bytes.is_empty() {
        page.general_error = page.c.t("reports.choose_file").into();
        return super::render_form(page, true);
    }
    let create_courses = page.create_courses;
    let result = if confirm {
        run.uc
            .import_participations(&filename, &bytes, create_courses)
            .await?
    } else {
        run.uc
            .preview_participations(&bytes, create_courses)
            .await?
    };
    match result {
        Ok(summary) if confirm => {
            if upload_id > 0 {
                run.forget_file(upload_id).await?;
            }
            page.done = Some(summary);
        }
        Ok(summary) => {
            page.upload_id = run.keep_file(&filename, &bytes).await?;
            page.preview = Some(summary);
        }
        Err(errors) => {
            page.errors_total = errors.total;
            page.errors = errors.shown;
            let (unknown, roles) = run.uc.unknown_role_titles(&bytes).await?;
            if !unknown.is_empty() {
                // Kept so the mapping form can go on with the same file.
                page.upload_id = run.keep_file(&filename, &bytes).await?;
                page.roles = roles;
                page.unknown_titles = unknown;
            }
            return super::render_form(page, true);
        }
    }
    render(page)
}

/// Title → role choices sent from the mapping form (index → value).
#[derive(Default)]
struct TitleChoices {
    titles: std::collections::HashMap<usize, String>,
    roles: std::collections::HashMap<usize, i64>,
}

/// Remember each chosen title → role for every municipality (a
/// participation file spans municipalities); the message when one is refused.
async fn save_choices(uc: &UseCase<'_>, choices: &TitleChoices) -> Result<(), String> {
    for (i, title) in &choices.titles {
        let role = choices.roles.get(i).copied().unwrap_or(0);
        if role > 0 {
            uc.map_role_title_everywhere(title, role)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
