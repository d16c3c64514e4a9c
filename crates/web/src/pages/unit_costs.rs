//! The unit-cost table that values co-financed time, and the rounding rule:
//! read by whoever follows the funding up, changed by the hub (one row at a
//! time, or the whole table from a CSV file). Rows of one category may not
//! overlap; the message names both.

use crate::rejection::{Form, Path, Query};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use domain::cofinancing::unit_costs::{Draft, UnitCost};
use domain::cofinancing::RoundingRule;
use domain::costs::money;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::funding::UnitCostTable;
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/finansiering/enhetskostnader", get(list).post(add))
        .route("/finansiering/enhetskostnader/fil", post(load))
        .route("/finansiering/avrundning", post(rounding))
        .route(
            "/finansiering/enhetskostnader/{id}",
            get(edit_form).post(update),
        )
        .route(
            "/finansiering/enhetskostnader/{id}/ta-bort",
            get(delete_confirm).post(delete),
        )
}

#[derive(Deserialize, Default)]
pub struct DraftForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    hourly_sek: String,
    #[serde(default)]
    source: String,
}

impl DraftForm {
    fn draft(&self) -> Draft {
        Draft {
            category: self.category.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            hourly_sek: self.hourly_sek.clone(),
            source: self.source.clone(),
        }
    }
    fn of(u: &UnitCost) -> DraftForm {
        DraftForm {
            category: u.category.clone(),
            valid_from: u.valid_from.to_string(),
            valid_to: u.valid_to.to_string(),
            hourly_sek: money::kr_ore(u.hourly_ore)
                .trim_end_matches(" kr")
                .to_string(),
            source: u.source.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "funding/unit_costs.html")]
struct ListPage {
    c: Ctx,
    t: UnitCostTable,
    d: DraftForm,
    errors: FormErrors,
    file_errors: Vec<String>,
    notice: &'static str,
    rules: Vec<RoundingRule>,
}

impl ListPage {
    fn kr(&self, v: &i64) -> String {
        money::kr_ore(*v)
    }
    fn rule(&self, r: &RoundingRule) -> &'static str {
        match self.c.lang_code() {
            "en" => r.describe_en(),
            _ => r.describe_sv(),
        }
    }
    fn date(&self, d: &NaiveDate) -> String {
        d.to_string()
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

fn notice(c: &Ctx, ok: Option<&str>) -> &'static str {
    match ok {
        Some("sparad") => c.t("cofinancing.saved"),
        Some("borttagen") => c.t("cofinancing.deleted"),
        Some("fil") => c.t("cofinancing.loaded"),
        Some("avrundning") => c.t("cofinancing.rounding_saved"),
        _ => "",
    }
}

async fn list_page(
    s: &AppState,
    c: Ctx,
    d: DraftForm,
    errors: FormErrors,
    file_errors: Vec<String>,
    notice: &'static str,
) -> Result<ListPage, AppError> {
    let t = UseCase::page(s, &c)?.unit_cost_table().await?;
    Ok(ListPage {
        c,
        t,
        d,
        errors,
        file_errors,
        notice,
        rules: RoundingRule::ALL.to_vec(),
    })
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    let n = notice(&c, q.ok.as_deref());
    render(
        list_page(
            &s,
            c,
            DraftForm::default(),
            FormErrors::default(),
            vec![],
            n,
        )
        .await?,
    )
}

async fn add(State(s): State<AppState>, c: Ctx, Form(f): Form<DraftForm>) -> PageResult {
    match UseCase::page(&s, &c)?.add_unit_cost(&f.draft()).await {
        Ok(_) => Ok(see_other("/finansiering/enhetskostnader?ok=sparad")),
        Err(e) => {
            let errors = super::invalid(e)?;
            let page = list_page(&s, c, f, errors, vec![], "").await?;
            super::render_form(page, true)
        }
    }
}

#[derive(Template)]
#[template(path = "funding/unit_cost_edit.html")]
struct EditPage {
    c: Ctx,
    id: i64,
    d: DraftForm,
    categories: Vec<String>,
    errors: FormErrors,
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (u, categories) = UseCase::page(&s, &c)?.unit_cost_to_change(id).await?;
    render(EditPage {
        d: DraftForm::of(&u),
        categories,
        c,
        id,
        errors: FormErrors::default(),
    })
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DraftForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    match uc.update_unit_cost(id, &f.draft()).await {
        Ok(()) => Ok(see_other("/finansiering/enhetskostnader?ok=sparad")),
        Err(e) => {
            let errors = super::invalid(e)?;
            let categories = uc.unit_cost_categories().await?;
            let page = EditPage {
                c,
                id,
                d: f,
                categories,
                errors,
            };
            super::render_form(page, true)
        }
    }
}

#[derive(Template)]
#[template(path = "funding/unit_cost_delete.html")]
struct DeletePage {
    c: Ctx,
    u: UnitCost,
    id: i64,
}

impl DeletePage {
    fn kr(&self, v: &i64) -> String {
        money::kr_ore(*v)
    }
}

async fn delete_confirm(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (u, _) = UseCase::page(&s, &c)?.unit_cost_to_change(id).await?;
    render(DeletePage { c, u, id })
}

async fn delete(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    UseCase::page(&s, &c)?.delete_unit_cost(id).await?;
    Ok(see_other("/finansiering/enhetskostnader?ok=borttagen"))
}

#[derive(Deserialize)]
struct RoundingForm {
    #[serde(default)]
    rule: String,
}

async fn rounding(State(s): State<AppState>, c: Ctx, Form(f): Form<RoundingForm>) -> PageResult {
    let Some(rule) = RoundingRule::from_key(&f.rule) else {
        return Err(AppError::BadRequest(c.t("cofinancing.unknown_rule").into()));
    };
    UseCase::page(&s, &c)?.set_rounding(rule).await?;
    Ok(see_other("/finansiering/enhetskostnader?ok=avrundning"))
}

async fn load(State(s): State<AppState>, c: Ctx, mut mp: Multipart) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let mut bytes = Vec::new();
    let mut file = String::new();
    let mut confirmed = false;
    while let Some(f) = mp
        .next_field()
        .await
        .map_err(|e| crate::imports::body_error(&c, e))?
    {
        match f.name() {
            Some("file") => {
                file = f.file_name().unwrap_or("").to_string();
                bytes = f
                    .bytes()
                    .await
                    .map_err(|e| crate::imports::body_error(&c, e))?
                    .to_vec();
            }
            Some("replace") => confirmed = true,
            _ => {}
        }
    }
    let errors = if !confirmed {
        vec![c.t("cofinancing.confirm_replace").to_string()]
    } else if bytes.is_empty() {
        vec![c.t("cofinancing.no_file").to_string()]
    } else {
        match uc.load_unit_costs(bytes, &file).await? {
            Ok(_) => return Ok(see_other("/finansiering/enhetskostnader?ok=fil")),
            Err(msgs) => msgs,
        }
    };
    let page = list_page(
        &s,
        c,
        DraftForm::default(),
        FormErrors::default(),
        errors,
        "",
    )
    .await?;
    super::render_form(page, true)
}
