//! Packages (paket): courses bundled by the hub for a target group, so that
//! managers can see what fits their units and prioritise.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::CourseStatus;
use crate::errors::FieldErrors;
use crate::org::ActivityArea;

/// A package as typed. Lists come from multi-selects.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PackageDraft {
    pub name: String,
    pub description: String,
    pub role_ids: Vec<String>,
    /// Empty: every activity area.
    pub activity_areas: Vec<String>,
    /// In the recommended order.
    pub course_ids: Vec<String>,
    /// `1` to show it to managers.
    pub published: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPackage {
    pub name: String,
    pub description: String,
    pub role_ids: Vec<i64>,
    pub activity_areas: Vec<ActivityArea>,
    pub course_ids: Vec<i64>,
    pub published: bool,
}

/// Name 1–120 characters, at least one known target role and one course,
/// no course twice, no retired course.
pub fn check_package(
    d: &PackageDraft,
    known_roles: &[i64],
    course: impl Fn(i64) -> Option<(String, CourseStatus)>,
) -> Result<CheckedPackage, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = match crate::text::single_line(&d.name, "Paketets namn") {
        Ok(n) => n,
        Err(m) => {
            e.add("name", "invalid_text", m);
            String::new()
        }
    };
    if e.is_empty() && (name.is_empty() || name.chars().count() > 120) {
        e.add(
            "name",
            "invalid_name",
            "Paketets namn måste vara 1–120 tecken.",
        );
    }
    let description = d.description.trim().to_string();
    if description.chars().count() > 2000 {
        e.add(
            "description",
            "too_long",
            "Beskrivningen får vara högst 2000 tecken.",
        );
    }
    let mut role_ids = vec![];
    for r in d.role_ids.iter().filter(|r| !r.trim().is_empty()) {
        match r
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|r| known_roles.contains(r))
        {
            Some(id) if !role_ids.contains(&id) => role_ids.push(id),
            Some(_) => {}
            None => e.add(
                "role_ids",
                "invalid_role",
                crate::text::unknown("yrkesroll", r),
            ),
        }
    }
    if role_ids.is_empty() && e.get("role_ids").is_none() {
        e.add(
            "role_ids",
            "missing_role",
            "Välj minst en yrkesroll som paketet riktar sig till.",
        );
    }
    let mut activity_areas = vec![];
    for a in d.activity_areas.iter().filter(|a| !a.trim().is_empty()) {
        match ActivityArea::parse(a) {
            Some(area) if !activity_areas.contains(&area) => activity_areas.push(area),
            Some(_) => {}
            None => e.add(
                "activity_areas",
                "invalid_activity_area",
                format!("Okänt verksamhetsområde ”{}”.", a.trim()),
            ),
        }
    }
    let mut course_ids = vec![];
    let mut seen = HashSet::new();
    for c in d.course_ids.iter().filter(|c| !c.trim().is_empty()) {
        match c
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| course(id).map(|x| (id, x)))
        {
            None => e.add(
                "course_ids",
                "invalid_course",
                crate::text::unknown("kurs", c),
            ),
            Some((_, (title, CourseStatus::Avvecklad))) => e.add(
                "course_ids",
                "retired_course",
                format!("Kursen ”{title}” är avvecklad och kan inte ingå i ett paket."),
            ),
            Some((id, (title, _))) => {
                if seen.insert(id) {
                    course_ids.push(id);
                } else {
                    e.add(
                        "course_ids",
                        "duplicate",
                        format!("Kursen ”{title}” finns redan i paketet."),
                    );
                }
            }
        }
    }
    if course_ids.is_empty() && e.get("course_ids").is_none() {
        e.add("course_ids", "missing_course", "Välj minst en kurs.");
    }
    let published = matches!(d.published.trim(), "1" | "true" | "on" | "ja");
    e.into_result(CheckedPackage {
        name,
        description,
        role_ids,
        activity_areas,
        course_ids,
        published,
    })
}

/// A package's target group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub role_ids: Vec<i64>,
    pub activity_areas: Vec<ActivityArea>,
}

impl Target {
    /// Does a person in this role, in a unit of this area, belong to it?
    pub fn includes(&self, role_id: i64, area: Option<ActivityArea>) -> bool {
        self.role_ids.contains(&role_id)
            && (self.activity_areas.is_empty()
                || area.is_some_and(|a| self.activity_areas.contains(&a)))
    }
}

/// How far a group of people has come with a package.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PackageUptake {
    /// People in the target group.
    pub people: u64,
    /// Of them, people who completed every course in it.
    pub complete: u64,
    /// Course completions done / possible (people × courses).
    pub done: u64,
    pub possible: u64,
}

impl PackageUptake {
    pub fn percent(&self) -> u32 {
        (self.done * 100).checked_div(self.possible).unwrap_or(0) as u32
    }
}

/// Uptake of a package's courses among people (role, area, completed courses).
pub fn uptake<'a>(
    target: &Target,
    course_ids: &[i64],
    people: impl IntoIterator<Item = (i64, Option<ActivityArea>, &'a HashSet<i64>)>,
) -> PackageUptake {
    let mut u = PackageUptake::default();
    for (role, area, done) in people {
        if !target.includes(role, area) {
            continue;
        }
        u.people += 1;
        let n = course_ids.iter().filter(|c| done.contains(c)).count() as u64;
        u.done += n;
        u.possible += course_ids.len() as u64;
        if n == course_ids.len() as u64 {
            u.complete += 1;
        }
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(id: i64) -> Option<(String, CourseStatus)> {
        match id {
            1 => Some(("HLR".into(), CourseStatus::Aktiv)),
            2 => Some(("Sårvård".into(), CourseStatus::UnderUtveckling)),
            3 => Some(("Gammal".into(), CourseStatus::Avvecklad)),
            _ => None,
        }
    }

    fn draft() -> PackageDraft {
        PackageDraft {
            name: "Nyanställd undersköterska i hemtjänst".into(),
            description: "Första halvåret.".into(),
            role_ids: vec!["2".into()],
            activity_areas: vec!["aldreomsorg".into()],
            course_ids: vec!["1".into(), "2".into()],
            published: "1".into(),
        }
    }

    #[test]
    fn a_valid_package() {
        let p = check_package(&draft(), &[2, 3], course).unwrap();
        assert_eq!(p.course_ids, [1, 2]);
        assert_eq!(p.activity_areas, [ActivityArea::Aldreomsorg]);
        assert!(p.published);
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = check_package(
            &PackageDraft {
                name: " ".into(),
                role_ids: vec!["9".into()],
                activity_areas: vec!["skola".into()],
                course_ids: vec!["1".into(), "1".into(), "3".into(), "x".into()],
                ..Default::default()
            },
            &[2],
            course,
        )
        .unwrap_err();
        let codes: Vec<_> = e.0.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            codes,
            [
                ("name", "invalid_name"),
                ("role_ids", "invalid_role"),
                ("activity_areas", "invalid_activity_area"),
                ("course_ids", "duplicate"),
                ("course_ids", "retired_course"),
                ("course_ids", "invalid_course"),
            ]
        );
        let e = check_package(
            &PackageDraft {
                name: "Tomt".into(),
                ..Default::default()
            },
            &[2],
            course,
        )
        .unwrap_err();
        let codes: Vec<_> = e.0.iter().map(|x| x.code).collect();
        assert_eq!(codes, ["missing_role", "missing_course"]);
    }

    #[test]
    fn target_group_by_role_and_area() {
        let t = Target {
            role_ids: vec![2],
            activity_areas: vec![ActivityArea::Aldreomsorg],
        };
        assert!(t.includes(2, Some(ActivityArea::Aldreomsorg)));
        assert!(!t.includes(2, Some(ActivityArea::Funktionsstod)));
        assert!(!t.includes(2, None));
        assert!(!t.includes(3, Some(ActivityArea::Aldreomsorg)));
        let everywhere = Target {
            role_ids: vec![2],
            activity_areas: vec![],
        };
        assert!(everywhere.includes(2, None));
    }

    #[test]
    fn uptake_counts_people_in_the_target_group_only() {
        let t = Target {
            role_ids: vec![2],
            activity_areas: vec![],
        };
        let all: HashSet<i64> = [1, 2].into();
        let half: HashSet<i64> = [1].into();
        let none = HashSet::new();
        let u = uptake(
            &t,
            &[1, 2],
            [
                (2, None, &all),
                (2, None, &half),
                (2, None, &none),
                (7, None, &all),
            ],
        );
        assert_eq!(
            u,
            PackageUptake {
                people: 3,
                complete: 1,
                done: 3,
                possible: 6
            }
        );
        assert_eq!(u.percent(), 50);
        assert_eq!(PackageUptake::default().percent(), 0);
    }
}
