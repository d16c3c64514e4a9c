//! The report, exactly as CONTRACTS.md (plus extra fields): its totals and
//! its rows by municipality, course and role group.

use serde::Serialize;

use crate::surveys::SurveySummary;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ByGender {
    pub kvinna: i64,
    pub man: i64,
    pub annat: i64,
    pub ej_angivet: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GenderShares {
    pub kvinna: f64,
    pub man: f64,
    pub annat: f64,
    pub ej_angivet: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UniqueParticipants {
    pub total: i64,
    pub by_gender: ByGender,
    /// Shares of unique participants in per cent (extra field).
    pub share_pct_by_gender: GenderShares,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CancelReason {
    pub reason: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sessions {
    pub held: i64,
    pub cancelled: i64,
    /// Cancelled sessions by reason (extra field).
    pub cancelled_by_reason: Vec<CancelReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityRow {
    pub municipality: String,
    pub unique_participants: i64,
    pub participations: i64,
    /// Attended hours summed over participants (deltagartimmar).
    pub participant_hours: f64,
    /// The same figure under its old name (CONTRACTS.md); prefer
    /// `participant_hours`.
    pub course_hours: f64,
    pub commitment_hours: f64,
    pub commitment_achieved_pct: f64,
    /// Extra: attended hours from the programme's start to `to`.
    pub programme_hours: f64,
    /// Extra: the share expected by `to` at an even pace, %.
    pub expected_pct: f64,
    /// Extra: achieved ≥ expected.
    pub on_track: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseRow {
    pub course: String,
    pub participations: i64,
    pub unique_participants: i64,
    /// Attended hours summed over participants (deltagartimmar).
    pub participant_hours: f64,
    /// The same figure under its old name (CONTRACTS.md); prefer
    /// `participant_hours`.
    pub course_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleGroupRow {
    pub role_group: String,
    pub participations: i64,
    pub unique_participants: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeInfo {
    pub name: String,
    pub starts: String,
    pub ends: String,
    pub granted_sek: i64,
    pub cofinancing_rate: f64,
    pub target_hours: f64,
    pub programme_hours: f64,
    pub achieved_pct: f64,
    pub expected_pct: f64,
    pub on_track: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReport {
    pub from: String,
    pub to: String,
    pub unique_participants: UniqueParticipants,
    pub participations: i64,
    /// Attended hours summed over participants (deltagartimmar).
    pub participant_hours: f64,
    /// The same figure under its old name (CONTRACTS.md); prefer
    /// `participant_hours`.
    pub course_hours: f64,
    /// Hours of the sessions held in the period, each session once
    /// (genomförda kurstimmar).
    pub course_hours_delivered: f64,
    pub sessions: Sessions,
    pub by_municipality: Vec<MunicipalityRow>,
    pub by_course: Vec<CourseRow>,
    pub by_role_group: Vec<RoleGroupRow>,
    /// Extra: the funding programme the commitments come from, if any.
    pub programme: Option<ProgrammeInfo>,
    /// Extra: participant survey results in the period.
    pub survey: SurveySummary,
}
