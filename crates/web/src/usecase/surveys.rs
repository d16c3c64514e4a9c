//! Surveys: answering one (with the e-mailed link's token, or signed in
//! as its recipient), the coordinators' question editor and the results,
//! which are shown only for groups of at least five answers.

use domain::ids::PersonId;
use std::collections::HashMap;

use chrono::NaiveDate;
use domain::access::Action;
use domain::surveys::anonymity::ResultPeriod;
use domain::surveys::{self, Question, QuestionDraft, SurveyKind};
use domain::FieldErrors;
use navet_store::surveys::{self as store, GroupResults, Invitation};
use navet_store::{Db, StoreError, StoreResult};

use super::{Guest, UseCase};

/// An invitation with its questions, after answering it when answers
/// were given.
pub struct SurveyAnswer {
    /// Marked answered when the answers were saved.
    pub inv: Invitation,
    pub questions: Vec<Question>,
    /// Why the answers were not saved (the form is shown again).
    pub errors: Option<FieldErrors>,
}

/// The coordinators' page: one survey's questions and results.
pub struct SurveyAdmin {
    pub period: ResultPeriod,
    pub questions: Vec<Question>,
    pub results: Vec<GroupResults>,
    pub months: u32,
}

/// A change to one question.
pub enum QuestionEdit<'a> {
    Up,
    Down,
    Remove,
    Update(&'a QuestionDraft),
}

/// Show an invitation, or save its answers (`form`) unless it has been
/// answered already. Answers are not tied to the person.
async fn answer(
    db: &Db,
    inv: Invitation,
    form: Option<&HashMap<String, String>>,
) -> StoreResult<SurveyAnswer> {
    let questions = store::questions(db, inv.kind).await?;
    let Some(form) = form.filter(|_| !inv.answered) else {
        return Ok(SurveyAnswer {
            inv,
            questions,
            errors: None,
        });
    };
    match surveys::check_answers(&questions, form) {
        Ok(answers) => {
            match store::submit(db, inv.id, &answers).await {
                Ok(()) | Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
            Ok(SurveyAnswer {
                inv: Invitation {
                    answered: true,
                    ..inv
                },
                questions,
                errors: None,
            })
        }
        Err(e) => Ok(SurveyAnswer {
            inv,
            questions,
            errors: Some(e),
        }),
    }
}

impl Guest<'_> {
    /// The survey a link's token is for (the token is the permission),
    /// answered with `form` when given.
    pub async fn survey_by_token(
        &self,
        token: &str,
        form: Option<&HashMap<String, String>>,
    ) -> StoreResult<SurveyAnswer> {
        let inv = store::invitation_by_token(self.db(), token)
            .await?
            .ok_or(StoreError::NotFound("enkät"))?;
        answer(self.db(), inv, form).await
    }
}

impl UseCase<'_> {
    /// The signed-in person's own surveys (none without a person record).
    pub async fn my_surveys(&self) -> StoreResult<Vec<Invitation>> {
        match self.person_id() {
            Some(p) => store::invitations_for(self.db(), PersonId(p)).await,
            None => Ok(vec![]),
        }
    }

    /// One of the signed-in person's own surveys, answered with `form`
    /// when given; another's is not found.
    pub async fn own_survey(
        &self,
        id: i64,
        form: Option<&HashMap<String, String>>,
    ) -> StoreResult<SurveyAnswer> {
        let p = self.person_id().ok_or(StoreError::NotFound("enkät"))?;
        let inv = store::invitation_owned_by(self.db(), id, PersonId(p))
            .await?
            .ok_or(StoreError::NotFound("enkät"))?;
        answer(self.db(), inv, form).await
    }

    /// A survey's questions and its results for a period (a term such as
    /// `2026-vt` or a year; empty: this term). An unknown period is
    /// `Invalid` naming `period`. Follow-ups that have come due are sent
    /// first: they go out when coordinators look here.
    pub async fn survey_admin(
        &self,
        kind: SurveyKind,
        period: &str,
        today: NaiveDate,
    ) -> StoreResult<SurveyAdmin> {
        self.decide(Action::ViewReports)?;
        let period = if period.trim().is_empty() {
            ResultPeriod::term_of(today)
        } else {
            ResultPeriod::parse(period)
                .ok_or_else(|| StoreError::invalid("period", "invalid_period", "Okänd period."))?
        };
        store::send_due(self.db(), today, &self.s.config.public_url).await?;
        Ok(SurveyAdmin {
            period,
            questions: store::questions(self.db(), kind).await?,
            results: store::results_by_course(self.db(), kind, period).await?,
            months: store::follow_up_months(self.db()).await?,
        })
    }

    /// Add a question at the end; a refused draft is `Invalid`.
    pub async fn add_survey_question(
        &self,
        kind: SurveyKind,
        d: &QuestionDraft,
    ) -> StoreResult<()> {
        self.decide(Action::ManageCatalogue)?;
        let q = surveys::check_question(d).map_err(StoreError::Invalid)?;
        store::add_question(self.db(), &self.who, kind, &q).await?;
        Ok(())
    }

    /// Move, remove or change a question; a refused draft is `Invalid`.
    pub async fn edit_survey_question(
        &self,
        kind: SurveyKind,
        id: i64,
        edit: QuestionEdit<'_>,
    ) -> StoreResult<()> {
        self.decide(Action::ManageCatalogue)?;
        match edit {
            QuestionEdit::Up => store::move_question(self.db(), kind, id, -1).await,
            QuestionEdit::Down => store::move_question(self.db(), kind, id, 1).await,
            QuestionEdit::Remove => store::remove_question(self.db(), &self.who, id).await,
            QuestionEdit::Update(d) => {
                let q = surveys::check_question(d).map_err(StoreError::Invalid)?;
                store::update_question(self.db(), &self.who, id, &q).await
            }
        }
    }

    /// How many months after a course the managers' follow-up goes out
    /// (1–36; otherwise `Invalid`).
    pub async fn set_survey_follow_up_months(&self, months: &str) -> StoreResult<()> {
        self.decide(Action::ManageCatalogue)?;
        store::set_follow_up_months(self.db(), &self.who, months).await?;
        Ok(())
    }
}
