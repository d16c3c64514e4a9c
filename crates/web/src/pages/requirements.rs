//! Competence requirements (editor and list) and the gap reports on the
//! levels above the unit: region, municipality and activity area. The
//! `/kompetens` start page links the competence tools together.

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::access::{Action, Role};
use domain::catalogue::{CourseStatus, Level};
use domain::education::{Direction, EducationKind};
use domain::org::ActivityArea;
use domain::requirements::RequirementDraft;
use domain::vocab::Labelled;
use navet_store::gaps::{self, GapLevel, GapReport};
use navet_store::org::{CompetenceArea, Role as JobRole, Unit};
use navet_store::requirements::{self, RequirementRow};
use navet_store::StoreError;
use serde::Deserialize;

use super::unit::pct;
use super::FormErrors;
use crate::ctx::Ctx;
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

fn require_staff_role(c: &Ctx) -> Result<(), AppError> {
    let user = c.require_login()?;
    match user.role() {
        Role::Coordinator | Role::Admin | Role::Manager => Ok(()),
        _ => Err(AppError::forbidden(
            "Kompetenskrav och glapp är till för chefer och samordnare.",
        )),
    }
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
    require_staff_role(&c)?;
    let is_coordinator = c.can(Action::ManageTracks);
    let requirements = requirements::list(&s.db, &Default::default()).await?.len();
    let tracks = navet_store::tracks::all_with_items(&s.db).await?.len();
    let packages = navet_store::packages::list(&s.db, !is_coordinator)
        .await?
        .len();
    let needs = navet_store::needs::list(&s.db).await?.len();
    render(HubPage {
        c,
        is_coordinator,
        requirements,
        tracks,
        packages,
        needs,
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

/// Units the user may set requirements for (all for coordinators).
async fn own_units(s: &AppState, c: &Ctx) -> Result<Vec<Unit>, AppError> {
    let user = c.require_login()?;
    Ok(match user.role() {
        Role::Coordinator | Role::Admin => navet_store::org::units(&s.db, None).await?,
        _ => navet_store::org::units_in(&s.db, &user.actor.scope).await?,
    })
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    require_staff_role(&c)?;
    let user = c.require_login()?.clone();
    let unit = match q.enhet {
        Some(u) => Some(navet_store::org::unit(&s.db, u).await?),
        None => None,
    };
    let rows = requirements::list(
        &s.db,
        &requirements::Filter {
            role_id: q.roll,
            for_unit: unit.as_ref().map(|u| (u.id, u.activity_area.clone())),
        },
    )
    .await?;
    let lines = rows
        .into_iter()
        .map(|r| Line {
            can_manage: requirements::may_manage(&user.actor, &r),
            r,
        })
        .collect();
    let units = own_units(&s, &c).await?;
    let notice = match q.ok.as_deref() {
        Some("created") => c.t("competence.requirement_saved"),
        Some("saved") => c.t("competence.change_saved"),
        Some("deleted") => c.t("competence.requirement_deleted"),
        _ => "",
    }
    .to_string();
    render(ListPage {
        roles: navet_store::org::roles(&s.db).await?,
        can_add: !units.is_empty(),
        units,
        roll: q.roll.unwrap_or(0),
        enhet: q.enhet.unwrap_or(0),
        unit_name: unit
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
            kind: r.kind.clone(),
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

async fn form_page(
    s: &AppState,
    c: Ctx,
    f: ReqForm,
    errors: FormErrors,
    id: Option<i64>,
) -> PageResult {
    let units = own_units(s, &c).await?;
    let courses = navet_store::catalogue::list(&s.db, None)
        .await?
        .into_iter()
        .filter(|co| co.status != CourseStatus::Avvecklad.code())
        .map(|co| CourseOption {
            id: co.id,
            label: match co.validity_months {
                Some(m) => format!(
                    "{} ({}, {}{m}{})",
                    co.title,
                    c.course_status(&co.status),
                    c.t("competence.renewed_every"),
                    c.t("competence.months_lc")
                ),
                None => format!("{} ({})", co.title, c.course_status(&co.status)),
            },
        })
        .collect();
    let may_widen = c.can(Action::ManageRequirements {
        unit_id: None,
        municipality_id: None,
    });
    let back = match f.unit_id.parse::<i64>() {
        Ok(u) if f.scope == "unit" => format!("/kompetens/krav?enhet={u}"),
        _ => "/kompetens/krav".to_string(),
    };
    let has_errors = errors.any();
    super::render_form(
        FormPage {
            roles: navet_store::org::roles(&s.db).await?,
            areas: navet_store::org::competence_areas(&s.db).await?,
            units,
            courses,
            may_widen,
            back,
            c,
            f,
            errors,
            id,
        },
        has_errors,
    )
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    enhet: Option<i64>,
}

async fn new_form(State(s): State<AppState>, c: Ctx, Query(q): Query<NewQuery>) -> PageResult {
    require_staff_role(&c)?;
    let may_widen = c.can(Action::ManageRequirements {
        unit_id: None,
        municipality_id: None,
    });
    let units = own_units(&s, &c).await?;
    if units.is_empty() && !may_widen {
        return Err(AppError::forbidden(
            "Du kan ställa krav bara för dina egna enheter, och du har inga.",
        ));
    }
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
    form_page(&s, c, f, FormErrors::default(), None).await
}

fn store_error_to_form(e: StoreError) -> Result<FormErrors, AppError> {
    match e {
        StoreError::Invalid(f) => Ok(FormErrors(f)),
        other => Err(other.into()),
    }
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<ReqForm>) -> PageResult {
    require_staff_role(&c)?;
    let user = c.require_login()?.clone();
    match requirements::create(&s.db, &user.actor, &user.who(), &f.draft()).await {
        Ok(id) => {
            let row = requirements::get(&s.db, id).await?;
            Ok(see_other(&match row.unit_id {
                Some(u) => format!("/kompetens/krav?enhet={u}&ok=created"),
                None => "/kompetens/krav?ok=created".into(),
            }))
        }
        Err(e) => {
            let errors = store_error_to_form(e)?;
            form_page(&s, c, f, errors, None).await
        }
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    require_staff_role(&c)?;
    let user = c.require_login()?;
    let row = requirements::get(&s.db, id).await?;
    if !requirements::may_manage(&user.actor, &row) {
        return Err(AppError::forbidden(
            "Du kan ändra krav bara för dina egna enheter.",
        ));
    }
    form_page(
        &s,
        c,
        ReqForm::from_row(&row),
        FormErrors::default(),
        Some(id),
    )
    .await
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReqForm>,
) -> PageResult {
    require_staff_role(&c)?;
    let user = c.require_login()?.clone();
    match requirements::update(&s.db, &user.actor, &user.who(), id, &f.draft()).await {
        Ok(()) => Ok(see_other("/kompetens/krav?ok=saved")),
        Err(e) => {
            let errors = store_error_to_form(e)?;
            form_page(&s, c, f, errors, Some(id)).await
        }
    }
}

async fn delete(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    require_staff_role(&c)?;
    let user = c.require_login()?;
    requirements::delete(&s.db, &user.actor, &user.who(), id).await?;
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
    require_staff_role(&c)?;
    let area = match q.omrade.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(
            ActivityArea::parse(a)
                .ok_or_else(|| AppError::BadRequest(format!("Okänt verksamhetsområde ”{a}”.")))?,
        ),
        None => None,
    };
    let level = match (q.kommun, area) {
        (None, None) => GapLevel::Region,
        (Some(m), None) => GapLevel::Municipality(m),
        (m, Some(area)) => GapLevel::ActivityArea {
            area,
            municipality_id: m,
        },
    };
    c.require(Action::ViewGaps {
        municipality_id: q.kommun,
    })?;
    let r = gaps::report(&s.db, &level, navet_store::time::today()).await?;
    let can_region = c.can(Action::ViewGaps {
        municipality_id: None,
    });
    let municipalities = navet_store::org::municipalities(&s.db)
        .await?
        .into_iter()
        .filter(|m| {
            c.can(Action::ViewGaps {
                municipality_id: Some(m.id),
            })
        })
        .map(|m| (m.id, m.name))
        .collect();
    render(ReportPage {
        c,
        r,
        municipalities,
        kommun: q.kommun.unwrap_or(0),
        omrade: q.omrade.unwrap_or_default(),
        can_region,
    })
}
