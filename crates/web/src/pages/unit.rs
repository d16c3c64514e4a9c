//! The manager's view: the units a user may see, one page per unit (staff
//! with track progress, gaps with sessions to book, upcoming bookings,
//! expiring certificates, the year wheel of recurring training), the unit's
//! gap list as CSV/XLSX, and one person's competence (requirements, track,
//! formal education).

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use domain::education::{Direction, EducationKind, PersonEducationDraft};
use domain::gaps::Tally;
use navet_store::education::PersonEducation;
use navet_store::gaps::{CheckLine, PersonGaps, SessionOffer};
use navet_store::org::{Municipality, Unit};
use navet_store::tracks::{TrackStatus, TrackWithItems};
use navet_store::unit_overview::UnitOverview;
use navet_store::StoreError;
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;

use super::{render_form, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enheter", get(list))
        .route("/enheter/{id}", get(show))
        .route("/enheter/{id}/glapp.csv", get(export_csv))
        .route("/enheter/{id}/glapp.xlsx", get(export_xlsx))
        .route("/min-kompetens", get(my_competence))
        .route("/personal/{id}/kompetens", get(person_page))
        .route(
            "/personal/{id}/utbildning",
            get(education_anchor).post(register_education),
        )
        .route(
            "/personal/{id}/utbildning/{eid}/ta-bort",
            post(remove_education),
        )
}

/// "42 %" from a share 0–1.
pub fn pct(share: f64) -> String {
    format!("{} %", crate::format::decimal(share * 100.0, 0))
}

/// Where the booking flow lives: bulk booking preselected on a session.
pub fn book_href(session_id: i64) -> String {
    format!("/boka-personal?tillfalle={session_id}")
}

// The list of units ------------------------------------------------------------------

struct UnitRow {
    unit: Unit,
    people: String,
    with_gaps: String,
    share_met: String,
    gaps: String,
    planned: String,
}

#[derive(Template)]
#[template(path = "unit/list.html")]
struct ListPage {
    c: Ctx,
    rows: Vec<UnitRow>,
    is_coordinator: bool,
    municipalities: Vec<(i64, String)>,
    /// One municipality at a time (a nation): those to choose from and
    /// the one chosen.
    by_municipality: Option<(Vec<Municipality>, Option<i64>)>,
}

impl ListPage {
    fn chosen(&self, id: &i64) -> bool {
        self.by_municipality
            .as_ref()
            .is_some_and(|(_, c)| *c == Some(*id))
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    /// The municipality whose units the hub of a nation looks at.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kommun: Option<i64>,
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let list = UseCase::page(&s, &c)?
        .units(navet_store::time::today(), q.kommun)
        .await?;
    let by_municipality = list.by_municipality;
    let is_coordinator = list.whole_region;
    let units: Vec<(Unit, Tally)> = list.units;
    let mut municipalities: Vec<(i64, String)> = vec![];
    for (u, _) in &units {
        if !municipalities
            .iter()
            .any(|(id, _)| *id == u.municipality_id)
        {
            municipalities.push((u.municipality_id, u.municipality_name.clone()));
        }
    }
    let rows = units
        .into_iter()
        .map(|(unit, t)| UnitRow {
            people: crate::format::int(t.people as i64),
            with_gaps: crate::format::int(t.people_with_gaps as i64),
            share_met: if t.checks == 0 {
                "–".into()
            } else {
                pct(t.share_met())
            },
            gaps: crate::format::int(t.gaps as i64),
            planned: crate::format::int(t.planned as i64),
            unit,
        })
        .collect();
    render(ListPage {
        c,
        rows,
        is_coordinator,
        municipalities,
        by_municipality,
    })
}

// One unit ------------------------------------------------------------------------------

struct StaffRow {
    person_id: i64,
    name: String,
    role: String,
    educations: String,
    gaps: usize,
    expiring: usize,
    track: Option<TrackStatus>,
}

/// One slice of the year-wheel drawing.
struct WheelSlice {
    path: String,
    fill: &'static str,
    /// Label colour with enough contrast on the fill.
    ink: &'static str,
    label_x: String,
    label_y: String,
    short: String,
    title: String,
}

#[derive(Template)]
#[template(path = "unit/show.html")]
struct ShowPage {
    c: Ctx,
    o: UnitOverview,
    staff: Vec<StaffRow>,
    groups: Vec<super::unit_gaps::GapGroup>,
    slices: Vec<WheelSlice>,
    can_manage_requirements: bool,
    can_book: bool,
}

impl ShowPage {
    fn pct(&self, share: &f64) -> String {
        pct(*share)
    }
    fn n(&self, v: &u64) -> String {
        crate::format::int(*v as i64)
    }
    fn book_href(&self, id: &i64) -> String {
        book_href(*id)
    }
    /// The staff-booking page for one gap: those people, pre-selected,
    /// on the soonest session.
    fn need_href(&self, g: &super::unit_gaps::GapGroup) -> String {
        format!(
            "/boka-personal?krav={}&enhet={}",
            g.requirement_id, self.o.unit.id
        )
    }
}

fn state_text(l: &CheckLine) -> String {
    match l.state {
        "expired" => format!("förfallet {}", l.expires_on.clone().unwrap_or_default()),
        "expiring" => format!("går ut {}", l.expires_on.clone().unwrap_or_default()),
        "met" => "uppfyllt".into(),
        _ => "saknas".into(),
    }
}

/// The year wheel as twelve ring slices, darker the more renewals are due.
fn wheel_slices(o: &UnitOverview) -> Vec<WheelSlice> {
    let max = o
        .wheel
        .iter()
        .map(|m| m.courses.iter().map(|c| c.due).sum::<u64>())
        .max()
        .unwrap_or(0);
    let (cx, cy, r_out, r_in) = (110.0_f64, 110.0_f64, 100.0_f64, 55.0_f64);
    o.wheel
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let due: u64 = m.courses.iter().map(|c| c.due).sum();
            let a0 = (i as f64) / 12.0 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
            let a1 = ((i + 1) as f64) / 12.0 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
            let p = |r: f64, a: f64| format!("{:.1} {:.1}", cx + r * a.cos(), cy + r * a.sin());
            let path = format!(
                "M {} A {r_out} {r_out} 0 0 1 {} L {} A {r_in} {r_in} 0 0 0 {} Z",
                p(r_out, a0),
                p(r_out, a1),
                p(r_in, a1),
                p(r_in, a0)
            );
            let mid = (a0 + a1) / 2.0;
            let level = if due == 0 || max == 0 {
                0
            } else {
                1 + (due * 3 / (max + 1)) as usize
            };
            let fill = ["#eef1f5", "#c9dced", "#8fb5d8", "#2f5f8a"][level.min(3)];
            WheelSlice {
                path,
                fill,
                ink: if level >= 3 { "#ffffff" } else { "#1d2533" },
                label_x: format!("{:.1}", cx + (r_in + r_out) / 2.0 * mid.cos()),
                label_y: format!("{:.1}", cy + (r_in + r_out) / 2.0 * mid.sin() + 4.0),
                short: m.month_name.chars().take(3).collect(),
                title: format!("{} {}: {} förnyelser", m.month_name, m.year, due),
            }
        })
        .collect()
}

async fn show(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let page = UseCase::page(&s, &c)?
        .unit_page(id, navet_store::time::today())
        .await?;
    let (o, can_book) = (page.overview, page.can_book);
    let groups = super::unit_gaps::group(&o);
    let staff = o
        .staff
        .iter()
        .map(|st| StaffRow {
            person_id: st.person_id,
            name: st.name.clone(),
            role: st.role.clone(),
            educations: st.educations.join(", "),
            gaps: st.gaps.len(),
            expiring: st.expiring.len(),
            track: st.track.clone(),
        })
        .collect();
    let slices = wheel_slices(&o);
    render(ShowPage {
        c,
        o,
        staff,
        groups,
        slices,
        can_manage_requirements: page.can_manage_requirements,
        can_book,
    })
}

// Export ----------------------------------------------------------------------------------

const EXPORT_HEADERS: [&str; 11] = [
    "Person",
    "Yrkesroll",
    "Krav",
    "Gäller",
    "Status",
    "Senast genomförd",
    "Giltig till",
    "Täckning",
    "Bokad",
    "Nästa kurstillfälle",
    "Lediga platser",
];

/// A spreadsheet cell that cannot start a formula: text beginning with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

async fn export_rows(s: &AppState, c: &Ctx, id: i64) -> Result<(Unit, Vec<Vec<String>>), AppError> {
    let (unit, o) = UseCase::page(s, c)?
        .unit_export(id, navet_store::time::today())
        .await?;
    let mut rows = vec![];
    for st in &o.staff {
        for l in st.gaps.iter().chain(st.expiring.iter()) {
            let next = l
                .course_ids
                .iter()
                .filter_map(|cid| o.offers.get(cid))
                .flatten()
                .min_by_key(|x| x.starts_at);
            rows.push(vec![
                st.name.clone(),
                st.role.clone(),
                l.what.clone(),
                l.scope.clone(),
                l.state_label.to_string(),
                l.completed_on.clone().unwrap_or_default(),
                l.expires_on.clone().unwrap_or_default(),
                l.coverage_label.to_string(),
                match (&l.planned_on, l.planned_waitlisted) {
                    (Some(d), false) => d.clone(),
                    (Some(d), true) => format!("väntelista {d}"),
                    _ => String::new(),
                },
                next.map(|x| {
                    format!(
                        "{} {} ({})",
                        x.starts_label(),
                        x.course_title,
                        x.municipality
                    )
                })
                .unwrap_or_default(),
                next.map(|x| x.free.to_string()).unwrap_or_default(),
            ]);
        }
    }
    Ok((unit, rows))
}

fn file_name(unit: &Unit, ext: &str) -> String {
    let base: String = format!("glapp-{}-{}", unit.municipality_name, unit.name)
        .to_lowercase()
        .chars()
        .map(|ch| match ch {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            ch if ch.is_ascii_alphanumeric() => ch,
            _ => '-',
        })
        .collect();
    format!("{base}-{}.{ext}", navet_store::time::today())
}

async fn export_csv(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (unit, rows) = export_rows(&s, &c, id).await?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(vec![]);
    let io = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record(EXPORT_HEADERS).map_err(io)?;
    for r in rows {
        w.write_record(r.iter().map(|x| neutralise(x)))
            .map_err(io)?;
    }
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(
        w.into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&unit, "csv")),
            ),
        ],
        body,
    )
        .into_response())
}

async fn export_xlsx(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (unit, rows) = export_rows(&s, &c, id).await?;
    let xl = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    // Text is written as text, never as a formula; risky text also gets
    // Excel's quote prefix so it stays text when edited.
    let quoted = Format::new().set_quote_prefix();
    let ws = wb.add_worksheet();
    ws.set_name("Glapp").map_err(xl)?;
    for (col, h) in EXPORT_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *h, &bold)
            .map_err(xl)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, v) in row.iter().enumerate() {
            let (rr, cc) = (r as u32 + 1, col as u16);
            if col == 10 && !v.is_empty() {
                ws.write_number(rr, cc, v.parse::<f64>().unwrap_or(0.0))
                    .map_err(xl)?;
            } else if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                ws.write_string_with_format(rr, cc, v, &quoted)
                    .map_err(xl)?;
            } else {
                ws.write_string(rr, cc, v).map_err(xl)?;
            }
        }
    }
    ws.autofit();
    let bytes = wb.save_to_buffer().map_err(xl)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&unit, "xlsx")),
            ),
        ],
        bytes,
    )
        .into_response())
}

// One person's competence ----------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct EducationForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    completed_on: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "unit/person.html")]
struct PersonPage {
    c: Ctx,
    p: navet_store::people::Person,
    g: PersonGaps,
    educations: Vec<PersonEducation>,
    track: Option<(TrackWithItems, TrackStatus)>,
    can_register: bool,
    can_book: bool,
    /// Viewing one's own page: book through the session's own booking.
    is_self: bool,
    errors: FormErrors,
    f: EducationForm,
    notice: String,
}

impl PersonPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        EducationKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_sv()))
            .collect()
    }
    fn directions(&self) -> Vec<(&'static str, &'static str)> {
        Direction::ALL
            .iter()
            .map(|d| (d.code(), d.label_sv()))
            .collect()
    }
    fn offers(&self, l: &CheckLine) -> Vec<&SessionOffer> {
        let mut v: Vec<&SessionOffer> = l
            .course_ids
            .iter()
            .filter_map(|c| self.g.offers.get(c))
            .flatten()
            .collect();
        v.sort_by_key(|x| (x.free == 0, x.starts_at, x.session_id));
        v
    }
    fn state_text(&self, l: &CheckLine) -> String {
        state_text(l)
    }
    fn done(&self, i: &usize) -> bool {
        self.track
            .as_ref()
            .is_some_and(|(_, st)| st.progress.done.get(*i).copied().unwrap_or(false))
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn my_competence(c: Ctx) -> PageResult {
    let user = c.require_login()?;
    match user.actor.person_id {
        Some(id) => Ok(see_other(&format!("/personal/{id}/kompetens"))),
        None => Err(AppError::NotFound),
    }
}

async fn person_view(
    s: &AppState,
    c: Ctx,
    id: i64,
    errors: FormErrors,
    f: EducationForm,
    notice: String,
) -> PageResult {
    let pc = UseCase::page(s, &c)?
        .person_competence(id, navet_store::time::today())
        .await?;
    let has_errors = errors.any();
    render_form(
        PersonPage {
            c,
            p: pc.person,
            g: pc.gaps,
            educations: pc.educations,
            track: pc.track,
            can_register: pc.can_register,
            can_book: pc.can_book,
            is_self: pc.is_self,
            errors,
            f,
            notice,
        },
        has_errors,
    )
}

async fn person_page(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let notice = match q.ok.as_deref() {
        Some("registered") => "Utbildningen är registrerad.".to_string(),
        Some("removed") => "Utbildningen är borttagen.".to_string(),
        _ => String::new(),
    };
    person_view(
        &s,
        c,
        id,
        FormErrors::default(),
        EducationForm::default(),
        notice,
    )
    .await
}

/// Reloading after a failed registration lands on the person's page.
async fn education_anchor(Path(id): Path<i64>) -> PageResult {
    Ok(see_other(&format!("/personal/{id}/kompetens#utbildning")))
}

async fn register_education(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<EducationForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let draft = PersonEducationDraft {
        kind: f.kind.clone(),
        direction: f.direction.clone(),
        completed_on: f.completed_on.clone(),
        note: f.note.clone(),
    };
    match uc.register_education(id, &draft).await {
        Ok(_) => Ok(see_other(&format!(
            "/personal/{id}/kompetens?ok=registered#utbildning"
        ))),
        Err(StoreError::Invalid(e)) => {
            person_view(&s, c, id, FormErrors(e), f, String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_education(
    State(s): State<AppState>,
    c: Ctx,
    Path((id, eid)): Path<(i64, i64)>,
) -> PageResult {
    UseCase::page(&s, &c)?.remove_education(id, eid).await?;
    Ok(see_other(&format!(
        "/personal/{id}/kompetens?ok=removed#utbildning"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("+46"), "'+46");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@x"), "'@x");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Anna Åberg"), "Anna Åberg");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn shares_are_whole_per_cent_with_a_space() {
        assert_eq!(pct(0.425), "43 %");
        assert_eq!(pct(1.0), "100 %");
    }
}
