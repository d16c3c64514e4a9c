//! The indicator report for any period: on screen, as CSV and XLSX (Swedish
//! characters intact, cells safe against formula injection), and the
//! historical participation import with a preview.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use chrono::Datelike;
use domain::access::Action;
use domain::indicators::{IndicatorReport, Period};
use domain::participation_import::ImportError;
use domain::spreadsheet::safe_cell;
use navet_store::history_import::{self, ImportSummary};
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::format;
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
}

/// The period asked for; the current year up to today when none is given.
pub fn period_of(q: &PeriodQuery) -> Result<Period, domain::FieldErrors> {
    let today = navet_store::reports::local_date(navet_store::time::now());
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
        format!("from={}&to={}", self.q.from, self.q.to)
    }
}

async fn page(State(s): State<AppState>, c: Ctx, Query(q): Query<PeriodQuery>) -> PageResult {
    c.require(Action::ViewReports)?;
    match period_of(&q) {
        Ok(p) => {
            let r = navet_store::reports::indicator_report(&s.db, p).await?;
            let q = PeriodQuery {
                from: r.from.clone(),
                to: r.to.clone(),
            };
            render(ReportPage {
                c,
                q,
                errors: FormErrors::default(),
                r: Some(r),
            })
        }
        Err(e) => {
            let page = ReportPage {
                c,
                q,
                errors: FormErrors(e),
                r: None,
            };
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                axum::response::Html(page.render()?),
            )
                .into_response())
        }
    }
}

/// The report as tables: (sheet name, header, rows of cells).
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
}

/// (sheet name, column headers, rows)
pub type Table = (&'static str, Vec<&'static str>, Vec<Vec<Cell>>);

pub fn tables(r: &IndicatorReport) -> Vec<Table> {
    use Cell::*;
    let g = &r.unique_participants.by_gender;
    let sh = &r.unique_participants.share_pct_by_gender;
    let mut out = vec![
        (
            "Översikt",
            vec!["Indikator", "Värde"],
            vec![
                vec![Text("Period från".into()), Text(r.from.clone())],
                vec![Text("Period till".into()), Text(r.to.clone())],
                vec![
                    Text("Unika deltagare".into()),
                    Int(r.unique_participants.total),
                ],
                vec![Text("Deltagartillfällen".into()), Int(r.participations)],
                vec![Text("Kurstimmar (närvaro)".into()), Num(r.course_hours)],
                vec![
                    Text("Kurstillfällen genomförda".into()),
                    Int(r.sessions.held),
                ],
                vec![
                    Text("Kurstillfällen inställda".into()),
                    Int(r.sessions.cancelled),
                ],
            ],
        ),
        (
            "Kön",
            vec!["Kön", "Unika deltagare", "Andel (%)"],
            vec![
                vec![Text("kvinna".into()), Int(g.kvinna), Num(sh.kvinna)],
                vec![Text("man".into()), Int(g.man), Num(sh.man)],
                vec![Text("annat".into()), Int(g.annat), Num(sh.annat)],
                vec![
                    Text("ej angivet".into()),
                    Int(g.ej_angivet),
                    Num(sh.ej_angivet),
                ],
            ],
        ),
        (
            "Yrkesgrupp",
            vec!["Yrkesgrupp", "Unika deltagare", "Deltagartillfällen"],
            r.by_role_group
                .iter()
                .map(|x| {
                    vec![
                        Text(x.role_group.clone()),
                        Int(x.unique_participants),
                        Int(x.participations),
                    ]
                })
                .collect(),
        ),
        (
            "Kommun",
            vec![
                "Kommun",
                "Unika deltagare",
                "Deltagartillfällen",
                "Kurstimmar",
                "Åtagande (kurstimmar)",
                "Kurstimmar sedan programstart",
                "Uppnått av åtagande (%)",
                "Förväntat enligt tid (%)",
                "I fas",
            ],
            r.by_municipality
                .iter()
                .map(|m| {
                    vec![
                        Text(m.municipality.clone()),
                        Int(m.unique_participants),
                        Int(m.participations),
                        Num(m.course_hours),
                        Num(m.commitment_hours),
                        Num(m.programme_hours),
                        Num(m.commitment_achieved_pct),
                        Num(m.expected_pct),
                        Text(
                            if m.commitment_hours > 0.0 {
                                if m.on_track {
                                    "ja"
                                } else {
                                    "nej"
                                }
                            } else {
                                "–"
                            }
                            .into(),
                        ),
                    ]
                })
                .collect(),
        ),
        (
            "Kurs",
            vec![
                "Kurs",
                "Deltagartillfällen",
                "Unika deltagare",
                "Kurstimmar",
            ],
            r.by_course
                .iter()
                .map(|x| {
                    vec![
                        Text(x.course.clone()),
                        Int(x.participations),
                        Int(x.unique_participants),
                        Num(x.course_hours),
                    ]
                })
                .collect(),
        ),
        (
            "Inställda",
            vec!["Orsak", "Antal"],
            r.sessions
                .cancelled_by_reason
                .iter()
                .map(|x| vec![Text(x.reason.clone()), Int(x.count)])
                .collect(),
        ),
    ];
    let sv = &r.survey;
    let opt = |v: Option<f64>| v.map(Num).unwrap_or(Text("–".into()));
    out.push((
        "Enkät",
        vec!["Mått", "Värde"],
        vec![
            vec![Text("Svar".into()), Int(sv.responses)],
            vec![
                Text("I hög eller ganska hög grad hjälpt i arbetet (%)".into()),
                opt(sv.helped_high_pct),
            ],
            vec![
                Text("Trygghet att använda det man lärt sig (1–5)".into()),
                opt(sv.confidence_mean),
            ],
            vec![
                Text("Fått språkstöd helt eller delvis, av dem som behövde (%)".into()),
                opt(sv.language_support_met_pct),
            ],
        ],
    ));
    out
}

fn file_name(r: &IndicatorReport, ext: &str) -> String {
    format!(
        "attachment; filename=\"indikatorer_{}_{}.{ext}\"",
        r.from, r.to
    )
}

async fn report_for(s: &AppState, c: &Ctx, q: &PeriodQuery) -> Result<IndicatorReport, AppError> {
    c.require(Action::ViewReports)?;
    let p = period_of(q).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(navet_store::reports::indicator_report(&s.db, p).await?)
}

/// CSV for Swedish Excel: BOM, semicolons, decimal comma.
pub fn to_csv(r: &IndicatorReport) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    for (name, header, rows) in tables(r) {
        w.write_record([name]).ok();
        w.write_record(&header).ok();
        for row in rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => safe_cell(t).into_owned(),
                    Cell::Int(i) => i.to_string(),
                    Cell::Num(x) => format!("{:.2}", x).replace('.', ","),
                })
                .collect();
            w.write_record(&cells).ok();
        }
        w.write_record([""]).ok();
    }
    w.into_inner().unwrap_or_default()
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

pub fn to_xlsx(r: &IndicatorReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let dec = Format::new().set_num_format("# ##0.0");
    for (name, header, rows) in tables(r) {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
            ws.set_column_width(i as u16, if i == 0 { 34 } else { 18 })?;
        }
        for (ri, row) in rows.iter().enumerate() {
            for (ci, cell) in row.iter().enumerate() {
                let (rr, cc) = (ri as u32 + 1, ci as u16);
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(rr, cc, safe_cell(t).as_ref())?;
                    }
                    Cell::Int(i) => {
                        ws.write_number(rr, cc, *i as f64)?;
                    }
                    Cell::Num(x) => {
                        ws.write_number_with_format(rr, cc, *x, &dec)?;
                    }
                }
            }
        }
    }
    wb.save_to_buffer()
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
    errors: Vec<ImportError>,
    general_error: String,
    preview: Option<ImportSummary>,
    done: Option<ImportSummary>,
    file_b64: String,
    filename: String,
    create_courses: bool,
}

async fn import_form(c: Ctx) -> PageResult {
    c.require(Action::ViewReports)?;
    c.require(Action::ManageCatalogue)?;
    render(ImportPage {
        c,
        errors: vec![],
        general_error: String::new(),
        preview: None,
        done: None,
        file_b64: String::new(),
        filename: String::new(),
        create_courses: false,
    })
}

/// Upload → preview (nothing written) → confirm (everything or nothing).
async fn import(State(s): State<AppState>, c: Ctx, mut mp: Multipart) -> PageResult {
    let user = c.require(Action::ManageCatalogue)?.clone();
    let mut bytes = vec![];
    let mut filename = String::new();
    let mut confirm = false;
    let mut create_courses = false;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                filename = field.file_name().unwrap_or("").to_string();
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?
                    .to_vec();
            }
            "file_b64" => {
                let t = field.text().await.unwrap_or_default();
                if !t.trim().is_empty() {
                    bytes = base64::engine::general_purpose::STANDARD
                        .decode(t.trim())
                        .unwrap_or_default();
                }
            }
            "filename" => {
                let t = field.text().await.unwrap_or_default();
                if !t.is_empty() {
                    filename = t;
                }
            }
            "create_courses" => create_courses = true,
            "confirm" => confirm = true,
            _ => {}
        }
    }
    let mut page = ImportPage {
        c,
        errors: vec![],
        general_error: String::new(),
        preview: None,
        done: None,
        file_b64: base64::engine::general_purpose::STANDARD.encode(&bytes),
        filename: filename.clone(),
        create_courses,
    };
    if bytes.is_empty() {
        page.general_error = "Välj en CSV-fil att importera.".into();
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            axum::response::Html(page.render()?),
        )
            .into_response());
    }
    let result = if confirm {
        history_import::import(&s.db, &user.who(), &filename, &bytes, create_courses).await?
    } else {
        history_import::preview(&s.db, &bytes, create_courses).await?
    };
    match result {
        Ok(summary) if confirm => {
            page.done = Some(summary);
            page.file_b64.clear();
        }
        Ok(summary) => page.preview = Some(summary),
        Err(errors) => {
            page.errors = errors;
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                axum::response::Html(page.render()?),
            )
                .into_response());
        }
    }
    render(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> IndicatorReport {
        let p = domain::indicators::check_period("2025-01-01", "2025-12-31").unwrap();
        let rows = vec![domain::indicators::Participation {
            person_id: 1,
            gender: domain::org::Gender::Kvinna,
            role_group: "baspersonal".into(),
            municipality: "Örebro".into(),
            course: "=HYPERLINK(\"http://x\")".into(),
            session_id: 1,
            date: p.from,
            hours: 3.5,
            attended: true,
        }];
        let a = domain::indicators::aggregate(p, None, &rows, &[]);
        domain::indicators::assemble(
            p,
            &a,
            None,
            &["Örebro".into(), "Hällefors".into()],
            Default::default(),
        )
    }

    #[test]
    fn csv_is_excel_friendly_and_safe() {
        let bytes = to_csv(&report());
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\r\nHällefors;0;0;"), "one row per line");
        assert!(text.lines().any(|l| l == "Kommun"));
        assert!(text.contains("'=HYPERLINK"));
        assert!(!text.contains(";=HYPERLINK"));
        assert!(text.contains("3,50"));
    }

    #[test]
    fn xlsx_keeps_swedish_text_and_neutralises_formulas() {
        let bytes = to_xlsx(&report()).unwrap();
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert!(wb.sheet_names().contains(&"Översikt".to_string()));
        let kurs = wb.worksheet_range("Kurs").unwrap();
        let cell = kurs.get_value((1, 0)).unwrap().to_string();
        assert!(cell.starts_with("'="), "{cell}");
        let kommun = wb.worksheet_range("Kommun").unwrap();
        assert_eq!(kommun.get_value((0, 0)).unwrap().to_string(), "Kommun");
        assert_eq!(kommun.get_value((1, 0)).unwrap().to_string(), "Hällefors");
    }
}
