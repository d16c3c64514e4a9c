//! The scenario builder: new, edit, save and delete a scenario.

use crate::rejection::Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use domain::costs::money::number;
use domain::costs::scenario::{course_hours_field, participants_field};
use domain::costs::{KeyPart, ScenarioDraft};
use navet_store::costs::Model;

use super::nb;
use crate::ctx::Ctx;
use crate::pages::FormErrors;
use crate::usecase::costs::ScenarioSave;
use crate::usecase::UseCase;
use crate::{see_other, AppState, PageResult};

pub(super) struct MuniRow {
    id: i64,
    name: String,
    checked: bool,
    employees: String,
    inhabitants: String,
    inhabitants_approx: bool,
    actual_hours: String,
    actual_participants: String,
    hours: String,
    participants: String,
    hours_field: String,
    participants_field: String,
}

#[derive(Template)]
#[template(path = "costs/scenario_form.html")]
pub(super) struct ScenarioPage {
    c: Ctx,
    f: ScenarioDraft,
    rows: Vec<MuniRow>,
    errors: FormErrors,
    id: Option<i64>,
    period: String,
    /// Terms and years whose agreed volumes can fill in the expected
    /// participants: (value, label).
    volume_choices: Vec<(String, String)>,
    /// The one chosen, when the participants were filled in from it.
    volume_from: String,
}

impl ScenarioPage {
    fn volume_label(&self) -> String {
        self.volume_choices
            .iter()
            .find(|(v, _)| *v == self.volume_from)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| self.volume_from.clone())
    }
    fn weight_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        KeyPart::ALL
            .iter()
            .map(|p| (p.field(), p.label_sv(), self.f.weight(*p).to_string()))
            .collect()
    }
}

pub(super) fn scenario_page(
    c: Ctx,
    model: &Model,
    f: ScenarioDraft,
    errors: FormErrors,
    id: Option<i64>,
) -> PageResult {
    scenario_page_from(c, model, f, errors, id, String::new())
}

/// The terms around today and their years, for the volumes choice.
fn volume_choices() -> Vec<(String, String)> {
    let now = domain::planning::term::Term::current_or_next(navet_store::time::today());
    let mut out: Vec<(String, String)> = vec![];
    for t in [now, now.next(), now.next().next()] {
        out.push((t.code(), t.label()));
    }
    for y in [now.year, now.year + 1] {
        out.push((y.to_string(), format!("Hela {y} (VT + HT)")));
    }
    out
}

fn scenario_page_from(
    c: Ctx,
    model: &Model,
    f: ScenarioDraft,
    errors: FormErrors,
    id: Option<i64>,
    volume_from: String,
) -> PageResult {
    let days = model.actuals.days() as f64;
    let rows = model
        .actuals
        .municipalities
        .iter()
        .map(|m| MuniRow {
            id: m.id,
            name: m.name.clone(),
            checked: f
                .municipalities
                .iter()
                .any(|x| x.trim() == m.id.to_string()),
            employees: m
                .employees
                .map(|e| nb(number(e as f64, 0)))
                .unwrap_or_else(|| "saknas".into()),
            inhabitants: m
                .inhabitants
                .map(|e| nb(number(e as f64, 0)))
                .unwrap_or_else(|| "saknas".into()),
            inhabitants_approx: m.inhabitants_approx,
            actual_hours: nb(number(m.attended_hours * 365.0 / days, 1)),
            actual_participants: nb(number(m.participants as f64 * 365.0 / days, 1)),
            hours: f.course_hours.get(&m.id).cloned().unwrap_or_default(),
            participants: f.participants.get(&m.id).cloned().unwrap_or_default(),
            hours_field: course_hours_field(m.id),
            participants_field: participants_field(m.id),
        })
        .collect();
    let has_errors = errors.any();
    let page = ScenarioPage {
        c,
        f,
        rows,
        errors,
        id,
        period: format!(
            "{}–{}",
            model.actuals.from.format("%Y-%m-%d"),
            model.actuals.to.format("%Y-%m-%d")
        ),
        volume_choices: volume_choices(),
        volume_from,
    };
    super::super::render_form(page, has_errors)
}

/// Read the builder's form: `municipality_{id}` ticks, `course_hours_{id}`
/// and `participants_{id}` per municipality, and the plain fields.
pub(super) fn scenario_draft(pairs: &[(String, String)]) -> ScenarioDraft {
    let mut d = ScenarioDraft::default();
    for (k, v) in pairs {
        match k.as_str() {
            "name" => d.name = v.clone(),
            "description" => d.description = v.clone(),
            "weight_employees" => d.weight_employees = v.clone(),
            "weight_inhabitants" => d.weight_inhabitants = v.clone(),
            "weight_use" => d.weight_use = v.clone(),
            "weight_equal" => d.weight_equal = v.clone(),
            "volume_pct" => d.volume_pct = v.clone(),
            _ => {
                if let Some(id) = k.strip_prefix("municipality_") {
                    if !v.is_empty() {
                        d.municipalities.push(id.to_string());
                    }
                } else if let Some(id) =
                    k.strip_prefix("course_hours_").and_then(|i| i.parse().ok())
                {
                    d.course_hours.insert(id, v.clone());
                } else if let Some(id) =
                    k.strip_prefix("participants_").and_then(|i| i.parse().ok())
                {
                    d.participants.insert(id, v.clone());
                }
            }
        }
    }
    d
}

#[derive(serde::Deserialize, Default)]
pub(super) struct VolumesQuery {
    /// A term (`2027-vt`) or a year (`2027`) whose agreed places fill in
    /// the expected participants.
    #[serde(default)]
    volymer: String,
}

/// The form for scenario `id` (or a new one), with the expected
/// participants filled in from the agreed volumes when asked.
async fn form_with_volumes(s: &AppState, c: Ctx, id: Option<i64>, q: VolumesQuery) -> PageResult {
    let uc = UseCase::page(s, &c)?;
    let (model, mut f) = uc.cost_scenario_form(id).await?;
    let chosen = q.volymer.trim().to_string();
    if !chosen.is_empty() {
        let terms = domain::planning::volumes::terms_for_costs(&chosen).ok_or_else(|| {
            crate::error::AppError::BadRequest(format!(
                "”{}” är varken en termin (2027-vt) eller ett år (2027).",
                domain::tabular::excerpt(&chosen)
            ))
        })?;
        for (m, places) in uc.agreed_participants(&terms).await? {
            f.participants.insert(m, places.to_string());
            if !f.municipalities.iter().any(|x| x.trim() == m.to_string()) {
                f.municipalities.push(m.to_string());
            }
        }
    }
    scenario_page_from(c, &model, f, FormErrors::default(), id, chosen)
}

pub(super) async fn new_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Query(q): Query<VolumesQuery>,
) -> PageResult {
    form_with_volumes(&s, c, None, q).await
}

pub(super) async fn save_scenario(
    s: &AppState,
    c: Ctx,
    pairs: Vec<(String, String)>,
    id: Option<i64>,
) -> PageResult {
    let draft = scenario_draft(&pairs);
    let ScenarioSave { model, outcome } =
        UseCase::page(s, &c)?.save_cost_scenario(id, &draft).await?;
    match outcome {
        Ok(id) => Ok(see_other(&format!("/kostnader/scenarier/{id}?ok=scenario"))),
        Err(e) => scenario_page(c, &model, draft, FormErrors(e), id),
    }
}

pub(super) async fn create_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    save_scenario(&s, c, pairs, None).await
}

pub(super) async fn edit_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<VolumesQuery>,
) -> PageResult {
    form_with_volumes(&s, c, Some(id), q).await
}

pub(super) async fn update_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    save_scenario(&s, c, pairs, Some(id)).await
}

pub(super) async fn delete_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    UseCase::page(&s, &c)?.delete_cost_scenario(id).await?;
    Ok(see_other("/kostnader?ok=scenario-deleted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_form_reads_ticks_and_per_municipality_fields() {
        let pairs: Vec<(String, String)> = [
            ("_csrf", "x"),
            ("name", "Två"),
            ("municipality_4", "1"),
            ("municipality_9", "1"),
            ("course_hours_4", "120"),
            ("participants_9", "30"),
            ("weight_use", "100"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let d = scenario_draft(&pairs);
        assert_eq!(d.name, "Två");
        assert_eq!(d.municipalities, ["4", "9"]);
        assert_eq!(d.course_hours.get(&4).map(String::as_str), Some("120"));
        assert_eq!(d.participants.get(&9).map(String::as_str), Some("30"));
        assert_eq!(d.weight_use, "100");
    }
}
