//! "Visa underlag": the participations behind a figure (the indicator
//! report, the co-financing per municipality and month, an archived
//! participant file), a page at a time, with the whole list's sums and a
//! CSV file of the same list. Only the hub (named people).

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use domain::spreadsheet::safe_cell;
use navet_store::participation_trail::{Row, PAGE_SIZE};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::funding_sources::{trail_after, trail_filter, TrailPage, TrailParams};
use crate::usecase::UseCase;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/underlag", get(page))
        .route("/underlag.csv", get(csv_file))
        .route("/deltagarfil/{id}/underlag", get(for_file))
}

#[derive(Deserialize, Default)]
struct TrailQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kommun: String,
    #[serde(default)]
    kurs: String,
    #[serde(default)]
    kon: String,
    #[serde(default)]
    yrkesgrupp: String,
    #[serde(default)]
    program: String,
    /// Where the page starts (the "next page" link's position).
    #[serde(default)]
    efter: String,
}

impl TrailQuery {
    fn params(&self) -> TrailParams<'_> {
        TrailParams {
            from: ("from", &self.from),
            to: ("to", &self.to),
            municipality: ("kommun", &self.kommun),
            course: ("kurs", &self.kurs),
            gender: ("kon", &self.kon),
            role_group: ("yrkesgrupp", &self.yrkesgrupp),
            program: ("program", &self.program),
        }
    }
}

/// The query string of a filter (without the page position).
fn query_of(f: &navet_store::participation_trail::Filter) -> String {
    let mut q = format!("from={}&to={}", f.from, f.to);
    if let Some(m) = f.municipality_id {
        q.push_str(&format!("&kommun={m}"));
    }
    if let Some(k) = f.course_id {
        q.push_str(&format!("&kurs={k}"));
    }
    if let Some(g) = &f.gender {
        q.push_str(&format!("&kon={g}"));
    }
    if let Some(g) = &f.role_group {
        q.push_str(&format!("&yrkesgrupp={}", urlencoding::encode(g)));
    }
    if let Some(s) = f.source {
        q.push_str(&format!("&program={s}"));
    }
    q
}

#[derive(Template)]
#[template(path = "trail/page.html")]
struct TrailView {
    c: Ctx,
    t: TrailPage,
    first_page: bool,
}

impl TrailView {
    fn query(&self) -> String {
        query_of(&self.t.filter)
    }
    fn next_link(&self) -> Option<String> {
        self.t
            .next
            .map(|(at, id)| format!("/underlag?{}&efter={at}_{id}", self.query()))
    }
    fn hours(&self, v: &f64) -> String {
        crate::format::decimal(*v, 2)
    }
    fn when(&self, r: &Row) -> String {
        crate::format::datetime(r.starts_at)
    }
    fn attested(&self, r: &Row) -> String {
        attestation_text(r)
    }
    fn gender(&self) -> &'static str {
        match self.t.filter.gender.as_deref() {
            Some("kvinna") => "kvinnor",
            Some("man") => "män",
            Some("annat") => "annat kön",
            Some("ej_angivet") => "kön ej angivet",
            _ => "",
        }
    }
}

/// How the row's month was attested, in words.
fn attestation_text(r: &Row) -> String {
    match &r.attestation {
        None => "ej begärd".into(),
        Some(a) if a.status == domain::attestation::Status::Attested => {
            let how = match a.method.as_deref() {
                Some("paper") => "på papper",
                Some("oidc") => "digitalt (e-legitimation/inloggning)",
                Some("password") => "digitalt (lösenord)",
                Some("api_token") => "digitalt (API)",
                _ => "",
            };
            let when = a
                .attested_at
                .map(crate::format::datetime)
                .unwrap_or_default();
            format!("attesterad {how} {when} (version {})", a.version)
                .trim()
                .to_string()
        }
        Some(a) => format!("väntar på bekräftelse (version {})", a.version),
    }
}

async fn page(State(s): State<AppState>, c: Ctx, Query(q): Query<TrailQuery>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let filter = trail_filter(&q.params())?;
    let after = trail_after("efter", &q.efter)?;
    let t = uc.participation_trail(filter, after, PAGE_SIZE).await?;
    render(TrailView {
        c,
        t,
        first_page: after.is_none(),
    })
}

async fn csv_file(State(s): State<AppState>, c: Ctx, Query(q): Query<TrailQuery>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let filter = trail_filter(&q.params())?;
    let name = format!("underlag_{}_{}.csv", filter.from, filter.to);
    let (totals, rows, cut) = uc.participation_trail_all(filter).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        to_csv(&totals, &rows, cut),
    )
        .into_response())
}

/// CSV for Swedish Excel (BOM, semicolons, decimal comma): one row per
/// participation, then the sums of the whole list.
pub fn to_csv(
    totals: &navet_store::participation_trail::Totals,
    rows: &[Row],
    cut: bool,
) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record([
        "anmalan",
        "person_id",
        "namn",
        "kurs",
        "tillfalle",
        "start",
        "plats",
        "kommun_vid_deltagande",
        "timmar",
        "finansieringskalla",
        "manad",
        "attestering",
    ])
    .ok();
    let num = |x: f64| format!("{x:.2}").replace('.', ",");
    for r in rows {
        w.write_record([
            r.booking_id.to_string(),
            r.person_id.to_string(),
            safe_cell(&r.person_name).into_owned(),
            safe_cell(&r.course).into_owned(),
            r.session_id.to_string(),
            crate::format::datetime(r.starts_at),
            safe_cell(&format!("{}, {}", r.venue, r.place)).into_owned(),
            safe_cell(&r.municipality).into_owned(),
            num(r.hours),
            safe_cell(r.funding_source.as_deref().unwrap_or("")).into_owned(),
            r.month.clone(),
            attestation_text(r),
        ])
        .ok();
    }
    w.write_record([
        "summa".to_string(),
        format!("{} deltagartillfällen", totals.participations),
        format!("{} personer", totals.people),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        num(totals.hours),
    ])
    .ok();
    if cut {
        w.write_record([format!(
            "# listan är avkortad efter {} rader; summan gäller hela underlaget",
            rows.len()
        )])
        .ok();
    }
    w.into_inner().unwrap_or_default()
}

/// The list behind an archived participant file: its months and source.
async fn for_file(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let f = UseCase::page(&s, &c)?
        .participant_file_trail_filter(id)
        .await?;
    Ok(see_other(&format!("/underlag?{}", query_of(&f))))
}
