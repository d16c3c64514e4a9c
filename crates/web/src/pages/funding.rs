//! The funding programme: period, granted amount, co-financing rate,
//! target course hours and employees per municipality, from which each
//! municipality's commitment follows. Set in a form or from a TOML file.

use crate::rejection::Query;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::routing::{get, post};
use axum::Router;
use domain::access::Action;
use domain::costs::money;
use domain::funding::{self, Commitment, Programme, ProgrammeDraft};
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::funding::{Cofinancing, FundingOverview};
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/finansiering", get(page).post(save))
        .route("/finansiering/import", post(import))
}

#[derive(Template)]
#[template(path = "funding/page.html")]
struct FundingPage {
    c: Ctx,
    d: ProgrammeDraft,
    municipalities: Vec<String>,
    commitments: Vec<Commitment>,
    current: Option<Programme>,
    cofinancing: Option<Cofinancing>,
    can_manage: bool,
    errors: FormErrors,
    toml_errors: Vec<String>,
    notice: String,
    /// The funding sources to filter the co-financing by, and the one chosen.
    sources: Vec<domain::funding::sources::Source>,
    program: Option<i64>,
    /// Whether "Visa underlag" links are shown (named people: the hub).
    can_trail: bool,
}

impl FundingPage {
    fn is_program(&self, id: &i64) -> bool {
        self.program == Some(*id)
    }
    fn program_param(&self) -> String {
        self.program
            .map(|p| format!("&program={p}"))
            .unwrap_or_default()
    }
    /// The participations behind a municipality's hours since the start.
    fn trail_municipality(&self, id: &i64) -> String {
        match (&self.current, &self.cofinancing) {
            (Some(p), Some(cf)) => format!(
                "/underlag?from={}&to={}&kommun={id}{}",
                p.starts,
                cf.follow_up.at,
                self.program_param()
            ),
            _ => String::new(),
        }
    }
    /// The participations behind all municipalities' hours since the start.
    fn trail_total(&self) -> String {
        match (&self.current, &self.cofinancing) {
            (Some(p), Some(cf)) => format!(
                "/underlag?from={}&to={}{}",
                p.starts,
                cf.follow_up.at,
                self.program_param()
            ),
            _ => String::new(),
        }
    }
    /// The participations behind one month's row (for the municipality
    /// chosen, or all).
    fn trail_month(&self, m: &chrono::NaiveDate) -> String {
        match (&self.current, &self.cofinancing) {
            (Some(p), Some(cf)) => {
                let from = (*m).max(p.starts);
                let to = domain::cofinancing::month_end(*m).min(cf.follow_up.at);
                let kommun = cf
                    .chosen
                    .map(|k| format!("&kommun={k}"))
                    .unwrap_or_default();
                format!(
                    "/underlag?from={from}&to={to}{kommun}{}",
                    self.program_param()
                )
            }
            _ => String::new(),
        }
    }
    fn employees_of(&self, m: &str) -> String {
        self.d
            .employees
            .iter()
            .find(|(k, _)| k == m)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn field(&self, m: &str) -> String {
        format!("employees.{m}")
    }
    fn pct(&self, v: &f64) -> String {
        crate::format::decimal(*v * 100.0, 1)
    }
    fn pct100(&self, v: &f64) -> String {
        crate::format::decimal(*v, 1)
    }
    fn hours(&self, v: &f64) -> String {
        crate::format::decimal(*v, 0)
    }
    fn centi(&self, v: &i64) -> String {
        money::number(*v as f64 / 100.0, 2)
    }
    fn opt_centi(&self, v: &Option<i64>) -> String {
        v.map(|h| money::number(h as f64 / 100.0, 0))
            .unwrap_or_else(|| "–".into())
    }
    fn kr(&self, v: &i64) -> String {
        money::kr_number(*v)
    }
    fn opt_kr(&self, v: &Option<i64>) -> String {
        v.map(money::kr_number).unwrap_or_else(|| "–".into())
    }
    fn month(&self, m: &chrono::NaiveDate) -> String {
        domain::cofinancing::month_label(*m)
    }
    fn rule(&self, r: &domain::cofinancing::RoundingRule) -> &'static str {
        match self.c.lang_code() {
            "en" => r.describe_en(),
            _ => r.describe_sv(),
        }
    }
    fn chosen(&self, id: &i64) -> bool {
        self.cofinancing
            .as_ref()
            .is_some_and(|c| c.chosen == Some(*id))
    }
    fn sek(&self) -> String {
        self.current
            .as_ref()
            .map(|p| crate::format::decimal(p.cofinancing_sek(), 0))
            .unwrap_or_default()
    }
}

fn draft_of(p: &Programme) -> ProgrammeDraft {
    ProgrammeDraft {
        name: p.name.clone(),
        starts: p.starts.to_string(),
        ends: p.ends.to_string(),
        granted_sek: p.granted_sek.to_string(),
        cofinancing_rate: format!("{}", p.cofinancing_rate).replace('.', ","),
        target_hours: format!("{}", p.target_hours).replace('.', ","),
        employees: p
            .employees
            .iter()
            .map(|(m, n)| (m.clone(), n.to_string()))
            .collect(),
    }
}

fn page_of(
    o: FundingOverview,
    sources: Vec<domain::funding::sources::Source>,
    c: Ctx,
    d: Option<ProgrammeDraft>,
    errors: FormErrors,
    toml_errors: Vec<String>,
    notice: String,
) -> FundingPage {
    let d = d.unwrap_or_else(|| o.programme.as_ref().map(draft_of).unwrap_or_default());
    let commitments = o
        .programme
        .as_ref()
        .map(|p| p.commitments())
        .unwrap_or_default();
    let program = o.cofinancing.as_ref().and_then(|cf| cf.source);
    FundingPage {
        sources,
        program,
        can_trail: o.can_trail,
        c,
        d,
        municipalities: o.municipalities,
        commitments,
        current: o.programme,
        cofinancing: o.cofinancing,
        can_manage: o.can_manage,
        errors,
        toml_errors,
        notice,
    }
}

async fn build(
    s: &AppState,
    c: Ctx,
    d: Option<ProgrammeDraft>,
    errors: FormErrors,
    toml_errors: Vec<String>,
    notice: String,
) -> Result<FundingPage, AppError> {
    let uc = UseCase::page(s, &c)?;
    let o = uc
        .funding_overview(navet_store::time::today(), None, None)
        .await?;
    let sources = uc.funding_sources().await?;
    Ok(page_of(o, sources, c, d, errors, toml_errors, notice))
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    ok: Option<String>,
    /// The municipality whose months are shown ("" = all together).
    #[serde(default)]
    kommun: Option<String>,
    /// Only participations under this funding source ("" = all).
    #[serde(default)]
    program: String,
}

async fn page(State(s): State<AppState>, c: Ctx, Query(q): Query<PageQuery>) -> PageResult {
    let notice = if q.ok.is_some() {
        c.t("funding.saved").to_string()
    } else {
        String::new()
    };
    let chosen = q
        .kommun
        .as_deref()
        .and_then(|k| k.trim().parse::<i64>().ok());
    let uc = UseCase::page(&s, &c)?;
    let program = super::source_param(&q.program)?;
    let o = uc
        .funding_overview(navet_store::time::today(), chosen, program)
        .await?;
    let sources = uc.funding_sources().await?;
    render(page_of(
        o,
        sources,
        c,
        None,
        FormErrors::default(),
        vec![],
        notice,
    ))
}

async fn save(
    State(s): State<AppState>,
    c: Ctx,
    crate::rejection::Form(body): crate::rejection::Form<Vec<(String, String)>>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let mut d = ProgrammeDraft::default();
    for (k, v) in body {
        match k.as_str() {
            "name" => d.name = v,
            "starts" => d.starts = v,
            "ends" => d.ends = v,
            "granted_sek" => d.granted_sek = v,
            "cofinancing_rate" => d.cofinancing_rate = v,
            "target_hours" => d.target_hours = v,
            k if k.starts_with("employees.") => {
                d.employees.push((k["employees.".len()..].to_string(), v))
            }
            _ => {}
        }
    }
    let known = uc.funding_municipalities().await?;
    match funding::check_programme(&d, &known) {
        Ok(p) => {
            uc.save_programme(&p).await?;
            Ok(see_other("/finansiering?ok=1"))
        }
        Err(e) => {
            let o = uc
                .funding_overview(navet_store::time::today(), None, None)
                .await?;
            let sources = uc.funding_sources().await?;
            let page = page_of(o, sources, c, Some(d), FormErrors(e), vec![], String::new());
            super::render_form(page, true)
        }
    }
}

async fn import(State(s): State<AppState>, c: Ctx, mut mp: Multipart) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let refuse = |msgs: Vec<String>, c: Ctx| async {
        let page = build(&s, c, None, FormErrors::default(), msgs, String::new()).await?;
        super::render_form(page, true)
    };
    // Decided, and the account's one import at a time taken, before the
    // body is read.
    let Some(run) = uc.start_import(Action::ManageFunding, "funding").await? else {
        return refuse(vec![c.t("import.busy").to_string()], c.clone()).await;
    };
    let mut bytes = Vec::new();
    while let Some(f) = mp
        .next_field()
        .await
        .map_err(|e| crate::imports::body_error(&c, e))?
    {
        if f.name() == Some("file") {
            bytes = f
                .bytes()
                .await
                .map_err(|e| crate::imports::body_error(&c, e))?
                .to_vec();
        }
    }
    let known = uc.funding_municipalities().await?;
    // The same size cap and time limit as every other upload.
    let limits = domain::tabular::Limits {
        max_file_bytes: funding::MAX_TOML_BYTES,
        ..domain::tabular::LIMITS
    };
    let parsed = navet_store::offload::parse(navet_store::offload::PARSE_TIME_LIMIT, move |_| {
        match domain::tabular::read_text(&bytes, &limits) {
            Ok(text) => funding::parse_toml(text, &known).map_err(|errs| {
                let total = errs.len();
                let mut msgs: Vec<String> = errs
                    .iter()
                    .take(domain::tabular::MAX_ERRORS_SHOWN)
                    .map(|e| e.to_string())
                    .collect();
                if total > msgs.len() {
                    msgs.push(format!("… och {} fel till.", total - msgs.len()));
                }
                msgs
            }),
            Err(e) => Err(vec![e.to_string()]),
        }
    })
    .await
    .unwrap_or_else(|| Err(vec![domain::tabular::TIMED_OUT.to_string()]));
    let r = match parsed {
        Ok(p) => {
            uc.save_programme(&p).await?;
            Ok(see_other("/finansiering?ok=1"))
        }
        Err(msgs) => refuse(msgs, c.clone()).await,
    };
    run.finish().await;
    r
}
