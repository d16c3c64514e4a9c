//! Competence requirements (kompetenskrav): what a role must have, region-wide
//! or narrowed to an activity area or a unit, and the needs inventory
//! (behovsinventering) per profession.
//!
//! A requirement asks for one of three things: a course (renewed when the
//! course has a validity period), a competence area at a level, or a formal
//! education.

use serde::{Deserialize, Serialize};

use crate::catalogue::{CourseStatus, Level};
use crate::education::{check_education, Education, EducationKind};
use crate::errors::FieldErrors;
use crate::org::ActivityArea;

/// Where a requirement applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum RequirementScope {
    /// Everyone in the role, in every municipality.
    Region,
    /// Everyone in the role whose unit works in this activity area.
    ActivityArea { activity_area: ActivityArea },
    /// Everyone in the role in this unit.
    Unit { unit_id: i64 },
}

impl RequirementScope {
    pub fn code(&self) -> &'static str {
        match self {
            RequirementScope::Region => "region",
            RequirementScope::ActivityArea { .. } => "activity_area",
            RequirementScope::Unit { .. } => "unit",
        }
    }
    /// Narrower scopes win when two requirements are shown side by side.
    pub fn rank(&self) -> u8 {
        match self {
            RequirementScope::Region => 0,
            RequirementScope::ActivityArea { .. } => 1,
            RequirementScope::Unit { .. } => 2,
        }
    }
}

/// What a requirement asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequirementTarget {
    /// A course; renewed every `validity_months` of the course, if it has one.
    Course { course_id: i64 },
    /// Any course in the competence area (or one of its sub-areas) at this
    /// level or higher.
    Area { area_id: i64, level: Level },
    /// A formal education (a higher programme that includes it also counts).
    Education { education: Education },
}

impl RequirementTarget {
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }
    pub fn kind(&self) -> RequirementKind {
        match self {
            RequirementTarget::Course { .. } => RequirementKind::Course,
            RequirementTarget::Area { .. } => RequirementKind::Area,
            RequirementTarget::Education { .. } => RequirementKind::Education,
        }
    }
}

/// Which of the three things a requirement asks for (`requirements.kind`),
/// without its details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequirementKind {
    Course,
    Area,
    Education,
}

impl RequirementKind {
    pub const ALL: [RequirementKind; 3] = [
        RequirementKind::Course,
        RequirementKind::Area,
        RequirementKind::Education,
    ];
    /// The stored text.
    pub fn code(self) -> &'static str {
        match self {
            RequirementKind::Course => "course",
            RequirementKind::Area => "area",
            RequirementKind::Education => "education",
        }
    }
}

stored_code!(RequirementKind);

/// A stored requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub id: i64,
    pub role_id: i64,
    pub scope: RequirementScope,
    pub target: RequirementTarget,
}

/// Where a person works, as far as requirements are concerned: their current
/// role and unit. Requirements follow the person's *current* placement, so a
/// person who moves units leaves the old unit's requirements behind and
/// meets the new unit's (what they completed stays theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub role_id: i64,
    pub unit_id: Option<i64>,
    pub activity_area: Option<ActivityArea>,
}

impl Requirement {
    pub fn applies_to(&self, p: &Placement) -> bool {
        self.role_id == p.role_id
            && match self.scope {
                RequirementScope::Region => true,
                RequirementScope::ActivityArea { activity_area } => {
                    p.activity_area == Some(activity_area)
                }
                RequirementScope::Unit { unit_id } => p.unit_id == Some(unit_id),
            }
    }
}

/// Rank of a level, for "at this level or higher".
pub fn level_rank(l: Level) -> u8 {
    match l {
        Level::Bas => 1,
        Level::Fordjupning => 2,
        Level::Spets => 3,
    }
}

/// A requirement as typed in the editor or sent to the API. Ids are text so
/// that a bad value can be reported on its field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequirementDraft {
    pub role_id: String,
    /// `region`, `activity_area` or `unit` (Swedish labels accepted).
    pub scope: String,
    pub activity_area: String,
    pub unit_id: String,
    /// `course`, `area` or `education` (Swedish labels accepted).
    pub kind: String,
    pub course_id: String,
    pub area_id: String,
    pub level: String,
    pub education: String,
    pub direction: String,
    pub note: String,
}

/// A unit as the checks need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRef {
    pub id: i64,
    pub municipality_id: i64,
}

/// A course as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRef {
    pub id: i64,
    pub title: String,
    pub status: CourseStatus,
}

/// What exists, for checking a draft against it.
#[derive(Debug, Clone, Copy)]
pub struct RequirementContext<'a> {
    pub roles: &'a [i64],
    pub units: &'a [UnitRef],
    pub courses: &'a [CourseRef],
    pub areas: &'a [i64],
    /// Requirements already stored (the one being edited left out).
    pub existing: &'a [Requirement],
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRequirement {
    pub role_id: i64,
    pub scope: RequirementScope,
    pub target: RequirementTarget,
    pub note: String,
    /// The municipality of a unit-scoped requirement (for access checks).
    pub municipality_id: Option<i64>,
}

pub const MAX_NOTE_CHARS: usize = 500;

fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|v| *v > 0)
}

fn parse_scope_code(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        "" | "region" | "hela regionen" | "regionen" => Some("region"),
        "activity_area" | "verksamhetsområde" | "verksamhetsomrade" => Some("activity_area"),
        "unit" | "enhet" => Some("unit"),
        _ => None,
    }
}

fn parse_kind_code(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        "course" | "kurs" => Some("course"),
        "area" | "kompetensområde" | "kompetensomrade" => Some("area"),
        "education" | "utbildning" | "formell utbildning" | "formell kompetens" => {
            Some("education")
        }
        _ => None,
    }
}

/// Check a draft: every field named on failure; a retired course, an unknown
/// education value and a duplicate of an existing requirement are refused.
pub fn check_requirement(
    d: &RequirementDraft,
    ctx: &RequirementContext<'_>,
) -> Result<CheckedRequirement, FieldErrors> {
    let mut e = FieldErrors::new();
    let role_id = parse_id(&d.role_id).filter(|r| ctx.roles.contains(r));
    if role_id.is_none() {
        e.add("role_id", "invalid_role", "Välj en yrkesroll.");
    }

    let mut municipality_id = None;
    let scope = match parse_scope_code(&d.scope) {
        Some("region") => Some(RequirementScope::Region),
        Some("activity_area") => match ActivityArea::parse(&d.activity_area) {
            Some(activity_area) => Some(RequirementScope::ActivityArea { activity_area }),
            None => {
                e.add(
                    "activity_area",
                    "invalid_activity_area",
                    "Välj ett verksamhetsområde.",
                );
                None
            }
        },
        Some(_) => match parse_id(&d.unit_id).and_then(|u| ctx.units.iter().find(|x| x.id == u)) {
            Some(u) => {
                municipality_id = Some(u.municipality_id);
                Some(RequirementScope::Unit { unit_id: u.id })
            }
            None => {
                e.add("unit_id", "invalid_unit", "Välj en enhet.");
                None
            }
        },
        None => {
            e.add(
                "scope",
                "invalid_scope",
                "Välj var kravet gäller: hela regionen, ett verksamhetsområde eller en enhet.",
            );
            None
        }
    };

    let target = match parse_kind_code(&d.kind) {
        Some("course") => {
            match parse_id(&d.course_id).and_then(|c| ctx.courses.iter().find(|x| x.id == c)) {
                None => {
                    e.add("course_id", "invalid_course", "Välj en kurs ur katalogen.");
                    None
                }
                Some(c) if c.status == CourseStatus::Avvecklad => {
                    e.add(
                    "course_id",
                    "retired_course",
                    format!(
                        "Kursen ”{}” är avvecklad och kan inte vara ett krav. Välj en kurs som ges.",
                        c.title
                    ),
                );
                    None
                }
                Some(c) => Some(RequirementTarget::Course { course_id: c.id }),
            }
        }
        Some("area") => {
            let area = parse_id(&d.area_id).filter(|a| ctx.areas.contains(a));
            if area.is_none() {
                e.add("area_id", "invalid_area", "Välj ett kompetensområde.");
            }
            let level = Level::parse(&d.level);
            if level.is_none() {
                e.add(
                    "level",
                    "invalid_level",
                    "Välj nivå: bas, fördjupning eller spets.",
                );
            }
            match (area, level) {
                (Some(area_id), Some(level)) => Some(RequirementTarget::Area { area_id, level }),
                _ => None,
            }
        }
        Some(_) => match check_education(&d.education, &d.direction, "education") {
            Ok(ed) if ed.kind == EducationKind::Ingen => {
                e.add(
                    "education",
                    "invalid_education",
                    "”Ingen utbildning” kan inte vara ett krav.",
                );
                None
            }
            Ok(ed) => Some(RequirementTarget::Education { education: ed }),
            Err(errs) => {
                e.0.extend(errs.0);
                None
            }
        },
        None => {
            e.add(
                "kind",
                "invalid_kind",
                "Välj vad som krävs: en kurs, ett kompetensområde eller en formell utbildning.",
            );
            None
        }
    };

    let note = d.note.trim().to_string();
    if note.chars().count() > MAX_NOTE_CHARS {
        e.add(
            "note",
            "too_long",
            format!("Kommentaren får vara högst {MAX_NOTE_CHARS} tecken."),
        );
    }

    if let (Some(role_id), Some(scope), Some(target)) = (role_id, scope, target) {
        if ctx
            .existing
            .iter()
            .any(|r| r.role_id == role_id && r.scope == scope && r.target == target)
        {
            let field = match target {
                RequirementTarget::Course { .. } => "course_id",
                RequirementTarget::Area { .. } => "area_id",
                RequirementTarget::Education { .. } => "education",
            };
            e.add(
                field,
                "duplicate",
                "Samma krav finns redan för rollen med samma omfattning.",
            );
        }
        if e.is_empty() {
            return Ok(CheckedRequirement {
                role_id,
                scope,
                target,
                note,
                municipality_id,
            });
        }
    }
    Err(e)
}

/// Something a coordinator should fix in a stored requirement.
pub fn warning(
    r: &Requirement,
    course_status: impl Fn(i64) -> Option<CourseStatus>,
) -> Option<&'static str> {
    match r.target {
        RequirementTarget::Course { course_id } => match course_status(course_id) {
            Some(CourseStatus::Avvecklad) => {
                Some("Kursen har avvecklats. Byt till en kurs som ges, eller ta bort kravet.")
            }
            Some(CourseStatus::Pausad) => Some("Kursen är pausad: ingen kan gå den just nu."),
            None => Some("Kursen finns inte längre."),
            _ => None,
        },
        _ => None,
    }
}

// Needs inventory -------------------------------------------------------------

vocab!(
    /// The three columns of the annual report's needs tables.
    #[serde(rename_all = "snake_case")]
    NeedStatus {
        Levererat = ("levererat", "levererat", "delivered"),
        UnderUtveckling = ("under_utveckling", "under utveckling", "under development"),
        RiskAttEjLeverera = ("risk_att_ej_leverera", "risk att ej leverera", "at risk of not being delivered"),
    }
);

vocab!(
    /// How sure the reading of the source table is.
    #[serde(rename_all = "snake_case")]
    Certainty {
        Hog = ("hog", "hög", "high"),
        Medel = ("medel", "medel", "medium"),
        Lag = ("lag", "låg", "low"),
    }
);

vocab!(
    /// The professions the needs inventory is kept for.
    #[serde(rename_all = "snake_case")]
    Profession {
        Baspersonal = ("baspersonal", "baspersonal", "care staff"),
        Arbetsterapeuter = ("arbetsterapeuter", "arbetsterapeuter", "occupational therapists"),
        Sjukskoterskor = ("sjukskoterskor", "sjuksköterskor", "nurses"),
        Fysioterapeuter = ("fysioterapeuter", "fysioterapeuter", "physiotherapists"),
        Chefer = ("chefer", "chefer", "managers"),
    }
);

/// The status the linked courses give a need today: delivered when one of
/// them is active, under development when one is being developed or tested,
/// at risk when all are paused or retired. `None` without linked courses:
/// the recorded status then stands (the coverage matrix counts it a risk).
pub fn need_status_from_courses(statuses: &[CourseStatus]) -> Option<NeedStatus> {
    if statuses.is_empty() {
        return None;
    }
    if statuses.contains(&CourseStatus::Aktiv) {
        Some(NeedStatus::Levererat)
    } else if statuses
        .iter()
        .any(|s| matches!(s, CourseStatus::UnderUtveckling | CourseStatus::Test))
    {
        Some(NeedStatus::UnderUtveckling)
    } else {
        Some(NeedStatus::RiskAttEjLeverera)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NeedDraft {
    pub profession: String,
    pub title: String,
    pub status: String,
    pub certainty: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedNeed {
    pub profession: Profession,
    pub title: String,
    pub status: NeedStatus,
    pub certainty: Certainty,
    pub note: String,
}

pub fn check_need(d: &NeedDraft) -> Result<CheckedNeed, FieldErrors> {
    let mut e = FieldErrors::new();
    let profession = Profession::parse(&d.profession);
    if profession.is_none() {
        e.add(
            "profession",
            "invalid_profession",
            "Välj yrkesgrupp: baspersonal, arbetsterapeuter, sjuksköterskor, fysioterapeuter eller chefer.",
        );
    }
    let title = crate::text::single_line(&d.title, "Benämningen");
    if let Err(m) = &title {
        e.add("title", "invalid_text", m.clone());
    }
    let title = title.unwrap_or_else(|_| "-".into());
    if title.is_empty() || title.chars().count() > 200 {
        e.add(
            "title",
            "invalid_title",
            "Behovet måste ha en benämning på 1–200 tecken.",
        );
    }
    let status = NeedStatus::parse(&d.status);
    if status.is_none() {
        e.add(
            "status",
            "invalid_status",
            "Välj status: levererat, under utveckling eller risk att ej leverera.",
        );
    }
    let certainty = if d.certainty.trim().is_empty() {
        Some(Certainty::Hog)
    } else {
        Certainty::parse(&d.certainty)
    };
    if certainty.is_none() {
        e.add(
            "certainty",
            "invalid_certainty",
            "Välj säkerhet: hög, medel eller låg.",
        );
    }
    let note = d.note.trim().to_string();
    if note.chars().count() > 1000 {
        e.add(
            "note",
            "too_long",
            "Anteckningen får vara högst 1000 tecken.",
        );
    }
    match (profession, status, certainty) {
        (Some(profession), Some(status), Some(certainty)) if e.is_empty() => Ok(CheckedNeed {
            profession,
            title,
            status,
            certainty,
            note,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests;
