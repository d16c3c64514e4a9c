//! Comparing a staff list exported from a municipality's HR system with the
//! people Navet already holds for that municipality (or unit): who is new,
//! who changed unit or role, and who has left.

use std::collections::{HashMap, HashSet};

use crate::org::Gender;
use crate::people::{check_email, check_employee_no, check_gender, check_name};
use crate::tabular::{excerpt, ErrorList, Table};

/// The columns a staff list must have, in the names HR exports use.
pub const COLUMNS: [&str; 6] = [
    "anställningsnummer",
    "namn",
    "e-post",
    "yrkesroll",
    "enhet",
    "kön",
];

/// Accepted header spellings for each column (lower-case).
pub fn column_for_header(h: &str) -> Option<usize> {
    let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
    let idx = match h.as_str() {
        "anställningsnummer"
        | "anstnr"
        | "anst.nr"
        | "anställningsnr"
        | "employee_no"
        | "employee number"
        | "personalnummer" => 0,
        "namn" | "name" | "fullständigt namn" => 1,
        "e-post" | "epost" | "e-postadress" | "email" | "e-mail" | "mejl" => 2,
        "yrkesroll" | "roll" | "befattning" | "role" => 3,
        "enhet" | "unit" | "arbetsplats" => 4,
        "kön" | "gender" | "kon" => 5,
        _ => return None,
    };
    Some(idx)
}

/// One data row as read from the file; `line` is the 1-based line (CSV) or
/// row (XLSX) number the user sees in their spreadsheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawStaffRow {
    pub line: usize,
    pub cells: [String; 6],
}

/// An error pinned to a line and a column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rad {}, kolumn ”{}”: {}",
            self.line, self.column, self.message
        )
    }
}

/// Turn a table into raw staff rows, mapping headers to columns.
pub fn rows_from_table(t: &Table) -> Result<Vec<RawStaffRow>, Vec<LineError>> {
    let mut map = [usize::MAX; 6];
    for (i, h) in t.headers.iter().enumerate() {
        if let Some(col) = column_for_header(h) {
            map[col] = i;
        }
    }
    let missing: Vec<LineError> = map
        .iter()
        .enumerate()
        .filter(|(_, m)| **m == usize::MAX)
        .map(|(col, _)| LineError {
            line: 1,
            column: COLUMNS[col].to_string(),
            message: "kolumnen saknas i rubrikraden.".into(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(t.rows
        .iter()
        .map(|r| RawStaffRow {
            line: r.line,
            cells: std::array::from_fn(|col| r.get(map[col]).unwrap_or("").to_string()),
        })
        .collect())
}

/// A valid row with role and unit resolved to ids.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRecord {
    pub line: usize,
    pub employee_no: String,
    pub name: String,
    pub email: String,
    pub role_id: i64,
    pub unit_id: i64,
    pub gender: Gender,
}

/// Check every row; resolve role and unit names (case-insensitive keys in the
/// maps). Returns the errors in the file, not just the first (the first
/// hundred and their count).
pub fn check_rows(
    rows: &[RawStaffRow],
    roles: &HashMap<String, i64>,
    units: &HashMap<String, i64>,
) -> Result<Vec<StaffRecord>, ErrorList<LineError>> {
    let mut errors = ErrorList::default();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen_no: HashMap<String, usize> = HashMap::new();
    let mut seen_email: HashMap<String, usize> = HashMap::new();
    for r in rows {
        let mut err = |col: usize, message: String| {
            errors.push(LineError {
                line: r.line,
                column: COLUMNS[col].to_string(),
                message,
            })
        };
        let employee_no = match check_employee_no(&r.cells[0]) {
            Ok(Some(n)) => Some(n),
            Ok(None) => {
                err(0, "Anställningsnummer saknas.".into());
                None
            }
            Err(m) => {
                err(0, m);
                None
            }
        };
        if let Some(n) = &employee_no {
            if let Some(first) = seen_no.insert(n.clone(), r.line) {
                err(
                    0,
                    format!(
                        "Anställningsnumret {} finns redan på rad {first}.",
                        excerpt(n)
                    ),
                );
            }
        }
        let name = check_name(&r.cells[1]).map_err(|m| err(1, m)).ok();
        let email = check_email(&r.cells[2]).map_err(|m| err(2, m)).ok();
        if let Some(e) = &email {
            if let Some(first) = seen_email.insert(e.clone(), r.line) {
                err(
                    2,
                    format!("E-postadressen {} finns redan på rad {first}.", excerpt(e)),
                );
            }
        }
        let role_id = roles.get(&r.cells[3].trim().to_lowercase()).copied();
        if role_id.is_none() {
            err(3, crate::text::unknown("yrkesroll", &r.cells[3]));
        }
        let unit_id = units.get(&r.cells[4].trim().to_lowercase()).copied();
        if unit_id.is_none() {
            err(4, crate::text::unknown("enhet", &r.cells[4]));
        }
        let gender = check_gender(&r.cells[5]).map_err(|m| err(5, m)).ok();
        if let (
            Some(employee_no),
            Some(name),
            Some(email),
            Some(role_id),
            Some(unit_id),
            Some(gender),
        ) = (employee_no, name, email, role_id, unit_id, gender)
        {
            out.push(StaffRecord {
                line: r.line,
                employee_no,
                name,
                email,
                role_id,
                unit_id,
                gender,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A person Navet already has within the import's scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingStaff {
    pub person_id: i64,
    pub employee_no: Option<String>,
    pub name: String,
    pub email: String,
    pub role_id: i64,
    pub unit_id: Option<i64>,
    pub gender: Gender,
    pub active: bool,
}

/// What changed for a matched person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffChange {
    Name,
    Email,
    Role,
    Unit,
    Gender,
    /// Was marked as left and is back on the list.
    Returned,
}

impl StaffChange {
    pub fn label_sv(self) -> &'static str {
        match self {
            StaffChange::Name => "nytt namn",
            StaffChange::Email => "ny e-post",
            StaffChange::Role => "ny yrkesroll",
            StaffChange::Unit => "flyttad till annan enhet",
            StaffChange::Gender => "ändrat kön",
            StaffChange::Returned => "åter i tjänst",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    pub added: Vec<StaffRecord>,
    pub changed: Vec<(i64, StaffRecord, Vec<StaffChange>)>,
    pub left: Vec<ExistingStaff>,
    pub unchanged: usize,
}

impl ImportPlan {
    pub fn is_noop(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.left.is_empty()
    }
}

/// Match rows to people by employee number, else by e-mail. People in scope
/// who are active and not on the list are marked as left (never deleted:
/// their history stays).
pub fn plan(existing: &[ExistingStaff], incoming: &[StaffRecord]) -> ImportPlan {
    let by_no: HashMap<&str, &ExistingStaff> = existing
        .iter()
        .filter_map(|e| e.employee_no.as_deref().map(|n| (n, e)))
        .collect();
    let by_email: HashMap<&str, &ExistingStaff> =
        existing.iter().map(|e| (e.email.as_str(), e)).collect();
    let mut matched: HashSet<i64> = HashSet::new();
    let mut p = ImportPlan::default();
    for r in incoming {
        let found = by_no
            .get(r.employee_no.as_str())
            .or_else(|| by_email.get(r.email.as_str()))
            .filter(|e| !matched.contains(&e.person_id));
        match found {
            None => p.added.push(r.clone()),
            Some(e) => {
                matched.insert(e.person_id);
                let mut changes = Vec::new();
                if e.name != r.name {
                    changes.push(StaffChange::Name);
                }
                if e.email != r.email {
                    changes.push(StaffChange::Email);
                }
                if e.role_id != r.role_id {
                    changes.push(StaffChange::Role);
                }
                if e.unit_id != Some(r.unit_id) {
                    changes.push(StaffChange::Unit);
                }
                if e.gender != r.gender {
                    changes.push(StaffChange::Gender);
                }
                if !e.active {
                    changes.push(StaffChange::Returned);
                }
                // A person found by e-mail gets the HR number recorded.
                if changes.is_empty() && e.employee_no.as_deref() == Some(r.employee_no.as_str()) {
                    p.unchanged += 1;
                } else {
                    p.changed.push((e.person_id, r.clone(), changes));
                }
            }
        }
    }
    p.left = existing
        .iter()
        .filter(|e| e.active && !matched.contains(&e.person_id))
        .cloned()
        .collect();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps() -> (HashMap<String, i64>, HashMap<String, i64>) {
        let roles = [
            ("undersköterska".to_string(), 2),
            ("vårdbiträde".to_string(), 1),
        ]
        .into();
        let units = [
            ("hemtjänst norr".to_string(), 10),
            ("säbo ekbacken".to_string(), 11),
        ]
        .into();
        (roles, units)
    }
    fn raw(line: usize, c: [&str; 6]) -> RawStaffRow {
        RawStaffRow {
            line,
            cells: c.map(|s| s.to_string()),
        }
    }
    fn existing(id: i64, no: &str, email: &str, role: i64, unit: i64) -> ExistingStaff {
        ExistingStaff {
            person_id: id,
            employee_no: Some(no.into()),
            name: format!("P{id}"),
            email: email.into(),
            role_id: role,
            unit_id: Some(unit),
            gender: Gender::Kvinna,
            active: true,
        }
    }

    #[test]
    fn every_error_names_its_line_and_column() {
        let (roles, units) = maps();
        let rows = vec![
            raw(
                2,
                [
                    "1",
                    "Anna",
                    "anna@x.se",
                    "Undersköterska",
                    "Hemtjänst norr",
                    "kvinna",
                ],
            ),
            raw(
                3,
                ["", "Bo", "bo-at-x.se", "Pilot", "Hemtjänst norr", "man"],
            ),
            raw(4, ["1", "Cia", "anna@x.se", "vårdbiträde", "Okänd", "?"]),
        ];
        let errs = check_rows(&rows, &roles, &units).unwrap_err();
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "anställningsnummer"),
                (3, "e-post"),
                (3, "yrkesroll"),
                (4, "anställningsnummer"),
                (4, "e-post"),
                (4, "enhet"),
                (4, "kön")
            ]
        );
    }

    #[test]
    fn plan_finds_added_moved_new_role_and_left() {
        let (roles, units) = maps();
        let rows = vec![
            raw(
                2,
                [
                    "1",
                    "P1",
                    "p1@x.se",
                    "undersköterska",
                    "säbo ekbacken",
                    "kvinna",
                ],
            ), // moved
            raw(
                3,
                [
                    "2",
                    "P2",
                    "p2@x.se",
                    "vårdbiträde",
                    "hemtjänst norr",
                    "kvinna",
                ],
            ), // new role
            raw(
                4,
                [
                    "3",
                    "P3",
                    "p3@x.se",
                    "undersköterska",
                    "hemtjänst norr",
                    "kvinna",
                ],
            ), // same
            raw(
                5,
                [
                    "9",
                    "Ny",
                    "ny@x.se",
                    "undersköterska",
                    "hemtjänst norr",
                    "man",
                ],
            ), // added
        ];
        let recs = check_rows(&rows, &roles, &units).unwrap();
        let ex = vec![
            existing(1, "1", "p1@x.se", 2, 10),
            existing(2, "2", "p2@x.se", 2, 10),
            existing(3, "3", "p3@x.se", 2, 10),
            existing(4, "4", "p4@x.se", 2, 10), // left
        ];
        let p = plan(&ex, &recs);
        assert_eq!(p.added.len(), 1);
        assert_eq!(p.added[0].employee_no, "9");
        assert_eq!(p.changed.len(), 2);
        assert_eq!(p.changed[0].0, 1);
        assert_eq!(p.changed[0].2, vec![StaffChange::Unit]);
        assert_eq!(p.changed[1].2, vec![StaffChange::Role]);
        assert_eq!(p.unchanged, 1);
        assert_eq!(
            p.left.iter().map(|e| e.person_id).collect::<Vec<_>>(),
            vec![4]
        );
    }

    #[test]
    fn a_person_without_number_is_matched_by_email_and_gets_it() {
        let (roles, units) = maps();
        let rows = vec![raw(
            2,
            [
                "77",
                "P1",
                "p1@x.se",
                "undersköterska",
                "hemtjänst norr",
                "kvinna",
            ],
        )];
        let recs = check_rows(&rows, &roles, &units).unwrap();
        let mut e = existing(1, "x", "p1@x.se", 2, 10);
        e.employee_no = None;
        let p = plan(&[e], &recs);
        assert!(p.added.is_empty());
        assert_eq!(p.changed.len(), 1);
        assert!(p.changed[0].2.is_empty());
    }

    #[test]
    fn someone_who_left_and_returns_is_reactivated() {
        let (roles, units) = maps();
        let rows = vec![raw(
            2,
            [
                "1",
                "P1",
                "p1@x.se",
                "undersköterska",
                "hemtjänst norr",
                "kvinna",
            ],
        )];
        let recs = check_rows(&rows, &roles, &units).unwrap();
        let mut e = existing(1, "1", "p1@x.se", 2, 10);
        e.active = false;
        let p = plan(&[e], &recs);
        assert_eq!(p.changed[0].2, vec![StaffChange::Returned]);
        assert!(p.left.is_empty());
    }

    #[test]
    fn headers_are_recognised_in_common_spellings() {
        assert_eq!(column_for_header("\u{feff}Anställningsnummer"), Some(0));
        assert_eq!(column_for_header("E-post"), Some(2));
        assert_eq!(column_for_header("Kön"), Some(5));
        assert_eq!(column_for_header("Lön"), None);
    }
}
