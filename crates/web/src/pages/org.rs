//! Organisation: municipalities (with employee and inhabitant figures) and
//! their units. Coordinators and admins manage it.

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use navet_store::org::{Municipality, Unit};
use navet_store::StoreError;
use serde::Deserialize;

use super::{render_form, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::org::OrgOverview;
use crate::usecase::UseCase;
use crate::{see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisation", get(overview))
        .route("/organisation/kommun/{id}", post(save_municipality))
        .route("/organisation/enhet", post(create_unit))
        .route("/organisation/enhet/{id}", post(update_unit))
}

#[derive(Template)]
#[template(path = "org/overview.html")]
struct Overview {
    c: Ctx,
    municipalities: Vec<Municipality>,
    /// The municipalities whose sections are shown: all of a county, or
    /// the one chosen when there are more than `ALL_AT_ONCE`.
    shown: Vec<Municipality>,
    /// Many municipalities: a list to choose from instead of every section.
    choose: bool,
    units: Vec<Unit>,
    errors: FormErrors,
    new_unit: NewUnitForm,
    notice: String,
}

impl Overview {
    fn areas(&self) -> Vec<(&'static str, &'static str)> {
        domain::org::ActivityArea::ALL
            .iter()
            .map(|a| (a.code(), a.label_sv()))
            .collect()
    }
    fn units_of(&self, m: &i64) -> Vec<&Unit> {
        self.units
            .iter()
            .filter(|u| u.municipality_id == *m)
            .collect()
    }
    /// The one municipality shown when choosing among many.
    fn is_current(&self, id: &i64) -> bool {
        self.choose && self.shown.len() == 1 && self.shown[0].id == *id
    }
    fn opt(&self, v: &Option<i64>) -> String {
        v.map(|n| n.to_string()).unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
    /// One municipality's section (when there are many).
    #[serde(default)]
    kommun: Option<i64>,
}

async fn overview(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    page(
        &s,
        c,
        FormErrors::default(),
        NewUnitForm::default(),
        q.ok.is_some(),
        q.kommun,
    )
    .await
}

async fn page(
    s: &AppState,
    c: Ctx,
    errors: FormErrors,
    new_unit: NewUnitForm,
    saved: bool,
    chosen: Option<i64>,
) -> PageResult {
    let OrgOverview {
        municipalities,
        shown,
        choose,
        units,
    } = UseCase::page(s, &c)?.org_overview(chosen).await?;
    let notice = if saved {
        c.t("common.saved").to_string()
    } else {
        String::new()
    };
    let has_errors = errors.any();
    render_form(
        Overview {
            c,
            municipalities,
            shown,
            choose,
            units,
            errors,
            new_unit,
            notice,
        },
        has_errors,
    )
}

#[derive(Deserialize, Default)]
struct FiguresForm {
    #[serde(default)]
    employees: String,
    #[serde(default)]
    inhabitants: String,
}

fn opt_int(field: &str, s: &str) -> Result<Option<i64>, StoreError> {
    let t = s.trim().replace([' ', '\u{a0}'], "");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>().map(Some).map_err(|_| {
        StoreError::invalid(
            field,
            "not_a_number",
            format!("”{}” är inte ett heltal.", s.trim()),
        )
    })
}

async fn save_municipality(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FiguresForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let result = async {
        let e = opt_int(&format!("employees_{id}"), &f.employees)?;
        let i = opt_int(&format!("inhabitants_{id}"), &f.inhabitants)?;
        uc.set_municipality_figures(id, e, i).await
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/organisation?ok=1&kommun={id}"))),
        Err(StoreError::Invalid(e)) => {
            page(
                &s,
                c,
                FormErrors(e),
                NewUnitForm::default(),
                false,
                Some(id),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
struct NewUnitForm {
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    activity_area: String,
}

async fn create_unit(State(s): State<AppState>, c: Ctx, Form(f): Form<NewUnitForm>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let Ok(m) = f.municipality.parse::<i64>() else {
        let e = StoreError::invalid("municipality", "unknown_municipality", "Välj kommun.");
        let StoreError::Invalid(e) = e else {
            unreachable!()
        };
        return page(&s, c, FormErrors(e), f, false, None).await;
    };
    match uc.create_unit(m, &f.name, &f.activity_area).await {
        Ok(_) => Ok(see_other(&format!("/organisation?ok=1&kommun={m}"))),
        Err(StoreError::Invalid(e)) => page(&s, c, FormErrors(e), f, false, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct UnitForm {
    name: String,
    activity_area: String,
}

async fn update_unit(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> PageResult {
    let (municipality, result) = UseCase::page(&s, &c)?
        .update_unit(id, &f.name, &f.activity_area)
        .await;
    match result {
        Ok(()) => Ok(see_other(&match municipality {
            Some(m) => format!("/organisation?ok=1&kommun={m}"),
            None => "/organisation?ok=1".to_string(),
        })),
        Err(StoreError::Invalid(mut e)) => {
            for x in e.0.iter_mut() {
                x.field = format!("unit_{id}_{}", x.field);
            }
            page(
                &s,
                c,
                FormErrors(e),
                NewUnitForm::default(),
                false,
                municipality,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
