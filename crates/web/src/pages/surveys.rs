//! Surveys: answering (from the e-mail link, or from "my surveys" when
//! logged in), the coordinators' question editor and results, shown only
//! for groups of at least five answers.

use std::collections::HashMap;

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::surveys::{self, Question, QuestionDraft, SurveyKind};
use domain::vocab::Labelled;
use navet_store::surveys::{GroupResults, Invitation};
use navet_store::StoreError;
use serde::Deserialize;

use super::{render_form, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::surveys::{QuestionEdit, SurveyAdmin, SurveyAnswer};
use crate::usecase::{Guest, UseCase};
use crate::{render, see_other, AppError, AppState, PageResult};
use domain::surveys::anonymity::ResultPeriod;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enkat/{token}", get(by_token).post(answer_by_token))
        .route("/mina-enkater", get(mine))
        .route("/mina-enkater/{id}", get(own).post(answer_own))
        .route("/enkater", get(admin))
        .route("/enkater/fragor", post(add_question))
        .route("/enkater/fragor/{id}", post(edit_question))
        .route("/enkater/installningar", post(settings))
}

#[derive(Template)]
#[template(path = "surveys/answer.html")]
struct AnswerPage {
    c: Ctx,
    inv: Invitation,
    questions: Vec<Question>,
    form: HashMap<String, String>,
    errors: FormErrors,
    action: String,
    done: bool,
}

impl AnswerPage {
    fn options(&self, q: &Question) -> Vec<(i64, &'static str)> {
        q.kind.options().to_vec()
    }
    fn is_text(&self, q: &Question) -> bool {
        q.kind == surveys::QuestionKind::FreeText
    }
    fn value(&self, q: &Question) -> &str {
        self.form
            .get(&surveys::field_name(q.id))
            .map(String::as_str)
            .unwrap_or("")
    }
    fn checked(&self, q: &Question, v: &i64) -> bool {
        self.value(q) == v.to_string()
    }
    fn field(&self, q: &Question) -> String {
        surveys::field_name(q.id)
    }
    fn kind_label(&self) -> &'static str {
        self.c.survey_kind(&self.inv.kind)
    }
}

/// An invitation, its answers saved or refused: the thanks, or the form
/// again with what was wrong.
fn answer_page(
    c: Ctx,
    a: SurveyAnswer,
    action: String,
    form: Option<HashMap<String, String>>,
) -> PageResult {
    let SurveyAnswer {
        inv,
        questions,
        errors,
    } = a;
    match errors {
        Some(e) => render_form(
            AnswerPage {
                c,
                inv,
                questions,
                form: form.unwrap_or_default(),
                errors: FormErrors(e),
                action,
                done: false,
            },
            true,
        ),
        None => render(AnswerPage {
            c,
            done: inv.answered,
            inv,
            questions,
            form: HashMap::new(),
            errors: FormErrors::default(),
            action,
        }),
    }
}

async fn by_token(State(s): State<AppState>, c: Ctx, Path(token): Path<String>) -> PageResult {
    let a = Guest::page(&s, &c).survey_by_token(&token, None).await?;
    answer_page(c, a, format!("/enkat/{token}"), None)
}

async fn answer_by_token(
    State(s): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let a = Guest::page(&s, &c)
        .survey_by_token(&token, Some(&form))
        .await?;
    answer_page(c, a, format!("/enkat/{token}"), Some(form))
}

#[derive(Template)]
#[template(path = "surveys/mine.html")]
struct MinePage {
    c: Ctx,
    list: Vec<Invitation>,
}

async fn mine(State(s): State<AppState>, c: Ctx) -> PageResult {
    let list = UseCase::page(&s, &c)?.my_surveys().await?;
    render(MinePage { c, list })
}

async fn own(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let a = UseCase::page(&s, &c)?.own_survey(id, None).await?;
    answer_page(c, a, format!("/mina-enkater/{id}"), None)
}

async fn answer_own(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let a = UseCase::page(&s, &c)?.own_survey(id, Some(&form)).await?;
    answer_page(c, a, format!("/mina-enkater/{id}"), Some(form))
}

/// How many years back the period choice goes.
const PERIOD_YEARS: i32 = 10;

#[derive(Template)]
#[template(path = "surveys/admin.html")]
struct AdminPage {
    c: Ctx,
    kind: SurveyKind,
    questions: Vec<Question>,
    results: Vec<GroupResults>,
    /// The period shown and the ones to choose from.
    period: ResultPeriod,
    periods: Vec<ResultPeriod>,
    months: u32,
    errors: FormErrors,
    draft: QuestionFormData,
    notice: String,
}

impl AdminPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        <surveys::QuestionKind as Labelled>::options(self.c.is_english())
    }
    fn metrics(&self) -> Vec<(&'static str, &'static str)> {
        surveys::Metric::options(self.c.is_english())
    }
    fn pct(&self, v: &f64) -> String {
        crate::format::decimal(*v, 0)
    }
    fn mean(&self, v: &Option<f64>) -> String {
        v.map(|x| crate::format::decimal(x, 1)).unwrap_or_default()
    }
    fn is_current(&self, p: &ResultPeriod) -> bool {
        *p == self.period
    }
    fn period_label(&self, p: &ResultPeriod) -> String {
        if self.c.is_english() {
            p.label_en()
        } else {
            p.label_sv()
        }
    }
    fn other_kind(&self) -> &'static str {
        match self.kind {
            SurveyKind::Participant => "manager",
            SurveyKind::ManagerFollowUp => "participant",
        }
    }
}

#[derive(Deserialize, Default, Clone)]
struct QuestionFormData {
    #[serde(default)]
    survey: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    required: Option<String>,
    #[serde(default)]
    op: String,
}

#[derive(Deserialize, Default)]
struct AdminQuery {
    #[serde(default)]
    enkat: String,
    /// A term (`2026-vt`, `2026-ht`) or a year (`2026`); see
    /// `domain::surveys::anonymity`.
    #[serde(default)]
    period: String,
    #[serde(default)]
    ok: Option<String>,
}

async fn admin_page(
    s: &AppState,
    c: Ctx,
    aq: AdminQuery,
    errors: FormErrors,
    draft: QuestionFormData,
) -> PageResult {
    let kind = SurveyKind::parse(&aq.enkat).unwrap_or(SurveyKind::Participant);
    let today = navet_store::time::local_date(navet_store::time::now());
    let SurveyAdmin {
        period,
        questions,
        results,
        months,
    } = match UseCase::page(s, &c)?
        .survey_admin(kind, &aq.period, today)
        .await
    {
        Ok(a) => a,
        Err(StoreError::Invalid(e)) if e.0.iter().any(|f| f.field == "period") => {
            return Err(AppError::BadRequest(format!(
                "period: {}",
                c.t("surveys.e_period")
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let mut periods = ResultPeriod::choices(today, PERIOD_YEARS);
    if !periods.contains(&period) {
        periods.push(period);
    }
    let has_errors = errors.any();
    let page = AdminPage {
        c,
        kind,
        questions,
        results,
        period,
        periods,
        months,
        errors,
        draft,
        notice: if aq.ok.is_some() {
            "Sparat.".into()
        } else {
            String::new()
        },
    };
    render_form(page, has_errors)
}

async fn admin(State(s): State<AppState>, c: Ctx, Query(aq): Query<AdminQuery>) -> PageResult {
    admin_page(
        &s,
        c,
        aq,
        FormErrors::default(),
        QuestionFormData::default(),
    )
    .await
}

fn draft_of(f: &QuestionFormData) -> QuestionDraft {
    QuestionDraft {
        text: f.text.clone(),
        kind: f.kind.clone(),
        metric: f.metric.clone(),
        required: f.required.is_some(),
    }
}

async fn add_question(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<QuestionFormData>,
) -> PageResult {
    let kind = SurveyKind::parse(&f.survey).unwrap_or(SurveyKind::Participant);
    let done = UseCase::page(&s, &c)?
        .add_survey_question(kind, &draft_of(&f))
        .await;
    after_question_change(&s, c, kind, f, done).await
}

async fn edit_question(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<QuestionFormData>,
) -> PageResult {
    let kind = SurveyKind::parse(&f.survey).unwrap_or(SurveyKind::Participant);
    let draft = draft_of(&f);
    let edit = match f.op.as_str() {
        "up" => QuestionEdit::Up,
        "down" => QuestionEdit::Down,
        "remove" => QuestionEdit::Remove,
        _ => QuestionEdit::Update(&draft),
    };
    let done = UseCase::page(&s, &c)?
        .edit_survey_question(kind, id, edit)
        .await;
    after_question_change(&s, c, kind, f, done).await
}

/// Back to the survey's questions, or its form again with the errors.
async fn after_question_change(
    s: &AppState,
    c: Ctx,
    kind: SurveyKind,
    f: QuestionFormData,
    done: Result<(), StoreError>,
) -> PageResult {
    match done {
        Ok(()) => Ok(see_other(&format!("/enkater?enkat={}&ok=1", kind.code()))),
        Err(StoreError::Invalid(e)) => {
            let q = AdminQuery {
                enkat: kind.code().into(),
                ..Default::default()
            };
            admin_page(s, c, q, FormErrors(e), f).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct SettingsForm {
    follow_up_months: String,
}

async fn settings(State(s): State<AppState>, c: Ctx, Form(f): Form<SettingsForm>) -> PageResult {
    match UseCase::page(&s, &c)?
        .set_survey_follow_up_months(&f.follow_up_months)
        .await
    {
        Ok(()) => Ok(see_other("/enkater?enkat=manager&ok=1")),
        Err(StoreError::Invalid(e)) => {
            admin_page(
                &s,
                c,
                AdminQuery {
                    enkat: "manager".into(),
                    ..Default::default()
                },
                FormErrors(e),
                QuestionFormData::default(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
