//! Monthly attestation pages: the participant's own months with the
//! confirmation (`/mina-narvarotider`), the hub's overview per month and
//! municipality with paper certificates and reminders (`/attestering`),
//! and the funder's participant file (`/deltagarfil`).

use crate::rejection::{Form, Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use domain::attestation as rules;
use navet_store::attestation::{PersonMonth, Version};
use navet_store::esf_export::Export;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::attestation::{month, NumberChange, Overview};
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mina-narvarotider", get(mine))
        .route("/mina-narvarotider/{month}", post(attest))
        .route("/attestering", get(overview))
        .route(
            "/attestering/{month}/skicka",
            get(open_confirm).post(open_month),
        )
        .route(
            "/attestering/{month}/paminn",
            get(remind_confirm).post(remind),
        )
        .route(
            "/attestering/{month}/papper/{person_id}",
            post(register_paper),
        )
        .route("/attestering/{month}/intyg/{file}", get(certificate))
        .route("/deltagarfil", get(files).post(produce))
        .route("/deltagarfil/personnummer", post(lookup_number))
        .route(
            "/personal/{id}/rapportuppgifter",
            get(details_form).post(save_details),
        )
        .route("/deltagarfil/{file}", get(download))
}

fn today() -> NaiveDate {
    navet_store::time::today()
}

#[derive(Template)]
#[template(path = "attestation/mine.html")]
struct MinePage {
    c: Ctx,
    months: Vec<PersonMonth>,
    errors: FormErrors,
    failed_month: String,
}

impl MinePage {
    fn when(&self, v: &Version) -> String {
        v.attested_at
            .map(navet_store::time::local_label)
            .unwrap_or_default()
    }
}

async fn mine(State(s): State<AppState>, c: Ctx) -> PageResult {
    let months = UseCase::page(&s, &c)?
        .my_attestation_months(today())
        .await?;
    render(MinePage {
        c,
        months,
        errors: FormErrors::default(),
        failed_month: String::new(),
    })
}

async fn attest(State(s): State<AppState>, c: Ctx, Path(m): Path<String>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let how = uc.how_signed_in(&c).await?;
    match uc.attest_own(&m, today(), how).await {
        Ok(v) => {
            let text = format!(
                "Tack! Din närvarotid för {} är bekräftad: {}.",
                rules::month_label_sv(v.month),
                rules::time_phrase(v.centi_hours, v.session_count)
            );
            crate::flash::notice(&s, &c, &text, "/mina-narvarotider").await
        }
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, "/mina-narvarotider").await
        }
        Err(e) => {
            let errors = super::invalid(e)?;
            let months = uc.my_attestation_months(today()).await?;
            super::render_form(
                MinePage {
                    c,
                    months,
                    errors,
                    failed_month: m.chars().take(7).collect(),
                },
                true,
            )
        }
    }
}

#[derive(Deserialize, Default)]
struct OverviewQuery {
    #[serde(default)]
    manad: Option<String>,
    #[serde(default)]
    kommun: Option<i64>,
}

#[derive(Template)]
#[template(path = "attestation/overview.html")]
struct OverviewPage {
    c: Ctx,
    o: Overview,
    month_key: String,
    month_label: String,
}

impl OverviewPage {
    fn hours(&self, v: &Version) -> String {
        v.hours()
    }
    fn when(&self, v: &Version) -> String {
        v.attested_at
            .map(navet_store::time::local_label)
            .unwrap_or_default()
    }
    fn reminded(&self, v: &Version) -> String {
        v.reminded_at
            .map(navet_store::time::local_label)
            .unwrap_or_default()
    }
}

async fn overview(State(s): State<AppState>, c: Ctx, Query(q): Query<OverviewQuery>) -> PageResult {
    let m = match q.manad.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => month(t).map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => rules::previous_month(today()),
    };
    let o = UseCase::page(&s, &c)?
        .attestation_overview(m, q.kommun)
        .await?;
    render(OverviewPage {
        c,
        month_key: rules::month_key(m),
        month_label: rules::month_label_sv(m),
        o,
    })
}

#[derive(Template)]
#[template(path = "attestation/confirm.html")]
struct ConfirmPage {
    c: Ctx,
    heading: String,
    text: String,
    action: String,
    button: String,
    back: String,
    kommun: Option<i64>,
}

#[derive(Deserialize, Default)]
struct KommunForm {
    #[serde(default)]
    kommun: Option<i64>,
}

fn back_to(m: NaiveDate, kommun: Option<i64>) -> String {
    match kommun {
        Some(k) => format!("/attestering?manad={}&kommun={k}", rules::month_key(m)),
        None => format!("/attestering?manad={}", rules::month_key(m)),
    }
}

async fn open_confirm(State(s): State<AppState>, c: Ctx, Path(m): Path<String>) -> PageResult {
    let m = month(&m)?;
    // The hub's action: the preview decides who may.
    UseCase::page(&s, &c)?.reminder_preview(m, None).await?;
    let label = rules::month_label_sv(m);
    render(ConfirmPage {
        c,
        heading: format!("Skicka bekräftelseförfrågningar för {label}"),
        text: format!(
            "Alla som har närvarotid i {label} och ännu inte har fått en förfrågan får ett meddelande med sina timmar och kurstillfällen. Den som redan har fått en förfrågan får ingen ny."
        ),
        action: format!("/attestering/{}/skicka", rules::month_key(m)),
        button: "Skicka förfrågningarna".into(),
        back: back_to(m, None),
        kommun: None,
    })
}

async fn open_month(State(s): State<AppState>, c: Ctx, Path(m): Path<String>) -> PageResult {
    let m = month(&m)?;
    let n = UseCase::page(&s, &c)?
        .open_attestation_month(m, today())
        .await?;
    let text = if n == 0 {
        "Inga nya förfrågningar behövdes: månadens förfrågningar har redan gått ut.".to_string()
    } else {
        format!("{n} förfrågningar om bekräftelse har skickats.")
    };
    crate::flash::notice(&s, &c, &text, &back_to(m, None)).await
}

async fn remind_confirm(
    State(s): State<AppState>,
    c: Ctx,
    Path(m): Path<String>,
    Query(q): Query<OverviewQuery>,
) -> PageResult {
    let m = month(&m)?;
    let (waiting, recent) = UseCase::page(&s, &c)?.reminder_preview(m, q.kommun).await?;
    let label = rules::month_label_sv(m);
    let to_send = waiting - recent;
    render(ConfirmPage {
        c,
        heading: format!("Påminn om närvarotiden för {label}"),
        text: format!(
            "{waiting} personer har ännu inte bekräftat. {to_send} får en påminnelse nu; {recent} har redan påmints det senaste halvdygnet och får ingen ny."
        ),
        action: format!("/attestering/{}/paminn", rules::month_key(m)),
        button: format!("Skicka {to_send} påminnelser"),
        back: back_to(m, q.kommun),
        kommun: q.kommun,
    })
}

async fn remind(
    State(s): State<AppState>,
    c: Ctx,
    Path(m): Path<String>,
    Form(f): Form<KommunForm>,
) -> PageResult {
    let m = month(&m)?;
    let n = UseCase::page(&s, &c)?
        .remind_attestations(m, f.kommun)
        .await?;
    let text = format!("{n} påminnelser har skickats.");
    crate::flash::notice(&s, &c, &text, &back_to(m, f.kommun)).await
}

async fn register_paper(
    State(s): State<AppState>,
    c: Ctx,
    Path((m, person_id)): Path<(String, i64)>,
    Form(f): Form<KommunForm>,
) -> PageResult {
    let m = month(&m)?;
    let back = back_to(m, f.kommun);
    match UseCase::page(&s, &c)?
        .register_paper_attestation(m, person_id, today())
        .await
    {
        Ok(_) => {
            crate::flash::notice(
                &s,
                &c,
                "Det underskrivna intyget är registrerat som mottaget.",
                &back,
            )
            .await
        }
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &back).await
        }
        Err(navet_store::StoreError::Invalid(f)) => {
            let msg = f.0.first().map(|e| e.message.clone()).unwrap_or_default();
            crate::flash::error(&s, &c, &msg, &back).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn certificate(
    State(s): State<AppState>,
    c: Ctx,
    Path((m, file)): Path<(String, String)>,
) -> PageResult {
    let m = month(&m)?;
    let Some(person_id) = file
        .strip_suffix(".pdf")
        .and_then(|p| p.parse::<i64>().ok())
    else {
        return Err(AppError::NotFound);
    };
    let (name, muni, pm) = UseCase::page(&s, &c)?
        .attestation_certificate(m, person_id)
        .await?;
    let bytes = crate::attestation_pdf::render(&name, &muni, &pm).map_err(AppError::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"narvarointyg-{}-{person_id}.pdf\"",
                    rules::month_key(m)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "attestation/files.html")]
struct FilesPage {
    c: Ctx,
    files: Vec<Export>,
    flagged: Vec<String>,
    errors: FormErrors,
    month: String,
    format: String,
    /// The ESF reporter's look-up: the reference typed and the answer.
    can_read_numbers: bool,
    lookup_ref: String,
    lookup_answer: String,
    /// Funding sources a file may be limited to, and the one chosen.
    sources: Vec<domain::funding::sources::Source>,
    program: String,
    /// Whether the list behind each file may be opened (named people).
    can_trail: bool,
}

impl FilesPage {
    fn when(&self, e: &Export) -> String {
        navet_store::time::local_label(e.produced_at)
    }
    fn source_name(&self, e: &Export) -> String {
        match e.funding_source_id {
            None => "Alla".into(),
            Some(id) => self
                .sources
                .iter()
                .find(|s| s.id == id)
                .map_or_else(|| format!("källa {id}"), |s| s.name.clone()),
        }
    }
    fn is_program(&self, id: &i64) -> bool {
        self.program == id.to_string()
    }
}

async fn files_page(
    s: &AppState,
    c: Ctx,
    errors: FormErrors,
    month: String,
    format: String,
    program: String,
) -> Result<FilesPage, AppError> {
    let uc = UseCase::page(s, &c)?;
    let (files, flagged) = uc.participant_files().await?;
    let can_read_numbers = uc.may(domain::access::Action::ReadFullIdentityNumber);
    let can_trail = uc.may(domain::access::Action::ViewParticipationTrail);
    let sources = uc.funding_sources().await?;
    Ok(FilesPage {
        sources,
        program,
        can_trail,
        c,
        files,
        flagged,
        errors,
        month,
        format,
        can_read_numbers,
        lookup_ref: String::new(),
        lookup_answer: String::new(),
    })
}

async fn files(State(s): State<AppState>, c: Ctx) -> PageResult {
    let m = rules::month_key(rules::previous_month(today()));
    render(files_page(&s, c, FormErrors::default(), m, "csv".into(), String::new()).await?)
}

#[derive(Deserialize, Default)]
struct ProduceForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    format: String,
    /// A funding source's id, or empty for all participations.
    #[serde(default)]
    program: String,
}

async fn produce(State(s): State<AppState>, c: Ctx, Form(f): Form<ProduceForm>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let result = match (month(&f.month), super::source_param(&f.program)) {
        (Ok(m), Ok(source)) => {
            uc.produce_participant_file(m, f.format.trim(), today(), source)
                .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(p) => Ok(see_other(&format!(
            "/deltagarfil/{}.{}",
            p.export.id, p.export.format
        ))),
        Err(e) => {
            let errors = super::invalid(e)?;
            let page = files_page(&s, c, errors, f.month, f.format, f.program).await?;
            super::render_form(page, true)
        }
    }
}

async fn download(State(s): State<AppState>, c: Ctx, Path(file): Path<String>) -> PageResult {
    let Some(id) = file
        .split_once('.')
        .and_then(|(id, _)| id.parse::<i64>().ok())
    else {
        return Err(AppError::NotFound);
    };
    let p = UseCase::page(&s, &c)?.participant_file(id).await?;
    let (ctype, ext) = if p.export.format == "csv" {
        ("text/csv; charset=utf-8", "csv")
    } else {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    };
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"deltagarfil-{}-{}.{ext}\"",
                    p.export.month, p.export.id
                ),
            ),
            (
                header::HeaderName::from_static("x-content-sha256"),
                p.export.sha256.clone(),
            ),
        ],
        p.bytes,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct LookupForm {
    #[serde(default)]
    participant_ref: String,
}

/// The ESF reporter looks up a reference's number in full (audited).
async fn lookup_number(State(s): State<AppState>, c: Ctx, Form(f): Form<LookupForm>) -> PageResult {
    let m = rules::month_key(rules::previous_month(today()));
    let result = UseCase::page(&s, &c)?
        .full_identity_number_of_ref(&f.participant_ref)
        .await;
    match result {
        Ok((_, number)) => {
            let mut page =
                files_page(&s, c, FormErrors::default(), m, "csv".into(), String::new()).await?;
            page.lookup_answer = match number {
                Some(n) => format!("{}: {n}", f.participant_ref.trim().to_uppercase()),
                None => format!(
                    "{}: inget personnummer registrerat.",
                    f.participant_ref.trim().to_uppercase()
                ),
            };
            page.lookup_ref = f.participant_ref;
            render(page)
        }
        Err(e) => {
            let errors = super::invalid(e)?;
            let mut page = files_page(&s, c, errors, m, "csv".into(), String::new()).await?;
            page.lookup_ref = f.participant_ref;
            super::render_form(page, true)
        }
    }
}

#[derive(Template)]
#[template(path = "attestation/details.html")]
struct DetailsPage {
    c: Ctx,
    id: i64,
    birth_year: String,
    masked: String,
    errors: FormErrors,
}

async fn details_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let d = UseCase::page(&s, &c)?.reporting_details(id).await?;
    render(DetailsPage {
        c,
        id,
        birth_year: d.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        masked: d.personal_number.unwrap_or_default(),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize, Default)]
struct DetailsForm {
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    personal_identity_number: String,
    #[serde(default)]
    remove_number: Option<String>,
}

async fn save_details(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DetailsForm>,
) -> PageResult {
    use chrono::Datelike;
    let uc = UseCase::page(&s, &c)?;
    let number = if f.remove_number.is_some() {
        NumberChange::Remove
    } else if f.personal_identity_number.trim().is_empty() {
        NumberChange::Keep
    } else {
        NumberChange::Set(f.personal_identity_number.clone())
    };
    match uc
        .set_reporting_details(id, &f.birth_year, number, today().year())
        .await
    {
        Ok(_) => {
            crate::flash::notice(
                &s,
                &c,
                "Födelseår och personnummer är sparade.",
                &format!("/personal/{id}/rapportuppgifter"),
            )
            .await
        }
        Err(e) => {
            let errors = super::invalid(e)?;
            let d = uc.reporting_details(id).await?;
            super::render_form(
                DetailsPage {
                    c,
                    id,
                    birth_year: f.birth_year,
                    masked: d.personal_number.unwrap_or_default(),
                    errors,
                },
                true,
            )
        }
    }
}
