//! Competence requirements (editor and list) and the gap reports on the
//! levels above the unit: region, municipality and activity area. The
//! `/kompetens` start page links the competence tools together.

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::catalogue::Level;
use domain::education::{Direction, EducationKind};
use domain::org::ActivityArea;
use domain::requirements::RequirementDraft;
use domain::vocab::Labelled;
use navet_store::gaps::{GapLevel, GapReport};
use navet_store::org::{CompetenceArea, Role as JobRole, Unit};
use navet_store::requirements::RequirementRow;
use serde::Deserialize;

use super::unit::pct;
use super::{invalid, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::requirements::RequirementForm;
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kompetens", get(hub))
        .route("/kompetens/krav", get(list))
        .route("/kompetens/krav/ny", get(new_form).post(create))
        .route("/kompetens/krav/{id}", get(edit_form).post(update))
        .route("/kompetens/krav/{id}/ta-bort", post(delete))
        .route("/kompetens/glapp", get(report))
}

// Start page ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "competence/hub.html")]
struct HubPage {
    c: Ctx,
    is_coordinator: bool,
    requirements: usize,
    tracks: usize,
    packages: usize,
    needs: usize,
}

async fn hub(State(s): State<AppState>, c: Ctx) -> PageResult {
    let h = UseCase::page(&s, &c)?.competence_hub().await?;
    render(HubPage {
        c,
        is_coordinator: h.is_coordinator,
        requirements: h.requirements,
        tracks: h.tracks,
        packages: h.packages,
        needs: h.needs,
    })
}

// The list ------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    roll: Option<i64>,
    #[serde(default)]
    enhet: Option<i64>,
    #[serde(default)]
    ok: Option<String>,
}

struct Line {
    r: RequirementRow,
    can_manage: bool,
}

#[derive(Template)]
#[template(path = "competence/requirements.html")]
struct ListPage {
    c: Ctx,
    lines: Vec<Line>,
    roles: Vec<JobRole>,
    units: Vec<Unit>,
    roll: i64,
    enhet: i64,
    unit_name: String,
    can_add: bool,
    notice: String,
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let l = UseCase::page(&s, &c)?
        .requirement_list(q.roll, q.enhet)
        .await?;
    let lines = l
        .lines
        .into_iter()
        .map(|(r, can_manage)| Line { r, can_manage })
        .collect();
    let notice = match q.ok.as_deref() {
        Some("created") => c.t("competence.requirement_saved"),
        Some("saved") => c.t("competence.change_saved"),
        Some("deleted") => c.t("competence.requirement_deleted"),
        _ => "",
    }
    .to_string();
    render(ListPage {
        roles: l.roles,
        can_add: !l.units.is_empty(),
        units: l.units,
        roll: q.roll.unwrap_or(0),
        enhet: q.enhet.unwrap_or(0),
        unit_name: l
            .unit
            .map(|u| format!("{} ({})", u.name, u.municipality_name))
            .unwrap_or_default(),
        lines,
        notice,
        c,
    })
}

// The editor ----------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct ReqForm {
    #[serde(default)]
    role_id: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    activity_area: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    course_id: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    education: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    note: String,
}

impl ReqForm {
    fn draft(&self) -> RequirementDraft {
        RequirementDraft {
            role_id: self.role_id.clone(),
            scope: self.scope.clone(),
            activity_area: self.activity_area.clone(),
            unit_id: self.unit_id.clone(),
            kind: self.kind.clone(),
            course_id: self.course_id.clone(),
            area_id: self.area_id.clone(),
            level: self.level.clone(),
            education: self.education.clone(),
            direction: self.direction.clone(),
            note: self.note.clone(),
        }
    }
    fn from_row(r: &RequirementRow) -> ReqForm {
        ReqForm {
            role_id: r.role_id.to_string(),
            scope: r.scope.clone(),
            activity_area: r.activity_area.clone().unwrap_or_default(),
            unit_id: r.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            kind: r.kind.code().to_string(),
            course_id: r.course_id.map(|u| u.to_string()).unwrap_or_default(),
            area_id: r.area_id.map(|u| u.to_string()).unwrap_or_default(),
            level: r.level.clone().unwrap_or_default(),
            education: r.education.clone().unwrap_or_default(),
            direction: r.direction.clone().unwrap_or_default(),
            note: r.note.clone(),
        }
    }
}

struct CourseOption {
    id: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "competence/requirement_form.html")]
struct FormPage {
    c: Ctx,
    f: ReqForm,
    errors: FormErrors,
    id: Option<i64>,
    roles: Vec<JobRole>,
    units: Vec<Unit>,
    courses: Vec<CourseOption>,
    areas: Vec<CompetenceArea>,
    may_widen: bool,
    back: String,
}

impl FormPage {
    fn activity_areas(&self) -> Vec<(&'static str, &'static str)> {
        ActivityArea::options(self.c.is_english())
    }
    fn levels(&self) -> Vec<(&'static str, &'static str)> {
        Level::options(self.c.is_english())
    }
    fn educations(&self) -> Vec<(&'static str, &'static str)> {
        EducationKind::options(self.c.is_english())
            .into_iter()
            .filter(|(code, _)| *code != EducationKind::Ingen.code())
            .collect()
    }
    fn directions(&self) -> Vec<(&'static str, &'static str)> {
        Direction::options(self.c.is_english())
    }
    fn area_label(&self, a: &CompetenceArea) -> String {
        if a.parent_id.is_some() {
            format!("– {}", a.name)
        } else {
            a.name.clone()
        }
    }
}

fn form_page(
    c: Ctx,
    f: ReqForm,
    errors: FormErrors,
    id: Option<i64>,
    data: RequirementForm,
) -> PageResult {
    let courses = data
        .courses
        .into_iter()
        .map(|co| CourseOption {
            id: co.id,
            label: match co.validity_months {
                Some(m) => format!(
                    "{} ({}, {}{m}{})",
                    co.title,
                    c.course_status(co.status),
                    c.t("competence.renewed_every"),
                    c.t("competence.months_lc")
                ),
                None => format!("{} ({})", co.title, c.course_status(co.status)),
            },
        })
        .collect();
    let back = match f.unit_id.parse::<i64>() {
        Ok(u) if f.scope == "unit" => format!("/kompetens/krav?enhet={u}"),
        _ => "/kompetens/krav".to_string(),
    };
    let has_errors = errors.any();
    super::render_form(
        FormPage {
            roles: data.roles,
            areas: data.areas,
            units: data.units,
            courses,
            may_widen: data.may_widen,
            back,
            c,
            f,
            errors,
            id,
        },
        has_errors,
    )
}

/// The editor again with the errors of a refused draft; any other
/// failure ends the request.
async fn form_again(
    s: &AppState,
    c: Ctx,
    f: ReqForm,
    e: navet_store::StoreError,
    id: Option<i64>,
) -> PageResult {
    let errors = invalid(e)?;
    let data = UseCase::page(s, &c)?.requirement_form().await?;
    form_page(c, f, errors, id, data)
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    enhet: Option<i64>,
}

async fn new_form(State(s): State<AppState>, c: Ctx, Query(q): Query<NewQuery>) -> PageResult {
    let data = UseCase::page(&s, &c)?.new_requirement_form().await?;
    let (units, may_widen) = (&data.units, data.may_widen);
    let unit = q
        .enhet
        .filter(|u| units.iter().any(|x| x.id == *u))
        .or_else(|| (units.len() == 1 && !may_widen).then(|| units[0].id));
    let f = ReqForm {
        scope: if unit.is_some() || !may_widen {
            "unit".into()
        } else {
            "region".into()
        },
        unit_id: unit.map(|u| u.to_string()).unwrap_or_default(),
        kind: "course".into(),
        ..Default::default()
    };
    form_page(c, f, FormErrors::default(), None, data)
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<ReqForm>) -> PageResult {
    let created = UseCase::page(&s, &c)?
        .create_requirement_page(&f.draft())
        .await;
    match created {
        Ok(row) => Ok(see_other(&match row.unit_id {
            Some(u) => format!("/kompetens/krav?enhet={u}&ok=created"),
            None => "/kompetens/krav?ok=created".into(),
        })),
        Err(e) => form_again(&s, c, f, e, None).await,
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (row, data) = UseCase::page(&s, &c)?.requirement_to_edit(id).await?;
    form_page(
        c,
        ReqForm::from_row(&row),
        FormErrors::default(),
        Some(id),
        data,
    )
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReqForm>,
) -> PageResult {
    let updated = UseCase::page(&s, &c)?
        .update_requirement_page(id, &f.draft())
        .await;
    match updated {
        Ok(()) => Ok(see_other("/kompetens/krav?ok=saved")),
        Err(e) => form_again(&s, c, f, e, Some(id)).await,
    }
}

async fn delete(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    UseCase::page(&s, &c)?.delete_requirement_page(id).await?;
    Ok(see_other("/kompetens/krav?ok=deleted"))
}

// Gap reports ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ReportQuery {
    #[serde(default)]
    kommun: Option<i64>,
    #[serde(default)]
    omrade: Option<String>,
}

#[derive(Template)]
#[template(path = "competence/report.html")]
struct ReportPage {
    c: Ctx,
    r: GapReport,
    municipalities: Vec<(i64, String)>,
    kommun: i64,
    omrade: String,
    can_region: bool,
}

impl ReportPage {
    fn pct(&self, share: &f64) -> String {
        pct(*share)
    }
    fn n(&self, v: &u64) -> String {
        crate::format::int(*v as i64)
    }
    fn areas(&self) -> Vec<(&'static str, &'static str)> {
        ActivityArea::options(self.c.is_english())
    }
    /// Where a sub-group's line links to.
    fn child_href(&self, id: &str) -> String {
        match self.r.children_level {
            "municipality" => format!("/kompetens/glapp?kommun={id}"),
            "unit" if !id.is_empty() => format!("/enheter/{id}"),
            "person" => format!("/personal/{id}/kompetens"),
            _ => String::new(),
        }
    }
    fn area_href(&self, code: &str) -> String {
        match self.r.level {
            "municipality" => format!(
                "/kompetens/glapp?kommun={}&omrade={code}",
                self.r.id.clone().unwrap_or_default()
            ),
            _ => format!("/kompetens/glapp?omrade={code}"),
        }
    }
    fn children_heading(&self) -> &'static str {
        match self.r.children_level {
            "municipality" => self.c.t("gaps.per_municipality"),
            "unit" => self.c.t("gaps.per_unit"),
            _ => self.c.t("gaps.per_person"),
        }
    }
}

async fn report(State(s): State<AppState>, c: Ctx, Query(q): Query<ReportQuery>) -> PageResult {
    let area = match q.omrade.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => ActivityArea::parse(a)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(format!("Okänt verksamhetsområde ”{a}”."))),
        None => Ok(None),
    };
    let level = area.map(|area| match (q.kommun, area) {
        (None, None) => GapLevel::Region,
        (Some(m), None) => GapLevel::Municipality(m),
        (m, Some(area)) => GapLevel::ActivityArea {
            area,
            municipality_id: m,
        },
    });
    let p = UseCase::page(&s, &c)?
        .gap_report_page(q.kommun, level)
        .await?;
    render(ReportPage {
        c,
        r: p.report,
        municipalities: p.municipalities,
        kommun: q.kommun.unwrap_or(0),
        omrade: q.omrade.unwrap_or_default(),
        can_region: p.can_region,
    })
}
