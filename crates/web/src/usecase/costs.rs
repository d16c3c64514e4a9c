//! Cost scenarios: the cost model (lines and settings), scenarios, their
//! computed results and comparisons. Coordinators and admins change the
//! model and the scenarios; the pages' results and comparisons are
//! aggregates (no person is named), the API's are for those who manage
//! the costs. The rules are in `domain::costs`.

use chrono::NaiveDate;
use domain::access::Action;
use domain::costs::{
    check_line, check_scenario, check_settings, CostLine, LineDraft, Scenario, ScenarioDraft,
    ScenarioResult, Settings, SettingsDraft,
};
use domain::FieldErrors;
use navet_store::costs::{self, Model};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

/// The most scenarios one comparison shows (the chart and PDF stay readable).
pub const MAX_COMPARED: usize = 6;

/// A municipality's id and name, as a scenario may name it.
pub type Known = Vec<(i64, String)>;

/// Today in Sweden: actual use is counted up to this date.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

/// The co-financing rate (öre per hour) of a model with no settings saved.
pub fn default_cofinancing_rate() -> i64 {
    costs::default_settings().cofinancing_rate
}

/// The overview: the model and the saved scenarios.
pub struct CostOverview {
    pub model: Model,
    pub scenarios: Vec<Scenario>,
}

/// Scenarios computed side by side (without "what if one leaves").
pub struct CostComparison {
    /// Every saved scenario, to choose from.
    pub choices: Vec<Scenario>,
    pub results: Vec<ScenarioResult>,
    /// Scenarios that could not be shown, in words.
    pub problems: Vec<String>,
    pub model: Model,
}

/// A scenario saved, or the reasons it was not (with the model the
/// builder shows again).
pub struct ScenarioSave {
    pub model: Model,
    pub outcome: Result<i64, FieldErrors>,
}

/// Check a draft and make sure it can be computed, so that a scenario is
/// only saved when its key has every figure it needs.
fn check_and_compute(
    model: &Model,
    known: &[(i64, String)],
    d: &ScenarioDraft,
) -> Result<Scenario, FieldErrors> {
    let s = check_scenario(d, known)?;
    model.compute_without_leaving(&s)?;
    Ok(s)
}

impl UseCase<'_> {
    // Reading (aggregates: the pages) -------------------------------------

    /// The cost model's lines and settings, and every saved scenario.
    pub async fn cost_overview(&self) -> StoreResult<CostOverview> {
        self.decide(Action::ViewAggregates)?;
        Ok(CostOverview {
            model: costs::model(self.db(), today()).await?,
            scenarios: costs::scenarios(self.db()).await?,
        })
    }

    /// A scenario with the model to compute it.
    pub async fn cost_scenario_view(&self, id: i64) -> StoreResult<(Scenario, Model)> {
        self.decide(Action::ViewAggregates)?;
        let sc = costs::scenario(self.db(), id).await?;
        let model = costs::model(self.db(), today()).await?;
        Ok((sc, model))
    }

    /// A scenario computed as of today, with how every figure was computed.
    pub async fn cost_trace(&self, id: i64) -> StoreResult<ScenarioResult> {
        self.decide(Action::ViewAggregates)?;
        costs::result(self.db(), id, today()).await
    }

    /// The scenarios `ids` computed (at most [`MAX_COMPARED`]); those that
    /// cannot be computed are reported by name instead.
    pub async fn cost_comparison(&self, ids: &[i64]) -> StoreResult<CostComparison> {
        self.decide(Action::ViewAggregates)?;
        let choices = costs::scenarios(self.db()).await?;
        let model = costs::model(self.db(), today()).await?;
        let mut results = Vec::new();
        let mut problems = Vec::new();
        for id in ids.iter().take(MAX_COMPARED) {
            let sc = match costs::scenario(self.db(), *id).await {
                Ok(sc) => sc,
                Err(StoreError::NotFound(_)) => {
                    problems.push(format!("Scenario {id} finns inte."));
                    continue;
                }
                Err(e) => return Err(e),
            };
            match model.compute_without_leaving(&sc) {
                Ok(r) => results.push(r),
                Err(e) => problems.push(format!(
                    "”{}” kan inte beräknas: {}",
                    sc.name,
                    e.0.iter()
                        .map(|x| x.message.clone())
                        .collect::<Vec<_>>()
                        .join(" ")
                )),
            }
        }
        if ids.len() > MAX_COMPARED {
            problems.push(format!(
                "Högst {MAX_COMPARED} scenarier jämförs åt gången; de första {MAX_COMPARED} visas."
            ));
        }
        Ok(CostComparison {
            choices,
            results,
            problems,
            model,
        })
    }

    // Reading (those who manage the costs: the API) ------------------------

    /// The cost model's lines.
    pub async fn cost_lines(&self) -> StoreResult<Vec<CostLine>> {
        self.decide(Action::ManageCosts)?;
        costs::lines(self.db()).await
    }

    pub async fn cost_line(&self, id: i64) -> StoreResult<CostLine> {
        self.decide(Action::ManageCosts)?;
        costs::line(self.db(), id).await
    }

    /// The municipalities a scenario may name.
    pub async fn cost_municipalities(&self) -> StoreResult<Known> {
        self.decide(Action::ManageCosts)?;
        costs::known_municipalities(self.db()).await
    }

    /// Every scenario, with the municipalities' names.
    pub async fn cost_scenarios(&self) -> StoreResult<(Vec<Scenario>, Known)> {
        self.decide(Action::ManageCosts)?;
        let known = costs::known_municipalities(self.db()).await?;
        Ok((costs::scenarios(self.db()).await?, known))
    }

    /// One scenario, with the municipalities' names.
    pub async fn cost_scenario(&self, id: i64) -> StoreResult<(Scenario, Known)> {
        self.decide(Action::ManageCosts)?;
        let known = costs::known_municipalities(self.db()).await?;
        Ok((costs::scenario(self.db(), id).await?, known))
    }

    /// A scenario computed as of today.
    pub async fn cost_result(&self, id: i64) -> StoreResult<ScenarioResult> {
        self.decide(Action::ManageCosts)?;
        costs::result(self.db(), id, today()).await
    }

    /// The scenarios `ids` computed side by side; an unknown scenario is
    /// 404, one that cannot be computed names the field.
    pub async fn compare_cost_scenarios(&self, ids: &[i64]) -> StoreResult<Vec<ScenarioResult>> {
        self.decide(Action::ManageCosts)?;
        let model = costs::model(self.db(), today()).await?;
        let mut results = Vec::new();
        for id in ids {
            let sc = costs::scenario(self.db(), *id).await?;
            results.push(
                model
                    .compute_without_leaving(&sc)
                    .map_err(StoreError::Invalid)?,
            );
        }
        Ok(results)
    }

    // Changing the model ---------------------------------------------------

    pub async fn cost_settings(&self) -> StoreResult<Settings> {
        self.decide(Action::ManageCosts)?;
        costs::settings(self.db()).await
    }

    /// Save the settings; a refused draft is `Invalid` naming the fields.
    pub async fn save_cost_settings(&self, d: &SettingsDraft) -> StoreResult<()> {
        self.decide(Action::ManageCosts)?;
        let settings = check_settings(d, today()).map_err(StoreError::Invalid)?;
        costs::save_settings(self.db(), &self.who, &settings).await
    }

    /// The line form: empty for a new line, or a line's values.
    pub async fn cost_line_form(&self, id: Option<i64>) -> StoreResult<LineDraft> {
        self.decide(Action::ManageCosts)?;
        Ok(match id {
            Some(id) => LineDraft::from_line(&costs::line(self.db(), id).await?),
            None => LineDraft {
                basis: "annual".into(),
                scaling: "fixed".into(),
                ..Default::default()
            },
        })
    }

    /// Add a line; a refused draft is `Invalid` naming the fields.
    pub async fn create_cost_line(&self, d: &LineDraft) -> StoreResult<i64> {
        self.decide(Action::ManageCosts)?;
        let line = check_line(d).map_err(StoreError::Invalid)?;
        costs::create_line(self.db(), &self.who, &line).await
    }

    /// Change a line (404 before the draft is checked).
    pub async fn update_cost_line(&self, id: i64, d: &LineDraft) -> StoreResult<()> {
        self.decide(Action::ManageCosts)?;
        costs::line(self.db(), id).await?;
        let line = check_line(d).map_err(StoreError::Invalid)?;
        costs::update_line(self.db(), &self.who, id, &line).await
    }

    pub async fn delete_cost_line(&self, id: i64) -> StoreResult<()> {
        self.decide(Action::ManageCosts)?;
        costs::delete_line(self.db(), &self.who, id).await
    }

    // Scenarios ------------------------------------------------------------

    /// The builder: a new scenario (every municipality, half employees and
    /// half use) or a saved one, with the model it shows.
    pub async fn cost_scenario_form(&self, id: Option<i64>) -> StoreResult<(Model, ScenarioDraft)> {
        self.decide(Action::ManageCosts)?;
        let saved = match id {
            Some(id) => Some(costs::scenario(self.db(), id).await?),
            None => None,
        };
        let model = costs::model(self.db(), today()).await?;
        let draft = match saved {
            Some(sc) => ScenarioDraft::from_scenario(&sc),
            None => ScenarioDraft {
                municipalities: model
                    .actuals
                    .municipalities
                    .iter()
                    .map(|m| m.id.to_string())
                    .collect(),
                weight_employees: "50".into(),
                weight_use: "50".into(),
                volume_pct: "100".into(),
                ..Default::default()
            },
        };
        Ok((model, draft))
    }

    /// Save a scenario (a new one, or scenario `id`, which must exist). It
    /// is checked and computed first: one that cannot be computed is not
    /// saved, and the reasons name the fields.
    pub async fn save_cost_scenario(
        &self,
        id: Option<i64>,
        d: &ScenarioDraft,
    ) -> StoreResult<ScenarioSave> {
        self.decide(Action::ManageCosts)?;
        if let Some(id) = id {
            costs::scenario(self.db(), id).await?;
        }
        let model = costs::model(self.db(), today()).await?;
        let known = costs::known_municipalities(self.db()).await?;
        let scenario = match check_and_compute(&model, &known, d) {
            Ok(sc) => sc,
            Err(e) => {
                return Ok(ScenarioSave {
                    model,
                    outcome: Err(e),
                })
            }
        };
        let saved = match id {
            Some(id) => costs::update_scenario(self.db(), &self.who, id, &scenario)
                .await
                .map(|_| id),
            None => costs::create_scenario(self.db(), &self.who, &scenario).await,
        };
        let outcome = match saved {
            Ok(id) => Ok(id),
            Err(StoreError::Invalid(e)) => Err(e),
            Err(e) => return Err(e),
        };
        Ok(ScenarioSave { model, outcome })
    }

    pub async fn delete_cost_scenario(&self, id: i64) -> StoreResult<()> {
        self.decide(Action::ManageCosts)?;
        costs::delete_scenario(self.db(), &self.who, id).await
    }
}
