//! People: list (within what the user may see), view (audited), add and
//! edit (importing staff lists: `staff_import`).

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::{Form, Router};
use navet_store::org::{Municipality, Role as JobRole, Unit};
use navet_store::people::{Person, PersonInput};
use navet_store::StoreError;
use serde::Deserialize;

use super::{render_form, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::people::{PeopleSearch, PersonCard};
use crate::usecase::UseCase;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal", get(list))
        .route("/personal/ny", get(new_form).post(create))
        .route("/personal/{id}", get(show))
        .route("/personal/{id}/andra", get(edit_form).post(update))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    // The form sends "" for "Alla": no filter, not a bad request.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kommun: Option<i64>,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    enhet: Option<i64>,
    #[serde(default)]
    slutat: Option<String>,
    #[serde(default)]
    ok: Option<String>,
    /// Keyset cursor: the page starts after this person (Swedish order).
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    efter: Option<i64>,
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    c: Ctx,
    /// How many match (counted up to one more than `count_cap`).
    total: i64,
    count_cap: i64,
    shown: Vec<Person>,
    /// The next page's link, when there is one.
    next: Option<String>,
    /// Not the first page: a link back to the start.
    later_page: bool,
    municipalities: Vec<Municipality>,
    units: Vec<Unit>,
    /// Units are offered for the chosen municipality only.
    units_by_municipality: bool,
    q: String,
    kommun: i64,
    enhet: i64,
    include_left: bool,
    notice: String,
    can_import: bool,
    /// Invitation column: one cell per person the user may invite.
    invites: std::collections::HashMap<i64, super::invitations::Cell>,
    /// The list's query string, for coming back after inviting.
    back: String,
}

impl ListPage {
    fn invite(&self, id: &i64) -> Option<&super::invitations::Cell> {
        self.invites.get(id)
    }
}

const PAGE_SIZE: i64 = 200;
/// Counting stops here: "more than 10 000" instead of a count of the nation.
const COUNT_CAP: i64 = 10_000;

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let query = PeopleSearch {
        municipality_id: q.kommun,
        unit_id: q.enhet,
        query: Some(q.q.clone()),
        include_left: q.slutat.is_some(),
    };
    let list = UseCase::page(&s, &c)?
        .people_list(&query, q.efter, PAGE_SIZE, COUNT_CAP + 1)
        .await?;
    let notice = match q.ok.as_deref() {
        Some("import") => c.t("people.import_done").to_string(),
        _ => String::new(),
    };
    let invites = super::invitations::cells(&c, &list.invitees);
    let back = list_query(&q);
    let next = list.next_after.map(|id| {
        if back.is_empty() {
            format!("/personal?efter={id}")
        } else {
            format!("/personal?{back}&efter={id}")
        }
    });
    render(ListPage {
        invites,
        total: list.total,
        count_cap: COUNT_CAP,
        next,
        later_page: q.efter.is_some(),
        back,
        shown: list.shown,
        municipalities: list.placement.municipalities,
        units: list.placement.units,
        units_by_municipality: list.placement.units_by_municipality,
        q: q.q,
        kommun: q.kommun.unwrap_or(0),
        enhet: q.enhet.unwrap_or(0),
        include_left: q.slutat.is_some(),
        notice,
        can_import: list.can_import,
        c,
    })
}

/// The list's filters as a query string.
fn list_query(q: &ListQuery) -> String {
    let mut parts = vec![];
    if !q.q.is_empty() {
        parts.push(format!("q={}", urlencoding::encode(&q.q)));
    }
    if let Some(k) = q.kommun {
        parts.push(format!("kommun={k}"));
    }
    if let Some(e) = q.enhet {
        parts.push(format!("enhet={e}"));
    }
    if q.slutat.is_some() {
        parts.push("slutat=1".into());
    }
    parts.join("&")
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    c: Ctx,
    p: Person,
    can_edit: bool,
    can_erase: bool,
    can_extract: bool,
    notice: String,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn show(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let PersonCard {
        person: p,
        can_edit,
        can_erase,
        can_extract,
    } = UseCase::page(&s, &c)?.person_card(id).await?;
    let notice = match q.ok.as_deref() {
        Some("created") => c.t("people.created").to_string(),
        Some("saved") => c.t("common.saved").to_string(),
        _ => String::new(),
    };
    render(ShowPage {
        c,
        p,
        can_edit,
        can_erase,
        can_extract,
        notice,
    })
}

#[derive(Deserialize, Default, Clone)]
struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    employee_no: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    language_support: String,
    /// "Show the municipality's units": the form comes back with them,
    /// nothing is saved (the way to pick a unit without JavaScript when
    /// units are offered per municipality).
    #[serde(default)]
    show_units: Option<String>,
    #[serde(default)]
    active: Option<String>,
}

impl PersonForm {
    fn input(&self) -> PersonInput {
        PersonInput {
            name: self.name.clone(),
            email: self.email.clone(),
            gender: self.gender.clone(),
            employee_no: self.employee_no.clone(),
            role: self.role.clone(),
            municipality: self.municipality.clone(),
            unit: self.unit.clone(),
            language_support: self.language_support.clone(),
        }
    }
    fn from_person(p: &Person) -> Self {
        PersonForm {
            name: p.name.clone(),
            email: p.email.clone(),
            gender: p.gender.clone(),
            employee_no: p.employee_no.clone().unwrap_or_default(),
            role: p.role_id.to_string(),
            municipality: p.municipality_id.to_string(),
            unit: p.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            language_support: p.language_support.clone(),
            active: (p.active == 1).then(|| "1".into()),
            show_units: None,
        }
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    c: Ctx,
    f: PersonForm,
    errors: FormErrors,
    roles: Vec<JobRole>,
    municipalities: Vec<Municipality>,
    units: Vec<Unit>,
    /// Units are offered for the chosen municipality only.
    units_by_municipality: bool,
    /// None for a new person.
    id: Option<i64>,
}

impl FormPage {
    fn gender_options(&self) -> Vec<(&'static str, &'static str)> {
        domain::org::Gender::ALL
            .iter()
            .map(|g| (g.code(), g.label_sv()))
            .collect()
    }
}

async fn form_page(
    s: &AppState,
    c: Ctx,
    f: PersonForm,
    errors: FormErrors,
    id: Option<i64>,
) -> PageResult {
    let (roles, placement) = UseCase::page(s, &c)?
        .person_form_choices(f.municipality.trim().parse().ok())
        .await?;
    let has_errors = errors.any();
    render_form(
        FormPage {
            c,
            f,
            errors,
            roles,
            municipalities: placement.municipalities,
            units: placement.units,
            units_by_municipality: placement.units_by_municipality,
            id,
        },
        has_errors,
    )
}

async fn new_form(State(s): State<AppState>, c: Ctx, Query(q): Query<NewFormQuery>) -> PageResult {
    let placement = UseCase::page(&s, &c)?.new_person_form(q.kommun).await?;
    let only = |n: usize, id: Option<i64>| if n == 1 { id } else { None };
    let municipality = only(
        placement.municipalities.len(),
        placement.municipalities.first().map(|m| m.id),
    )
    .or(q.kommun);
    let f = PersonForm {
        gender: "ej_angivet".into(),
        municipality: municipality.map(|m| m.to_string()).unwrap_or_default(),
        unit: only(placement.units.len(), placement.units.first().map(|u| u.id))
            .map(|u| u.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    form_page(&s, c, f, FormErrors::default(), None).await
}

#[derive(Deserialize, Default)]
struct NewFormQuery {
    /// The municipality chosen first, when units are picked per municipality.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kommun: Option<i64>,
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<PersonForm>) -> PageResult {
    if f.show_units.is_some() {
        return form_page(&s, c, f, FormErrors::default(), None).await;
    }
    let created = UseCase::page(&s, &c)?.create_person(&f.input()).await;
    match created {
        Ok(p) => Ok(see_other(&format!("/personal/{}?ok=created", p.id))),
        Err(StoreError::Invalid(e)) => form_page(&s, c, f, FormErrors(e), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let p = UseCase::page(&s, &c)?.person_for_edit(id).await?;
    form_page(
        &s,
        c,
        PersonForm::from_person(&p),
        FormErrors::default(),
        Some(id),
    )
    .await
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PersonForm>,
) -> PageResult {
    if f.show_units.is_some() {
        return form_page(&s, c, f, FormErrors::default(), Some(id)).await;
    }
    let updated = UseCase::page(&s, &c)?
        .update_person(id, &f.input(), f.active.is_some())
        .await;
    match updated {
        Ok(()) => Ok(see_other(&format!("/personal/{id}?ok=saved"))),
        Err(StoreError::Invalid(e)) => form_page(&s, c, f, FormErrors(e), Some(id)).await,
        Err(e) => Err(e.into()),
    }
}
