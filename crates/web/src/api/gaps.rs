//! Gap analysis on four levels: region, municipality (and activity area),
//! unit, person.

use crate::rejection::api::{Path, Query};
use axum::extract::State;
use axum::Json;
use chrono::{NaiveDate, TimeZone};
use domain::gaps::Tally;
use domain::org::ActivityArea;
use navet_store::gaps::{
    CheckLine, GapLevel, GapReport, GroupLine, PersonGaps, RequirementLine, SessionOffer,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiCtx;
use crate::error::{ApiError, ApiResult};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(Counts, RequirementCounts, GroupOut, GapReportOut, CheckOut, SessionOut, PersonGapsOut)),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(region))
        .routes(routes!(municipality))
        .routes(routes!(activity_area))
        .routes(routes!(unit))
        .routes(routes!(person))
}

/// Counts for a group. Shares are in the group objects.
#[derive(Serialize, ToSchema)]
pub struct Counts {
    pub people: u64,
    /// People to whom at least one requirement applies
    pub people_with_requirements: u64,
    pub people_with_gaps: u64,
    /// Applicable person × requirement pairs
    pub checks: u64,
    /// Met (including expiring soon)
    pub met: u64,
    pub expiring: u64,
    pub gaps: u64,
    pub missing: u64,
    /// Recurring training that has run out
    pub expired: u64,
    /// Gaps with a confirmed place on an upcoming session
    pub planned: u64,
    /// Gaps a catalogue course covers
    pub covered: u64,
    /// Gaps no course covers: a new course is needed
    pub new_course: u64,
    /// Formal-education gaps: recruitment or external education
    pub recruitment: u64,
}

impl From<&Tally> for Counts {
    fn from(t: &Tally) -> Self {
        Counts {
            people: t.people,
            people_with_requirements: t.people_with_requirements,
            people_with_gaps: t.people_with_gaps,
            checks: t.checks,
            met: t.met,
            expiring: t.expiring,
            gaps: t.gaps,
            missing: t.missing,
            expired: t.expired,
            planned: t.planned,
            covered: t.covered,
            new_course: t.new_course,
            recruitment: t.recruitment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RequirementCounts {
    pub requirement_id: i64,
    pub role: String,
    pub description: String,
    pub scope: String,
    /// catalogue, in_development, new_course, recruitment
    pub coverage: String,
    pub coverage_label: String,
    /// Courses that would close the gap
    pub course_ids: Vec<i64>,
    pub warning: Option<String>,
    pub synthetic: bool,
    pub applicable: u64,
    pub met: u64,
    pub expiring: u64,
    pub gaps: u64,
    pub expired: u64,
    pub planned: u64,
    /// 0–1
    pub share_gaps: f64,
}

impl From<RequirementLine> for RequirementCounts {
    fn from(l: RequirementLine) -> Self {
        RequirementCounts {
            requirement_id: l.requirement_id,
            role: l.role,
            description: l.what,
            scope: l.scope,
            coverage: l.coverage.into(),
            coverage_label: l.coverage_label.into(),
            course_ids: l.course_ids,
            warning: l.warning.map(str::to_string),
            synthetic: l.synthetic,
            applicable: l.counts.applicable,
            met: l.counts.met,
            expiring: l.counts.expiring,
            gaps: l.counts.gaps,
            expired: l.counts.expired,
            planned: l.counts.planned,
            share_gaps: l.share_gaps,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupOut {
    /// Municipality or unit id, activity-area code, person id ("" for people without a unit)
    pub id: String,
    pub name: String,
    pub counts: Counts,
    /// 0–1, of the people to whom requirements apply
    pub share_people_with_gaps: f64,
    /// 0–1, of the applicable requirements
    pub share_met: f64,
}

impl From<GroupLine> for GroupOut {
    fn from(g: GroupLine) -> Self {
        GroupOut {
            counts: (&g.counts).into(),
            id: g.id,
            name: g.name,
            share_people_with_gaps: g.share_people_with_gaps,
            share_met: g.share_met,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GapReportOut {
    /// region, municipality, activity_area, unit
    pub level: String,
    pub id: Option<String>,
    pub name: String,
    pub as_of: String,
    pub counts: Counts,
    pub share_people_with_gaps: f64,
    pub share_met: f64,
    /// 0–1 of the gaps
    pub share_covered: f64,
    pub share_planned: f64,
    pub requirements: Vec<RequirementCounts>,
    /// municipality, unit or person
    pub children_level: String,
    pub children: Vec<GroupOut>,
    pub activity_areas: Vec<GroupOut>,
}

impl From<GapReport> for GapReportOut {
    fn from(r: GapReport) -> Self {
        GapReportOut {
            level: r.level.into(),
            id: r.id,
            name: r.name,
            as_of: r.as_of,
            counts: (&r.counts).into(),
            share_people_with_gaps: r.share_people_with_gaps,
            share_met: r.share_met,
            share_covered: r.share_covered,
            share_planned: r.share_planned,
            requirements: r.requirements.into_iter().map(Into::into).collect(),
            children_level: r.children_level.into(),
            children: r.children.into_iter().map(Into::into).collect(),
            activity_areas: r.activity_areas.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The day to check against (YYYY-MM-DD, default today)
    pub as_of: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaQuery {
    /// Limit to one municipality
    pub municipality_id: Option<i64>,
    /// The day to check against (YYYY-MM-DD, default today)
    pub as_of: Option<String>,
}

fn day(s: &Option<String>) -> ApiResult<NaiveDate> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(navet_store::time::today()),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid("as_of", "Ange datumet som ÅÅÅÅ-MM-DD.")),
    }
}

/// The whole region, with each municipality and activity area (coordinators).
#[utoipa::path(get, path = "/api/v1/gaps/region", tag = "competence", params(AsOf),
    responses((status = 200, body = GapReportOut), (status = 401), (status = 403), (status = 422)))]
pub async fn region(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<AsOf>,
) -> ApiResult<Json<GapReportOut>> {
    let r = UseCase::api(&s, &api)?
        .gap_report(None, Ok(GapLevel::Region), day(&q.as_of))
        .await?;
    Ok(Json(r.into()))
}

/// One municipality, with each unit and activity area (coordinators, managers of the municipality).
#[utoipa::path(get, path = "/api/v1/gaps/municipalities/{id}", tag = "competence", params(AsOf),
    responses((status = 200, body = GapReportOut), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn municipality(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> ApiResult<Json<GapReportOut>> {
    let r = UseCase::api(&s, &api)?
        .gap_report(Some(id), Ok(GapLevel::Municipality(id)), day(&q.as_of))
        .await?;
    Ok(Json(r.into()))
}

/// One activity area, region-wide or in one municipality, with each unit.
#[utoipa::path(get, path = "/api/v1/gaps/activity-areas/{code}", tag = "competence", params(AreaQuery),
    responses((status = 200, body = GapReportOut), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn activity_area(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(code): Path<String>,
    Query(q): Query<AreaQuery>,
) -> ApiResult<Json<GapReportOut>> {
    let level = ActivityArea::parse(&code)
        .map(|area| GapLevel::ActivityArea {
            area,
            municipality_id: q.municipality_id,
        })
        .ok_or_else(|| ApiError::not_found("Verksamhetsområdet"));
    let r = UseCase::api(&s, &api)?
        .gap_report(q.municipality_id, level, day(&q.as_of))
        .await?;
    Ok(Json(r.into()))
}

/// One unit, with each person (the read of the staff's data is audited).
#[utoipa::path(get, path = "/api/v1/gaps/units/{id}", tag = "competence", params(AsOf),
    responses((status = 200, body = GapReportOut), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn unit(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> ApiResult<Json<GapReportOut>> {
    let r = UseCase::api(&s, &api)?
        .unit_gap_report(id, day(&q.as_of))
        .await?;
    Ok(Json(r.into()))
}

#[derive(Serialize, ToSchema)]
pub struct CheckOut {
    pub requirement_id: i64,
    pub description: String,
    pub scope: String,
    /// met, expiring, missing, expired
    pub state: String,
    pub state_label: String,
    pub is_gap: bool,
    /// The course whose completion meets (or last met) the requirement
    pub via_course: Option<String>,
    pub completed_on: Option<String>,
    pub expires_on: Option<String>,
    /// catalogue, in_development, new_course, recruitment
    pub coverage: String,
    pub coverage_label: String,
    /// A booked (or waiting-list) upcoming session that would close the gap
    pub planned_session_id: Option<i64>,
    pub planned_on: Option<String>,
    pub planned_waitlisted: bool,
    pub course_ids: Vec<i64>,
}

impl From<CheckLine> for CheckOut {
    fn from(l: CheckLine) -> Self {
        CheckOut {
            requirement_id: l.requirement_id,
            description: l.what,
            scope: l.scope,
            state: l.state.into(),
            state_label: l.state_label.into(),
            is_gap: l.is_gap,
            via_course: l.via_course,
            completed_on: l.completed_on,
            expires_on: l.expires_on,
            coverage: l.coverage.into(),
            coverage_label: l.coverage_label.into(),
            planned_session_id: l.planned_session_id,
            planned_on: l.planned_on,
            planned_waitlisted: l.planned_waitlisted,
            course_ids: l.course_ids,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    pub session_id: i64,
    pub course_id: i64,
    pub course: String,
    /// RFC 3339, Europe/Stockholm
    pub starts_at: String,
    pub ends_at: String,
    pub municipality: String,
    pub venue: String,
    pub capacity: i64,
    pub booked: i64,
    pub free: i64,
}

fn rfc3339(ts: i64) -> String {
    chrono_tz::Europe::Stockholm
        .timestamp_opt(ts, 0)
        .single()
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

impl From<SessionOffer> for SessionOut {
    fn from(o: SessionOffer) -> Self {
        SessionOut {
            session_id: o.session_id,
            course_id: o.course_id,
            course: o.course_title,
            starts_at: rfc3339(o.starts_at),
            ends_at: rfc3339(o.ends_at),
            municipality: o.municipality,
            venue: o.venue,
            capacity: o.capacity,
            booked: o.booked,
            free: o.free,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PersonGapsOut {
    pub person_id: i64,
    pub name: String,
    pub role: String,
    pub unit: Option<String>,
    pub municipality: String,
    pub as_of: String,
    pub counts: Counts,
    pub checks: Vec<CheckOut>,
    /// Registered formal education, in Swedish
    pub educations: Vec<String>,
    /// Upcoming sessions of the courses that would close a gap
    pub sessions: Vec<SessionOut>,
}

impl From<PersonGaps> for PersonGapsOut {
    fn from(p: PersonGaps) -> Self {
        PersonGapsOut {
            person_id: p.person_id,
            name: p.name,
            role: p.role,
            unit: p.unit,
            municipality: p.municipality,
            as_of: p.as_of,
            counts: (&p.counts).into(),
            checks: p.checks.into_iter().map(Into::into).collect(),
            educations: p.educations,
            sessions: p.offers.into_values().flatten().map(Into::into).collect(),
        }
    }
}

/// One person's requirements and how each stands (audited when not one's own).
#[utoipa::path(get, path = "/api/v1/gaps/people/{id}", tag = "competence", params(AsOf),
    responses((status = 200, body = PersonGapsOut), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn person(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> ApiResult<Json<PersonGapsOut>> {
    let p = UseCase::api(&s, &api)?
        .person_gap_report(id, day(&q.as_of))
        .await?;
    Ok(Json(p.into()))
}
